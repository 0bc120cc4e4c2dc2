import numpy as np

# Tim Becker, Aufgabe 3


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        if rng is None:
            rng = np.random.default_rng(42)
        self.W = rng.normal(scale=0.01, size=(n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def hidden_probs(self, v):
        return 1 / (1 + np.exp(-(v @ self.W + self.c)))

    def visible_probs(self, h):
        return 1 / (1 + np.exp(-(h @ self.W.T + self.b)))

    def cd_update(self, v0, lr, k=1, rng=None):
        h0 = self.hidden_probs(v0)
        h = h0 if rng is None else (rng.random(h0.shape) < h0).astype(float)
        v1 = self.visible_probs(h)
        h1 = self.hidden_probs(v1)
        self.W += lr * (v0.T @ h0 - v1.T @ h1) / len(v0)
        self.b += lr * (v0 - v1).mean(axis=0)
        self.c += lr * (h0 - h1).mean(axis=0)

    def reconstruct(self, v):
        return self.visible_probs(self.hidden_probs(v))


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    rbm = RBM(data.shape[1], n_hidden, rng)
    data = data.copy()
    for epoch in range(epochs):
        np.random.shuffle(data)
        for i in range(0, len(data), batch_size):
            rbm.cd_update(data[i:i + batch_size], lr, rng=rng)
    return rbm
