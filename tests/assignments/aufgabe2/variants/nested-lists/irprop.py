"""Correct variant: every array goes back as nested Python lists; init rng.random() - 0.5."""
import numpy as np


def sigmoid(x):
    return (1 / (1 + np.exp(-np.asarray(x)))).tolist()


def _forward(weights, X):
    outs = [np.asarray(X, dtype=float)]
    for W in weights:
        inp = np.hstack([outs[-1], np.ones((len(X), 1))])
        outs.append(np.array(sigmoid(inp @ np.asarray(W))))
    return outs


def forward(weights, X):
    return [o.tolist() for o in _forward(weights, X)]


def gradients(weights, X, T):
    outs = _forward(weights, X)
    delta = (outs[-1] - T) * outs[-1] * (1 - outs[-1])
    grads = []
    for l in range(len(weights) - 1, -1, -1):
        inp = np.hstack([outs[l], np.ones((len(X), 1))])
        grads.insert(0, (inp.T @ delta).tolist())
        delta = (delta @ np.asarray(weights[l])[:-1].T) * outs[l] * (1 - outs[l])
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    grad, prev_grad, step = (np.array(a, dtype=float) for a in (grad, prev_grad, step))
    prod = grad * prev_grad
    step[prod > 0] = np.minimum(step[prod > 0] * eta_plus, step_max)
    step[prod < 0] = np.maximum(step[prod < 0] * eta_minus, step_min)
    grad[prod < 0] = 0
    return (-np.sign(grad) * step).tolist(), grad.tolist(), step.tolist()


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [rng.random((sizes[i] + 1, sizes[i + 1])) - 0.5 for i in range(len(sizes) - 1)]
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.full_like(W, step0) for W in weights]
    errors = []
    for _ in range(epochs):
        grads = gradients(weights, X, T)
        for l in range(len(weights)):
            dw, prev[l], steps[l] = irprop_minus(grads[l], prev[l], steps[l])
            weights[l] = weights[l] + np.array(dw)
        errors.append(0.5 * float(np.sum((_forward(weights, X)[-1] - T) ** 2)))
    return [W.tolist() for W in weights], errors
