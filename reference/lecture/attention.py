"""Scaled dot-product attention, multi-head attention, positional encoding.

Lecture: "Transformer" › "Attention-Mechanismus", "Self-Attention
Mechanismus". Literature: Vaswani et al. (2017), "Attention Is All You Need".

The slide writes ``Q = W^Q X`` with patterns as columns; we keep the rest
of the package's convention of patterns (here: tokens) as rows, so
``Q = X W_q^T``. Sequences have shape (N, T, E): batch, positions, model
width.
"""

import numpy as np

from reference.lecture.losses import softmax


def causal_mask(T):
    """Boolean (T, T) mask, True where position q may attend to position k (k <= q).

    A language model predicting the next token must not see the future.
    """
    return np.tril(np.ones((T, T), dtype=bool))


def attention_forward(Q, K, V, mask=None):
    """``O = softmax(Q K^T / sqrt(d_k)) V``.

    Parameters
    ----------
    Q : ndarray of shape (..., T_q, d_k)
    K : ndarray of shape (..., T_k, d_k)
    V : ndarray of shape (..., T_k, d_v)
    mask : bool ndarray broadcastable to (..., T_q, T_k), optional
        True where attending is allowed (as the boolean ``attn_mask`` of
        ``torch.nn.functional.scaled_dot_product_attention``).

    Returns
    -------
    O : ndarray of shape (..., T_q, d_v)
    A : ndarray of shape (..., T_q, T_k)
        The attention weights; each row sums to 1.
    """
    # Without the scaling, dot products of d_k-dimensional vectors grow like
    # sqrt(d_k) and push softmax into saturation, where its gradient vanishes.
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    A = softmax(S)
    return A @ V, A


def attention_backward(dO, Q, K, V, A):
    """Gradients of ``attention_forward`` with respect to Q, K and V.

    Parameters
    ----------
    dO : ndarray of shape (..., T_q, d_v)
    Q, K, V : the forward's inputs
    A : the forward's attention weights (masked entries are 0 and stay 0)

    Returns
    -------
    dQ, dK, dV : ndarrays of the shapes of Q, K, V
    """
    dV = np.swapaxes(A, -1, -2) @ dO
    dA = dO @ np.swapaxes(V, -1, -2)
    # Softmax backward, row by row: dS = A * (dA - sum_k dA_k A_k).
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True)) / np.sqrt(Q.shape[-1])
    return dS @ K, np.swapaxes(dS, -1, -2) @ Q, dV


class MultiHeadAttention:
    """Multi-head self-attention.

    The model width E is split into h heads of width ``d_k = E / h``. Each
    head attends with its own slice of ``Q = X W_q^T + b_q`` (likewise K,
    V); the heads' outputs are concatenated and mixed by ``W_o``. Several
    heads can attend to different positions at once.

    Parameters
    ----------
    d_model : int
        E, divisible by ``n_heads``.
    n_heads : int
    rng : numpy.random.Generator
    """

    def __init__(self, d_model, n_heads, rng):
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.h = n_heads
        limit = np.sqrt(6.0 / (2 * d_model))
        self.W_q, self.W_k, self.W_v, self.W_o = (rng.uniform(-limit, limit, (d_model, d_model)) for _ in range(4))
        self.b_q, self.b_k, self.b_v, self.b_o = (np.zeros(d_model) for _ in range(4))

    def _split(self, Y):
        n, t, e = Y.shape
        return Y.reshape(n, t, self.h, e // self.h).transpose(0, 2, 1, 3)

    @staticmethod
    def _merge(Y):
        n, h, t, d = Y.shape
        return Y.transpose(0, 2, 1, 3).reshape(n, t, h * d)

    def forward(self, X, mask=None):
        """Self-attention of ``X`` of shape (N, T, E); ``mask`` as in ``attention_forward``.

        Returns an ndarray of shape (N, T, E).
        """
        self.X = X
        self.Q, self.K, self.V = (self._split(X @ W.T + b) for W, b in
                                  [(self.W_q, self.b_q), (self.W_k, self.b_k), (self.W_v, self.b_v)])
        O, self.A = attention_forward(self.Q, self.K, self.V, mask)
        self.concat = self._merge(O)
        return self.concat @ self.W_o.T + self.b_o

    def backward(self, dY):
        """``dE/dY`` of shape (N, T, E) -> ``dE/dX``; stores the weight gradients."""
        # Weight gradients sum over all tokens of all sequences: fold them into one axis.
        E = dY.shape[-1]
        dY_rows = dY.reshape(-1, E)
        self.dW_o, self.db_o = dY_rows.T @ self.concat.reshape(-1, E), dY_rows.sum(axis=0)
        dO = self._split(dY @ self.W_o)
        dQ, dK, dV = (self._merge(d).reshape(-1, E) for d in attention_backward(dO, self.Q, self.K, self.V, self.A))
        X_rows = self.X.reshape(-1, E)
        self.dW_q, self.dW_k, self.dW_v = (d.T @ X_rows for d in (dQ, dK, dV))
        self.db_q, self.db_k, self.db_v = (d.sum(axis=0) for d in (dQ, dK, dV))
        return (dQ @ self.W_q + dK @ self.W_k + dV @ self.W_v).reshape(dY.shape)

    def params(self):
        return [self.W_q, self.b_q, self.W_k, self.b_k, self.W_v, self.b_v, self.W_o, self.b_o]

    def grads(self):
        return [self.dW_q, self.db_q, self.dW_k, self.db_k, self.dW_v, self.db_v, self.dW_o, self.db_o]


def positional_encoding(T, d_model):
    """Sinusoidal positional encoding of Vaswani et al.

    ``PE[pos, 2i] = sin(pos / 10000**(2i / d))``,
    ``PE[pos, 2i + 1] = cos(pos / 10000**(2i / d))``. Attention itself does
    not see the order of the tokens; adding PE to the embeddings tells each
    token where it is. For each frequency, PE at ``pos + k`` is a rotation
    of PE at ``pos``, so relative positions are easy to read.

    Parameters
    ----------
    T : int
        Number of positions.
    d_model : int
        Even width E.

    Returns
    -------
    ndarray of shape (T, d_model), values in [-1, 1]
    """
    pos = np.arange(T)[:, None]
    freq = 1.0 / 10000.0 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((T, d_model))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq)
    return pe
