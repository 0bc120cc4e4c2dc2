"""Judge a case's output against the reference's: apply the check its declaration names.

The check declarations live beside the harness (``harness.checks``); here is
what each means. Needs nothing but numpy and the harness, so that the student
kit carries this package as it is (``grader.course.kit``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from harness.checks import Close, Fields, Property, Trajectory

from .figures import FIGURE_CHECKS, judge_figures
from .trajectories import trajectory
from .values import Judgement, differences, judgement_of

PropertyCheck = Callable[..., Judgement]
"""A function of an Aufgabe's ``properties.py``, called as
``check(expected, got, *, reveal, expected_figures, figures, **params)``: reference first, like every comparator."""


def judge(
    check: Any,
    expected: Any,
    got: Any,
    *,
    reveal: bool,
    properties: dict[str, PropertyCheck] | None = None,
    expected_figures: Sequence[dict] = (),
    figures: Sequence[dict] = (),
) -> Judgement:
    """Apply the declaration ``check`` of a case (see ``harness.checks``).

    ``expected_figures`` and ``figures`` are the reference's and the student's
    captured figures, each a list of {"data": plotted data, "png": bytes};
    figure and property checks receive them.
    """
    if isinstance(check, Close):
        return judgement_of(differences(expected, got, rtol=check.rtol, atol=check.atol, reveal=reveal))
    if isinstance(check, Fields):
        return _judge_fields(check, expected, got, reveal, properties, expected_figures, figures)
    if isinstance(check, Trajectory):
        return trajectory(check, expected, got, reveal=reveal)
    if isinstance(check, FIGURE_CHECKS):
        return judge_figures(check, expected_figures, figures)
    if isinstance(check, Property):
        if not properties or check.name not in properties:
            raise LookupError(f"the Aufgabe defines no property check {check.name!r}")
        return properties[check.name](
            expected, got, reveal=reveal, expected_figures=expected_figures, figures=figures, **check.params
        )
    raise TypeError(f"unknown check {check!r}")


def _judge_fields(check: Fields, expected, got, reveal, properties, expected_figures, figures) -> Judgement:
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return judgement_of(differences(expected, got, rtol=1e-7, atol=1e-9, reveal=reveal))
    messages = []
    for key, value in expected.items():
        sub = check.checks.get(key, Close())
        if key not in got:
            messages.append(f"'{key}' fehlt im Ergebnis.")
            continue
        if isinstance(sub, Close):
            messages += differences(value, got[key], key, rtol=sub.rtol, atol=sub.atol, reveal=reveal)
            continue
        judgement = judge(
            sub, value, got[key], reveal=reveal, properties=properties, expected_figures=expected_figures, figures=figures
        )
        if not judgement.passed:
            messages.append(f"'{key}': {judgement.message}")
    return judgement_of(messages)
