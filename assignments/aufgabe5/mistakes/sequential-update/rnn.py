"""Mistake: neuron 2 already sees the new output of neuron 1 (Gauss-Seidel, not synchronous)."""

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    o = np.array(o, dtype=float)
    o[0] = np.tanh(W[0] @ o + bias[0])
    o[1] = np.tanh(W[1] @ o + bias[1])
    return o


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
