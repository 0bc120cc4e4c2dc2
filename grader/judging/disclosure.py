"""What a student may see of a case: the one rule, for grading and for the reports.

A public case shows everything: the code that called the student's function,
expected and got, what it printed, its traceback, its figures beside the
reference's, the hint of a typical mistake, and messages that quote what the
code returned or raised.

A hidden case shows its verdict and its points. What its code printed, raised
or returned could carry its inputs, and its expected values are what it
tests: its message quotes none of it (``grader.judging.verdicts``), and its details
are not even stored with the result. A hidden case with a release date is the
exception: its details are stored (its message stays a hidden case's), and a
report shows them once the date has passed and the instructor releases hidden
cases (``--release-hidden``).

``case`` below is a case of the Aufgabe (``harness.api.Case``) or its result
(``grader.common.results.CaseResult``): both carry ``visibility`` and ``release``.
"""

from __future__ import annotations

from datetime import date

LEVELS = ("public", "hidden", "hidden_until", "released")
"""How much of a case a report shows: all (``public``, ``released``: a hidden case
after its release date) or the verdict only (``hidden``; ``hidden_until``: a release
date not reached or not released)."""


def quotes_the_code(case) -> bool:
    """Whether the case's message may quote what its code returned or raised, or name
    its expected values. Messages are written when graded and never change after."""
    return case.visibility == "public"


def keeps_details(case) -> bool:
    """Whether the case's details (output, traceback, values, figures, a mistake's hint)
    are stored with its result at all."""
    return case.visibility == "public" or bool(case.release)


def level(case, *, release_hidden: bool, today: date) -> str:
    """How much of ``case`` a report shows on ``today`` (one of ``LEVELS``)."""
    if case.visibility == "public":
        return "public"
    if not case.release:
        return "hidden"
    released = release_hidden and today >= date.fromisoformat(case.release)
    return "released" if released else "hidden_until"


def shows_details(shown: str) -> bool:
    """Whether a report shows the details of a case at level ``shown``."""
    return shown in ("public", "released")
