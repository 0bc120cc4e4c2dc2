"""Mistake: o_2 on the x-axis and o_1 on the y-axis; both axes labelled."""

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.tanh(W @ o + bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    rows = [np.array(o0, dtype=float)]
    for _ in range(n_steps):
        rows.append(step(rows[-1], W, bias))
    return np.array(rows)


def plot(trajectory):
    fig, ax = plt.subplots()
    ax.plot(trajectory[:, 1], trajectory[:, 0], ".", markersize=2)
    ax.set_xlabel("o_2")
    ax.set_ylabel("o_1")
    return fig
