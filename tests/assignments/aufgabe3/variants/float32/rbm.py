"""A correct RBM that computes in float32 throughout (issue 24: the contract allows it)."""

import numpy as np

F = np.float32


def sigmoid(x):
    return F(1) / (F(1) + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.W = rng.normal(0.0, 0.01, size=(n_visible, n_hidden)).astype(F)
        self.b = np.zeros(n_visible, dtype=F)
        self.c = np.zeros(n_hidden, dtype=F)

    def _parameters(self):
        # The grader may set W, b and c as float64 arrays: this RBM keeps everything in float32.
        self.W, self.b, self.c = (np.asarray(a, dtype=F) for a in (self.W, self.b, self.c))

    def hidden_probs(self, v):
        self._parameters()
        return sigmoid(np.asarray(v, dtype=F) @ self.W + self.c)

    def visible_probs(self, h):
        self._parameters()
        return sigmoid(np.asarray(h, dtype=F) @ self.W.T + self.b)

    def cd_update(self, v0, lr, k=1, rng=None):
        v0 = np.asarray(v0, dtype=F)
        lr = F(lr)
        h0 = self.hidden_probs(v0)
        vk, hk = v0, h0
        for _ in range(k):
            drive = hk if rng is None else (rng.random(hk.shape) < hk).astype(F)
            vk = self.visible_probs(drive)
            hk = self.hidden_probs(vk)
        m = F(len(v0))
        self.W += lr * (v0.T @ h0 - vk.T @ hk) / m
        self.b += lr * (v0 - vk).mean(axis=0)
        self.c += lr * (h0 - hk).mean(axis=0)

    def reconstruct(self, v):
        return self.visible_probs(self.hidden_probs(v))


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    data = np.asarray(data, dtype=F)
    rbm = RBM(data.shape[1], n_hidden, rng)
    for _ in range(epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(data), batch_size):
            rbm.cd_update(data[order[start:start + batch_size]], lr, k=1, rng=rng)
    return rbm
