"""Aufgabe 5 on its own: where the figure is shown; the attractor comparison has room for correct
variants and none for wrong updates.

What every Aufgabe must show (full marks, the losses of each mistake) is in tests/assignments/test_every_aufgabe.py.
"""

import dataclasses
import math
import types

import numpy as np
import pytest

from grader.cases.assignment import load
from grader.judging.compare import judge
from harness.checks import Trajectory


def test_the_figure_is_shown_where_it_is_judged_and_not_where_only_its_type_counts():
    from grader.backends.base import Job
    from grader.backends.process import ProcessBackend
    from grader.backends.session import run_job

    a = load(5)
    job = Job(a.reference, a.module, a.cases_source, {c.name: c.timeout for c in a.cases},
              a.resources, a.limits)
    backend = ProcessBackend()
    try:
        runs = run_job(backend, job).cases
    finally:
        backend.close()
    shown = {name: len(run.figures) for name, run in runs.items() if name.startswith("plot/")}
    assert shown == {"plot/phase-diagram": 1, "plot/axis-labels": 1, "plot/returns-figure": 0}


def test_the_plot_cases_orbit_is_what_the_reference_computes():
    """The kit carries the orbit as data, not code; the data must be the reference's, bit for bit."""
    import importlib.util

    from grader.cases.assignment import ASSIGNMENTS, REFERENCE

    spec = importlib.util.spec_from_file_location("reference_rnn", REFERENCE / "aufgabe5" / "rnn.py")
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    stored = np.load(ASSIGNMENTS / "aufgabe5" / "data" / "lecture_orbit.npy")
    assert np.array_equal(stored, reference.simulate(len(stored) - 1))
    assert len(stored) == 501  # the longest orbit a plot case draws: 500 steps


# Calibration of the Trajectory check: host-side, the case functions on update variants.

def _order(W, bias, o):
    return np.tanh([bias[j] + W[j, 1] * o[1] + W[j, 0] * o[0] for j in range(2)])


def _formula(W, bias, o):
    return 2 / (1 + np.exp(-2 * (W @ o + bias))) - 1


def _math_tanh(W, bias, o):
    return np.array([math.tanh(sum(W[j, i] * o[i] for i in range(2)) + bias[j]) for j in range(2)])


def _transposed(W, bias, o):
    return np.tanh(W.T @ o + bias)


def _sequential(W, bias, o):
    first = np.tanh(W[0] @ o + bias[0])
    return np.array([first, np.tanh(W[1, 0] * first + W[1, 1] * o[1] + bias[1])])


LECTURE_W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
LECTURE_BIAS = np.array([-3.37, 0.125])


def _module(update) -> types.ModuleType:
    """An rnn module whose simulate iterates ``update``."""
    module = types.ModuleType("rnn")

    def simulate(n_steps, o0=(0.0, 0.0), W=LECTURE_W, bias=LECTURE_BIAS):
        rows = [np.asarray(o0, dtype=float)]
        for _ in range(n_steps):
            rows.append(update(W, bias, rows[-1]))
        return np.array(rows)

    module.simulate = simulate
    return module


REFERENCE = _module(lambda W, bias, o: np.tanh(W @ o + bias))
TRAJECTORY_CASES = [c for c in load(5).cases if isinstance(c.check, Trajectory)]


def test_long_runs_are_judged_as_trajectories():
    assert {c.name for c in TRAJECTORY_CASES} == {"simulate/attractor", "simulate/attractor-other-start"}


@pytest.mark.parametrize("update", [_order, _formula, _math_tanh], ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", TRAJECTORY_CASES, ids=lambda c: c.name)
def test_correct_variants_pass_with_margin(case, update, tmp_path):
    """100 times stricter on the first steps, 4 times stricter on the outliers: still passed."""
    check = case.check
    strict = dataclasses.replace(check, atol=check.atol / 100, outlier_share=check.outlier_share / 4)
    expected = case.func(REFERENCE, types.SimpleNamespace(scratch=tmp_path))
    got = case.func(_module(update), types.SimpleNamespace(scratch=tmp_path))
    assert not np.array_equal(got[60:], expected[60:])  # the variant really drifts apart
    judgement = judge(strict, expected, got, reveal=True)
    assert judgement.passed, judgement.message


@pytest.mark.parametrize("update", [_transposed, _sequential], ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", TRAJECTORY_CASES, ids=lambda c: c.name)
def test_wrong_updates_miss_the_attractor_even_without_the_tight_steps(case, update, tmp_path):
    """With no tight steps and twice the cloud tolerance the point clouds alone still tell."""
    check = case.check
    loose = dataclasses.replace(check, tight_steps=0, cloud_tol=2 * check.cloud_tol)
    expected = case.func(REFERENCE, types.SimpleNamespace(scratch=tmp_path))
    got = case.func(_module(update), types.SimpleNamespace(scratch=tmp_path))
    judgement = judge(loose, expected, got, reveal=True)
    assert not judgement.passed
    assert "Attraktor" in judgement.message


