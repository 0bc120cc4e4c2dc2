"""Fehler: range(0, H - size, stride) lässt das letzte Fenster weg, wo es genau an den Rand passt."""
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
    f = np.max if mode == "max" else np.mean
    return np.array([[f(image[i:i + size, j:j + size]) for j in range(0, image.shape[1] - size, stride)]
                     for i in range(0, image.shape[0] - size, stride)])


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    pooled = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, pooled, cmap="gray", vmin=0, vmax=1)
    return pooled
