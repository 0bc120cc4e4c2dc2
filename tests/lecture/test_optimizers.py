"""Each optimizer, stepped on random gradients, against torch.optim."""

import numpy as np
import pytest
import torch

from reference.lecture import optimizers

SHAPES = [(3, 4), (5,), (2, 3, 2)]


def run_both(ours, make_theirs, steps=25, seed=0, grad_scale=1.0):
    """Apply the same random gradient sequence to our and torch's optimizer."""
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=s) for s in SHAPES]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    theirs = make_theirs(tparams)
    for _ in range(steps):
        # Gradients of mixed signs and sizes, some sign flips between steps.
        grads = [grad_scale * rng.normal(size=s) * rng.choice([0.01, 1.0, 100.0], size=s) for s in SHAPES]
        ours.step(params, grads)
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g)
        theirs.step()
    return params, tparams


def check(assert_close, params, tparams, name, rtol=1e-9, atol=1e-10):
    for n, (p, t) in enumerate(zip(params, tparams)):
        assert_close(f"{name} param {n}", p, t, rtol=rtol, atol=atol)


def test_sgd_matches_torch(assert_close):
    ours = optimizers.SGD(eta=0.05)
    params, tparams = run_both(ours, lambda ps: torch.optim.SGD(ps, lr=0.05))
    check(assert_close, params, tparams, "SGD")


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_lecture_momentum_is_torch_momentum_with_scaled_rate(beta, assert_close):
    eta = 0.05
    ours = optimizers.Momentum(eta=eta, beta=beta)
    params, tparams = run_both(ours, lambda ps: torch.optim.SGD(ps, lr=eta * (1 - beta), momentum=beta))
    check(assert_close, params, tparams, f"Momentum beta={beta}")


def test_lecture_momentum_is_not_torch_momentum_with_same_rate(assert_close):
    """The mapping above matters: with lr = eta the two differ."""
    ours = optimizers.Momentum(eta=0.05, beta=0.9)
    params, tparams = run_both(ours, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9), steps=3)
    with pytest.raises(pytest.fail.Exception):
        check(assert_close, params, tparams, "Momentum")


@pytest.mark.parametrize("alpha", [0.9, 0.99])
def test_rmsprop_matches_torch(alpha, assert_close):
    ours = optimizers.RMSProp(eta=0.01, alpha=alpha, eps=1e-8)
    params, tparams = run_both(ours, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=alpha, eps=1e-8))
    check(assert_close, params, tparams, "RMSProp")


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_adam_matches_torch(betas, assert_close):
    ours = optimizers.Adam(eta=0.01, beta1=betas[0], beta2=betas[1], eps=1e-8)
    params, tparams = run_both(ours, lambda ps: torch.optim.Adam(ps, lr=0.01, betas=betas, eps=1e-8))
    check(assert_close, params, tparams, "Adam")


def test_adam_first_step_moves_each_weight_by_about_eta():
    """With bias correction 1 - beta**t the first step is eta * sign(g)."""
    w = np.zeros(4)
    optimizers.Adam(eta=0.01).step([w], [np.array([3.0, -0.2, 50.0, -1e-3])])
    np.testing.assert_allclose(w, [-0.01, 0.01, -0.01, 0.01], rtol=1e-4)


def test_irprop_minus_matches_torch_rprop(assert_close):
    ours = optimizers.IRpropMinus()
    params, tparams = run_both(ours, lambda ps: torch.optim.Rprop(ps), steps=40)
    check(assert_close, params, tparams, "iRprop-")


def test_irprop_minus_nondefault_matches_torch(assert_close):
    ours = optimizers.IRpropMinus(delta0=0.1, eta_minus=0.3, eta_plus=1.5, delta_min=1e-3, delta_max=0.5)
    params, tparams = run_both(
        ours, lambda ps: torch.optim.Rprop(ps, lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.5)), steps=40
    )
    check(assert_close, params, tparams, "iRprop- (non-default)")


def test_irprop_minus_minimises_a_badly_scaled_quadratic():
    """Full-batch: the step sizes adapt per weight to curvatures 1 and 1000."""
    scale = np.array([1.0, 1000.0])
    w = np.array([3.0, -2.0])
    opt = optimizers.IRpropMinus(delta0=0.1)
    for _ in range(200):
        opt.step([w], [scale * w])
    assert np.max(np.abs(w)) < 1e-4, f"iRprop- ended at {w}"
