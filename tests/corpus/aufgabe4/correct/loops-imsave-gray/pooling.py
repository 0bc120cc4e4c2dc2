"""Korrekt: Fenster in zwei Schleifen, Speichern mit plt.imsave(cmap="gray", vmin=0, vmax=1)."""
import matplotlib.pyplot as plt
import numpy as np


def load_grayscale(path):
    img = plt.imread(path)
    if img.dtype == np.uint8:
        img = img / 255.0
    if img.ndim == 3:
        img = 0.299 * img[:, :, 0] + 0.587 * img[:, :, 1] + 0.114 * img[:, :, 2]
    return img.astype(float)


def pool2d(image, size=2, stride=2, mode="max"):
    image = np.asarray(image, dtype=float)
    rows = (image.shape[0] - size) // stride + 1
    cols = (image.shape[1] - size) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = image[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = window.max() if mode == "max" else window.mean()
    return out


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    pooled = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, pooled, cmap="gray", vmin=0, vmax=1)
    return pooled
