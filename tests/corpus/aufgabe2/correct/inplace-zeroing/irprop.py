"""Korrekt: irprop_minus setzt grad an Vorzeichenwechseln an Ort und Stelle auf 0 (der Vertrag erlaubt das)."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))


def forward(weights, X):
    outs = [np.asarray(X, dtype=float)]
    for W in weights:
        o = outs[-1]
        outs.append(sigmoid(o @ W[:-1] + W[-1]))
    return outs


def gradients(weights, X, T):
    outs = forward(weights, X)
    delta = (outs[-1] - T) * outs[-1] * (1 - outs[-1])
    grads = []
    for l in range(len(weights) - 1, -1, -1):
        o = outs[l]
        grads.insert(0, np.vstack([o.T @ delta, delta.sum(axis=0)]))
        delta = (delta @ weights[l][:-1].T) * o * (1 - o)
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    product = grad * prev_grad
    new_step = step.copy()
    new_step[product > 0] = np.minimum(step[product > 0] * eta_plus, step_max)
    new_step[product < 0] = np.maximum(step[product < 0] * eta_minus, step_min)
    grad[product < 0] = 0.0
    return -np.sign(grad) * new_step, grad, new_step


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [rng.uniform(-0.5, 0.5, size=(a + 1, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.full(W.shape, step0) for W in weights]
    errors = []
    for _ in range(epochs):
        grads = gradients(weights, X, T)
        for l in range(len(weights)):
            dw, prev[l], steps[l] = irprop_minus(grads[l], prev[l], steps[l])
            weights[l] = weights[l] + dw
        errors.append(0.5 * np.sum((forward(weights, X)[-1] - T) ** 2))
    return weights, np.array(errors)
