"""Judge a case's output against the reference's: apply the check its declaration names.

The check declarations live beside the harness (``harness.checks``); here is
what each means. Needs nothing but numpy and the harness, so that the student
kit carries this package as it is (``grader.course.kit``).
"""

from __future__ import annotations

from typing import Any, Callable

from harness.checks import Close, Fields, Property, Trajectory

from .figures import FIGURE_CHECKS, judge_figures
from .trajectories import trajectory
from .values import Judgement, differences, judgement_of

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
        return judgement_of(problems)
    if isinstance(check, Fields):
        return _judge_fields(check, expected, got, reveal, properties, figures)
    if isinstance(check, Trajectory):
        return trajectory(check, expected, got, reveal)
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
        return judgement_of(differences(expected, got, "", 1e-7, 1e-9, reveal))
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
    return judgement_of(messages)


