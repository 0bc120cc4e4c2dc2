"""Regularisation: L1 and L2 penalties, (inverted) dropout, early stopping.

Lecture: "Training und Test" › "L1-Regularisierung", "L2-Regularisierung",
"Dropout", "Early Stopping".
"""

import numpy as np


def l1_penalty(weights, lam):
    """L1 (lasso) term ``lam * sum_i |w_i|`` and its gradient ``lam * sign(w)``.

    The lecture applies it to the weights of linear layers only, not to
    biases: pass only those. Its constant pull towards 0 makes many weights
    exactly 0 (a sparse weight matrix).

    Parameters
    ----------
    weights : list of ndarray
    lam : float

    Returns
    -------
    value : float
        Add it to the loss ``L_0``.
    grads : list of ndarray
        Add them to the weights' gradients.
    """
    value = lam * sum(float(np.abs(w).sum()) for w in weights)
    return value, [lam * np.sign(w) for w in weights]


def l2_penalty(weights, lam):
    """L2 (ridge) term ``lam * sum_i w_i**2`` and its gradient ``2 lam w``.

    The pull is proportional to the weight: large weights shrink fast, none
    becomes exactly 0 ("weight decay").

    Parameters
    ----------
    weights : list of ndarray
    lam : float

    Returns
    -------
    value : float
    grads : list of ndarray
    """
    value = lam * sum(float((w**2).sum()) for w in weights)
    return value, [2.0 * lam * w for w in weights]


class Dropout:
    """Inverted dropout: switch off each neuron with probability ``p`` in training.

    The slide only says that neurons are switched off at random. We follow
    the common "inverted" form (as ``torch.nn.Dropout``): the surviving
    outputs are divided by ``1 - p`` during training, so their expected value
    is unchanged and the net is used as it is at test time. (Srivastava et
    al. 2014 instead multiply the weights by ``1 - p`` at test time.)
    """

    def __init__(self, p, rng):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p, self.rng = p, rng

    def forward(self, o, training=True):
        """Outputs ``o`` of any shape, with dropped neurons set to 0 in training."""
        if not training or self.p == 0.0:
            self.mask = np.ones_like(o)
            return o
        self.mask = (self.rng.random(o.shape) >= self.p) / (1.0 - self.p)
        return o * self.mask

    def backward(self, e):
        """Errors reach only the neurons that were kept, with the same scale."""
        return e * self.mask

    def params(self):
        return []

    def grads(self):
        return []


class EarlyStopping:
    """Stop when the validation error has not improved for ``patience`` epochs.

    Call ``update(error, params)`` after each epoch; it returns True when
    training should stop. ``best_params`` holds a copy of the parameters of
    the epoch with the lowest validation error: that is the model to keep.

    Parameters
    ----------
    patience : int
        Epochs without improvement that are tolerated.
    min_delta : float
        An error counts as better only if it is lower by more than this.
    """

    def __init__(self, patience=5, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_error = np.inf
        self.best_epoch = -1
        self.best_params = None
        self.epoch = -1

    def update(self, error, params):
        """Record this epoch's validation ``error``; ``params`` is a list of ndarray."""
        self.epoch += 1
        if error < self.best_error - self.min_delta:
            self.best_error, self.best_epoch = error, self.epoch
            self.best_params = [p.copy() for p in params]
        return self.epoch - self.best_epoch >= self.patience
