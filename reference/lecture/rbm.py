"""Restricted Boltzmann machine trained with contrastive divergence (CD-k).

Lecture: "Autoencoder" › "Restricted Boltzmann Machines" (positive phase,
negative phase, update of the weights). Literature: Hinton (2002),
"A Practical Guide to Training RBMs" (Hinton 2010).

Binary visible units v and hidden units h, connected in both directions by
the same weights W (n_hidden, n_visible), with biases b (visible) and c
(hidden). Patterns are rows, so the slide's ``P(h|v) = sigmoid(W v + c)`` is
``sigmoid(v @ W.T + c)`` here.

CD-k follows the likelihood gradient only approximately: trained long, the
likelihood can rise and then fall again (Fischer & Igel 2010); watch the
reconstruction error, or a validation set.
"""

import numpy as np

from reference.lecture.activations import sigmoid


class RBM:
    """Bernoulli-Bernoulli RBM.

    Parameters
    ----------
    n_visible, n_hidden : int
    rng : numpy.random.Generator
        Used for the initial weights (normal, std 0.01) and for sampling.
    """

    def __init__(self, n_visible, n_hidden, rng):
        self.W = rng.normal(0.0, 0.01, (n_hidden, n_visible))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)
        self.rng = rng

    def hidden_probs(self, v):
        """``P(h_j = 1 | v) = sigmoid(sum_i w_ji v_i + c_j)``: (m, n_visible) -> (m, n_hidden)."""
        return sigmoid(v @ self.W.T + self.c)

    def visible_probs(self, h):
        """``P(v_i = 1 | h) = sigmoid(sum_j w_ji h_j + b_i)``: (m, n_hidden) -> (m, n_visible)."""
        return sigmoid(h @ self.W + self.b)

    def sample(self, p):
        """Binary states that are 1 with probability ``p``."""
        return (self.rng.random(p.shape) < p).astype(float)

    def cd_step(self, v0, eta, k=1):
        """One contrastive-divergence update from a mini-batch, in place.

        Positive phase: ``h0 = P(h | v0)``. Negative phase: k steps of Gibbs
        sampling, ``v^n = P(v | h)``, ``h^n = P(h | v^n)``. Then
        ``dW = eta (<h0 v0^T> - <h^n v^n^T>)``, ``db = eta <v0 - v^n>``,
        ``dc = eta <h0 - h^n>``, ``<>`` being the mean over the batch.

        The slide writes ``v^0 (h^0)^T``, of shape (n_visible, n_hidden): the
        transpose of the W in its own ``P(h|v) = sigmoid(W v + c)``. We keep
        that W throughout, so the update reads ``h^0 (v^0)^T``.

        As Hinton (2010, sec. 3) recommends, the hidden states that drive the
        chain are sampled (binary: they cannot carry more than one bit each),
        and so are the visible states between Gibbs steps; the last
        reconstruction ``v^n`` and the statistics use probabilities, which is
        less noisy.

        Parameters
        ----------
        v0 : ndarray of shape (m, n_visible), values in [0, 1]
        eta : float
        k : int

        Returns
        -------
        float
            Mean squared error of ``reconstruct(v0)`` before the update.
        """
        if k < 1:
            raise ValueError(f"CD-k needs at least one Gibbs step, got k={k}")
        error = float(np.mean((v0 - self.reconstruct(v0)) ** 2))
        h0 = self.hidden_probs(v0)
        h = h0
        for step in range(k):
            v = self.visible_probs(self.sample(h))
            h = self.hidden_probs(v if step == k - 1 else self.sample(v))
        m = len(v0)
        self.W += eta * (h0.T @ v0 - h.T @ v) / m
        self.b += eta * np.mean(v0 - v, axis=0)
        self.c += eta * np.mean(h0 - h, axis=0)
        return error

    def reconstruct(self, v):
        """Up and down once, with probabilities: (m, n_visible) -> (m, n_visible)."""
        return self.visible_probs(self.hidden_probs(v))

    def free_energy(self, v):
        """``F(v) = -b.v - sum_j log(1 + exp(c_j + w_j.v))``, so ``P(v) = exp(-F(v)) / Z``.

        Parameters
        ----------
        v : ndarray of shape (m, n_visible)

        Returns
        -------
        ndarray of shape (m,)
        """
        return -v @ self.b - np.logaddexp(0.0, v @ self.W.T + self.c).sum(axis=1)

    def train(self, V, eta, epochs, batch_size, k=1):
        """CD-k over mini-batches of ``V`` (m, n_visible); returns the mean error per epoch."""
        history = []
        for _ in range(epochs):
            order = self.rng.permutation(len(V))
            errors = [self.cd_step(V[order[s:s + batch_size]], eta, k) for s in range(0, len(V), batch_size)]
            history.append(float(np.mean(errors)))
        return history
