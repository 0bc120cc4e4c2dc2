"""Fehler: simulate rechnet nur n_steps - 1 Schritte (Form (n_steps, 2) statt (n_steps + 1, 2))."""
import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.tanh(W @ o + bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    traj = np.zeros((n_steps, 2))
    traj[0] = o0
    for t in range(1, n_steps):
        traj[t] = step(traj[t - 1], W, bias)
    return traj


def plot(trajectory):
    fig, ax = plt.subplots()
    ax.plot(trajectory[:, 0], trajectory[:, 1], ",")
    ax.set_xlabel("o_1")
    ax.set_ylabel("o_2")
    return fig
