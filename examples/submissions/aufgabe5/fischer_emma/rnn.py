# Aufgabe 5: rekurrentes Netz aus zwei Neuronen
# Emma Fischer

import numpy as np
import matplotlib.pyplot as plt

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def tanh(x):
    # Formel aus der Vorlesung
    return 2.0 / (1.0 + np.exp(-2.0 * x)) - 1.0


def step(o, W=W, bias=BIAS):
    neu = np.zeros(2)
    for j in range(2):
        phi = bias[j]
        for i in range(2):
            phi += W[j, i] * o[i]
        neu[j] = tanh(phi)
    return neu


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    verlauf = [np.array(o0, dtype=float)]
    for t in range(n_steps):
        verlauf.append(step(verlauf[-1], W, bias))
    return np.array(verlauf)


def plot(trajectory):
    fig = plt.figure(figsize=(6, 6))
    plt.scatter(trajectory[:, 0], trajectory[:, 1], s=1, color="darkred")
    plt.xlabel("Ausgabe o1")
    plt.ylabel("Ausgabe o2")
    plt.title("Attraktor")
    return fig


if __name__ == "__main__":
    plot(simulate(10000))
    plt.show()
