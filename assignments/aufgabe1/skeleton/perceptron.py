"""Aufgabe 1 – Perzeptron-Lernregel.

Ergänzen Sie die beiden Funktionen. Erlaubt sind numpy und die
Standardbibliothek. Ausgaben mit print stören die Bewertung nicht.
"""

import numpy as np


def output(w, x):
    """Ausgabe eines Perzeptron-Neurons.

    Parameter
    ---------
    w : np.ndarray der Form (n + 1,)
        Gewichte; der letzte Eintrag ist das Gewicht des Bias-Neurons
        (dessen Ausgabe immer 1 ist).
    x : np.ndarray der Form (n,) oder (m, n)
        Ein Eingabemuster oder m Muster als Zeilen.

    Rückgabe
    --------
    0 oder 1 für ein einzelnes Muster, ein Array der Form (m,) für m Muster:
    1, wo x @ w[:-1] + w[-1] > 0 ist, sonst 0 (genau 0 ergibt 0).
    """
    raise NotImplementedError


def train(X, T, w0, max_epochs=100):
    """Perzeptron-Lernregel, online, Muster in der gegebenen Reihenfolge, Lernrate 1.

    Für jedes Muster x mit Target t:  o = output(w, x);  w = w + (t - o) * [x, 1].
    Das Training endet nach der ersten Epoche, in der kein Muster w verändert hat.

    Parameter
    ---------
    X : np.ndarray der Form (m, n)
        Eingabemuster als Zeilen (0/1 oder reelle Zahlen).
    T : np.ndarray der Form (m,)
        Targets 0 oder 1.
    w0 : np.ndarray der Form (n + 1,)
        Startgewichte, Bias-Gewicht zuletzt. Darf nicht verändert werden.
    max_epochs : int
        Höchstens so viele Epochen.

    Rückgabe
    --------
    (w, epochs): die Gewichte am Ende und die Nummer (ab 1 gezählt) der
    fehlerfreien Epoche, oder 0, wenn keine der max_epochs Epochen fehlerfrei
    war (z. B. bei XOR).
    """
    raise NotImplementedError
