"""A generative adversarial network (fully connected) for MNIST digits.

Lecture: "Generative Adversarial Networks" › "Generator", "Diskriminator",
"Training". Literature: Goodfellow et al. (2014).

The generator G maps noise z to an image; the discriminator D outputs the
probability that an image is real. Each step, D learns to say 1 for real
and 0 for generated images; then G learns to make D say 1 for its images:
D's error is propagated back through D (left unchanged) into G.
"""

import numpy as np

from reference.lecture.losses import binary_cross_entropy
from reference.lecture.mlp import mlp


class GAN:
    """Generator and discriminator, both multi-layer perceptrons.

    Parameters
    ----------
    n_noise, n_hidden, n_image : int
        Sizes of z, of the hidden layers, of the image (784 for MNIST).
    rng : numpy.random.Generator
    g_optimizer, d_optimizer : objects with ``step(params, grads)``
        One each: their state belongs to one net.
    """

    def __init__(self, n_noise, n_hidden, n_image, rng, g_optimizer, d_optimizer):
        self.generator = mlp([n_noise, n_hidden, n_image], "relu", rng, output="sigmoid")
        self.discriminator = mlp([n_image, n_hidden, 1], "relu", rng, output="sigmoid")
        self.n_noise, self.rng = n_noise, rng
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer

    def generate(self, m):
        """``m`` images from fresh noise: shape (m, n_image), values in (0, 1)."""
        return self.generator.forward(self.rng.normal(size=(m, self.n_noise)))

    def discriminator_step(self, real):
        """One step of D on a batch of real images and as many generated ones.

        Loss: ``-1/2m sum (log D(x) + log(1 - D(G(z))))``, binary cross
        entropy with targets 1 and 0.

        Parameters
        ----------
        real : ndarray of shape (m, n_image)

        Returns
        -------
        float
            The discriminator's loss before the step.
        """
        m = len(real)
        images = np.vstack([real, self.generate(m)])
        targets = np.vstack([np.ones((m, 1)), np.zeros((m, 1))])
        value, grad = binary_cross_entropy(self.discriminator.forward(images), targets)
        self.discriminator.backward(grad)
        self.d_optimizer.step(self.discriminator.params(), self.discriminator.grads())
        return value

    def generator_step(self, m):
        """One step of G on ``m`` noise vectors.

        G minimises ``-mean log D(G(z))`` (Goodfellow et al.'s
        "non-saturating" loss) rather than ``mean log(1 - D(G(z)))``: both
        want D(G(z)) near 1, but the latter has almost no gradient at the
        start, when D easily rejects G's images.

        Returns
        -------
        float
            The generator's loss before the step.
        """
        fake = self.generate(m)
        value, grad = binary_cross_entropy(self.discriminator.forward(fake), np.ones((m, 1)))
        # Only D's error at its input is needed; D's own gradients are discarded.
        self.generator.backward(self.discriminator.backward(grad))
        self.g_optimizer.step(self.generator.params(), self.generator.grads())
        return value

    def train(self, images, steps, batch_size):
        """Alternate one D step and one G step; returns both losses per step.

        Parameters
        ----------
        images : ndarray of shape (n, n_image), values in [0, 1]
        steps, batch_size : int

        Returns
        -------
        d_losses, g_losses : list of float
        """
        d_losses, g_losses = [], []
        for _ in range(steps):
            batch = images[self.rng.integers(0, len(images), size=batch_size)]
            d_losses.append(self.discriminator_step(batch))
            g_losses.append(self.generator_step(batch_size))
        return d_losses, g_losses
