"""Deliberately wrong RBM for the tests of Aufgabe 3: cd_update sums over the mini-batch instead of averaging.

Notation of the lecture: visible layer v (the pixels of a digit), hidden
layer h, weight matrix W between them (used in both directions), bias b of
the visible and c of the hidden neurons. The hidden layer is activated with
P(h | v) = sigmoid(v W + c), the visible layer is reactivated with
P(v | h) = sigmoid(h W^T + b); a reconstruction is one way up and back.
Patterns are rows, so a mini-batch is a matrix of shape (m, n_visible).
"""

import numpy as np


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


class RBM:
    """A Bernoulli RBM trained with contrastive divergence.

    Parameters
    ----------
    n_visible : int
        Number of visible neurons (784 for MNIST).
    n_hidden : int
        Number of hidden neurons.
    rng : np.random.Generator, optional
        Source of the initial weights; a fresh generator when omitted.

    Attributes
    ----------
    W : ndarray of shape (n_visible, n_hidden)
        ``W[i, j]`` connects visible neuron i and hidden neuron j.
    b : ndarray of shape (n_visible,)
        Biases of the visible neurons.
    c : ndarray of shape (n_hidden,)
        Biases of the hidden neurons.
    """

    def __init__(self, n_visible, n_hidden, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.W = rng.normal(0.0, 0.01, size=(n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def hidden_probs(self, v):
        """P(h_j = 1 | v) for every pattern.

        Parameters
        ----------
        v : ndarray of shape (m, n_visible)

        Returns
        -------
        ndarray of shape (m, n_hidden)
        """
        return sigmoid(v @ self.W + self.c)

    def visible_probs(self, h):
        """P(v_i = 1 | h) for every pattern.

        Parameters
        ----------
        h : ndarray of shape (m, n_hidden)

        Returns
        -------
        ndarray of shape (m, n_visible)
        """
        return sigmoid(h @ self.W.T + self.b)

    def cd_update(self, v0, lr, k=1, rng=None):
        """One contrastive-divergence step CD-k on a mini-batch, in place.

        Delta W = lr * (<v h>^0 - <v h>^k), Delta b = lr * (<v>^0 - <v>^k),
        Delta c = lr * (<h>^0 - <h>^k), where <.> is the mean over the batch.

        Parameters
        ----------
        v0 : ndarray of shape (m, n_visible)
            The mini-batch.
        lr : float
            Learning rate eta.
        k : int, default 1
            Number of Gibbs steps down and up again.
        rng : np.random.Generator, optional
            When given, each reconstruction is driven by binary hidden states
            sampled from the hidden probabilities; when None, the chain is
            mean-field (probabilities throughout) and deterministic.
        """
        m = v0.shape[0]
        h0 = self.hidden_probs(v0)
        vk, hk = v0, h0
        for _ in range(k):
            drive = hk if rng is None else (rng.random(hk.shape) < hk).astype(float)
            vk = self.visible_probs(drive)
            hk = self.hidden_probs(vk)
        self.W += lr * (v0.T @ h0 - vk.T @ hk)
        self.b += lr * (v0 - vk).sum(axis=0)
        self.c += lr * (h0 - hk).sum(axis=0)

    def reconstruct(self, v):
        """Activate the hidden layer and reactivate the visible layer.

        Parameters
        ----------
        v : ndarray of shape (m, n_visible)

        Returns
        -------
        ndarray of shape (m, n_visible)
            The probabilities P(v | h) with h = P(h | v).
        """
        return self.visible_probs(self.hidden_probs(v))


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    """Train an RBM with CD-1 (sampled hidden states) on mini-batches.

    Parameters
    ----------
    data : ndarray of shape (N, n_visible)
        Training patterns with values in [0, 1], e.g. MNIST digits / 255.
    n_hidden : int
        Number of hidden neurons.
    epochs : int
        Passes through the data.
    lr : float
        Learning rate.
    batch_size : int
        Patterns per mini-batch; the last batch of an epoch may be smaller.
    rng : np.random.Generator
        Source of the initial weights, of each epoch's order and of the samples.

    Returns
    -------
    RBM
        The trained machine.
    """
    data = np.asarray(data, dtype=float)
    rbm = RBM(data.shape[1], n_hidden, rng)
    for _ in range(epochs):
        order = rng.permutation(len(data))
        for start in range(0, len(data), batch_size):
            rbm.cd_update(data[order[start : start + batch_size]], lr, k=1, rng=rng)
    return rbm
