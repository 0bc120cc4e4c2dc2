"""Mistake: o_1 and o_2 drawn over the time steps instead of o_2 over o_1."""

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.tanh(W @ o + bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    o = np.array(o0, dtype=float)
    rows = [o]
    for _ in range(n_steps):
        o = step(o, W, bias)
        rows.append(o)
    return np.array(rows)


def plot(trajectory):
    fig, ax = plt.subplots()
    ax.plot(trajectory[:, 0], label="o1")
    ax.plot(trajectory[:, 1], label="o2")
    ax.set_xlabel("t")
    ax.set_ylabel("Ausgabe")
    ax.legend()
    return fig
