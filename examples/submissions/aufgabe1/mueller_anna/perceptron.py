# Aufgabe 1 – Perzeptron-Lernregel (Anna Müller)
import numpy as np


def _fires(w, x):
    phi = w[-1]
    for i in range(len(x)):
        phi += w[i] * x[i]
    return 1 if phi > 0 else 0


def output(w, x):
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        return _fires(w, x)
    return np.array([_fires(w, row) for row in x])


def train(X, T, w0, max_epochs=100):
    w = [float(v) for v in w0]
    for epoch in range(1, max_epochs + 1):
        fehler = 0
        for x, t in zip(X, T):
            o = _fires(w, x)
            if o != t:
                fehler += 1
                for i in range(len(x)):
                    w[i] += (t - o) * x[i]
                w[-1] += t - o
        print(f"Epoche {epoch}: {fehler} Fehler")
        if fehler == 0:
            return np.array(w), epoch
    return np.array(w), 0
