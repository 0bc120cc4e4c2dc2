"""Aufgabe 3, Jonas Schmidt."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        rng = rng or np.random.default_rng()
        self.W = rng.normal(0, 0.01, (n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def hidden_probs(self, v):
        return sigmoid(v @ self.W + self.c)

    def visible_probs(self, h):
        return sigmoid(h @ self.W.T + self.b)

    def cd_update(self, v0, lr, k=1, rng=None):
        m = v0.shape[0]
        h0 = self.hidden_probs(v0)
        hk = h0
        for _ in range(k):
            if rng is not None:
                hk = (rng.random(hk.shape) < hk) * 1.0
            vk = self.visible_probs(hk)
            hk = self.hidden_probs(vk)
        # Fehler 1/2*(v0 - vk)^2 soll kleiner werden, also gegen den Gradienten
        self.W -= lr * (v0.T @ h0 - vk.T @ hk) / m
        self.b -= lr * np.mean(v0 - vk, axis=0)
        self.c -= lr * np.mean(h0 - hk, axis=0)

    def reconstruct(self, v):
        return self.visible_probs(self.hidden_probs(v))


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    rbm = RBM(data.shape[1], n_hidden, rng)
    for _ in range(epochs):
        idx = rng.permutation(len(data))
        for start in range(0, len(data), batch_size):
            rbm.cd_update(data[idx[start:start + batch_size]], lr, rng=rng)
    return rbm
