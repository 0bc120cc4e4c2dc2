"""Hannah Wolf - Aufgabe 5"""
import numpy as np
import matplotlib.pyplot as plt

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.tanh(W @ np.asarray(o) + bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    traj = np.empty((n_steps + 1, 2))
    traj[0] = o0
    for t in range(n_steps):
        traj[t + 1] = step(traj[t], W, bias)
    print("letzter Zustand:", traj[-1])
    return traj


def plot(trajectory):
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(trajectory[:, 0], label="o1")
    ax.plot(trajectory[:, 1], label="o2")
    ax.set_xlabel("Zeitschritt")
    ax.set_ylabel("Ausgabe")
    ax.legend()
    return fig
