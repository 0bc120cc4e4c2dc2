"""Error functions: squared error, softmax and cross entropy.

Lecture: "Backpropagation" › "Die Delta-Lernregel" (squared error) and
"Kreuzentropie". Every loss averages over the patterns of a (mini-)batch, as
stochastic gradient descent averages the gradients, and returns its gradient
with respect to its input alongside the value.
"""

import numpy as np


def squared_error(o, t):
    """Squared error ``E = 1/m sum_b sum_k 1/2 (o_bk - t_bk)**2``.

    Parameters
    ----------
    o, t : ndarray of shape (m, n_out)
        Outputs and targets of m patterns.

    Returns
    -------
    value : float
    grad : ndarray of shape (m, n_out)
        ``dE/do = (o - t) / m``.
    """
    m = o.shape[0]
    diff = o - t
    return 0.5 * float(np.sum(diff**2)) / m, diff / m


def softmax(phi):
    """Softmax over the last axis, ``q_i = exp(phi_i) / sum_j exp(phi_j)``.

    Parameters
    ----------
    phi : ndarray of shape (..., n_classes)

    Returns
    -------
    ndarray of the same shape; each row sums to 1.
    """
    # Subtracting the row maximum leaves the result unchanged and avoids overflow.
    z = phi - phi.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(phi):
    """``log(softmax(phi))`` over the last axis, computed without underflow."""
    z = phi - phi.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def cross_entropy(p, q, eps=1e-12):
    """Cross entropy ``H(p, q) = -sum_i p(i) log q(i)``, averaged over patterns.

    Parameters
    ----------
    p : ndarray of shape (m, n_classes)
        True distributions (one-hot or soft targets).
    q : ndarray of shape (m, n_classes)
        Predicted distributions. ``eps`` keeps ``log`` finite where ``q == 0``.

    Returns
    -------
    value : float
    grad : ndarray of shape (m, n_classes)
        ``dH/dq = -p / q / m``.
    """
    m = p.shape[0]
    q = np.maximum(q, eps)
    return -float(np.sum(p * np.log(q))) / m, -p / q / m


def one_hot(labels, n_classes):
    """Integer labels of shape (m,) to one-hot targets of shape (m, n_classes)."""
    return np.eye(n_classes)[labels]


def softmax_cross_entropy(phi, p):
    """Cross entropy of ``softmax(phi)`` against targets ``p``.

    Together the two have the simple gradient ``(softmax(phi) - p) / m``,
    which is why an output layer is rarely differentiated through separately.

    Parameters
    ----------
    phi : ndarray of shape (m, n_classes)
        Activities (logits) of the output layer.
    p : ndarray of shape (m, n_classes) or int ndarray of shape (m,)
        Target distributions, or class labels.

    Returns
    -------
    value : float
    grad : ndarray of shape (m, n_classes)
        ``dH/dphi``.
    """
    m, n_classes = phi.shape
    if p.ndim == 1:
        p = one_hot(p, n_classes)
    value = -float(np.sum(p * log_softmax(phi))) / m
    return value, (softmax(phi) * p.sum(axis=1, keepdims=True) - p) / m


def binary_cross_entropy(o, t, eps=1e-12):
    """Binary cross entropy ``-1/N sum (t log o + (1 - t) log(1 - o))``.

    The mean runs over all N elements, as in ``torch.nn.BCELoss``.

    Parameters
    ----------
    o : ndarray, values in (0, 1)
        Sigmoid outputs.
    t : ndarray of the same shape, values in [0, 1]

    Returns
    -------
    value : float
    grad : ndarray of the shape of ``o``
    """
    o = np.clip(o, eps, 1.0 - eps)
    n = o.size
    value = -float(np.sum(t * np.log(o) + (1.0 - t) * np.log(1.0 - o))) / n
    return value, (o - t) / (o * (1.0 - o)) / n
