"""Fehler: nur der Matrix-Zweig von output nutzt >=, der Einzelfall > (uneinheitliche Schwelle)."""
import numpy as np


def output(w, x):
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        return (x @ w[:-1] + w[-1] >= 0).astype(int)
    return int(x @ w[:-1] + w[-1] > 0)


def train(X, T, w0, max_epochs=100):
    w = np.array(w0, dtype=float)
    for epoch in range(1, max_epochs + 1):
        changed = False
        for x, t in zip(np.asarray(X, dtype=float), T):
            o = output(w, x)
            if o != t:
                w = w + (t - o) * np.append(x, 1.0)
                changed = True
        if not changed:
            return w, epoch
    return w, 0
