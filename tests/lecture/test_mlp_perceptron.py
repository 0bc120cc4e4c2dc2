"""Perceptron rule, delta rule and backpropagation: properties, finite differences, torch."""

import numpy as np
import torch

from reference.lecture import losses, mlp, optimizers, perceptron

BOOL_IN = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def test_perceptron_learns_and_or_not():
    for name, t in [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1])]:
        T = np.array(t, dtype=float)[:, None]
        W, converged = perceptron.train_perceptron(BOOL_IN, T)
        assert converged, f"{name} not learned"
        assert (perceptron.perceptron_output(W, BOOL_IN) == T).all(), f"{name}: weights {W}"
    o = np.array([[0.0], [1.0]])
    W, converged = perceptron.train_perceptron(o, 1 - o)
    assert converged and (perceptron.perceptron_output(W, o) == 1 - o).all(), "NOT not learned"


def test_perceptron_cannot_learn_xor():
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    W, converged = perceptron.train_perceptron(BOOL_IN, T, max_epochs=200)
    assert not converged
    assert (perceptron.perceptron_output(W, BOOL_IN) != T).any()


def test_perceptron_rule_follows_slide_cases():
    W = np.zeros((1, 3))
    # Input (1, 0), output 0 (zero weights), target 1: w += o_i for the active input and the bias.
    perceptron.perceptron_rule(W, np.array([[1.0, 0.0]]), np.array([[1.0]]))
    assert W.tolist() == [[1.0, 0.0, 1.0]]
    # Now the output is 1, target 0: w -= o_i.
    perceptron.perceptron_rule(W, np.array([[1.0, 0.0]]), np.array([[0.0]]))
    assert W.tolist() == [[0.0, 0.0, 0.0]]


def test_delta_rule_finds_least_squares_solution():
    rng = np.random.default_rng(0)
    o_i = np.hstack([rng.normal(size=(50, 3)), np.ones((50, 1))])
    W_true = rng.normal(size=(2, 4))
    t = o_i @ W_true.T
    W = np.zeros((2, 4))
    for _ in range(500):
        mlp.delta_rule_step(W, o_i, t, eta=0.2)
    np.testing.assert_allclose(W, W_true, atol=1e-6, err_msg="delta rule did not reach the exact linear map")


def test_slide_backprop_matches_finite_differences(numgrad, assert_close):
    rng = np.random.default_rng(1)
    W_ji, W_kj = rng.normal(size=(4, 3)), rng.normal(size=(2, 4))
    o_i, t = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))

    def loss():
        o_k = mlp.Sequential([mlp.Dense(W_ji, np.zeros(4)), mlp.Activation("sigmoid"),
                              mlp.Dense(W_kj, np.zeros(2)), mlp.Activation("sigmoid")]).forward(o_i)
        return losses.squared_error(o_k, t)[0]

    dW_ji, dW_kj = mlp.backprop_two_layer(W_ji, W_kj, o_i, t)
    assert_close("dE/dw_ji", dW_ji, numgrad(loss, W_ji), rtol=1e-5, atol=1e-9)
    assert_close("dE/dw_kj", dW_kj, numgrad(loss, W_kj), rtol=1e-5, atol=1e-9)


def test_sequential_backprop_matches_torch(assert_close, tt):
    rng = np.random.default_rng(2)
    net = mlp.mlp([3, 5, 4, 2], "tanh", rng, output="sigmoid")
    x, t = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    value, grad = losses.squared_error(net.forward(x), t)
    net.backward(grad)
    tparams = [tt(p) for p in net.params()]
    h = torch.tensor(x)
    for n in range(0, len(tparams), 2):
        h = h @ tparams[n].T + tparams[n + 1]
        h = torch.sigmoid(h) if n == len(tparams) - 2 else torch.tanh(h)
    theirs = ((h - torch.tensor(t)) ** 2).sum() / (2 * 6)
    theirs.backward()
    assert_close("E", value, theirs)
    for n, (g, p) in enumerate(zip(net.grads(), tparams)):
        assert_close(f"grad {n}", g, p.grad)


def test_minibatch_training_learns_xor():
    rng = np.random.default_rng(3)
    net = mlp.mlp([2, 8, 1], "tanh", rng, output="sigmoid")
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    history = mlp.train(net, BOOL_IN, T, losses.squared_error, optimizers.Adam(eta=0.05), 300, 2, rng)
    out = net.forward(BOOL_IN)
    assert history[-1] < 0.01 < history[0], f"loss {history[0]:.3g} -> {history[-1]:.3g}"
    assert ((out > 0.5) == (T > 0.5)).all(), f"XOR outputs {out.ravel()}"


def test_minibatches_partition_the_patterns():
    batches = mlp.minibatches(10, 3, np.random.default_rng(4))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
