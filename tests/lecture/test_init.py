"""Weight initialisers: distribution statistics against torch.nn.init."""

import math

import numpy as np
import pytest
import torch

from reference.lecture import init

N_IN, N_OUT = 300, 200


def torch_weights(fill, seed=0):
    torch.manual_seed(seed)
    w = torch.empty(N_OUT, N_IN)
    fill(w)
    return w.numpy()


def assert_stat(name, ours, theirs, expected, rtol=0.03):
    assert ours == pytest.approx(expected, rel=rtol), f"{name}: ours {ours:.5g}, expected {expected:.5g}"
    assert theirs == pytest.approx(expected, rel=rtol), f"{name}: torch {theirs:.5g}, expected {expected:.5g}"


def test_small_random_matches_torch_normal():
    ours = init.small_random(N_IN, N_OUT, np.random.default_rng(0), std=0.2)
    theirs = torch_weights(lambda w: torch.nn.init.normal_(w, 0.0, 0.2))
    assert ours.shape == theirs.shape == (N_OUT, N_IN)
    assert_stat("std", ours.std(), theirs.std(), 0.2)
    assert abs(ours.mean()) < 0.005


def test_xavier_uniform_matches_torch():
    ours = init.xavier_uniform(N_IN, N_OUT, np.random.default_rng(0))
    theirs = torch_weights(torch.nn.init.xavier_uniform_)
    limit = math.sqrt(6 / (N_IN + N_OUT))
    assert_stat("variance", ours.var(), theirs.var(), 2 / (N_IN + N_OUT))
    assert_stat("max", ours.max(), theirs.max(), limit, rtol=0.01)
    assert_stat("-min", -ours.min(), -theirs.min(), limit, rtol=0.01)


def test_xavier_normal_matches_torch():
    ours = init.xavier_normal(N_IN, N_OUT, np.random.default_rng(0))
    theirs = torch_weights(torch.nn.init.xavier_normal_)
    assert_stat("variance", ours.var(), theirs.var(), 2 / (N_IN + N_OUT))


@pytest.mark.parametrize("n_in,n_out", [(30, 20), (20, 30), (25, 25)])
def test_orthogonal_is_orthogonal_like_torch(n_in, n_out):
    gain = 1.5
    ours = init.orthogonal(n_in, n_out, np.random.default_rng(0), gain=gain)
    torch.manual_seed(0)
    theirs = torch.nn.init.orthogonal_(torch.empty(n_out, n_in), gain=gain).numpy()
    for name, w in [("ours", ours), ("torch", theirs)]:
        assert w.shape == (n_out, n_in)
        gram = w @ w.T if n_out <= n_in else w.T @ w
        np.testing.assert_allclose(gram, gain**2 * np.eye(min(n_in, n_out)), atol=1e-10, err_msg=name)


def test_orthogonal_is_uniform_over_rotations():
    """Without the sign fix, QR's Q has a positive-biased diagonal; ours is centred like torch's."""
    rng = np.random.default_rng(1)
    ours = np.mean([init.orthogonal(4, 4, rng)[0, 0] for _ in range(1000)])
    torch.manual_seed(1)
    theirs = np.mean([torch.nn.init.orthogonal_(torch.empty(4, 4))[0, 0].item() for _ in range(1000)])
    assert abs(ours) < 0.1 and abs(theirs) < 0.1, f"mean w_00: ours {ours:.3f}, torch {theirs:.3f}"


def test_sparse_matches_torch():
    ours = init.sparse(N_IN, N_OUT, np.random.default_rng(0), sparsity=0.9, std=0.01)
    theirs = torch_weights(lambda w: torch.nn.init.sparse_(w, sparsity=0.9, std=0.01))
    zeros = math.ceil(0.9 * N_OUT)
    assert ((ours == 0).sum(axis=0) == zeros).all(), "ours: zeros per column"
    assert ((theirs == 0).sum(axis=0) == zeros).all(), "torch: zeros per column"
    assert_stat("std of non-zeros", ours[ours != 0].std(), theirs[theirs != 0].std(), 0.01, rtol=0.05)
