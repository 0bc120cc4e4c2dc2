import numpy as np


def output(w, x):
    return (np.dot(x, w[:-1]) + w[-1] > 0) * 1


def train(X, T, w0, max_epochs=100):
    w = w0.copy()
    for epoch in range(max_epochs):
        ok = True
        for x, t in zip(X, T):
            o = output(w, x)
            # Perzeptron-Lernregel: nur die Eingangsgewichte anpassen
            w[:-1] = w[:-1] + (t - o) * x
            if o != t:
                ok = False
        if ok:
            return w, epoch + 1
    return w, 0
