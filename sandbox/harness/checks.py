"""Declarations of how a case's output is judged.

These are data, not logic: a case module names one of them, the host's
``grader.compare`` interprets it. They live here, beside the harness, because a
case module is imported both on the host and inside the sandbox, and the
sandbox has nothing but numpy, matplotlib and this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Close:
    """Every number equals the reference within ``atol + rtol * |expected|``.

    Integers and strings must match exactly, arrays must have the same shape.
    """

    rtol: float = 1e-7
    atol: float = 1e-9


@dataclass(frozen=True)
class Fields:
    """A different check per key of the returned dict: ``Fields(w=Close(), epochs=Close(0, 0))``."""

    checks: dict = field(default_factory=dict)

    def __init__(self, **checks):
        object.__setattr__(self, "checks", checks)


@dataclass(frozen=True)
class Trajectory:
    """A trajectory of a chaotic map: tight for the first steps, as an attractor after.

    The first ``tight_steps`` rows must match within ``atol``; after that the
    point clouds of the student and of the reference must cover each other:
    for every point of one, a point of the other lies within ``cloud_tol``
    (for all but a ``outlier_share`` of the points).
    """

    tight_steps: int = 50
    atol: float = 1e-6
    cloud_tol: float = 0.05
    outlier_share: float = 0.02


@dataclass(frozen=True)
class Property:
    """A check written for one Aufgabe, in that Aufgabe's host-side ``properties.py``.

    ``name`` names a function there; ``params`` are passed to it. Use it for
    what is a measurement rather than an equality (e.g. "the reconstructions
    are still recognisable").
    """

    name: str
    params: dict = field(default_factory=dict)

    def __init__(self, name: str, **params):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class ShowsPoints:
    """Some axes of the student's figures shows the points of the reference's figure.

    Lines and scatters count alike, in any style, colour and order; at least
    ``min_share`` of the reference's points must have a drawn point within
    ``tol`` in x and in y. ``x`` and ``y`` name the quantities in messages.
    """

    tol: float = 1e-6
    min_share: float = 0.9
    x: str = "x"
    y: str = "y"


@dataclass(frozen=True)
class LabelledAxes:
    """The axes that shows the reference's points (else every axes with data) has
    an x and a y label."""

    tol: float = 1e-6
    min_share: float = 0.9


@dataclass(frozen=True)
class ShowsImage:
    """The student's figures show the reference's image (``imshow`` data) within ``atol``."""

    atol: float = 1e-6


@dataclass(frozen=True)
class DecreasingCurve:
    """Some line of the student's figures falls: its end lies below its start by at
    least ``min_drop`` of the start value and it does not climb back up."""

    min_drop: float = 0.1
    min_points: int = 3
