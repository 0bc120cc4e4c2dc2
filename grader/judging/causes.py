"""Consequential errors: when several cases of one function fail, point to one of them.

One mistake (output 1 at phi == 0, a transposed matrix) usually makes every
case of a function fail. A student then does best to fix the smallest failing
case first: a public one, whose inputs and values the report shows, with the
fewest numbers in its result.
"""

from __future__ import annotations

import numpy as np

from grader.common.results import CaseResult
from grader.common.status import CaseStatus


def shared_causes(cases: list[CaseResult], expected_values: dict) -> list[dict]:
    """Per contract function with two or more failing cases: its failing cases and the smallest.

    Each entry is {"function", "cases" (names, in the Aufgabe's order), "smallest"}.
    """
    failing: dict[str, list[CaseResult]] = {}
    for case in cases:
        if case.status != CaseStatus.PASSED:
            failing.setdefault(case.name.split("/", 1)[0], []).append(case)
    causes = []
    for function, group in failing.items():
        if len(group) < 2:
            continue
        smallest = min(group, key=lambda c: (c.visibility != "public", _size(expected_values.get(c.name))))
        causes.append({"function": function, "cases": [c.name for c in group], "smallest": smallest.name})
    return causes


def _size(value) -> int:
    """How many numbers a result holds: a measure of how small a case is."""
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, dict):
        return sum(_size(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value)
    return 1


def fix_first(cases: list[CaseResult], builds_on: dict[str, list[str]]) -> list[dict]:
    """Functions that fail while a function they build on (by the contract) fails too: the report says
    once to fix that one first, since its mistake may be all that is wrong with them.

    Each entry is {"function", "first" (the failing functions it builds on, in ``builds_on``'s order)}.
    """
    failing = {case.name.split("/", 1)[0] for case in cases if case.status != CaseStatus.PASSED}
    found = []
    for function, bases in builds_on.items():
        first = [base for base in bases if base in failing]
        if function in failing and first:
            found.append({"function": function, "first": first})
    return found
