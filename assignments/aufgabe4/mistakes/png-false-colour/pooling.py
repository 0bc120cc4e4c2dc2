"""Mistake: pool_image saves the pooled values with imsave's default colour table (viridis)."""

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

LUMA = np.array([0.299, 0.587, 0.114])
"""Weights of R, G, B in the gray value (ITU-R BT.601): the eye sees green brightest."""

POOLING = {"max": np.max, "mean": np.mean}


def load_grayscale(path):
    """Load an image file as a gray-value map.

    Parameters
    ----------
    path : str or pathlib.Path
        An image file, usually a PNG: gray, RGB or RGBA.

    Returns
    -------
    ndarray of shape (H, W)
        Gray values in [0, 1]. A colour image becomes
        ``0.299 R + 0.587 G + 0.114 B``; an alpha channel is dropped.
    """
    image = mpimg.imread(path)
    if image.dtype == np.uint8:  # imread gives PNGs as floats in [0, 1], JPEGs as 0..255
        image = image / 255.0
    image = np.asarray(image, dtype=float)
    if image.ndim == 3:
        image = image[:, :, :3] @ LUMA
    return image


def pool2d(image, size=2, stride=2, mode="max"):
    """Slide a ``size x size`` window with step ``stride`` over ``image`` and pool it.

    Parameters
    ----------
    image : array_like of shape (H, W)
        The feature map (e.g. gray values).
    size : int, default 2
        Side of the square pooling window.
    stride : int, default 2
        Step of the window, in pixels, in both directions.
    mode : {"max", "mean"}, default "max"
        Max pooling or average pooling.

    Returns
    -------
    ndarray of shape ((H - size) // stride + 1, (W - size) // stride + 1)
        Output pixel ``[r, c]`` pools the window whose upper left corner is
        ``image[r * stride, c * stride]``.
    """
    if mode not in POOLING:
        raise ValueError(f"unknown pooling mode {mode!r}; use 'max' or 'mean'")
    image = np.asarray(image, dtype=float)
    # All windows at every pixel: shape (H - size + 1, W - size + 1, size, size);
    # every stride-th of them in each direction is one window of the layer.
    windows = sliding_window_view(image, (size, size))[::stride, ::stride]
    return POOLING[mode](windows, axis=(2, 3))


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    """Pool an image file and write the result as an 8-bit gray PNG.

    Parameters
    ----------
    in_path, out_path : str or pathlib.Path
        The image to read (see ``load_grayscale``) and the PNG to write.
    size, stride, mode
        As in ``pool2d``.

    Returns
    -------
    ndarray of shape ((H - size) // stride + 1, (W - size) // stride + 1)
        The pooled gray values in [0, 1], as written (before rounding).
    """
    pooled = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, pooled)
    return pooled
