"""Fehler: Gewichte als ganze Zahlen (np.array(w0, dtype=int)) – reelle Startgewichte und Eingaben werden abgeschnitten."""
import numpy as np


def output(w, x):
    phi = np.asarray(x) @ w[:-1] + w[-1]
    o = (phi > 0).astype(int)
    return int(o) if o.ndim == 0 else o


def train(X, T, w0, max_epochs=100):
    w = np.array(w0, dtype=int)
    for epoch in range(1, max_epochs + 1):
        changed = False
        for x, t in zip(X, T):
            o = output(w, x)
            if o != t:
                w = w + ((t - o) * np.append(x, 1)).astype(int)
                changed = True
        if not changed:
            return w, epoch
    return w, 0
