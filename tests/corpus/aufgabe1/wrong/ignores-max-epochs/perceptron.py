"""Fehler: max_epochs wird ignoriert; trainiert bis fehlerfrei (mit eigener Notbremse bei 1000)."""
import numpy as np


def output(w, x):
    phi = np.asarray(x, dtype=float) @ w[:-1] + w[-1]
    o = (phi > 0).astype(int)
    return int(o) if o.ndim == 0 else o


def train(X, T, w0, max_epochs=100):
    w = np.array(w0, dtype=float)
    epoch, changed = 0, True
    while changed and epoch < 1000:
        epoch += 1
        changed = False
        for x, t in zip(X, T):
            o = output(w, x)
            if o != t:
                w = w + (t - o) * np.append(x, 1.0)
                changed = True
    return w, epoch
