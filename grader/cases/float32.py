"""How far a correct float32 solution lies from the reference, case by case (issue 24).

The contract leaves float32 or float64 arithmetic to the student wherever it
does not fix a result exactly. So no case may be tighter than the rounding of
float32: when the expected values are made (``grader.cases.expected``), the
reference's float32 twin (``grader.cases.twin32``) runs every case too, and each
compared case must hold ``SAFETY`` times the twin's deviation within its
tolerance. A case the contract fixes exactly (integers, epoch counts, shapes)
stays exact: there the twin must agree exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from grader.judging.compare import judge
from harness.checks import Close, Fields, Trajectory

SAFETY = 10.0
"""How many times the float32 twin's deviation each tolerance must hold."""

TWIN = Path(__file__).with_name("twin32.py")


def write_twin(reference: Path, module: str, folder: Path) -> Path:
    """The float32 twin of ``reference/<module>.py``, written as a submission folder ``folder``."""
    source = (reference / f"{module}.py").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    (folder / f"{module}.py").write_text(
        source
        + "\n\n_REFERENCE_NAMES = set(globals())\n"
        + TWIN.read_text(encoding="utf-8")
        + "\nfloat32_twin(globals(), _REFERENCE_NAMES)\n",
        encoding="utf-8",
    )
    return folder


def need(check, expected, got) -> float:
    """The share of ``check``'s tolerance that ``got`` uses up against ``expected`` (1: just within;
    ``inf``: a difference no tolerance covers). 0 for checks that are no comparison of values."""
    if isinstance(check, Close):
        return _share(expected, got, check.rtol, check.atol)
    if isinstance(check, Fields):
        if not isinstance(expected, dict) or not isinstance(got, dict):
            return math.inf
        return max((need(check.checks.get(k, Close()), v, got.get(k)) for k, v in expected.items()), default=0.0)
    if isinstance(check, Trajectory):
        head = check.tight_steps + 1
        if np.shape(got) != np.shape(expected):
            return math.inf
        return _share(np.asarray(expected)[:head], np.asarray(got, dtype=float)[:head], 0.0, check.atol)
    return 0.0


def _share(expected, got, rtol: float, atol: float) -> float:
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return math.inf
        return max((_share(v, got[k], rtol, atol) for k, v in expected.items()), default=0.0)
    if isinstance(expected, list):
        if not isinstance(got, (list, np.ndarray)) or len(got) != len(expected):
            return math.inf
        return max((_share(v, g, rtol, atol) for v, g in zip(expected, got, strict=True)), default=0.0)
    if isinstance(expected, str) or expected is None or type(expected) in (int, bool):
        return 0.0 if got == expected else math.inf
    want = np.asarray(expected, dtype=float)
    try:
        have = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return math.inf
    if have.shape != want.shape:
        return math.inf
    both_nan = np.isnan(want) & np.isnan(have)
    deviation = np.where(both_nan, 0.0, np.abs(have - want))
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = deviation / (atol + rtol * np.abs(want))
    shares = np.where(deviation == 0, 0.0, shares)
    return float(np.max(shares, initial=0.0))


def problems(assignment, values: dict, figures: dict, twin: dict) -> tuple[dict[str, float], list[str]]:
    """The twin's runs ``twin`` (case name -> ``CaseRun``) judged against the reference's ``values``
    and ``figures``: the share of each case's tolerance the twin uses, and a German sentence for
    each case that is tighter than ``SAFETY`` times the twin's deviation or that the twin fails."""
    needs, found = {}, []
    for case in assignment.cases:
        run = twin[case.name]
        if run.status != "ok":
            found.append(f"{case.name}: der float32-Zwilling endet mit {run.status} ({run.message})")
            continue
        needs[case.name] = need(case.check, values[case.name], run.value)
        judgement = judge(
            case.check, values[case.name], run.value, reveal=True, properties=assignment.properties,
            expected_figures=figures[case.name], figures=run.figures,
        )
        if needs[case.name] * SAFETY > 1.0:
            found.append(
                f"{case.name}: {case.check} hält das {SAFETY:g}-Fache der float32-Abweichung nicht "
                f"(nötig wäre das {needs[case.name] * SAFETY:.3g}-Fache der Toleranz)"
            )
        elif not judgement.passed:
            found.append(f"{case.name}: der float32-Zwilling besteht nicht: {judgement.message}")
    return needs, found
