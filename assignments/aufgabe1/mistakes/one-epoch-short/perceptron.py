"""Mistake: the epoch loop runs max_epochs - 1 epochs (range(1, max_epochs))."""

import numpy as np


def output(w, x):
    """Output of the perceptron neuron for one pattern or a batch of patterns.

    Parameters
    ----------
    w : ndarray of shape (n + 1,)
        Weights ``w_ji``; the last entry is the weight of the bias neuron.
    x : ndarray of shape (n,) or (m, n)
        One input pattern, or m patterns as rows.

    Returns
    -------
    int or ndarray of shape (m,)
        1 where ``phi > 0``, else 0 (``phi == 0`` gives 0).
    """
    w = np.asarray(w, dtype=float)
    phi = np.asarray(x, dtype=float) @ w[:-1] + w[-1]
    o = (phi > 0).astype(int)
    return int(o) if o.ndim == 0 else o


def train(X, T, w0, max_epochs=100):
    """Online perceptron learning rule with rate 1, patterns in the given order.

    For each pattern ``x`` with target ``t``: ``o = output(w, x)`` and
    ``w <- w + (t - o) [x, 1]``. For inputs ``o_i = 1`` this is the lecture's
    rule (``+o_i`` if ``o = 0, t = 1``; ``-o_i`` if ``o = 1, t = 0``); it also
    works for real-valued inputs.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    T : ndarray of shape (m,)
        Targets 0 or 1.
    w0 : ndarray of shape (n + 1,)
        Initial weights, bias weight last; not modified.
    max_epochs : int, default 100

    Returns
    -------
    w : ndarray of shape (n + 1,)
        Weights at the end.
    epochs : int
        1-based number of the first epoch in which no pattern changed ``w``;
        0 if there was none within ``max_epochs`` (e.g. XOR, which no single
        perceptron can learn).
    """
    X = np.asarray(X, dtype=float)
    w = np.array(w0, dtype=float)  # a copy: w0 stays as it was
    for epoch in range(1, max_epochs):
        changed = False
        for x, t in zip(X, T):
            o = output(w, x)
            if o != t:
                w = w + (t - o) * np.append(x, 1.0)
                changed = True
        if not changed:
            return w, epoch
    return w, 0
