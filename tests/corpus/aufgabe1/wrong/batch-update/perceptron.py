"""Fehler: Batch- statt Online-Lernregel (Änderungen einer Epoche erst am Ende aufsummiert)."""
import numpy as np


def output(w, x):
    phi = np.asarray(x, dtype=float) @ w[:-1] + w[-1]
    o = (phi > 0).astype(int)
    return int(o) if o.ndim == 0 else o


def train(X, T, w0, max_epochs=100):
    X = np.asarray(X, dtype=float)
    w = np.array(w0, dtype=float)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    for epoch in range(1, max_epochs + 1):
        O = output(w, X)
        delta = (np.asarray(T) - O) @ Xb
        if not np.any(O != T):
            return w, epoch
        w = w + delta
    return w, 0
