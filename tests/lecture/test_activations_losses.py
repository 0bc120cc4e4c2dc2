"""Transfer functions and losses against torch autograd and torch's losses."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from reference.lecture import activations, losses

TORCH_TRANSFER = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda x: x}


@pytest.mark.parametrize("name", sorted(activations.TRANSFER))
def test_transfer_and_derivative_match_torch(name, assert_close, tt):
    rng = np.random.default_rng(1)
    phi = rng.normal(scale=5.0, size=(7, 5))
    F, F_prime = activations.TRANSFER[name]
    x = tt(phi)
    y = TORCH_TRANSFER[name](x)
    y.sum().backward()
    assert_close(f"{name}(phi)", F(phi), y)
    assert_close(f"{name}'(phi)", F_prime(phi), x.grad)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        out = activations.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert out.tolist() == [0.0, 0.5, 1.0]


def test_neuron_computes_weighted_sum_then_transfer():
    o = np.array([[1.0, 0.5, 1.0]])
    w = np.array([[2.0, -2.0, -0.5]])
    assert activations.neuron(o, w, "relu")[0, 0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown transfer function 'step'"):
        activations.neuron(o, w, "step")


def test_squared_error_matches_torch_mse(assert_close, tt):
    rng = np.random.default_rng(2)
    o, t = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    x = tt(o)
    theirs = tF.mse_loss(x, torch.tensor(t), reduction="sum") / (2 * 6)
    theirs.backward()
    value, grad = losses.squared_error(o, t)
    assert_close("E", value, theirs)
    assert_close("dE/do", grad, x.grad)


@pytest.mark.parametrize("soft", [False, True])
def test_softmax_cross_entropy_matches_torch(soft, assert_close, tt):
    rng = np.random.default_rng(3)
    phi = rng.normal(scale=3.0, size=(8, 5))
    target = losses.softmax(rng.normal(size=(8, 5))) if soft else rng.integers(0, 5, size=8)
    x = tt(phi)
    theirs = tF.cross_entropy(x, torch.tensor(target))
    theirs.backward()
    value, grad = losses.softmax_cross_entropy(phi, target)
    assert_close("H", value, theirs)
    assert_close("dH/dphi", grad, x.grad)


def test_cross_entropy_of_probabilities_matches_softmax_form(assert_close, tt):
    rng = np.random.default_rng(4)
    p = losses.softmax(rng.normal(size=(4, 6)))
    q = losses.softmax(rng.normal(size=(4, 6)))
    x = tt(q)
    theirs = -(torch.tensor(p) * torch.log(x)).sum() / 4
    theirs.backward()
    value, grad = losses.cross_entropy(p, q)
    assert_close("H(p, q)", value, theirs)
    assert_close("dH/dq", grad, x.grad)
    assert losses.cross_entropy(p, p)[0] < value, "H(p, p) must be the smallest cross entropy"


def test_softmax_is_stable_and_normalised(assert_close):
    q = losses.softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    assert_close("softmax", q, np.array([[0.5, 0.5, 0.0]]))


def test_binary_cross_entropy_matches_torch_bceloss(assert_close, tt):
    rng = np.random.default_rng(5)
    o = rng.uniform(0.01, 0.99, size=(5, 4))
    t = rng.uniform(size=(5, 4))
    x = tt(o)
    theirs = torch.nn.BCELoss()(x, torch.tensor(t))
    theirs.backward()
    value, grad = losses.binary_cross_entropy(o, t)
    assert_close("BCE", value, theirs)
    assert_close("dBCE/do", grad, x.grad)
