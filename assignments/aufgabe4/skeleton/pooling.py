"""Aufgabe 4 – Pooling-Schicht.

Ergänzen Sie die drei Funktionen. Erlaubt sind numpy, matplotlib und die
Standardbibliothek. Ausgaben mit print stören die Bewertung nicht.
"""

import matplotlib.pyplot as plt
import numpy as np


def load_grayscale(path):
    """Lädt ein Bild als Grauwertbild.

    Parameter
    ---------
    path : str
        Eine Bilddatei, meist ein PNG: grau, RGB oder RGBA.
        (plt.imread liefert ein PNG als Gleitkommazahlen in [0, 1].)

    Rückgabe
    --------
    np.ndarray der Form (H, W) mit Grauwerten in [0, 1]. Ein Farbbild wird mit
    0.299 R + 0.587 G + 0.114 B umgerechnet; ein Alphakanal wird verworfen.
    """
    raise NotImplementedError


def pool2d(image, size=2, stride=2, mode="max"):
    """Schiebt ein size x size großes Fenster mit Schrittweite stride über das Bild.

    Parameter
    ---------
    image : np.ndarray der Form (H, W)
        Die Merkmalskarte (z. B. Grauwerte; negative Werte sind möglich).
    size : int
        Seitenlänge des quadratischen Pooling-Fensters.
    stride : int
        Schrittweite des Fensters in Pixeln, waagrecht wie senkrecht.
    mode : "max" oder "mean"
        Max-Pooling (größter Wert unter dem Fenster) oder Average-Pooling
        (Mittelwert unter dem Fenster).

    Rückgabe
    --------
    np.ndarray der Form ((H - size) // stride + 1, (W - size) // stride + 1).
    Kein Padding: Pixel [r, c] fasst das Fenster mit der linken oberen Ecke
    image[r * stride, c * stride] zusammen.
    """
    raise NotImplementedError


def pool_image(in_path, out_path, size=2, stride=2, mode="max"):
    """Lädt in_path als Grauwertbild, poolt es und speichert das Ergebnis.

    Parameter
    ---------
    in_path : str
        Das Bild, das gepoolt wird (siehe load_grayscale).
    out_path : str
        Hierhin wird das Ergebnis als 8-Bit-Graustufen-PNG geschrieben
        (Werte in [0, 1] mal 255; z. B. mit plt.imsave und cmap="gray",
        vmin=0, vmax=1).
    size, stride, mode
        Wie bei pool2d.

    Rückgabe
    --------
    Das gepoolte Bild als np.ndarray (Werte in [0, 1]).
    """
    raise NotImplementedError
