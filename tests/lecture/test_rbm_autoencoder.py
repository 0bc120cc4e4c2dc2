"""RBM (exact likelihood on a tiny model, MNIST reconstruction) and the deep autoencoder on MNIST."""

import itertools

import numpy as np
import pytest

from reference.lecture import losses, mlp, optimizers
from reference.lecture.autoencoder import Autoencoder
from reference.lecture.rbm import RBM


def exact_log_likelihood(rbm, V):
    """Mean log P(v) over V, with the partition function summed over all 2**n_visible states."""
    states = np.array(list(itertools.product([0.0, 1.0], repeat=V.shape[1])))
    log_z = np.logaddexp.reduce(-rbm.free_energy(states))
    return float(np.mean(-rbm.free_energy(V) - log_z))


def test_cd1_raises_the_exact_likelihood():
    """CD-1 only approximates the likelihood gradient; on a tiny RBM we can check that it climbs it.

    Trained much longer, the likelihood falls again: CD's known divergence
    (Fischer & Igel 2010), so the check is early in training.
    """
    rng = np.random.default_rng(0)
    patterns = np.array([[1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1], [1, 0, 1, 0, 1, 0, 1, 0]], float)
    V = patterns[rng.integers(0, 3, size=300)]
    rbm = RBM(8, 4, rng)
    before = exact_log_likelihood(rbm, V)
    rbm.train(V, eta=0.1, epochs=20, batch_size=10)
    after = exact_log_likelihood(rbm, V)
    # Three equally likely patterns: the best possible mean log-likelihood is log(1/3) = -1.10;
    # a model that knows nothing gives log(1/256) = -5.55.
    assert before < -5.0 and after > -2.0, f"log-likelihood {before:.3f} -> {after:.3f}"


def test_cd1_update_has_the_exact_expected_value():
    """Averaged over many chains, CD-1's sampled update equals its expectation computed by enumeration.

    ``E[dW] = <P(h|v0) v0^T> - sum_h P(h|v0) P(h|v1(h)) v1(h)^T`` with
    ``v1(h) = P(v|h)``, averaged over the data.
    """
    rng = np.random.default_rng(4)
    rbm = RBM(5, 3, rng)
    rbm.W, rbm.b, rbm.c = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=3)
    patterns = rng.integers(0, 2, size=(4, 5)).astype(float)
    W_before = rbm.W.copy()
    expected = np.zeros_like(W_before)
    for v0 in patterns:
        p_h0 = rbm.hidden_probs(v0[None])[0]
        expected += np.outer(p_h0, v0)
        for h in itertools.product([0.0, 1.0], repeat=3):
            h = np.array(h)
            p_h = np.prod(np.where(h == 1, p_h0, 1 - p_h0))
            v1 = rbm.visible_probs(h[None])[0]
            expected -= p_h * np.outer(rbm.hidden_probs(v1[None])[0], v1)
    expected /= len(patterns)
    rbm.cd_step(np.repeat(patterns, 10000, axis=0), eta=1.0, k=1)
    np.testing.assert_allclose(rbm.W - W_before, expected, atol=0.02, err_msg="mean CD-1 update (ours) vs exact")


def test_cd_needs_a_gibbs_step():
    rbm = RBM(4, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least one Gibbs step"):
        rbm.cd_step(np.ones((1, 4)), eta=0.1, k=0)


def test_rbm_reconstructs_mnist_with_100_hidden(mnist):
    """Aufgabe 3's question: 100 hidden neurons still reconstruct digits well."""
    images, _ = mnist
    rng = np.random.default_rng(1)
    order = rng.permutation(len(images))
    train, test = images[order[:1500]], images[order[1500:2000]]
    rbm = RBM(784, 100, rng)
    history = rbm.train(train, eta=0.1, epochs=5, batch_size=20)
    error = np.mean((rbm.reconstruct(test) - test) ** 2)
    baseline = np.mean((train.mean(axis=0) - test) ** 2)
    assert history[-1] < history[0], f"training error per epoch: {history}"
    assert error < 0.5 * baseline, f"reconstruction MSE {error:.4f}, mean-image baseline {baseline:.4f}"


def test_autoencoder_gradients_match_finite_differences(numgrad, assert_close):
    rng = np.random.default_rng(2)
    ae = Autoencoder([6, 4, 2], rng, transfer="tanh")
    x = rng.uniform(size=(3, 6))
    ae.backward(losses.squared_error(ae.forward(x), x)[1])

    def loss():
        return losses.squared_error(ae.forward(x), x)[0]

    for n, (p, g) in enumerate(zip(ae.params(), ae.grads())):
        assert_close(f"param {n}", g, numgrad(loss, p), rtol=1e-5, atol=1e-9)


def test_deep_autoencoder_beats_mean_image_on_mnist(mnist):
    images, _ = mnist
    rng = np.random.default_rng(3)
    order = rng.permutation(len(images))
    train, test = images[order[:2000]], images[order[2000:2500]]
    ae = Autoencoder([784, 128, 32], rng)
    mlp.train(ae, train, train, losses.squared_error, optimizers.Adam(eta=0.002), 8, 32, rng)
    error = np.mean((ae.forward(test) - test) ** 2)
    baseline = np.mean((train.mean(axis=0) - test) ** 2)
    assert ae.encode(test).shape == (500, 32)
    assert error < 0.5 * baseline, f"reconstruction MSE {error:.4f}, mean-image baseline {baseline:.4f}"
