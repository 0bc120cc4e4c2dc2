# Perzeptron – Jonas Schmidt
import numpy as np


def output(w, x):
    x = np.asarray(x, dtype=float)
    net = x @ w[:-1] + w[-1]
    # Schwellwert: feuert ab 0
    return np.where(net >= 0, 1, 0)


def train(X, T, w0, max_epochs=100):
    w = np.copy(w0).astype(float)
    for epoch in range(1, max_epochs + 1):
        changed = False
        for x, t in zip(X, T):
            o = output(w, x)
            if t == 1 and o == 0:
                w += np.append(x, 1)
                changed = True
            elif t == 0 and o == 1:
                w -= np.append(x, 1)
                changed = True
        if not changed:
            return w, epoch
    return w, 0
