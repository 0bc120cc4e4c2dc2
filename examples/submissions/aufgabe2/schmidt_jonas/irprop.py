# Jonas Schmidt – Aufgabe 2
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def add_bias(o):
    return np.column_stack([o, np.ones(len(o))])


def forward(weights, X):
    result = [X]
    for W in weights:
        result.append(sigmoid(add_bias(result[-1]) @ W))
    return result


def gradients(weights, X, T):
    outs = forward(weights, X)
    err = (outs[-1] - T) * outs[-1] * (1 - outs[-1])
    grads = [None] * len(weights)
    for l in reversed(range(len(weights))):
        grads[l] = add_bias(outs[l]).T @ err
        err = err @ weights[l][:-1].T * outs[l] * (1 - outs[l])
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    s = grad * prev_grad
    new_step = np.where(s > 0, np.minimum(step * eta_plus, step_max),
                        np.where(s < 0, np.maximum(step * eta_minus, step_min), step))
    g = np.where(s < 0, 0.0, grad)
    # Schritt in Richtung des negativen Gradienten
    delta_w = -g * new_step
    return delta_w, g, new_step


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [rng.uniform(-0.5, 0.5, size=(a + 1, b)) for a, b in zip(sizes, sizes[1:])]
    prev = [np.zeros(W.shape) for W in weights]
    steps = [np.full(W.shape, step0) for W in weights]
    errors = np.zeros(epochs)
    for e in range(epochs):
        for l, g in enumerate(gradients(weights, X, T)):
            dw, prev[l], steps[l] = irprop_minus(g, prev[l], steps[l])
            weights[l] += dw
        errors[e] = 0.5 * ((forward(weights, X)[-1] - T) ** 2).sum()
    return weights, errors
