"""What a case module of an Aufgabe uses: the ``@case`` decorator and the context.

A case is a small function ``f(m, ctx)`` that calls the module under test ``m``
(the student's or the reference's) and returns plain data: a dict of numbers,
arrays, strings, lists and dicts. It runs once against the reference on the
host (its output is the expected value) and once against each submission
inside the sandbox. The decorator records how the output is judged; the
function itself never sees an expected value.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .checks import (
    Close,
    DecreasingCurve,
    Fields,
    LabelledAxes,
    Property,
    ShowsImage,
    ShowsPoints,
    Trajectory,
)

__all__ = [
    "Case", "Context", "case", "collect",
    "Close", "Fields", "Trajectory", "Property",
    "ShowsPoints", "LabelledAxes", "ShowsImage", "DecreasingCurve",
]

VISIBILITIES = ("public", "hidden")
WALL_FACTOR = 3.0
WALL_SLACK = 2.0
"""A case may take ``WALL_FACTOR`` times its CPU limit plus ``WALL_SLACK`` seconds on the
wall clock. Its limit counts its own CPU time (as DOMjudge and isolate do), which a busy
machine does not change; the wall clock is only a backstop against code that waits
(``time.sleep``, a lock, a pipe) and must leave room for a machine whose cores are shared
three ways and more (a timeout there is confirmed by a second run, see
``grader.backends.session``)."""


def wall_limit(cpu_seconds: float) -> float:
    """The wall-clock backstop of a case whose CPU limit is ``cpu_seconds``."""
    return WALL_FACTOR * cpu_seconds + WALL_SLACK


def latest_end(wall_seconds: float) -> float:
    """The longest a case with the backstop ``wall_seconds`` can run on the wall clock.

    The time the case process waited for a CPU (it was runnable; the machine was busy)
    does not count against its backstop, up to twice the backstop: on a machine whose
    cores are shared many ways, a case that computes most of its limit still ends at
    its CPU limit, not at the wall clock.
    """
    return 3 * wall_seconds


@dataclass(frozen=True)
class Case:
    """One graded check of an Aufgabe."""

    name: str
    """``<contract function>/<short description>``, e.g. ``pool2d/max-odd-shape``."""
    func: Callable[[types.ModuleType, Context], Any] = field(repr=False)
    points: float
    visibility: str
    """``public``: inputs, expected and got values appear in the report and the
    student kit; ``hidden``: only verdict and points."""
    timeout: float
    """Seconds of CPU time the case's processes may use (enforced from outside them);
    the wall clock stops it only at the backstop ``wall_limit(timeout)``."""
    check: Any
    """A declaration from ``harness.checks`` (or a ``Fields`` of them)."""
    about: str = ""
    """One German sentence for the student: what this case tries."""
    release: str = ""
    """Hidden cases only: ISO date (``2026-12-01``) from which the report may show
    the case's details, when rendered with ``--release-hidden``."""


def case(
    name: str,
    *,
    points: float = 1.0,
    visibility: str = "public",
    timeout: float = 10.0,
    check: Any = Close(),  # noqa: B008 (a frozen declaration: one shared default is safe)
    about: str = "",
    release: str = "",
) -> Callable:
    """Mark ``f(m, ctx)`` as a case of the module it is defined in."""
    if "/" not in name:
        raise ValueError(f"case name {name!r} must read '<function>/<what>'")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility of {name!r} must be one of {VISIBILITIES}")
    if points < 0 or timeout <= 0:
        raise ValueError(f"case {name!r}: points must be >= 0 and timeout > 0")
    if release and (visibility != "hidden" or not _is_date(release)):
        raise ValueError(f"case {name!r}: release must be an ISO date (YYYY-MM-DD) of a hidden case")

    def mark(func: Callable) -> Callable:
        func.__case__ = Case(name, func, float(points), visibility, float(timeout), check, about, release)
        return func

    return mark


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def collect(module: types.ModuleType) -> list[Case]:
    """The cases of a case module, in the order they are defined."""
    cases = [f.__case__ for f in vars(module).values() if hasattr(f, "__case__")]
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate case names: {sorted(duplicates)}")
    return cases


class Context:
    """What a running case may use besides the module under test."""

    def __init__(self, scratch: Path, resources: dict[str, bytes]):
        self.scratch = scratch
        """An empty directory of this case's own."""
        self._resources = resources

    def resource(self, name: str) -> Path:
        """Path of a fresh copy of one of the Aufgabe's data files."""
        if name not in self._resources:
            raise KeyError(f"the Aufgabe has no data file {name!r}")
        path = self.scratch / "data" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(self._resources[name])
        return path
