"""Mistake: the logistic sigmoid instead of tanh."""

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return 1 / (1 + np.exp(-(W @ o + bias)))


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    o = np.array(o0, dtype=float)
    rows = [o]
    for _ in range(n_steps):
        o = step(o, W, bias)
        rows.append(o)
    return np.array(rows)


def plot(trajectory):
    fig, ax = plt.subplots()
    ax.plot(trajectory[:, 0], trajectory[:, 1], "k.", markersize=1)
    ax.set_xlabel("o1")
    ax.set_ylabel("o2")
    return fig
