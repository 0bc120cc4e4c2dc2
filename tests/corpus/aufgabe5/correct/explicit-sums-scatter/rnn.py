"""Korrekt: Summen von Hand in anderer Reihenfolge, Streudiagramm mit LaTeX-Beschriftung."""
import math

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.array([math.tanh(bias[j] + W[j][1] * o[1] + W[j][0] * o[0]) for j in range(2)])


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    traj = np.zeros((n_steps + 1, 2))
    traj[0] = o0
    for t in range(n_steps):
        traj[t + 1] = step(traj[t], W, bias)
    return traj


def plot(trajectory):
    fig = plt.figure()
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(trajectory[:, 0], trajectory[:, 1], s=1)
    ax.set_xlabel("$o_1$")
    ax.set_ylabel("$o_2$")
    ax.set_title("Attraktor")
    return fig
