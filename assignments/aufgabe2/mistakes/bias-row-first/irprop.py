"""Mistake: the bias weights are the first row of each matrix, not the last."""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(weights, X):
    outs = [X]
    for W in weights:
        inp = np.hstack([np.ones((len(X), 1)), outs[-1]])
        outs.append(sigmoid(inp @ W))
    return outs


def gradients(weights, X, T):
    outs = forward(weights, X)
    delta = (outs[-1] - T) * outs[-1] * (1 - outs[-1])
    grads = []
    for l in range(len(weights) - 1, -1, -1):
        inp = np.hstack([np.ones((len(X), 1)), outs[l]])
        grads.insert(0, inp.T @ delta)
        delta = (delta @ weights[l][1:].T) * outs[l] * (1 - outs[l])
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    grad = grad.copy()
    step = step.copy()
    prod = grad * prev_grad
    up = prod > 0
    down = prod < 0
    step[up] = np.minimum(step[up] * eta_plus, step_max)
    step[down] = np.maximum(step[down] * eta_minus, step_min)
    grad[down] = 0
    delta_w = -np.sign(grad) * step
    return delta_w, grad, step


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [rng.uniform(-0.5, 0.5, (sizes[i] + 1, sizes[i + 1])) for i in range(len(sizes) - 1)]
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.ones_like(W) * step0 for W in weights]
    errors = np.zeros(epochs)
    for e in range(epochs):
        grads = gradients(weights, X, T)
        for l in range(len(weights)):
            dw, prev[l], steps[l] = irprop_minus(grads[l], prev[l], steps[l])
            weights[l] = weights[l] + dw
        errors[e] = 0.5 * np.sum((forward(weights, X)[-1] - T) ** 2)
    return weights, errors
