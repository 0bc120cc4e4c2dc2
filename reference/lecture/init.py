"""Weight initialisation: small random, Xavier/Glorot, orthogonal, sparse.

Lecture: "Training und Test" › "Überblick zur Gewichtsinitialisierung",
"kleine zufällige Werte", "Xavier/Glorot-Initialisierung", "Orthogonale
Initialisierung".

All functions return a weight matrix of shape (n_out, n_in), ``W[j, i] =
w_ji`` (the slides' code draws shape (n_in, n_out); a transpose has the same
distribution), and draw from the given ``numpy.random.Generator``. Equal weights
would make all neurons of a layer compute and learn the same, so every
method is random: it breaks the symmetry.
"""

import numpy as np


def small_random(n_in, n_out, rng, std=0.2):
    """Normal weights with mean 0 and a small standard deviation.

    The slide calls the parameter ``var`` but passes it to ``scale`` of
    ``np.random.normal``, which is the standard deviation; so do we.

    Returns
    -------
    ndarray of shape (n_out, n_in)
    """
    return rng.normal(0.0, std, size=(n_out, n_in))


def xavier_uniform(n_in, n_out, rng):
    """Xavier/Glorot: uniform in ``[-l, l]`` with ``l = sqrt(6 / (n_in + n_out))``.

    The variance of that uniform distribution is ``l**2 / 3 = 2 / (n_in +
    n_out)``: the compromise (Glorot & Bengio 2010) between keeping the
    variance of activities (needs ``1/n_in``) and of back-propagated errors
    (needs ``1/n_out``) constant from layer to layer.

    Returns
    -------
    ndarray of shape (n_out, n_in)
    """
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def xavier_normal(n_in, n_out, rng):
    """Xavier/Glorot with normal weights of variance ``2 / (n_in + n_out)``.

    Returns
    -------
    ndarray of shape (n_out, n_in)
    """
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))


def orthogonal(n_in, n_out, rng, gain=1.0):
    """Orthogonal weights from the QR decomposition of a normal random matrix.

    Multiplying by an orthogonal matrix keeps the length of every vector, so
    repeated layers neither blow up nor shrink activities and errors (Saxe et
    al. 2014). The signs of R's diagonal are moved into Q; without that, Q
    would not be uniformly distributed over the orthogonal matrices.

    Returns
    -------
    ndarray of shape (n_out, n_in)
        Orthonormal rows if ``n_out <= n_in``, else orthonormal columns,
        times ``gain``.
    """
    rows, cols = max(n_out, n_in), min(n_out, n_in)
    q, r = np.linalg.qr(rng.normal(size=(rows, cols)))
    q *= np.sign(np.diag(r))
    return gain * (q if n_out >= n_in else q.T)


def sparse(n_in, n_out, rng, sparsity=0.9, std=0.01):
    """Sparse weights: in every column, a fraction ``sparsity`` of the entries is 0.

    Each input i then reaches only about ``(1 - sparsity) n_out`` neurons
    (Martens 2010); the rest are normal with standard deviation ``std``. As in
    ``torch.nn.init.sparse_``, ``ceil(sparsity * n_out)`` zeros per column.

    Returns
    -------
    ndarray of shape (n_out, n_in)
    """
    W = rng.normal(0.0, std, size=(n_out, n_in))
    n_zeros = int(np.ceil(sparsity * n_out))
    for i in range(n_in):
        W[rng.permutation(n_out)[:n_zeros], i] = 0.0
    return W
