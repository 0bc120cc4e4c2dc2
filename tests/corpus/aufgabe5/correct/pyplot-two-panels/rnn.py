"""Korrekt: pyplot-Zustandsmaschine, Phasendiagramm links und Zeitreihe rechts, beide beschriftet."""
import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    return np.tanh(np.dot(W, o) + bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    out = [np.array(o0, dtype=float)]
    for _ in range(n_steps):
        out.append(step(out[-1], W, bias))
    return np.vstack(out)


def plot(trajectory):
    plt.figure(figsize=(9, 4))
    plt.subplot(1, 2, 1)
    plt.plot(trajectory[:, 0], trajectory[:, 1], "k.", markersize=1)
    plt.xlabel("o1")
    plt.ylabel("o2")
    plt.subplot(1, 2, 2)
    plt.plot(trajectory[:, 0])
    plt.plot(trajectory[:, 1])
    plt.xlabel("t")
    plt.ylabel("o")
    return plt.gcf()
