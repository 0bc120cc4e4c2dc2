# Aufgabe 3 - Anna Müller
# RBM mit Schleifen über die Muster eines Mini-Batches.
import numpy as np


def sig(x):
    return 1 / (1 + np.exp(-x))


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        if rng is None:
            rng = np.random.default_rng()
        self.W = 0.01 * rng.standard_normal((n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def hidden_probs(self, v):
        return sig(np.dot(v, self.W) + self.c)

    def visible_probs(self, h):
        return sig(np.dot(h, self.W.T) + self.b)

    def cd_update(self, v0, lr, k=1, rng=None):
        v0 = np.asarray(v0, dtype=float)
        m = len(v0)
        h0 = self.hidden_probs(v0)
        v = v0
        h = h0
        for step in range(k):
            if rng is not None:
                h = rng.binomial(1, h)
            v = self.visible_probs(h)
            h = self.hidden_probs(v)
        dW = np.zeros_like(self.W)
        db = np.zeros_like(self.b)
        dc = np.zeros_like(self.c)
        for n in range(m):
            dW += np.outer(v0[n], h0[n]) - np.outer(v[n], h[n])
            db += v0[n] - v[n]
            dc += h0[n] - h[n]
        self.W = self.W + lr * dW / m
        self.b = self.b + lr * db / m
        self.c = self.c + lr * dc / m

    def reconstruct(self, v):
        h = self.hidden_probs(v)
        return self.visible_probs(h)


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    rbm = RBM(data.shape[1], n_hidden, rng)
    for epoch in range(epochs):
        shuffled = data[rng.permutation(data.shape[0])]
        for i in range(0, len(shuffled), batch_size):
            rbm.cd_update(shuffled[i:i + batch_size], lr, 1, rng)
        print("Epoche", epoch + 1, "Fehler", np.mean((rbm.reconstruct(data) - data) ** 2))
    return rbm
