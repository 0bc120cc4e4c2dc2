"""The perceptron and its learning rule.

Lecture: "Das Neuron" › "Das Perzeptron - Aktivierung", "Die
Perzeptron-Lernregel".

A perceptron neuron fires, ``o_j = 1``, when ``sum_i w_ji o_i - theta_j > 0``.
The threshold is carried by a bias neuron ``o_theta = 1`` whose weight is
``w_theta = -theta``, so the test becomes ``sum_i w_ji o_i > 0``.
"""

import numpy as np


def with_bias(o):
    """Append the bias neuron's constant output 1: (m, n_in) -> (m, n_in + 1)."""
    return np.hstack([o, np.ones((len(o), 1))])


def perceptron_output(W, o_i):
    """Step-function outputs of a layer of perceptron neurons.

    Parameters
    ----------
    W : ndarray of shape (n_out, n_in + 1)
        Weights ``w_ji``; the last column is the bias weight ``-theta_j``.
    o_i : ndarray of shape (m, n_in)

    Returns
    -------
    ndarray of shape (m, n_out) with values 0 and 1.
    """
    return (with_bias(o_i) @ W.T > 0).astype(float)


def perceptron_rule(W, o_i, t):
    """Apply the perceptron learning rule to each pattern in turn, in place.

    If ``o_i = 1``, ``o_j = 0`` and ``t_j = 1``: ``w_ji <- w_ji + o_i``;
    if ``o_i = 1``, ``o_j = 1`` and ``t_j = 0``: ``w_ji <- w_ji - o_i``;
    otherwise nothing changes. Both cases are ``w_ji += (t_j - o_j) o_i``,
    which also covers real-valued inputs.

    Parameters
    ----------
    W : ndarray of shape (n_out, n_in + 1)
    o_i : ndarray of shape (m, n_in)
    t : ndarray of shape (m, n_out) with values 0 and 1

    Returns
    -------
    int
        Number of patterns that were wrong (and so changed W).
    """
    errors = 0
    for x, target in zip(with_bias(o_i), t):
        o_j = (W @ x > 0).astype(float)
        W += np.outer(target - o_j, x)
        errors += int(np.any(o_j != target))
    return errors


def train_perceptron(o_i, t, max_epochs=100):
    """Learn from zero weights until an epoch has no error.

    Parameters
    ----------
    o_i : ndarray of shape (m, n_in)
    t : ndarray of shape (m, n_out)
    max_epochs : int

    Returns
    -------
    W : ndarray of shape (n_out, n_in + 1)
    converged : bool
        False if ``max_epochs`` passed with errors left, as for XOR, which no
        single layer can separate (Minsky & Papert).
    """
    W = np.zeros((t.shape[1], o_i.shape[1] + 1))
    for _ in range(max_epochs):
        if perceptron_rule(W, o_i, t) == 0:
            return W, True
    return W, False
