"""Mistake: reports the number of epochs that still had errors, not the error-free one."""
import numpy as np


def output(w, x):
    phi = np.asarray(x) @ w[:-1] + w[-1]
    return (phi > 0).astype(int)


def train(X, T, w0, max_epochs=100):
    w = np.array(w0, dtype=float)
    epochs_with_errors = 0
    for _ in range(max_epochs):
        errors = 0
        for x, t in zip(X, T):
            o = output(w, x)
            if o != t:
                w = w + (t - o) * np.append(x, 1)
                errors += 1
        if errors == 0:
            return w, epochs_with_errors
        epochs_with_errors += 1
    return w, 0
