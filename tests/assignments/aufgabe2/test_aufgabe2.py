"""Aufgabe 2 on its own: the reference against finite differences, the cases clear of rounding, the property checks.

What every Aufgabe must show (full marks, the losses of each mistake, also of the correct variants in
variants/) is in tests/assignments/test_every_aufgabe.py.
"""

import importlib.util
import types

import numpy as np
import pytest

from grader import PROJECT
from grader.cases.assignment import load
from harness.checks import Property

ASSIGNMENT = load(2)
CHECKS = ASSIGNMENT.properties

# The cases judged as an iRprop⁻ trajectory, step by step.
TRAJECTORY = {c.name for c in ASSIGNMENT.cases if isinstance(c.check, Property) and c.check.name == "follows_irprop_minus"}


def _reference():
    spec = importlib.util.spec_from_file_location("irprop_reference", PROJECT / "reference" / "aufgabe2" / "irprop.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _reference()


def _case_output(name, module=REFERENCE):
    """A case's output computed directly on the host (as plain as the harness makes it)."""
    return ASSIGNMENT.case(name).func(module, types.SimpleNamespace(scratch=None))


def _judge(check_name, expected, got, **params):
    return CHECKS[check_name](expected, got, reveal=True, expected_figures=[], figures=[], **params)


@pytest.mark.parametrize("seed", range(5))
def test_reference_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    sizes = list(rng.integers(1, 5, size=rng.integers(2, 5)))
    weights = [rng.normal(size=(a + 1, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    X = rng.normal(size=(6, sizes[0]))
    T = rng.uniform(size=(6, sizes[-1]))
    analytic = REFERENCE.gradients(weights, X, T)
    h = 1e-6
    for layer, W in enumerate(weights):
        numeric = np.zeros_like(W)
        for index in np.ndindex(W.shape):
            plus = [w.copy() for w in weights]
            minus = [w.copy() for w in weights]
            plus[layer][index] += h
            minus[layer][index] -= h
            numeric[index] = (REFERENCE._error(plus, X, T) - REFERENCE._error(minus, X, T)) / (2 * h)
        np.testing.assert_allclose(analytic[layer], numeric, rtol=1e-5, atol=1e-8, err_msg=f"ours vs finite differences, layer {layer}")


def test_reference_forward_is_sigmoid_of_biased_inputs():
    weights = [np.array([[1.0], [2.0], [-0.5]])]
    X = np.array([[1.0, 1.0], [0.0, 0.0]])
    outputs = REFERENCE.forward(weights, X)
    np.testing.assert_allclose(outputs[1], 1 / (1 + np.exp(-np.array([[2.5], [-0.5]]))))


@pytest.mark.parametrize("name", sorted(TRAJECTORY))
def test_trajectories_stay_clear_of_rounding(name):
    """No gradient so close to 0, no neuron so saturated, that another correct summation could flip a sign."""
    output = _case_output(name)
    X, T, step0 = output["X"], output["T"], output["step0"]
    for run in output["runs"]:
        weights = [W.copy() for W in run["start"]]
        prev = [np.zeros_like(W) for W in weights]
        steps = [np.full_like(W, step0) for W in weights]
        for _ in range(len(run["errors"])):
            # forward gives every layer's input and the output: each input with the weights it meets.
            for o, W in zip(REFERENCE.forward(weights, X), weights, strict=False):
                assert np.max(np.abs(np.hstack([o, np.ones((len(o), 1))]) @ W)) < 30
            for layer, grad in enumerate(REFERENCE.gradients(weights, X, T)):
                assert np.min(np.abs(grad)) > 1e-9
                delta_w, prev[layer], steps[layer] = REFERENCE.irprop_minus(grad, prev[layer], steps[layer])
                weights[layer] = weights[layer] + delta_w
        np.testing.assert_allclose(np.concatenate([W.ravel() for W in weights]),
                                   np.concatenate([W.ravel() for W in run["weights"]]))


def test_large_step0_case_has_an_error_increase():
    """Only then does iRprop+ (which takes steps back when E rose) differ from iRprop⁻."""
    errors = _case_output("train/irprop-steps-large-step0")["runs"][0]["errors"]
    assert np.any(np.diff(errors) > 0)


class _OtherInit:
    """A generator whose ``uniform`` draws from another distribution: other students' initialisations."""

    def __init__(self, rng, draw):
        self.rng, self.draw = rng, draw

    def uniform(self, low, high, size):
        return self.draw(self.rng, size)


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng, size: rng.uniform(-1.0, 1.0, size),
        lambda rng, size: rng.random(size),
        lambda rng, size: rng.normal(0.0, 0.1, size),
        lambda rng, size: rng.standard_normal(size),
    ],
    ids=["uniform-1", "random-01", "normal-0.1", "standard-normal"],
)
def test_xor_check_passes_other_initialisations(draw):
    expected = _case_output("train/xor")
    module = types.SimpleNamespace(train=lambda X, T, sizes, epochs, rng: REFERENCE.train(
        X, T, sizes, epochs, _OtherInit(rng, draw)))
    got = _case_output("train/xor", module)
    judgement = _judge("xor_solved", expected, got, max_error=0.05, min_share=0.5)
    assert judgement.passed, judgement.message


def test_xor_check_passes_the_reference_and_fails_untrained_weights():
    expected = _case_output("train/xor")
    assert _judge("xor_solved", expected, expected, max_error=0.05, min_share=0.5).passed
    untrained = {"runs": [{"weights": [np.zeros_like(W) for W in run["weights"]], "errors": run["errors"]}
                          for run in expected["runs"]]}
    judgement = _judge("xor_solved", expected, untrained, max_error=0.05, min_share=0.5)
    assert not judgement.passed and "0 von 12" in judgement.message


def test_xor_check_does_not_trust_the_errors_alone():
    expected = _case_output("train/xor")
    flat = {"runs": [{"weights": run["weights"], "errors": np.full(300, 0.5)} for run in expected["runs"]]}
    assert not _judge("xor_solved", expected, flat, max_error=0.05, min_share=0.5).passed
    short = {"runs": [{"weights": run["weights"], "errors": run["errors"][:-1]} for run in expected["runs"]]}
    judgement = _judge("xor_solved", expected, short, max_error=0.05, min_share=0.5)
    assert not judgement.passed and "(299,)" in judgement.message


def test_trajectory_check_passes_the_reference_and_fails_a_changed_weight():
    expected = _case_output("train/irprop-steps-deep")
    assert _judge("follows_irprop_minus", expected, expected).passed
    changed = {"runs": [dict(run, weights=[W.copy() for W in run["weights"]]) for run in expected["runs"]]}
    # 1e-3: ten times the tolerance that float32 arithmetic needs (relative 1e-4, issue 24).
    changed["runs"][1]["weights"][1][2, 0] += 1e-3
    judgement = _judge("follows_irprop_minus", expected, changed)
    assert not judgement.passed and judgement.message.startswith("Lauf 2:")


def test_trajectory_check_accepts_errors_before_the_change_but_not_other_errors():
    expected = _case_output("train/irprop-steps")
    run = expected["runs"][0]
    initial = REFERENCE._error(run["start"], expected["X"], expected["T"])
    before = np.concatenate([[initial], run["errors"][:-1]])
    assert _judge("follows_irprop_minus", expected, {"runs": [dict(run, errors=before)]}).passed
    mean = {"runs": [dict(run, errors=run["errors"] / 4)]}
    judgement = _judge("follows_irprop_minus", expected, mean)
    assert not judgement.passed and "errors" in judgement.message


def test_trajectory_check_hides_values_of_hidden_cases():
    expected = _case_output("train/irprop-steps-deep")
    changed = {"runs": [dict(run, weights=[W + 0.5 for W in run["weights"]]) for run in expected["runs"]]}
    judgement = CHECKS["follows_irprop_minus"](expected, changed, reveal=False, expected_figures=[], figures=[])
    assert not judgement.passed and "erwartet" not in judgement.message
