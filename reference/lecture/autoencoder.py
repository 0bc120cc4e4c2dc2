"""A deep autoencoder: compress through a narrow code layer, then reconstruct.

Lecture: "Autoencoder" › "Autoencoder" (five layers: input, three hidden
layers including the latent one, output).

Unlike the RBM, the autoencoder is an ordinary directed net trained by
backpropagation to reproduce its input: the target is the input itself.
The encoder maps it to a low-dimensional code, the decoder back. Train it
with ``mlp.train(autoencoder, X, X, losses.squared_error, optimizer, ...)``.
"""

from reference.lecture.mlp import Activation, Dense, Sequential


class Autoencoder:
    """Encoder and decoder nets, symmetric around the code layer.

    Parameters
    ----------
    sizes : list of int
        Widths from the input to the code, e.g. ``[784, 128, 32]``; the
        decoder mirrors them, ``[32, 128, 784]``: together the lecture's
        five layers.
    rng : numpy.random.Generator
    transfer : str
        Transfer function of the hidden layers (see ``activations.py``).
        The code layer is linear, the output sigmoid (inputs are in [0, 1]).
    """

    def __init__(self, sizes, rng, transfer="relu"):
        self.encoder = Sequential(self._layers(sizes, rng, transfer, "linear"))
        self.decoder = Sequential(self._layers(sizes[::-1], rng, transfer, "sigmoid"))

    @staticmethod
    def _layers(sizes, rng, transfer, last):
        layers = []
        for n, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [Dense.init(n_in, n_out, rng), Activation(last if n == len(sizes) - 2 else transfer)]
        return layers

    def encode(self, x):
        """(m, n_input) -> code (m, n_code)."""
        return self.encoder.forward(x)

    def forward(self, x):
        """Reconstruction of ``x``: (m, n_input) -> (m, n_input)."""
        return self.decoder.forward(self.encoder.forward(x))

    def backward(self, e):
        """``dE/dreconstruction`` -> ``dE/dx``; every layer keeps its gradients."""
        return self.encoder.backward(self.decoder.backward(e))

    def params(self):
        return self.encoder.params() + self.decoder.params()

    def grads(self):
        return self.encoder.grads() + self.decoder.grads()
