"""What a typical mistake does on a case it fails, and whether a submission's run does the same.

A mistake's **signature** is one sign per case it fails (``grader.judging.diagnosis``):

- ``{"value": v, "figures": f}``: its output, where the case's check tells it from the
  reference's; a run fits when its output passes the check with ``v`` in the place of the
  expected value;
- ``{"kind": k}``: the kind of failure the check names (``Judgement.kind``) where it
  compares no values (a property, a figure); a run fits when it fails with the same kind;
- ``{"raises": "TypeError"}``: the exception class its code raises there; a run fits when
  it raises the same. An exception is weak evidence on its own: it names the mistake
  only where the function works on some case the mistake passes too (a function that
  raises everywhere is not "only for one pattern").

``strength`` decides from the fitting cases whether the mistake is named for
certain, as possible, or not at all. Needs only numpy and its siblings: the
student kit carries this package and names the same mistakes for public cases.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np

from harness.checks import Trajectory

from .judge import judge


def function_of(case_name: str) -> str:
    """The contract function a case calls: its name up to the first "/"."""
    return case_name.split("/", 1)[0]


def passes(check, value, figures: Sequence, got, got_figures: Sequence, properties) -> bool:
    """Whether ``got`` passes ``check`` with ``value`` (a mistake's output) as the expected value."""
    try:
        # The very same trajectory passes at once: comparing the attractors of a chaotic map is
        # most of what a diagnosis costs (bench/mistakes.py), and equal arrays need none of it.
        if isinstance(check, Trajectory) and np.array_equal(np.asarray(value), np.asarray(got)):
            return True
        return judge(
            check, value, got, reveal=False, properties=properties, expected_figures=figures, figures=got_figures,
        ).passed
    except Exception:  # a check that cannot compare these outputs matches nothing
        return False


def kind_of(check, expected, expected_figures: Sequence, got, got_figures: Sequence, properties) -> str:
    """The kind of failure of ``got`` against the reference's output ("" where none is named)."""
    try:
        judgement = judge(
            check, expected, got, reveal=False, properties=properties, expected_figures=expected_figures, figures=got_figures,
        )
    except Exception:
        return ""
    return "" if judgement.passed else judgement.kind


def fits(sign: Mapping, check, run_status: str, exception: str, got, got_figures: Sequence, *,
         expected, expected_figures: Sequence, properties) -> bool:
    """Whether one case's run (``run_status`` "ok" or "exception") shows the mistake's ``sign``."""
    if "raises" in sign:
        return run_status == "exception" and exception == sign["raises"]
    if run_status != "ok":
        return False
    if "kind" in sign:
        return kind_of(check, expected, expected_figures, got, got_figures, properties) == sign["kind"]
    return passes(check, sign["value"], sign.get("figures", []), got, got_figures, properties)


def strength(
    signature: Mapping[str, Mapping], loses: frozenset[str] | set[str], verdicts: Mapping[str, str], fitting: set[str]
) -> tuple[bool, int] | None:
    """(certain, fitting cases) of one mistake for one submission, or None where it names nothing.

    ``verdicts`` are the statuses of the cases this submission ran, ``fitting``
    those of them whose run shows the mistake's sign. Certain: every case of the
    signature that was run fits and no case the mistake loses was passed.
    Possible: two or more fit, and at least half of those predicted. One fitting case
    among several is a coincidence, and so are a few among many (a perceptron that
    shuffles its patterns ends like a batch update on 3 of 12 trainings).
    """
    predicted = [name for name in signature if name in verdicts]
    fit = [name for name in predicted if name in fitting]
    if not fit:
        return None
    if all("raises" in signature[name] for name in fit):
        functions = {function_of(name) for name in fit}
        works = any(
            status == "passed" and name not in loses and function_of(name) in functions
            for name, status in verdicts.items()
        )
        if not works:
            return None
    contradicted = any(verdicts.get(name) == "passed" for name in loses)
    if len(fit) == len(predicted) and not contradicted:
        return True, len(fit)
    return (False, len(fit)) if len(fit) >= 2 and 2 * len(fit) >= len(predicted) else None


def sentence(title: str, hint: str, certain: bool) -> str:
    """The German sentence that names a mistake, as reports, ``grader check`` and the kit say it
    (``reports/mistake.j2``); ``hint`` is "" where the case keeps its details to itself."""
    named = f"Das entspricht dem typischen Fehler „{title}“" if certain else f"Das könnte der typische Fehler „{title}“ sein"
    return f"{named} — Hinweis: {hint}" if hint else f"{named}."


def name_mistakes(catalogue: Mapping[str, Mapping], runs: Mapping[str, tuple], verdicts: Mapping[str, str], *,
                  checks: Mapping, expected: Mapping[str, tuple], properties) -> dict[str, dict]:
    """Case name -> ``{"id", "title", "hint", "certain"}`` for the failed cases a mistake explains.

    The rule of ``grader.judging.diagnosis.diagnose``, for a caller that has the catalogue as
    plain data (the kit): ``catalogue`` maps a mistake id to ``{"title", "hint", "loses",
    "signature"}``; ``runs`` a failed case to (run status "ok"/"exception", exception class,
    value, figures); ``verdicts`` every case that was run to its status; ``checks`` and
    ``expected`` give each case's check and the reference's (value, figures).
    """
    found = {}
    for name, (status, exception, value, figures) in runs.items():
        # A run's kind of failure is the same for every mistake: judged once (a property that
        # replays a training is most of what naming costs, bench/mistakes.py).
        kind = functools.cache(
            lambda: kind_of(checks[name], expected[name][0], expected[name][1], value, figures, properties)  # noqa: B023
        )
        found[name] = {
            mistake_id
            for mistake_id, entry in catalogue.items()
            if (sign := entry["signature"].get(name)) is not None
            and (
                status == "ok" and kind() == sign["kind"] if "kind" in sign
                else fits(sign, checks[name], status, exception, value, figures,
                          expected=expected[name][0], expected_figures=expected[name][1], properties=properties)
            )
        }
    strengths = {}
    for mistake_id in set().union(*found.values()) if found else ():
        fitting = {name for name, ids in found.items() if mistake_id in ids}
        entry = catalogue[mistake_id]
        judged = strength(entry["signature"], frozenset(entry["loses"]), verdicts, fitting)
        if judged is not None:
            strengths[mistake_id] = judged
    named = {}
    for name, ids in found.items():
        candidates = [m for m in ids if m in strengths]
        if candidates:
            best = min(candidates, key=lambda m: (not strengths[m][0], -strengths[m][1], m))
            entry = catalogue[best]
            named[name] = {"id": best, "title": entry["title"], "hint": entry["hint"], "certain": strengths[best][0]}
    return named
