import numpy as np
import matplotlib.pyplot as plt


def load_grayscale(path):
    img = plt.imread(path)
    if len(img.shape) == 3:
        img = img[:, :, :3] @ np.array([0.299, 0.587, 0.114])
    return img


def pool2d(image, size=2, stride=2, mode="max"):
    h, w = image.shape
    out = []
    for y in range(h - size + 1):
        zeile = []
        for x in range(w - size + 1):
            feld = image[y:y + size, x:x + size]
            zeile.append(feld.max() if mode == "max" else feld.mean())
        out.append(zeile)
    return np.array(out)


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    p = pool2d(load_grayscale(in_path), size, stride, mode)
    plt.imsave(out_path, p, cmap="gray", vmin=0.0, vmax=1.0)
    return p
