"""Judge a case's output against the reference's: the comparators.

Runs on the host, on plain data that ``grader.validate`` has checked: dicts,
lists, str, int, float, bool, None and float64 arrays. Needs nothing but
numpy, so that the student kit can use the very same messages.

Every message is German and names the value it speaks of. For a hidden case
(``reveal=False``) it says what is wrong (shape, how many values differ) but
never an expected value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from harness.checks import Close, Fields, Property, Trajectory


@dataclass(frozen=True)
class Judgement:
    passed: bool
    message: str


PropertyCheck = Callable[..., Judgement]


def judge(
    check: Any,
    expected: Any,
    got: Any,
    *,
    reveal: bool,
    properties: dict[str, PropertyCheck] | None = None,
    figures: tuple[list, list] = ([], []),
) -> Judgement:
    """Apply the declaration ``check`` of a case (see ``harness.checks``).

    ``figures`` are (student's, reference's) captured figures, each a list of
    {"data": plotted data, "png": bytes}; property checks receive them.
    """
    if isinstance(check, Close):
        problems = differences(expected, got, "", check.rtol, check.atol, reveal)
        return _verdict(problems)
    if isinstance(check, Fields):
        return _judge_fields(check, expected, got, reveal, properties, figures)
    if isinstance(check, Trajectory):
        return trajectory(check, expected, got, reveal)
    from .figures import FIGURE_CHECKS, judge_figures

    if isinstance(check, FIGURE_CHECKS):
        return judge_figures(check, figures[0], figures[1])
    if isinstance(check, Property):
        if not properties or check.name not in properties:
            raise LookupError(f"the Aufgabe defines no property check {check.name!r}")
        return properties[check.name](
            got, expected, reveal=reveal, figures=figures[0], expected_figures=figures[1], **check.params
        )
    raise TypeError(f"unknown check {check!r}")


def _judge_fields(check: Fields, expected, got, reveal, properties, figures) -> Judgement:
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return _verdict(differences(expected, got, "", 1e-7, 1e-9, reveal))
    messages = []
    for key, value in expected.items():
        sub = check.checks.get(key, Close())
        if key not in got:
            messages.append(f"'{key}' fehlt im Ergebnis.")
            continue
        if isinstance(sub, Close):
            messages += differences(value, got[key], key, sub.rtol, sub.atol, reveal)
            continue
        judgement = judge(sub, value, got[key], reveal=reveal, properties=properties, figures=figures)
        if not judgement.passed:
            messages.append(f"'{key}': {judgement.message}")
    return _verdict(messages)


def _verdict(problems: list[str]) -> Judgement:
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


def _as_array(x) -> np.ndarray | None:
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


def differences(expected, got, path: str, rtol: float, atol: float, reveal: bool) -> list[str]:
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
                found = differences(value, got[key], sub, rtol, atol, reveal)
                problems += found
                if found:
                    wrong[key] = (value, got[key])
        if not path and wrong:
            problems[:0] = _first_difference(expected, wrong, rtol, atol, reveal)
        return problems
    if isinstance(expected, list):
        if not isinstance(got, (list, np.ndarray)) or len(got) != len(expected):
            return [f"{name} ist {_describe(got)}, erwartet eine Liste der Länge {len(expected)}."]
        problems = []
        for index, value in enumerate(expected):
            problems += differences(value, got[index], f"{path}[{index}]", rtol, atol, reveal)
        return problems
    if isinstance(expected, np.ndarray):
        return _array_differences(expected, got, name, rtol, atol, reveal)
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
        if type(expected) is bool:
            shown = bool(value)
        else:
            shown = int(value) if exact and value.is_integer() else value
        return [f"{name} ist {shown!r}, erwartet {expected!r}."]
    return [f"{name} ist falsch."]


def _array_differences(expected, got, name, rtol, atol, reveal) -> list[str]:
    array = _as_array(got)
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


def _first_difference(expected: dict, wrong: dict, rtol, atol, reveal) -> list[str]:
    """A sentence naming the first entry of a result that differs and, inside it, what is right.

    Results are dicts in a meaningful order (steps, epochs, runs): the first
    entry that differs tells where a mistake first shows, e.g. which parameter
    of the first CD step.
    """
    first = next(k for k in expected if k in wrong)
    value, got = wrong[first]
    if not (isinstance(value, dict) and isinstance(got, dict)) or len(value) < 2:
        return []  # the sentences that follow name it already
    bad = [k for k, v in value.items() if k not in got or differences(v, got[k], "", rtol, atol, reveal)]
    good = [k for k in value if k not in bad]
    text = f"Zuerst weicht '{first}' ab" if len(wrong) > 1 else f"'{first}' weicht ab"
    text += f": {', '.join(bad)}"
    return [text + (f" (richtig: {', '.join(good)})." if good else ".")]


def training_divergence(start: list, got: list, expected: list, errors, candidates: list, rtol, atol) -> list[str]:
    """Where a training run left the recomputed one: rows never changed, the first epoch off.

    ``start``, ``got`` and ``expected`` are lists of weight matrices (bias row last);
    ``errors`` is the run's error log, ``candidates`` the logs it may follow.
    """
    notes = []
    for index, (first, mine, right) in enumerate(zip(start, got, expected)):
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
        agree = max(_agreeing_prefix(errors, log, rtol, atol) for log in candidates)
        if agree < len(errors):
            notes.append(f"Der Fehlerverlauf errors weicht ab Epoche {agree} vom nachgerechneten ab.")
    return notes


def _agreeing_prefix(got: np.ndarray, want: np.ndarray, rtol, atol) -> int:
    if got.shape != want.shape:
        return 0
    close = np.isclose(got, want, rtol=rtol, atol=atol)
    return len(close) if close.all() else int(np.argmin(close))


def trajectory(check: Trajectory, expected, got, reveal: bool) -> Judgement:
    """Tight on the first steps, then the attractors as point clouds."""
    array = _as_array(got)
    if array is None or array.shape != expected.shape:
        shape = None if array is None else array.shape
        return Judgement(False, f"Die Trajektorie hat die Form {shape}, erwartet {expected.shape}.")
    if not np.all(np.isfinite(array)):
        return Judgement(False, "Die Trajektorie enthält NaN oder unendliche Werte.")
    head = min(check.tight_steps + 1, len(expected))
    early = differences(expected[:head], array[:head], "", 0.0, check.atol, reveal)
    if early:
        steps = np.flatnonzero(np.any(~np.isclose(array[:head], expected[:head], rtol=0, atol=check.atol), axis=-1))
        return Judgement(
            False,
            f"Schon in den ersten {head - 1} Schritten weicht die Trajektorie ab, zuerst in "
            f"Schritt {int(steps[0])}. " + (early[0] if reveal else ""),
        )
    tail_expected, tail_got = expected[head:], array[head:]
    if len(tail_expected) == 0:
        return Judgement(True, "Richtig.")
    missed = _uncovered_share(tail_got, tail_expected, check.cloud_tol)
    unreached = _uncovered_share(tail_expected, tail_got, check.cloud_tol)
    if missed > check.outlier_share or unreached > check.outlier_share:
        return Judgement(
            False,
            f"Die ersten {head - 1} Schritte stimmen, danach liegt die Trajektorie nicht auf dem "
            f"Attraktor der Referenz: {missed:.0%} der Punkte liegen abseits, "
            f"{unreached:.0%} des Attraktors werden nicht erreicht (Toleranz {check.cloud_tol}).",
        )
    return Judgement(True, f"Richtig: die ersten {head - 1} Schritte genau, danach derselbe Attraktor.")


def _uncovered_share(points: np.ndarray, cloud: np.ndarray, tol: float) -> float:
    """Share of ``points`` farther than ``tol`` from every point of ``cloud``."""
    points = points.reshape(len(points), -1)
    cloud = cloud.reshape(len(cloud), -1)
    if points.shape[1] == 2 and _grid_exact(points, cloud, tol):
        return _uncovered_share_grid(points, cloud, tol)
    return _uncovered_share_all(points, cloud, tol)


def _uncovered_share_all(points: np.ndarray, cloud: np.ndarray, tol: float) -> float:
    """``_uncovered_share`` by comparing every point with every cloud point."""
    far = 0
    for start in range(0, len(points), 512):
        block = points[start : start + 512]
        distances = np.sqrt(((block[:, None, :] - cloud[None, :, :]) ** 2).sum(-1))
        far += int(np.count_nonzero(distances.min(axis=1) > tol))
    return far / len(points)


def _grid_exact(points: np.ndarray, cloud: np.ndarray, tol) -> bool:
    """Whether ``_uncovered_share_grid`` gives exactly what comparing all pairs gives.

    Needs finite coordinates (a NaN distance is never "far"), a tolerance far
    from underflow and overflow, and coordinates small enough that the grid's
    cell numbers fit into int64 keys.
    """
    if not (len(points) and len(cloud) and isinstance(tol, (int, float)) and 1e-100 < tol < 1e100):
        return False
    if not (np.all(np.isfinite(points)) and np.all(np.isfinite(cloud))):
        return False
    return max(float(np.max(np.abs(points))), float(np.max(np.abs(cloud)))) < tol * 2**20


def _uncovered_share_grid(points: np.ndarray, cloud: np.ndarray, tol: float) -> float:
    """``_uncovered_share`` for 2-D points, comparing only pairs in neighbouring grid cells.

    The cells are 2 * tol wide. A pair within tol differs by at most tol in
    each coordinate (a distance is never below either coordinate's part), so
    its cell numbers differ by at most one: the 3 x 3 cells around a point
    hold every cloud point near it. Those pairs' distances are computed as in
    ``_uncovered_share_all``, so the verdict is the same to the last bit.
    """
    width = 2 * tol
    cloud_cells = np.floor(cloud / width).astype(np.int64)
    point_cells = np.floor(points / width).astype(np.int64)
    origin = cloud_cells.min(axis=0)
    cloud_cells -= origin
    point_cells -= origin
    rows = int(cloud_cells[:, 0].max()) + 1
    # Column 0 and the last column stay empty, so a query one cell beyond the cloud finds nothing.
    columns = int(cloud_cells[:, 1].max()) + 3
    keys = cloud_cells[:, 0] * columns + cloud_cells[:, 1] + 1
    order = np.argsort(keys, kind="stable")
    keys, cloud = keys[order], cloud[order]
    row = point_cells[:, :1] + np.array([-1, 0, 1])  # (n, 3): the neighbouring rows
    # The neighbouring columns, shifted by one like the keys; clipped into the empty edge columns.
    low_column = np.clip(point_cells[:, 1:], 0, columns - 1)
    high_column = np.clip(point_cells[:, 1:] + 2, 0, columns - 1)
    valid = (row >= 0) & (row < rows)
    base = np.where(valid, row, 0) * columns
    low = np.searchsorted(keys, base + low_column, side="left")
    high = np.searchsorted(keys, base + high_column, side="right")
    high = np.where(valid, high, low)
    near = np.zeros(len(points), dtype=bool)
    px, py, cx, cy = points[:, 0].copy(), points[:, 1].copy(), cloud[:, 0].copy(), cloud[:, 1].copy()
    for which, index in range_pairs(low.ravel(), high.ravel()):
        owner = which // 3
        # The same operations as ((p - c) ** 2).sum(-1) over two coordinates: dx² + dy².
        dx = px[owner] - cx[index]
        dy = py[owner] - cy[index]
        distances = np.sqrt(dx * dx + dy * dy)
        near[owner[distances <= tol]] = True
    return int(np.count_nonzero(~near)) / len(points)


def range_pairs(low: np.ndarray, high: np.ndarray, chunk: int = 1 << 20):
    """(range number, index) of every index in ``low[r]:high[r]``, about ``chunk`` pairs at a time."""
    counts = np.maximum(high - low, 0)
    ends = np.cumsum(counts)
    start = 0
    while start < len(counts):
        offset = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, offset + chunk, side="right")), start + 1)
        sizes = counts[start:stop]
        total = int(sizes.sum())
        if total:
            which = np.repeat(np.arange(start, stop), sizes)
            first = np.cumsum(sizes) - sizes
            yield which, np.arange(total) - np.repeat(first - low[start:stop], sizes)
        start = stop
