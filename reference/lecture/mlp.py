"""Delta rule, backpropagation and mini-batch training of multi-layer nets.

Lecture: "Backpropagation" › "Die Delta-Lernregel", "Gewichtsänderung
Ausgabeschicht", "Gewichtsänderung versteckte Schicht", "Stochastischer
Gradientenabstieg".

Conventions: patterns are rows, ``o`` has shape (m, n_neurons); a weight
matrix ``W`` has shape (n_out, n_in) with ``W[j, i] = w_ji``, so a layer's
activity is ``phi = o_in @ W.T + b``. The bias b is the weight from a bias
neuron whose output is always 1.
"""

import numpy as np

from reference.lecture.activations import transfer_pair


def delta_rule_step(W, o_i, t, eta):
    """One step of the delta rule for a layer of linear neurons, in place.

    ``E = 1/2 (o_j - t_j)**2`` with ``o_j = sum_i w_ji o_i`` gives
    ``w_ji <- w_ji - eta (o_j - t_j) o_i``, averaged over the m patterns.

    Parameters
    ----------
    W : ndarray of shape (n_out, n_in)
    o_i : ndarray of shape (m, n_in)
    t : ndarray of shape (m, n_out)
    eta : float
    """
    o_j = o_i @ W.T
    W -= eta * (o_j - t).T @ o_i / len(o_i)


class Dense:
    """Fully connected layer ``phi = o_in @ W.T + b`` (no transfer function).

    ``backward`` takes ``dE/dphi`` of shape (m, n_out), stores ``dW``, ``db``
    and returns ``dE/do_in`` of shape (m, n_in): the error is passed back
    over the weights, ``sum_k e_k w_kj``.
    """

    def __init__(self, W, b):
        self.W, self.b = W, b

    @classmethod
    def init(cls, n_in, n_out, rng):
        """Xavier/Glorot-uniform weights (see ``init.py``), zero bias."""
        limit = np.sqrt(6.0 / (n_in + n_out))
        return cls(rng.uniform(-limit, limit, (n_out, n_in)), np.zeros(n_out))

    def forward(self, o_in):
        """(m, n_in) -> activities (m, n_out)."""
        self.o_in = o_in
        return o_in @ self.W.T + self.b

    def backward(self, e):
        """(m, n_out) -> (m, n_in); ``dW = e^T o_in`` sums ``e_j o_i`` over the patterns."""
        self.dW = e.T @ self.o_in
        self.db = e.sum(axis=0)
        return e @ self.W

    def params(self):
        return [self.W, self.b]

    def grads(self):
        return [self.dW, self.db]


class Activation:
    """Transfer function as a layer: ``o = F(phi)``, backward ``e * F'(phi)``."""

    def __init__(self, name):
        self.F, self.F_prime = transfer_pair(name)

    def forward(self, phi):
        """Activities -> outputs, same shape."""
        self.phi = phi
        return self.F(phi)

    def backward(self, e):
        """``dE/do`` -> ``dE/dphi``, same shape."""
        return e * self.F_prime(self.phi)

    def params(self):
        return []

    def grads(self):
        return []


class Sequential:
    """Layers applied one after the other; backward runs them in reverse."""

    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        """Output of the last layer for input ``x``."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, e):
        """``dE/doutput`` -> ``dE/dinput``; each layer stores its gradients."""
        for layer in reversed(self.layers):
            e = layer.backward(e)
        return e

    def params(self):
        """All weight arrays, layer by layer; ``grads()`` lists their gradients in the same order."""
        return [p for layer in self.layers for p in layer.params()]

    def grads(self):
        return [g for layer in self.layers for g in layer.grads()]


def mlp(sizes, transfer, rng, output="linear"):
    """Multi-layer perceptron, e.g. ``mlp([2, 8, 1], "sigmoid", rng)``.

    ``transfer`` is used in the hidden layers, ``output`` in the last one.
    """
    layers = []
    for n, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [Dense.init(n_in, n_out, rng), Activation(output if n == len(sizes) - 2 else transfer)]
    return Sequential(layers)


def backprop_two_layer(W_ji, W_kj, o_i, t):
    """Gradients of a two-layer sigmoid net, written as on the slides.

    ``o_j = F(sum_i w_ji o_i)``, ``o_k = F(sum_j w_kj o_j)``, ``E = sum_k
    1/2 (o_k - t_k)**2`` averaged over patterns. Output error
    ``e_k = (o_k - t_k) F'(phi_k)``, hidden error
    ``e_j = sum_k e_k w_kj F'(phi_j)``; ``dE/dw_kj = e_k o_j``,
    ``dE/dw_ji = e_j o_i``. Biases are inputs fixed at 1 in ``o_i``, ``o_j``
    is given no bias here, to keep the slide's notation.

    Parameters
    ----------
    W_ji : ndarray of shape (n_hidden, n_in)
    W_kj : ndarray of shape (n_out, n_hidden)
    o_i : ndarray of shape (m, n_in)
    t : ndarray of shape (m, n_out)

    Returns
    -------
    dW_ji : ndarray of shape (n_hidden, n_in)
    dW_kj : ndarray of shape (n_out, n_hidden)
    """
    F, F_prime = transfer_pair("sigmoid")
    phi_j = o_i @ W_ji.T
    o_j = F(phi_j)
    phi_k = o_j @ W_kj.T
    o_k = F(phi_k)
    e_k = (o_k - t) * F_prime(phi_k)
    e_j = (e_k @ W_kj) * F_prime(phi_j)
    m = len(o_i)
    return e_j.T @ o_i / m, e_k.T @ o_j / m


def minibatches(m, batch_size, rng):
    """Index arrays of a random partition of ``range(m)`` into mini-batches."""
    order = rng.permutation(m)
    return [order[s:s + batch_size] for s in range(0, m, batch_size)]


def train(net, X, T, loss, optimizer, epochs, batch_size, rng):
    """Mini-batch training: per batch forward, loss gradient, backward, step.

    Parameters
    ----------
    net : Sequential (or anything with forward/backward/params/grads)
    X : ndarray of shape (m, n_in)
    T : ndarray of shape (m, n_out)
    loss : callable ``(o, t) -> (value, dE/do)``, e.g. ``losses.squared_error``
    optimizer : object with ``step(params, grads)``, see ``optimizers.py``
    epochs, batch_size : int
    rng : numpy.random.Generator

    Returns
    -------
    list of float
        The mean batch loss of each epoch.
    """
    history = []
    for _ in range(epochs):
        values = []
        for idx in minibatches(len(X), batch_size, rng):
            value, grad = loss(net.forward(X[idx]), T[idx])
            net.backward(grad)
            optimizer.step(net.params(), net.grads())
            values.append(value)
        history.append(float(np.mean(values)))
    return history
