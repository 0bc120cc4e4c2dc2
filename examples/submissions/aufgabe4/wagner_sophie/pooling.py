# Aufgabe 4 - Pooling Layer
# Sophie Wagner

import numpy as np
import matplotlib.pyplot as plt


def load_grayscale(path):
    bild = plt.imread(path)
    if bild.ndim == 2:
        return bild
    # Farbbild: nur R, G, B verwenden (Alpha weglassen)
    rot = bild[:, :, 0]
    gruen = bild[:, :, 1]
    blau = bild[:, :, 2]
    return 0.299 * rot + 0.587 * gruen + 0.114 * blau


def pool2d(image, size=2, stride=2, mode="max"):
    hoehe = (image.shape[0] - size) // stride + 1
    breite = (image.shape[1] - size) // stride + 1
    ergebnis = np.zeros((hoehe, breite))
    for i in range(hoehe):
        for j in range(breite):
            fenster = image[i * stride:i * stride + size, j * stride:j * stride + size]
            if mode == "max":
                ergebnis[i, j] = np.max(fenster)
            elif mode == "mean":
                ergebnis[i, j] = np.sum(fenster) / (size * size)
            else:
                raise ValueError("mode muss 'max' oder 'mean' sein")
    return ergebnis


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    klein = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, klein, cmap="gray", vmin=0, vmax=1)
    return klein


if __name__ == "__main__":
    ergebnis = pool_image("katze.png", "katze_klein.png")
    print("neue Größe:", ergebnis.shape)
