"""Aufgabe 1: the reference gets full marks, each typical mistake loses exactly its cases."""

import types
from pathlib import Path

import numpy as np
import pytest

from grader.assignment import load
from grader.grading import grade_path

PROJECT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
CATALOGUE = PROJECT / "assignments" / "aufgabe1" / "mistakes"

ALL_TRAIN_BUT_EDGE = {
    "train/and", "train/or", "train/not", "train/nand", "train/and-from-w0",
    "train/separable-2d", "train/separable-5d", "train/converges-in-last-epoch",
}
OFF_BY_ONE_EPOCH = ALL_TRAIN_BUT_EDGE | {"train/already-solved"}
NEVER_RIGHT = ALL_TRAIN_BUT_EDGE | {
    "train/xor", "train/max-epochs-too-small", "train/not-separable", "train/default-max-epochs",
}

FAILING = {
    "update-sign": NEVER_RIGHT,
    "bias-not-updated": NEVER_RIGHT,
    "stops-too-early": NEVER_RIGHT,
    "threshold-ge": {
        "output/phi-zero", "output/integer-grid", "train/and", "train/or", "train/not",
        "train/xor", "train/converges-in-last-epoch", "train/max-epochs-too-small",
    },
    "epochs-zero-based": OFF_BY_ONE_EPOCH,
    "epochs-last-error": OFF_BY_ONE_EPOCH,
    "w0-in-place": {"train/w0-unchanged"},
    "xor-max-epochs": {"train/xor", "train/max-epochs-too-small", "train/not-separable", "train/default-max-epochs"},
}

# A single slip at an edge still passes the Testat; XOR, a required case, does not (see the README).
STILL_PASSES_TESTAT = {"w0-in-place"}

SUBMISSIONS = {
    "reference": (PROJECT / "reference" / "aufgabe1", set()),
    "correct-with-loops": (PROJECT / "examples" / "submissions" / "aufgabe1" / "mueller_anna", set()),
    **{mistake: (CATALOGUE / mistake, failing) for mistake, failing in FAILING.items()},
}


def test_every_listed_mistake_is_in_the_catalogue():
    # The catalogue may hold more; each of its entries loses cases (tests/assignments/test_mistakes.py).
    assert set(FAILING) <= {p.name for p in CATALOGUE.iterdir() if p.is_dir()}


def test_every_listed_case_exists():
    names = {c.name for c in load(1).cases}
    for failing in FAILING.values():
        assert failing <= names



def test_the_skeleton_scores_nothing():
    result = grade_path(aufgabe=1, path=PROJECT / "assignments" / "aufgabe1" / "skeleton", sandbox="process",
                        public_only=False, log=lambda _: None)
    assert result.score == 0 and {c.status for c in result.cases} == {"error"}

@pytest.mark.parametrize("label", list(SUBMISSIONS))
def test_loses_exactly_its_cases(label):
    path, failing = SUBMISSIONS[label]
    result = grade_path(aufgabe=1, path=path, sandbox="process", public_only=False, log=lambda _: None)
    statuses = {c.name: c.status for c in result.cases}
    assert {n for n, s in statuses.items() if s != "passed"} == failing, statuses
    assert all(statuses[n] == "failed" for n in failing), statuses
    assert result.score == result.max_score - sum(c.max_score for c in result.cases if c.name in failing)
    assert result.passed == (not failing or label in STILL_PASSES_TESTAT), result.score
    assert set(result.missing_required) == failing & {"train/and", "train/xor"}


def _reference_recording_phi(phis: list) -> types.ModuleType:
    """The reference as a fresh module whose ``output`` records every phi it decides on."""
    module = types.ModuleType("perceptron")
    source = (PROJECT / "reference" / "aufgabe1" / "perceptron.py").read_text()
    exec(compile(source, "perceptron.py", "exec"), module.__dict__)
    decide = module.output

    def output(w, x):
        w = np.asarray(w, dtype=float)
        phis.extend(np.atleast_1d(np.asarray(x, dtype=float) @ w[:-1] + w[-1]))
        return decide(w, x)

    module.output = output
    return module


@pytest.mark.parametrize("case", load(1).cases, ids=lambda c: c.name)
def test_no_pattern_lies_within_rounding_of_the_threshold(case, tmp_path):
    """Otherwise a correct solution that sums in another order could decide differently."""
    phis = []
    case.func(_reference_recording_phi(phis), types.SimpleNamespace(scratch=tmp_path))
    phis = np.array(phis)
    assert len(phis) > 0
    assert np.all((phis == 0) | (np.abs(phis) > 1e-9)), np.min(np.abs(phis[phis != 0]))
