"""Mistake: trains in the caller's array w0 (np.asarray makes no copy)."""
import numpy as np


def output(w, x):
    phi = np.asarray(x) @ w[:-1] + w[-1]
    return (phi > 0).astype(int)


def train(X, T, w0, max_epochs=100):
    w = np.asarray(w0, dtype=float)
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for x, t in zip(X, T):
            o = output(w, x)
            if o != t:
                w += (t - o) * np.append(x, 1)
                errors += 1
        if errors == 0:
            return w, epoch
    return w, 0
