"""Aufgabe 5 – Rekurrentes Netz aus zwei Neuronen.

Ergänzen Sie die drei Funktionen. Erlaubt sind numpy, matplotlib und die
Standardbibliothek. Ausgaben mit print stören die Bewertung nicht.
"""

import matplotlib.pyplot as plt
import numpy as np

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
"""W[j, i] = w_ji: das Gewicht von Neuron i zu Neuron j."""
BIAS = np.array([-3.37, 0.125])
"""w_bias1, w_bias2: die Gewichte vom Bias-Neuron (Ausgabe immer 1)."""


def step(o, W=W, bias=BIAS):
    """Ein Zeitschritt: beide Neuronen gleichzeitig aus den alten Ausgaben.

    Parameter
    ---------
    o : np.ndarray der Form (2,)
        Die Ausgaben o(t) = (o_1, o_2) der beiden Neuronen.
    W : np.ndarray der Form (2, 2)
        W[j, i] = w_ji.
    bias : np.ndarray der Form (2,)
        Die Bias-Gewichte w_bias1, w_bias2.

    Rückgabe
    --------
    np.ndarray der Form (2,): o(t+1) = tanh(W @ o(t) + bias).
    """
    raise NotImplementedError


def simulate(n_steps, o0=(0.0, 0.0), W=W, bias=BIAS):
    """Lässt das Netz n_steps Zeitschritte laufen.

    Parameter
    ---------
    n_steps : int
        Anzahl der Schritte.
    o0 : Folge von zwei Zahlen
        Die Ausgaben zum Zeitpunkt 0.
    W, bias
        Wie bei step.

    Rückgabe
    --------
    np.ndarray der Form (n_steps + 1, 2): Zeile t enthält o(t), Zeile 0 ist o0.
    """
    raise NotImplementedError


def plot(trajectory):
    """Zeichnet eine Trajektorie in ein zweidimensionales Diagramm.

    Parameter
    ---------
    trajectory : np.ndarray der Form (T, 2)
        Die Ausgaben o(t), z. B. von simulate.

    Rückgabe
    --------
    Die matplotlib-Figure: ein Diagramm mit o_1 auf der x-Achse und o_2 auf
    der y-Achse (ein Punkt je Zeitschritt), beide Achsen beschriftet.
    """
    raise NotImplementedError
