"""Genau dieses Ergebnis gibt die Batch-Lernregel: w wird erst am Ende jeder Epoche um die Summe der Änderungen aller Muster geändert, statt nach jedem einzelnen Muster (Online-Lernregel).

A known mistake (see ``grader.mistakes``): the perceptron rule applied to the
whole epoch at once. Students who write it stop when an epoch has no error.
"""

import numpy as np


def output(w, x):
    w = np.asarray(w, dtype=float)
    o = (np.asarray(x, dtype=float) @ w[:-1] + w[-1] > 0).astype(int)
    return int(o) if o.ndim == 0 else o


def train(X, T, w0, max_epochs=100):
    X = np.asarray(X, dtype=float)
    w = np.array(w0, dtype=float)
    with_bias = np.hstack([X, np.ones((len(X), 1))])
    for epoch in range(1, max_epochs + 1):
        errors = np.asarray(T) - output(w, X)
        if not np.any(errors):
            return w, epoch
        w = w + errors @ with_bias
    return w, 0
