"""Korrekt: iRprop⁻ mit Schleifen über jedes einzelne Gewicht, Gewichte als Listen von Listen zurückgegeben."""
import math

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


def forward(weights, X):
    result = [np.asarray(X, dtype=float)]
    for W in weights:
        with_bias = np.column_stack([result[-1], np.ones(len(result[-1]))])
        result.append(sigmoid(with_bias @ W))
    return result


def gradients(weights, X, T):
    outs = forward(weights, X)
    err = (outs[-1] - np.asarray(T, dtype=float)) * outs[-1] * (1 - outs[-1])
    grads = [None] * len(weights)
    for l in reversed(range(len(weights))):
        with_bias = np.column_stack([outs[l], np.ones(len(outs[l]))])
        grads[l] = with_bias.T @ err
        err = (err @ weights[l][:-1].T) * outs[l] * (1 - outs[l])
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    g = np.array(grad, dtype=float)
    s = np.array(step, dtype=float)
    d = np.zeros_like(g)
    for i in np.ndindex(g.shape):
        p = g[i] * prev_grad[i]
        if p > 0:
            s[i] = min(s[i] * eta_plus, step_max)
        elif p < 0:
            s[i] = max(s[i] * eta_minus, step_min)
            g[i] = 0.0
        d[i] = -math.copysign(s[i], g[i]) if g[i] != 0 else 0.0
    return d, g, s


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [rng.uniform(-0.5, 0.5, (sizes[l] + 1, sizes[l + 1])) for l in range(len(sizes) - 1)]
    stored = [np.zeros(W.shape) for W in weights]
    steps = [np.ones(W.shape) * step0 for W in weights]
    errors = np.zeros(epochs)
    for e in range(epochs):
        grads = gradients(weights, X, T)
        for l in range(len(weights)):
            d, stored[l], steps[l] = irprop_minus(grads[l], stored[l], steps[l])
            weights[l] = weights[l] + d
        errors[e] = 0.5 * ((forward(weights, X)[-1] - T) ** 2).sum()
    return [W.tolist() for W in weights], errors
