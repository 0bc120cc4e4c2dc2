"""Mistake: forward returns [o_1, ..., o_L] without X in front (gradients puts X in front itself)."""

import numpy as np


def sigmoid(x):
    """Standard sigmoid ``1 / (1 + exp(-x))``, elementwise."""
    # For x < -709, exp(-x) overflows to inf and the quotient is the right limit 0.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _with_bias(o):
    """Append the bias neuron's output 1: (m, n) -> (m, n + 1)."""
    return np.hstack([o, np.ones((len(o), 1))])


def forward(weights, X):
    """Activate the net from the input to the output layer.

    Parameters
    ----------
    weights : list of ndarray, weights[l] of shape (n_l + 1, n_{l+1})
    X : ndarray of shape (m, n_0)

    Returns
    -------
    list of ndarray
        ``[X, o_1, ..., o_L]`` with ``o_{l+1} = F([o_l, 1] @ weights[l])``,
        o_l of shape (m, n_l).
    """
    outputs = [np.asarray(X, dtype=float)]
    for W in weights:
        outputs.append(sigmoid(_with_bias(outputs[-1]) @ W))
    return outputs[1:]


def gradients(weights, X, T):
    """Backpropagation: ``dE/dw_ji`` for the whole batch.

    ``E = 1/2 sum_patterns sum_k (o_k - t_k)^2``. The output layer's error
    gradient is ``e_k = (o_k - t_k) F'``, a hidden layer's is
    ``e_j = sum_k e_k w_kj F'``; then ``dE/dw_ji = sum_patterns e_j o_i``.

    Parameters
    ----------
    weights : list of ndarray, weights[l] of shape (n_l + 1, n_{l+1})
    X : ndarray of shape (m, n_0)
    T : ndarray of shape (m, n_L)

    Returns
    -------
    list of ndarray, the same shapes as ``weights``.
    """
    outputs = [np.asarray(X, dtype=float)] + forward(weights, X)
    o = outputs[-1]
    e = (o - T) * o * (1.0 - o)
    grads = [None] * len(weights)
    for l in reversed(range(len(weights))):
        grads[l] = _with_bias(outputs[l]).T @ e
        if l > 0:
            o = outputs[l]
            # The bias neuron has no inputs: its row passes no error back.
            e = (e @ weights[l][:-1].T) * o * (1.0 - o)
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    """One iRprop⁻ step for an array of weights, elementwise.

    Same sign as before: the step grows (times ``eta_plus``, at most
    ``step_max``). Sign changed: the step shrinks (times ``eta_minus``, at
    least ``step_min``) and the gradient counts as 0, so this weight does
    not move now and its step is left alone next time. Then the weight moves
    by the step against the sign of the gradient, never by the gradient.

    Parameters
    ----------
    grad, prev_grad, step : ndarray, all of one shape
        ``dE/dw`` now, the stored gradient of the last call, the step sizes.
    eta_plus, eta_minus, step_min, step_max : float

    Returns
    -------
    delta_w : ndarray
        ``-sign(grad) * step``, to be added to the weights.
    grad_stored : ndarray
        ``grad`` with zeros where the sign changed: the next ``prev_grad``.
    new_step : ndarray
    """
    grad = np.asarray(grad, dtype=float)
    same = grad * prev_grad
    step = np.where(same > 0, np.minimum(step * eta_plus, step_max), step)
    step = np.where(same < 0, np.maximum(step * eta_minus, step_min), step)
    grad = np.where(same < 0, 0.0, grad)
    return -np.sign(grad) * step, grad, step


def _error(weights, X, T):
    """``E = 1/2 sum (o_L - T)^2`` over all patterns and outputs."""
    return 0.5 * np.sum((forward(weights, X)[-1] - T) ** 2)


def train(X, T, sizes, epochs, rng, step0=0.1):
    """Full-batch training where every weight is updated by iRprop⁻.

    Parameters
    ----------
    X : ndarray of shape (m, sizes[0])
    T : ndarray of shape (m, sizes[-1])
    sizes : list of int
        Neurons per layer, e.g. [2, 3, 1].
    epochs : int
    rng : np.random.Generator
        Draws the initial weights, uniform in [-0.5, 0.5].
    step0 : float
        Initial step size of every weight.

    Returns
    -------
    weights : list of ndarray, weights[l] of shape (sizes[l] + 1, sizes[l + 1])
    errors : ndarray of shape (epochs,)
        ``errors[e]`` is E after the weight change of epoch e.
    """
    weights = [rng.uniform(-0.5, 0.5, size=(n_in + 1, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    prev_grads = [np.zeros_like(W) for W in weights]
    steps = [np.full_like(W, step0) for W in weights]
    errors = np.empty(epochs)
    for epoch in range(epochs):
        for l, grad in enumerate(gradients(weights, X, T)):
            delta_w, prev_grads[l], steps[l] = irprop_minus(grad, prev_grads[l], steps[l])
            weights[l] = weights[l] + delta_w
        errors[epoch] = _error(weights, X, T)
    return weights, errors
