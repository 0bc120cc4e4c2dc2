"""Layer normalisation, a transformer block and a small character-level model.

Lecture: "Transformer" › the small transformer figure: positional encoding,
masked multi-head attention, residual connections, normalisation and a
two-layer feed-forward net with a softmax output that predicts the next
character. Literature: Vaswani et al. (2017), Ba et al. (2016) for layer
normalisation.

The block is the original "post-norm" block of Vaswani et al.:
``Y = LN(X + MHA(X))``, ``Z = LN(Y + FFN(Y))``, as
``torch.nn.TransformerEncoderLayer`` with ``norm_first=False``.
"""

import numpy as np

from reference.lecture.attention import MultiHeadAttention, causal_mask, positional_encoding
from reference.lecture.losses import softmax
from reference.lecture.mlp import Activation, Dense, Sequential


class LayerNorm:
    """Normalise each token's features to mean 0, variance 1, then scale and shift.

    Unlike batch normalisation the statistics are taken over the features of
    one token, not over the batch, so training and test are the same and the
    batch size does not matter.

    Parameters
    ----------
    d : int
        Number of features (last axis).
    eps : float
    """

    def __init__(self, d, eps=1e-5):
        self.gamma, self.beta, self.eps = np.ones(d), np.zeros(d), eps

    def forward(self, x):
        """``x`` of shape (..., d) -> same shape."""
        mean = x.mean(axis=-1, keepdims=True)
        self.inv_std = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, e):
        """``dE/dy`` of shape (..., d) -> ``dE/dx``; stores ``dgamma``, ``dbeta``.

        Same formula as batch normalisation's backward, over the other axis.
        """
        d = e.shape[-1]
        axes = tuple(range(e.ndim - 1))
        self.dgamma, self.dbeta = np.sum(e * self.x_hat, axis=axes), np.sum(e, axis=axes)
        dx_hat = e * self.gamma
        return self.inv_std / d * (
            d * dx_hat - dx_hat.sum(axis=-1, keepdims=True)
            - self.x_hat * np.sum(dx_hat * self.x_hat, axis=-1, keepdims=True)
        )

    def params(self):
        return [self.gamma, self.beta]

    def grads(self):
        return [self.dgamma, self.dbeta]


class TransformerBlock:
    """Masked multi-head self-attention and a feed-forward net, each with residual and LayerNorm.

    Parameters
    ----------
    d_model, n_heads : int
    d_ff : int
        Hidden width of the two-layer ReLU feed-forward net.
    rng : numpy.random.Generator
    """

    def __init__(self, d_model, n_heads, d_ff, rng):
        self.attn = MultiHeadAttention(d_model, n_heads, rng)
        self.ln1, self.ln2 = LayerNorm(d_model), LayerNorm(d_model)
        self.ffn = Sequential([Dense.init(d_model, d_ff, rng), Activation("relu"), Dense.init(d_ff, d_model, rng)])

    def forward(self, X, mask=None):
        """``X`` of shape (N, T, E) -> (N, T, E)."""
        Y = self.ln1.forward(X + self.attn.forward(X, mask))
        # The feed-forward net works on each token alone: fold tokens into the batch.
        F = self.ffn.forward(Y.reshape(-1, Y.shape[-1])).reshape(Y.shape)
        return self.ln2.forward(Y + F)

    def backward(self, dZ):
        """``dE/dZ`` of shape (N, T, E) -> ``dE/dX``; a residual passes its error on unchanged."""
        dS = self.ln2.backward(dZ)
        dY = dS + self.ffn.backward(dS.reshape(-1, dS.shape[-1])).reshape(dS.shape)
        dR = self.ln1.backward(dY)
        return dR + self.attn.backward(dR)

    def params(self):
        return self.attn.params() + self.ln1.params() + self.ffn.params() + self.ln2.params()

    def grads(self):
        return self.attn.grads() + self.ln1.grads() + self.ffn.grads() + self.ln2.grads()


class CharTransformer:
    """Character-level language model: embedding + PE, one block, linear output.

    ``forward`` returns the logits of the next character at every position;
    ``softmax`` of them is the predicted distribution, trained with
    ``losses.softmax_cross_entropy``.

    Parameters
    ----------
    vocab_size, d_model, n_heads, d_ff : int
    rng : numpy.random.Generator
    """

    def __init__(self, vocab_size, d_model, n_heads, d_ff, rng):
        self.embedding = rng.normal(0.0, 1.0, (vocab_size, d_model))
        self.block = TransformerBlock(d_model, n_heads, d_ff, rng)
        self.out = Dense.init(d_model, vocab_size, rng)

    def forward(self, tokens):
        """``tokens`` int ndarray (N, T) -> logits (N * T, vocab_size), rows in token order."""
        self.tokens = tokens
        T = tokens.shape[1]
        X = self.embedding[tokens] + positional_encoding(T, self.embedding.shape[1])
        Z = self.block.forward(X, causal_mask(T))
        return self.out.forward(Z.reshape(-1, Z.shape[-1]))

    def backward(self, dlogits):
        """``dE/dlogits`` of shape (N * T, vocab_size); stores all gradients."""
        dZ = self.out.backward(dlogits).reshape(*self.tokens.shape, -1)
        dX = self.block.backward(dZ)
        self.dembedding = np.zeros_like(self.embedding)
        # A character used at several positions collects the error of each.
        np.add.at(self.dembedding, self.tokens, dX)

    def generate(self, prompt, n_chars, rng, temperature=1.0):
        """Continue ``prompt`` character by character, as the slide's text generation.

        Parameters
        ----------
        prompt : int ndarray of shape (T0,), T0 >= 1
            Token ids to start from.
        n_chars : int
        rng : numpy.random.Generator
            Draws each next character from the predicted distribution.
        temperature : float
            Below 1 sharpens the distribution; ``0`` takes the most likely
            character every time.

        Returns
        -------
        int ndarray of shape (T0 + n_chars,)
        """
        ids = list(prompt)
        for _ in range(n_chars):
            logits = self.forward(np.array([ids]))[-1]
            if temperature == 0:
                ids.append(int(np.argmax(logits)))
            else:
                ids.append(int(rng.choice(len(logits), p=softmax(logits / temperature))))
        return np.array(ids)

    def params(self):
        return [self.embedding] + self.block.params() + self.out.params()

    def grads(self):
        return [self.dembedding] + self.block.grads() + self.out.grads()
