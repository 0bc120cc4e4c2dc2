"""Compare values: German sentences for every difference between a result and the reference's.

Runs on the host, on plain data that ``grader.backends.validate`` has checked:
dicts, lists, str, int, float, bool, None and float64 arrays. Needs nothing
but numpy, so that the student kit can use the very same messages.

Every message names the value it speaks of. For a hidden case
(``reveal=False``) it says what is wrong (shape, how many values differ) but
never an expected value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Judgement:
    passed: bool
    message: str
    kind: str = ""
    """For a failure: a short word for what kind of failure it is, where the check can tell
    (``"png-not-gray"``, ``"unlabelled"``); a typical mistake is recognised by it where its
    values cannot be compared (``grader.judging.compare.signs``)."""



def judgement_of(problems: list[str]) -> Judgement:
    """The judgement of a list of differences: right when there is none, else the first five."""
    if problems:
        shown = problems[:5]
        if len(problems) > 5:
            shown.append(f"… und {len(problems) - 5} weitere Abweichungen.")
        return Judgement(False, " ".join(shown))
    return Judgement(True, "Richtig.")


def _name(path: str) -> str:
    if not path:
        return "Der Rückgabewert"
    return f"Element {path}" if path.startswith("[") else f"'{path}'"


def _is_number(x) -> bool:
    return type(x) in (int, float, bool) or (isinstance(x, np.ndarray) and x.ndim == 0)


def as_array(x) -> np.ndarray | None:
    """A float array from plain got-data (lists of numbers or arrays), else None."""
    if isinstance(x, np.ndarray):
        return x
    try:
        array = np.array(x, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.dtype == np.float64 else None


def _describe(x) -> str:
    if x is None:
        return "nichts (None)"
    if isinstance(x, np.ndarray):
        return f"ein Array der Form {x.shape}"
    if isinstance(x, dict):
        return "ein dict"
    if isinstance(x, list):
        return f"eine Liste der Länge {len(x)}"
    if isinstance(x, str):
        return "ein Text"
    return "eine Zahl"


def differences(expected, got, path: str = "", *, rtol: float, atol: float, reveal: bool) -> list[str]:
    """German sentences, one per difference between ``got`` and ``expected``."""
    name = _name(path)
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{name} ist {_describe(got)}, erwartet ein dict."]
        problems = []
        wrong = {}
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in got:
                problems.append(f"'{sub}' fehlt.")
            else:
                found = differences(value, got[key], sub, rtol=rtol, atol=atol, reveal=reveal)
                problems += found
                if found:
                    wrong[key] = (value, got[key])
        if not path and wrong:
            problems[:0] = _first_difference(expected, wrong, rtol=rtol, atol=atol, reveal=reveal)
        return problems
    if isinstance(expected, list):
        if not isinstance(got, (list, np.ndarray)) or len(got) != len(expected):
            return [f"{name} ist {_describe(got)}, erwartet eine Liste der Länge {len(expected)}."]
        problems = []
        for index, value in enumerate(expected):
            problems += differences(value, got[index], f"{path}[{index}]", rtol=rtol, atol=atol, reveal=reveal)
        return problems
    if isinstance(expected, np.ndarray):
        return _array_differences(expected, got, name, rtol=rtol, atol=atol, reveal=reveal)
    if isinstance(expected, str) or expected is None:
        if got == expected and type(got) is type(expected):
            return []
        return [f"{name} ist falsch" + (f": erwartet {expected!r}, erhalten {got!r}." if reveal else ".")]
    # A number. Integers (and bools) must match exactly, floats within the tolerance.
    if not _is_number(got):
        return [f"{name} ist {_describe(got)}, erwartet eine Zahl."]
    value = float(got)
    exact = type(expected) in (int, bool)
    if exact:
        ok = value == float(expected)
    else:
        ok = bool(np.isclose(value, expected, rtol=rtol, atol=atol)) or (
            np.isnan(value) and np.isnan(expected)
        )
    if ok:
        return []
    if reveal:
        shown = value
        if type(expected) is bool:
            shown = bool(value)
        elif exact and value.is_integer():
            shown = int(value)
        return [f"{name} ist {shown!r}, erwartet {expected!r}."]
    return [f"{name} ist falsch."]


def _array_differences(expected, got, name, *, rtol, atol, reveal) -> list[str]:
    array = as_array(got)
    if array is None:
        return [f"{name} ist {_describe(got)}, erwartet ein Array der Form {expected.shape}."]
    if array.shape != expected.shape:
        return [f"{name} hat die Form {array.shape}, erwartet {expected.shape}."]
    close = np.isclose(array, expected, rtol=rtol, atol=atol) | (
        np.isnan(array) & np.isnan(expected)
    )
    wrong = int(close.size - np.count_nonzero(close))
    if wrong == 0:
        return []
    where_wrong = _where(~close)
    if not reveal:
        return [f"{name} weicht an {wrong} von {close.size} Stellen ab{where_wrong}."]
    deviation = np.where(close, 0.0, np.abs(np.nan_to_num(array - expected, nan=np.inf)))
    index = np.unravel_index(int(np.argmax(deviation)), deviation.shape) if deviation.ndim else ()
    where = f" an Index {tuple(int(i) for i in index)}" if index else ""
    return [
        f"{name} weicht an {wrong} von {close.size} Stellen ab{where_wrong}; die größte Abweichung{where}: "
        f"erwartet {expected[index]:.6g}, erhalten {array[index]:.6g}."
    ]


# --- issue 15.7: say where and what differs, not only how much ---


def _where(wrong: np.ndarray) -> str:
    """Where the differences of an array lie, when they do not lie everywhere.

    A vector: the first differing index (an epoch, a step). A matrix: the rows or
    columns they are confined to (the last row of a weight matrix is its bias row).
    Positions only, never values: also for hidden cases.
    """
    if wrong.ndim == 1:
        first = int(np.argmax(wrong))
        return f" (zuerst an Index {first}, davor stimmt alles)" if first > 0 else ""
    if wrong.ndim != 2 or wrong.all():
        return ""
    for axis, word in ((1, "Zeile"), (0, "Spalte")):
        lines = np.flatnonzero(wrong.any(axis=axis))
        if len(lines) < wrong.shape[1 - axis]:
            return f" (nur in {_lines(lines, wrong.shape[1 - axis], word)})"
    return ""


def _lines(lines: np.ndarray, count: int, word: str) -> str:
    if len(lines) == 1:
        last = " (der letzten)" if lines[0] == count - 1 else ""
        return f"{word} {int(lines[0])}{last}"
    shown = ", ".join(str(int(i)) for i in lines[:6]) + (", …" if len(lines) > 6 else "")
    return f"den {word}n {shown}"


def _first_difference(expected: dict, wrong: dict, *, rtol, atol, reveal) -> list[str]:
    """A sentence naming the first entry of a result that differs and, inside it, what is right.

    Results are dicts in a meaningful order (steps, epochs, runs): the first
    entry that differs tells where a mistake first shows, e.g. which parameter
    of the first CD step.
    """
    first = next(k for k in expected if k in wrong)
    value, got = wrong[first]
    if not (isinstance(value, dict) and isinstance(got, dict)) or len(value) < 2:
        return []  # the sentences that follow name it already
    bad = [k for k, v in value.items() if k not in got or differences(v, got[k], rtol=rtol, atol=atol, reveal=reveal)]
    good = [k for k in value if k not in bad]
    text = f"Zuerst weicht '{first}' ab" if len(wrong) > 1 else f"'{first}' weicht ab"
    text += f": {', '.join(bad)}"
    return [text + (f" (richtig: {', '.join(good)})." if good else ".")]


def training_divergence(expected: list, got: list, *, start: list, errors, candidates: list, rtol, atol) -> list[str]:
    """Where a training run left the recomputed one: rows never changed, the first epoch off.

    ``expected`` (recomputed), ``got`` (returned) and ``start`` (the run's initial
    weights) are lists of weight matrices (bias row last); ``errors`` is the run's
    error log, ``candidates`` the recomputed logs it may follow.
    """
    notes = []
    for index, (right, mine, first) in enumerate(zip(expected, got, start, strict=False)):
        if not (np.ndim(mine) == 2 and np.shape(mine) == np.shape(first) == np.shape(right)):
            continue
        stuck = np.flatnonzero(np.all(mine == first, axis=1) & ~np.all(right == first, axis=1))
        if len(stuck):
            bias_only = list(stuck) == [len(first) - 1]
            rows = "die letzte Zeile (die Bias-Gewichte)" if bias_only else _lines(stuck, len(first), "Zeile")
            notes.append(
                f"In weights[{index}] {'blieb' if len(stuck) == 1 else 'blieben'} {rows} seit den "
                "Startgewichten unverändert, obwohl das Training sie ändern müsste."
            )
    if isinstance(errors, np.ndarray) and errors.ndim == 1:
        agree = max(_agreeing_prefix(log, errors, rtol=rtol, atol=atol) for log in candidates)
        if agree < len(errors):
            notes.append(f"Der Fehlerverlauf errors weicht ab Epoche {agree} vom nachgerechneten ab.")
    return notes


def _agreeing_prefix(expected: np.ndarray, got: np.ndarray, *, rtol, atol) -> int:
    if got.shape != expected.shape:
        return 0
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    return len(close) if close.all() else int(np.argmin(close))
