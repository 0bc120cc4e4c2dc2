"""Fehler: die Bias-Gewichte werden abgezogen statt addiert (Schwelle statt Bias-Gewicht verwechselt)."""
import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.tanh(W @ np.asarray(o, dtype=float) - bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    rows = [np.array(o0, dtype=float)]
    for _ in range(n_steps):
        rows.append(step(rows[-1], W, bias))
    return np.array(rows)


def plot(trajectory):
    fig, ax = plt.subplots()
    ax.plot(trajectory[:, 0], trajectory[:, 1], ".", ms=2)
    ax.set_xlabel("o_1")
    ax.set_ylabel("o_2")
    return fig
