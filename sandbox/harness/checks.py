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
    """A check written for one Aufgabe, in that Aufgabe's host-side ``checks.py``.

    ``name`` names a function there; ``params`` are passed to it. Use it for
    what is a measurement rather than an equality (e.g. "the reconstructions
    are still recognisable").
    """

    name: str
    params: dict = field(default_factory=dict)

    def __init__(self, name: str, **params):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", params)
