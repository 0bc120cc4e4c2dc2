"""float32 arithmetic loses no point (issue 24): the contract lets a student compute in float32.

The reference's float32 twin (``grader.cases.twin32``) is graded like a submission
and gets full marks in every Aufgabe; making the expected values refuses a
case whose tolerance does not hold ``SAFETY`` times the twin's deviation.
A hand-written float32 RBM is among the correct variants of Aufgabe 3
(tests/assignments/test_every_aufgabe.py).
"""

import dataclasses
import importlib.util
import math

import numpy as np
import pytest

from grader.cases import float32
from grader.cases.assignment import available, load
from grader.cases.expected import ReferenceBroken, compute, expected_for
from grader.engine.batch import grade_path
from harness.checks import Close, Fields, Trajectory


def _twin_module(number, tmp_path):
    assignment = load(number)
    folder = float32.write_twin(assignment.reference, assignment.module, tmp_path / "twin")
    spec = importlib.util.spec_from_file_location(f"twin{number}", folder / f"{assignment.module}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return folder, module


@pytest.mark.parametrize("number", available())
def test_the_float32_twin_of_the_reference_gets_full_marks(number, tmp_path):
    folder, _ = _twin_module(number, tmp_path)
    result = grade_path(aufgabe=number, path=folder, sandbox="process", public_only=False, log=lambda _: None)
    lost = {c.name: c.message for c in result.cases if c.status != "passed"}
    assert not lost and result.passed, lost


@pytest.mark.parametrize("number", available())
def test_every_compared_case_holds_ten_times_the_float32_deviation(number):
    expected = expected_for(load(number))
    compared = {c.name for c in load(number).cases if isinstance(c.check, (Close, Fields, Trajectory))}
    assert compared <= set(expected.float32)
    assert all(expected.float32[name] * float32.SAFETY <= 1.0 for name in compared), expected.float32


def test_the_twin_computes_in_float32(tmp_path):
    _, rbm = _twin_module(3, tmp_path / "a3")
    machine = rbm.RBM(6, 4, rng=np.random.default_rng(0))
    machine.W = np.random.default_rng(1).normal(size=(6, 4))  # set as float64, as the cases do
    machine.cd_update(np.random.default_rng(2).random((5, 6)), 0.5, k=2)
    assert machine.W.dtype == machine.b.dtype == machine.c.dtype == np.float32
    assert machine.reconstruct(np.ones((2, 6))).dtype == np.float32
    _, rnn = _twin_module(5, tmp_path / "a5")
    assert rnn.simulate(3, o0=np.array([0.3, -0.2])).dtype == np.float32
    assert rnn.step(np.zeros(2)).dtype == np.float32
    _, perceptron = _twin_module(1, tmp_path / "a1")
    w, epochs = perceptron.train(np.eye(2), np.array([1, 0]), np.zeros(3))
    assert w.dtype == np.float32 and type(epochs) is int


def test_a_tolerance_tighter_than_float32_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path))
    assignment = load(5)
    first = assignment.case("simulate/first-steps")
    tight = dataclasses.replace(first, check=Close(rtol=1e-9, atol=0.0))
    narrowed = dataclasses.replace(assignment, cases=[tight], required=[])
    with pytest.raises(ReferenceBroken, match="simulate/first-steps"):
        compute(narrowed)


def test_need_is_exact_for_integers_and_relative_to_the_tolerance():
    check = Close(rtol=1e-3, atol=0.0)
    assert float32.need(check, {"epochs": 3, "w": np.array([2.0])}, {"epochs": 3, "w": np.array([2.001])}) == pytest.approx(0.5)
    assert float32.need(check, {"epochs": 3}, {"epochs": 4}) == math.inf
    assert float32.need(check, np.zeros(2), np.zeros(3)) == math.inf
    assert float32.need(Trajectory(tight_steps=1, atol=0.1), np.zeros((4, 2)), np.full((4, 2), 0.05)) == pytest.approx(0.5)
