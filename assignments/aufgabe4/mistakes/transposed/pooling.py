"""Mistake: rows and columns of the output are swapped."""

import matplotlib.pyplot as plt
import numpy as np


def load_grayscale(path):
    image = plt.imread(path)
    if image.ndim == 3:
        image = 0.299 * image[:, :, 0] + 0.587 * image[:, :, 1] + 0.114 * image[:, :, 2]
    return image


def pool2d(image, size=2, stride=2, mode="max"):
    height = (image.shape[0] - size) // stride + 1
    width = (image.shape[1] - size) // stride + 1
    out = np.empty((height, width))
    for r in range(height):
        for c in range(width):
            window = image[r * stride : r * stride + size, c * stride : c * stride + size]
            out[r, c] = window.max() if mode == "max" else window.mean()
    return out.T


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    pooled = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, pooled, cmap="gray", vmin=0.0, vmax=1.0)
    return pooled
