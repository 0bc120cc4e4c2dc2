"""Korrekt: output liefert Wahrheitswerte (True/False), train arbeitet mit np.where und einer Kopie."""
import numpy as np


def output(w, x):
    x = np.asarray(x, dtype=float)
    return np.dot(x, w[:-1]) + w[-1] > 0


def train(X, T, w0, max_epochs=100):
    w = np.copy(w0).astype(float)
    X = np.hstack([np.asarray(X, dtype=float), np.ones((len(X), 1))])
    for epoch in range(max_epochs):
        updates = 0
        for x, t in zip(X, T):
            o = int(np.where(x @ w > 0, 1, 0))
            if o != t:
                w += (t - o) * x
                updates += 1
        if not updates:
            return w, epoch + 1
    return w, 0
