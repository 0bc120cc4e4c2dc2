"""Mistake: simulate always starts at (0, 0) and ignores o0."""

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
"""W[j, i] = w_ji, the weight from neuron i to neuron j."""
BIAS = np.array([-3.37, 0.125])
"""w_bias1, w_bias2: the weights from the bias neuron."""


def step(o, W=W, bias=BIAS):
    """One synchronous update of both neurons.

    Parameters
    ----------
    o : array_like of shape (2,)
        Outputs ``o(t)`` of the two neurons.
    W : ndarray of shape (2, 2), default ``W``
        ``W[j, i] = w_ji``.
    bias : ndarray of shape (2,), default ``BIAS``
        Bias weights ``w_bias,j``.

    Returns
    -------
    ndarray of shape (2,)
        ``o(t+1) = tanh(W @ o(t) + bias)``.
    """
    return np.tanh(W @ np.asarray(o, dtype=float) + bias)


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    """Run the network for ``n_steps`` time steps.

    Parameters
    ----------
    n_steps : int
        Number of updates.
    o0 : array_like of shape (2,), default (0, 0)
        Outputs at time 0.
    W, bias
        As in ``step``.

    Returns
    -------
    ndarray of shape (n_steps + 1, 2)
        Row ``t`` holds ``o(t)``; row 0 is ``o0``.
    """
    trajectory = np.empty((n_steps + 1, 2))
    trajectory[0] = (0.0, 0.0)
    for t in range(n_steps):
        trajectory[t + 1] = step(trajectory[t], W, bias)
    return trajectory


def plot(trajectory):
    """Draw the trajectory in the plane of the two outputs.

    Parameters
    ----------
    trajectory : array_like of shape (T, 2)
        Outputs ``o(t)``, e.g. from ``simulate``.

    Returns
    -------
    matplotlib.figure.Figure
        One diagram with ``o_1`` on the x-axis and ``o_2`` on the y-axis, one
        dot per time step.
    """
    trajectory = np.asarray(trajectory, dtype=float)
    figure, axes = plt.subplots(figsize=(6, 6))
    axes.plot(trajectory[:, 0], trajectory[:, 1], ".", markersize=2)
    axes.set_xlabel("$o_1$")
    axes.set_ylabel("$o_2$")
    axes.set_title("Rekurrentes Netz aus zwei Neuronen")
    return figure
