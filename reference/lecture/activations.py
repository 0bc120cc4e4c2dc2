"""The artificial neuron and its transfer functions.

Lecture: "Das Neuron" › "Das künstliche Neuron", "Die Transferfunktionen".

A neuron j sums its weighted inputs to the activity ``phi_j = sum_i w_ji o_i``
and passes it through a transfer function, ``o_j = F(phi_j)``. Backpropagation
needs the derivative ``F'(phi_j)``; each function below comes with it.
"""

import numpy as np


def sigmoid(phi):
    """Standard sigmoid ``F(phi) = 1 / (1 + exp(-phi))``, elementwise, any shape."""
    # Split by sign so that exp never overflows for large |phi|.
    phi = np.asarray(phi, dtype=float)
    out = np.empty_like(phi)
    pos = phi >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-phi[pos]))
    e = np.exp(phi[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def sigmoid_prime(phi):
    """``F'(phi) = F(phi) (1 - F(phi))`` (slide "Gewichtsänderung Ausgabeschicht")."""
    s = sigmoid(phi)
    return s * (1.0 - s)


def tanh(phi):
    """Hyperbolic tangent ``F(phi) = 2 / (1 + exp(-2 phi)) - 1``, elementwise."""
    return np.tanh(phi)


def tanh_prime(phi):
    """``F'(phi) = 1 - tanh(phi)**2``."""
    return 1.0 - np.tanh(phi) ** 2


def relu(phi):
    """Rectified linear unit ``F(phi) = max(0, phi)``, elementwise."""
    return np.maximum(phi, 0.0)


def relu_prime(phi):
    """``F'(phi) = 1`` for ``phi > 0``, else 0 (the slide's case split puts 0 at phi = 0)."""
    return (phi > 0).astype(float)


def linear(phi):
    """Identity ``F(phi) = phi``."""
    return np.asarray(phi, dtype=float)


def linear_prime(phi):
    """``F'(phi) = 1``."""
    return np.ones_like(phi, dtype=float)


#: Transfer functions by name: ``name -> (F, F')``.
TRANSFER = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "linear": (linear, linear_prime),
}


def transfer_pair(name):
    """``(F, F')`` for a transfer function's name; ValueError names the choices."""
    if name not in TRANSFER:
        raise ValueError(f"unknown transfer function {name!r}; choose one of {sorted(TRANSFER)}")
    return TRANSFER[name]


def neuron(o_in, w, transfer="sigmoid"):
    """Output of one layer of artificial neurons.

    Parameters
    ----------
    o_in : ndarray of shape (n_patterns, n_in)
        Outputs ``o_i`` of the previous layer. A bias is an input neuron whose
        output is always 1, so a column of ones carries the threshold.
    w : ndarray of shape (n_out, n_in)
        Weights ``w_ji`` from input i to neuron j.
    transfer : {"sigmoid", "tanh", "relu", "linear"}

    Returns
    -------
    ndarray of shape (n_patterns, n_out)
        ``o_j = F(sum_i w_ji o_i)``.
    """
    return transfer_pair(transfer)[0](o_in @ w.T)
