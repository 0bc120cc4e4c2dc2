"""Mistake: without an error-free epoch it returns max_epochs instead of 0."""
import numpy as np


def output(w, x):
    phi = np.asarray(x) @ w[:-1] + w[-1]
    return (phi > 0).astype(int)


def train(X, T, w0, max_epochs=100):
    w = np.array(w0, dtype=float)
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        errors = 0
        for x, t in zip(X, T):
            o = output(w, x)
            if o != t:
                w = w + (t - o) * np.append(x, 1)
                errors += 1
        if errors == 0:
            break
    return w, epoch
