"""Fehler: mode wird nicht ausgewertet, es wird immer das Maximum genommen."""
import matplotlib.pyplot as plt
import numpy as np


def load_grayscale(path):
    img = plt.imread(path)
    if img.dtype == np.uint8:
        img = img / 255.0
    if img.ndim == 3:
        img = img[..., :3] @ np.array([0.299, 0.587, 0.114])
    return img.astype(float)


def pool2d(image, size=2, stride=2, mode="max"):
    image = np.asarray(image, dtype=float)
    rows = (image.shape[0] - size) // stride + 1
    cols = (image.shape[1] - size) // stride + 1
    return np.array([[image[i * stride:i * stride + size, j * stride:j * stride + size].max()
                      for j in range(cols)] for i in range(rows)])


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    pooled = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, pooled, cmap="gray", vmin=0, vmax=1)
    return pooled
