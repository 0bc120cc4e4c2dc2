import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(weights, X):
    outputs = [X]
    for W in weights:
        o = outputs[-1]
        outputs.append(sigmoid(o @ W[:-1] + W[-1]))
    return outputs


def gradients(weights, X, T):
    outputs = forward(weights, X)
    delta = (outputs[-1] - T) * outputs[-1] * (1 - outputs[-1])
    grads = []
    for l in range(len(weights) - 1, -1, -1):
        o = outputs[l]
        grads.insert(0, np.vstack([o.T @ delta, delta.sum(axis=0)]))
        delta = delta @ weights[l][:-1].T * o * (1 - o)
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    step = step.copy()
    same = grad * prev_grad > 0
    changed = grad * prev_grad < 0
    step[same] = np.minimum(step[same] * eta_plus, step_max)
    step[changed] = np.maximum(step[changed] * eta_minus, step_min)
    # Vorzeichen gewechselt: Schrittweite wurde schon verkleinert
    return -np.sign(grad) * step, grad, step


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = [rng.uniform(-0.5, 0.5, (sizes[k] + 1, sizes[k + 1])) for k in range(len(sizes) - 1)]
    prev = [0 * W for W in weights]
    steps = [0 * W + step0 for W in weights]
    errors = []
    for _ in range(epochs):
        grads = gradients(weights, X, T)
        for k in range(len(weights)):
            dw, prev[k], steps[k] = irprop_minus(grads[k], prev[k], steps[k])
            weights[k] = weights[k] + dw
        errors.append(0.5 * np.sum((forward(weights, X)[-1] - T) ** 2))
    return weights, np.array(errors)
