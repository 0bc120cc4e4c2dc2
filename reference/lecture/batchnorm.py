"""Batch normalisation, forward and backward, with running statistics.

Lecture: "Training und Test" › "Was ist Batch-Normalisierung?",
"Implementierung der Batch-Normalisierung". Literature: Ioffe & Szegedy
(2015).

Per feature, the activities of a mini-batch are normalised to mean 0 and
variance 1, then scaled by ``gamma`` and shifted by ``beta`` (both learned).
During training the batch statistics are used, and running averages of them
are kept; at test time these running averages replace the batch statistics,
so the output for one pattern does not depend on the others.
"""

import numpy as np


class BatchNorm:
    """Batch normalisation of activities of shape (m, n_features).

    Parameters
    ----------
    n_features : int
    momentum : float
        Weight of the new batch in the running averages,
        ``running <- (1 - momentum) running + momentum batch``.
    eps : float
        Added to the variance so that a constant feature does not divide by 0.

    The running variance uses the unbiased batch variance (divided by
    m - 1), the normalisation the biased one (divided by m), both as in
    Ioffe & Szegedy and ``torch.nn.BatchNorm1d``.
    """

    def __init__(self, n_features, momentum=0.1, eps=1e-5):
        self.gamma = np.ones(n_features)
        self.beta = np.zeros(n_features)
        self.running_mean = np.zeros(n_features)
        self.running_var = np.ones(n_features)
        self.momentum, self.eps = momentum, eps

    def forward(self, phi, training=True):
        """Normalise ``phi`` of shape (m, n_features); returns the same shape."""
        if not training:
            return self.gamma * (phi - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        m = len(phi)
        mean = phi.mean(axis=0)
        var = phi.var(axis=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var * m / (m - 1)
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (phi - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, e):
        """Back-propagate ``dE/dy`` of shape (m, n_features) through a training forward.

        Stores ``dgamma`` and ``dbeta`` and returns ``dE/dphi``. Mean and
        variance depend on every pattern of the batch, which gives the two
        correction terms:
        ``dphi = inv_std / m (m dx_hat - sum dx_hat - x_hat sum(dx_hat x_hat))``.
        """
        m = len(e)
        self.dgamma = np.sum(e * self.x_hat, axis=0)
        self.dbeta = np.sum(e, axis=0)
        dx_hat = e * self.gamma
        return self.inv_std / m * (
            m * dx_hat - dx_hat.sum(axis=0) - self.x_hat * np.sum(dx_hat * self.x_hat, axis=0)
        )

    def params(self):
        return [self.gamma, self.beta]

    def grads(self):
        return [self.dgamma, self.dbeta]
