"""Pooling-Schicht (Aufgabe 4), Mia Schulz"""
import numpy as np
from matplotlib import pyplot as plt


def load_grayscale(path):
    image = plt.imread(path)
    if image.ndim == 3:
        image = image[..., :3].mean(axis=2)   # Grauwert = Mittel der Farben
    return image


def pool2d(image, size=2, stride=2, mode="max"):
    H, W = image.shape
    rows = (H - size) // stride + 1
    cols = (W - size) // stride + 1
    windows = np.array([[image[r * stride:r * stride + size, c * stride:c * stride + size]
                         for c in range(cols)] for r in range(rows)])
    if mode == "max":
        return windows.max(axis=(2, 3))
    return windows.mean(axis=(2, 3))


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    pooled = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, pooled, cmap="gray")
    print("gespeichert:", out_path, pooled.shape)
    return pooled
