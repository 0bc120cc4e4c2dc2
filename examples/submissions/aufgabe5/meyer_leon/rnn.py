import numpy as np
import matplotlib.pyplot as plt

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def step(o, W=W, bias=BIAS):
    # o_j = tanh(sum_i w_ij * o_i + bias_j)
    return np.array([np.tanh(W[0][j] * o[0] + W[1][j] * o[1] + bias[j]) for j in range(2)])


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    result = np.zeros((n_steps + 1, 2))
    result[0] = o0
    for t in range(n_steps):
        result[t + 1] = step(result[t], W, bias)
    return result


def plot(trajectory):
    fig, ax = plt.subplots()
    ax.plot(trajectory[:, 0], trajectory[:, 1], ",")
    ax.set_xlabel("o1")
    ax.set_ylabel("o2")
    return fig
