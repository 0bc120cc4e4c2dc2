"""A small convolutional net: two convolution and two pooling layers, then dense.

Lecture: "Faltungsnetze" › "Letzte Schichten eines CNN" and the figure of
a net with two convolution and two max-pooling layers.

The layers wrap the functions of ``conv.py`` in the layer interface of
``mlp.py`` (``forward``, ``backward``, ``params``, ``grads``), so a CNN is a
``Sequential`` and trains with ``mlp.train``.
"""

import numpy as np

from reference.lecture import conv
from reference.lecture.mlp import Activation, Dense, Sequential


class Conv2D:
    """Convolution layer with F filters of size K x K over C input channels.

    Weights are Xavier/Glorot-uniform with fan-in ``C K K`` and fan-out
    ``F K K`` (each weight serves a whole feature map).
    """

    def __init__(self, c_in, c_out, kernel, rng, stride=1, padding=0):
        limit = np.sqrt(6.0 / ((c_in + c_out) * kernel * kernel))
        self.w = rng.uniform(-limit, limit, (c_out, c_in, kernel, kernel))
        self.b = np.zeros(c_out)
        self.stride, self.padding = stride, padding

    def forward(self, x):
        """(N, C, H, W) -> (N, F, OH, OW)."""
        self.x = x
        return conv.conv2d_forward(x, self.w, self.b, self.stride, self.padding)

    def backward(self, e):
        """``dE/dout`` -> ``dE/dx``; stores ``dw``, ``db``."""
        dx, self.dw, self.db = conv.conv2d_backward(e, self.x, self.w, self.stride, self.padding)
        return dx

    def params(self):
        return [self.w, self.b]

    def grads(self):
        return [self.dw, self.db]


class MaxPool2D:
    """Max pooling with a ``kernel x kernel`` window and ``stride`` (default: kernel)."""

    def __init__(self, kernel=2, stride=None):
        self.kernel, self.stride = kernel, stride

    def forward(self, x):
        """(N, C, H, W) -> (N, C, OH, OW)."""
        self.x = x
        return conv.max_pool2d_forward(x, self.kernel, self.stride)

    def backward(self, e):
        """``dE/dout`` -> ``dE/dx``: each error goes to its window's maximum."""
        return conv.max_pool2d_backward(e, self.x, self.kernel, self.stride)

    def params(self):
        return []

    def grads(self):
        return []


class Flatten:
    """(N, C, H, W) -> (N, C * H * W): feature maps to the dense layer's input vector."""

    def forward(self, x):
        """(N, C, H, W) -> (N, C * H * W)."""
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, e):
        """(N, C * H * W) -> (N, C, H, W)."""
        return e.reshape(self.shape)

    def params(self):
        return []

    def grads(self):
        return []


def small_cnn(rng, image_size=28, channels=(4, 8), n_classes=10):
    """The lecture's CNN for 1-channel images, e.g. MNIST.

    conv 3x3 (padding 1) -> ReLU -> max pool 2 -> conv 3x3 (padding 1) ->
    ReLU -> max pool 2 -> dense to ``n_classes`` logits (use
    ``losses.softmax_cross_entropy``). ``image_size`` must be divisible by 4.

    Returns
    -------
    Sequential
        Input (N, 1, image_size, image_size), output (N, n_classes).
    """
    c1, c2 = channels
    side = image_size // 4
    return Sequential([
        Conv2D(1, c1, 3, rng, padding=1), Activation("relu"), MaxPool2D(2),
        Conv2D(c1, c2, 3, rng, padding=1), Activation("relu"), MaxPool2D(2),
        Flatten(), Dense.init(c2 * side * side, n_classes, rng),
    ])
