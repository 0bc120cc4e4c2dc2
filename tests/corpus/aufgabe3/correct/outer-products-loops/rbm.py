"""Korrekt: CD-k mit Schleife über die Muster des Batches (Summe äußerer Produkte), eigene Zufallsziehung."""
import numpy as np


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        self.W = rng.normal(0.0, 0.01, size=(n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def hidden_probs(self, v):
        return _sig(np.asarray(v) @ self.W + self.c)

    def visible_probs(self, h):
        return _sig(np.asarray(h) @ self.W.T + self.b)

    def cd_update(self, v0, lr, k=1, rng=None):
        v0 = np.asarray(v0, dtype=float)
        h0 = self.hidden_probs(v0)
        hk = h0
        for _ in range(k):
            h_used = hk if rng is None else (rng.random(hk.shape) < hk) * 1.0
            vk = self.visible_probs(h_used)
            hk = self.hidden_probs(vk)
        m = len(v0)
        dW = np.zeros_like(self.W)
        for i in range(m):
            dW += np.outer(v0[i], h0[i]) - np.outer(vk[i], hk[i])
        self.W += lr * dW / m
        self.b += lr * (v0 - vk).sum(axis=0) / m
        self.c += lr * (h0 - hk).sum(axis=0) / m

    def reconstruct(self, v):
        return self.visible_probs(self.hidden_probs(v))


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    data = np.asarray(data, dtype=float)
    rbm = RBM(data.shape[1], n_hidden, rng=rng)
    for _ in range(epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(data), batch_size):
            rbm.cd_update(data[order[start:start + batch_size]], lr, k=1, rng=rng)
    return rbm
