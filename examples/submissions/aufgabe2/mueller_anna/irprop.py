# Aufgabe 2 – Backpropagation mit iRprop⁻ (Anna Müller)
# Alles mit Schleifen über Muster und Neuronen, wie im Buchbeispiel.
import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def forward(weights, X):
    outs = [np.asarray(X, dtype=float)]
    for W in weights:
        o_in = outs[-1]
        n_in, n_out = W.shape[0] - 1, W.shape[1]
        o = np.zeros((len(o_in), n_out))
        for p in range(len(o_in)):
            for j in range(n_out):
                net = W[n_in, j]  # Bias-Neuron
                for i in range(n_in):
                    net += o_in[p, i] * W[i, j]
                o[p, j] = sigmoid(net)
        outs.append(o)
    return outs


def gradients(weights, X, T):
    outs = forward(weights, X)
    T = np.asarray(T, dtype=float)
    grads = [np.zeros_like(W) for W in weights]
    for p in range(len(X)):
        # Fehlergradient der Ausgabeschicht
        o = outs[-1][p]
        e = [(o[k] - T[p, k]) * o[k] * (1 - o[k]) for k in range(len(o))]
        for l in range(len(weights) - 1, -1, -1):
            W = weights[l]
            o_in = outs[l][p]
            for j in range(len(e)):
                for i in range(len(o_in)):
                    grads[l][i, j] += e[j] * o_in[i]
                grads[l][len(o_in), j] += e[j]
            # zurück über die Gewichte verteilen
            e = [sum(e[k] * W[j, k] for k in range(len(e))) * o_in[j] * (1 - o_in[j])
                 for j in range(len(o_in))]
    return grads


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    grad = np.array(grad, dtype=float)
    step = np.array(step, dtype=float)
    delta_w = np.zeros_like(grad)
    for idx in np.ndindex(grad.shape):
        if grad[idx] * prev_grad[idx] > 0:
            step[idx] = min(step[idx] * eta_plus, step_max)
        elif grad[idx] * prev_grad[idx] < 0:
            step[idx] = max(step[idx] * eta_minus, step_min)
            grad[idx] = 0.0
        delta_w[idx] = -np.sign(grad[idx]) * step[idx]
    return delta_w, grad, step


def train(X, T, sizes, epochs, rng, step0=0.1):
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights.append(rng.normal(0.0, 0.3, size=(n_in + 1, n_out)))
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.full(W.shape, step0) for W in weights]
    errors = []
    for epoch in range(epochs):
        grads = gradients(weights, X, T)
        for l in range(len(weights)):
            delta_w, prev[l], steps[l] = irprop_minus(grads[l], prev[l], steps[l])
            weights[l] = weights[l] + delta_w
        E = 0.5 * np.sum((forward(weights, X)[-1] - T) ** 2)
        errors.append(E)
        if epoch % 50 == 0:
            print("Epoche", epoch, "Fehler", E)
    return weights, np.array(errors)
