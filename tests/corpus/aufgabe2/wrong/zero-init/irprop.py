"""Fehler: train beginnt mit lauter Nullgewichten statt kleiner Zufallswerte (keine Symmetriebrechung)."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def forward(weights, X):
    outs = [np.asarray(X, dtype=float)]
    for W in weights:
        outs.append(sigmoid(np.hstack([outs[-1], np.ones((len(outs[-1]), 1))]) @ W))
    return outs


def gradients(weights, X, T):
    outs = forward(weights, X)
    e = (outs[-1] - T) * outs[-1] * (1 - outs[-1])
    grads = [None] * len(weights)
    for l in reversed(range(len(weights))):
        grads[l] = np.hstack([outs[l], np.ones((len(outs[l]), 1))]).T @ e
        e = (e @ weights[l][:-1].T) * outs[l] * (1 - outs[l])
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    same = grad * prev_grad
    step = np.where(same > 0, np.minimum(step * eta_plus, step_max), step)
    step = np.where(same < 0, np.maximum(step * eta_minus, step_min), step)
    grad = np.where(same < 0, 0.0, grad)
    return -np.sign(grad) * step, grad, step


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [np.zeros((a + 1, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.full_like(W, step0) for W in weights]
    errors = np.empty(epochs)
    for epoch in range(epochs):
        for l, grad in enumerate(gradients(weights, X, T)):
            delta, prev[l], steps[l] = irprop_minus(grad, prev[l], steps[l])
            weights[l] = weights[l] + delta
        errors[epoch] = 0.5 * np.sum((forward(weights, X)[-1] - T) ** 2)
    return weights, errors
