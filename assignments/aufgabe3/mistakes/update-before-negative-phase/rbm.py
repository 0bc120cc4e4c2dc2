"""A typical mistake (see ``grader.judging.diagnosis``): W, b and c change in two halves,
and the Gibbs chain of the negative phase already runs on the half-updated
parameters.
"""

import numpy as np


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        self.W = rng.normal(0.0, 0.01, size=(n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def hidden_probs(self, v):
        return _sigmoid(np.asarray(v, dtype=float) @ self.W + self.c)

    def visible_probs(self, h):
        return _sigmoid(np.asarray(h, dtype=float) @ self.W.T + self.b)

    def cd_update(self, v0, lr, k=1, rng=None):
        v0 = np.asarray(v0, dtype=float)
        m = len(v0)
        h0 = self.hidden_probs(v0)
        self.W += lr * v0.T @ h0 / m
        self.b += lr * v0.mean(axis=0)
        self.c += lr * h0.mean(axis=0)
        hk = h0
        for _ in range(k):
            drive = hk if rng is None else (rng.random(hk.shape) < hk).astype(float)
            vk = self.visible_probs(drive)
            hk = self.hidden_probs(vk)
        self.W -= lr * vk.T @ hk / m
        self.b -= lr * vk.mean(axis=0)
        self.c -= lr * hk.mean(axis=0)

    def reconstruct(self, v):
        return self.visible_probs(self.hidden_probs(v))


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    data = np.asarray(data, dtype=float)
    rbm = RBM(data.shape[1], n_hidden, rng)
    for _ in range(epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(data), batch_size):
            rbm.cd_update(data[order[start:start + batch_size]], lr, k=1, rng=rng)
    return rbm
