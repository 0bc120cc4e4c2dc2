"""Korrekt: die Regel der Folie (+x / -x je nach Fehler), Gewichte als Python-Liste."""


def output(w, x):
    def one(pattern):
        phi = sum(wi * xi for wi, xi in zip(w[:-1], pattern)) + w[-1]
        return 1 if phi > 0 else 0

    if len(x) and hasattr(x[0], "__len__"):
        return [one(p) for p in x]
    return one(x)


def train(X, T, w0, max_epochs=100):
    w = [float(v) for v in w0]
    for epoch in range(1, max_epochs + 1):
        fehler = 0
        for x, t in zip(X, T):
            o = output(w, x)
            xb = list(x) + [1.0]
            if o == 0 and t == 1:
                w = [wi + xi for wi, xi in zip(w, xb)]
                fehler += 1
            elif o == 1 and t == 0:
                w = [wi - xi for wi, xi in zip(w, xb)]
                fehler += 1
        if fehler == 0:
            return w, epoch
    return w, 0
