"""Batch normalisation against torch.nn.BatchNorm1d: forward, backward, running statistics."""

import numpy as np
import torch

from reference.lecture.batchnorm import BatchNorm


def test_batchnorm_matches_torch_over_several_steps(assert_close, tt):
    rng = np.random.default_rng(0)
    n_features = 5
    ours = BatchNorm(n_features, momentum=0.2)
    theirs = torch.nn.BatchNorm1d(n_features, momentum=0.2)
    gamma, beta = rng.normal(size=n_features), rng.normal(size=n_features)
    ours.gamma[:], ours.beta[:] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    for step in range(3):
        m = int(rng.integers(4, 12))
        phi = rng.normal(loc=3.0, scale=2.0, size=(m, n_features))
        e = rng.normal(size=(m, n_features))
        x = tt(phi)
        y = theirs(x)
        y.backward(torch.tensor(e))
        assert_close(f"step {step} forward", ours.forward(phi), y)
        assert_close(f"step {step} dE/dphi", ours.backward(e), x.grad)
        assert_close(f"step {step} dgamma", ours.dgamma, theirs.weight.grad)
        assert_close(f"step {step} dbeta", ours.dbeta, theirs.bias.grad)
        theirs.zero_grad()
        assert_close(f"step {step} running mean", ours.running_mean, theirs.running_mean)
        assert_close(f"step {step} running var", ours.running_var, theirs.running_var)
    theirs.eval()
    phi = rng.normal(size=(3, n_features))
    assert_close("eval forward", ours.forward(phi, training=False), theirs(torch.tensor(phi)))


def test_batchnorm_output_is_normalised():
    out = BatchNorm(3).forward(np.random.default_rng(1).normal(7.0, 5.0, size=(64, 3)))
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-4)
