"""LSTM cell and layer with backpropagation through time.

Lecture: "Rekurrente neuronale Netze" › "Long Short Term Memory", "LSTM -
Memory Zelle", "LSTM - Lineares Neuron". Literature: Hochreiter &
Schmidhuber (1997), with the forget gate of Gers et al. (2000).

At each time step t, with ``z = W_x x_t + W_h h_{t-1} + b``:

- input gate ``i = sigmoid(z_i)``, forget gate ``f = sigmoid(z_f)``,
  candidate ``g = tanh(z_g)``, output gate ``o = sigmoid(z_o)``;
- cell state ``c_t = f * c_{t-1} + i * g`` (the linear neuron: while
  ``f`` is near 1, value and error pass unchanged from step to step);
- output ``h_t = o * tanh(c_t)``.

The four gates are stacked in the order (i, f, g, o) as in
``torch.nn.LSTM``, so its weights can be copied over one to one.
"""

import numpy as np

from reference.lecture.activations import sigmoid


def cell_forward(x, h_prev, c_prev, W_x, W_h, b):
    """One time step.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev, c_prev : ndarray of shape (N, H)
    W_x : ndarray of shape (4H, D)
    W_h : ndarray of shape (4H, H)
    b : ndarray of shape (4H,)

    Returns
    -------
    h, c : ndarray of shape (N, H)
    cache : tuple
        What ``cell_backward`` needs.
    """
    z = x @ W_x.T + h_prev @ W_h.T + b
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    i, f, g, o = sigmoid(zi), sigmoid(zf), np.tanh(zg), sigmoid(zo)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, (x, h_prev, c_prev, i, f, g, o, tanh_c)


def cell_backward(dh, dc, cache, W_x, W_h):
    """Back through one time step.

    Parameters
    ----------
    dh, dc : ndarray of shape (N, H)
        ``dE/dh_t`` and ``dE/dc_t`` arriving from the output and from step t + 1.
    cache : from ``cell_forward``
    W_x, W_h : the weights of the forward pass

    Returns
    -------
    dx : ndarray of shape (N, D)
    dh_prev, dc_prev : ndarray of shape (N, H)
    dW_x : ndarray of shape (4H, D)
    dW_h : ndarray of shape (4H, H)
    db : ndarray of shape (4H,)
    """
    x, h_prev, c_prev, i, f, g, o, tanh_c = cache
    dc = dc + dh * o * (1.0 - tanh_c**2)
    dz = np.hstack([
        dc * g * i * (1.0 - i),
        dc * c_prev * f * (1.0 - f),
        dc * i * (1.0 - g**2),
        dh * tanh_c * o * (1.0 - o),
    ])
    return dz @ W_x, dz @ W_h, dc * f, dz.T @ x, dz.T @ h_prev, dz.sum(axis=0)


class LSTM:
    """A layer of H LSTM cells run over a sequence.

    Parameters
    ----------
    n_in, n_hidden : int
        D and H.
    rng : numpy.random.Generator
        Weights uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (as torch does).
    """

    def __init__(self, n_in, n_hidden, rng):
        k = 1.0 / np.sqrt(n_hidden)
        self.W_x = rng.uniform(-k, k, (4 * n_hidden, n_in))
        self.W_h = rng.uniform(-k, k, (4 * n_hidden, n_hidden))
        self.b = rng.uniform(-k, k, 4 * n_hidden)

    def forward(self, xs, h0=None, c0=None):
        """Run over a sequence.

        Parameters
        ----------
        xs : ndarray of shape (T, N, D)
        h0, c0 : ndarray of shape (N, H), default zeros

        Returns
        -------
        hs : ndarray of shape (T, N, H)
            ``h_t`` of every step.
        c : ndarray of shape (N, H)
            The last cell state.
        """
        n_hidden = self.W_h.shape[1]
        h = np.zeros((xs.shape[1], n_hidden)) if h0 is None else h0
        c = np.zeros_like(h) if c0 is None else c0
        self.caches, hs = [], []
        for x in xs:
            h, c, cache = cell_forward(x, h, c, self.W_x, self.W_h, self.b)
            self.caches.append(cache)
            hs.append(h)
        return np.stack(hs), c

    def backward(self, dhs, dc_last=None):
        """Backpropagation through time.

        The error of ``h_t`` is what the output gives it (``dhs[t]``) plus what
        comes back from step t + 1; the same for ``c_t``. The weight gradients
        are summed over all steps, since every step uses the same weights.

        Parameters
        ----------
        dhs : ndarray of shape (T, N, H)
            ``dE/dh_t`` from outside the layer.
        dc_last : ndarray of shape (N, H), optional
            ``dE/dc_T`` if the last cell state is used outside.

        Returns
        -------
        dxs : ndarray of shape (T, N, D)
        dh0, dc0 : ndarray of shape (N, H)
        """
        self.dW_x, self.dW_h, self.db = np.zeros_like(self.W_x), np.zeros_like(self.W_h), np.zeros_like(self.b)
        dh_next = np.zeros_like(dhs[0])
        dc_next = np.zeros_like(dhs[0]) if dc_last is None else dc_last
        dxs = []
        for t in reversed(range(len(dhs))):
            dx, dh_next, dc_next, dW_x, dW_h, db = cell_backward(
                dhs[t] + dh_next, dc_next, self.caches[t], self.W_x, self.W_h
            )
            self.dW_x += dW_x
            self.dW_h += dW_h
            self.db += db
            dxs.append(dx)
        return np.stack(dxs[::-1]), dh_next, dc_next

    def params(self):
        return [self.W_x, self.W_h, self.b]

    def grads(self):
        return [self.dW_x, self.dW_h, self.db]
