"""Aufgabe 3: Restricted Boltzmann Machine als Autoencoder auf MNIST.

Schreibweise der Vorlesung: sichtbare Schicht v (die Pixel einer Ziffer),
versteckte Schicht h, Gewichtsmatrix W (in beide Richtungen dieselbe),
Bias b der sichtbaren und c der versteckten Neuronen. Muster sind Zeilen:
ein Mini-Batch ist eine Matrix der Form (m, n_visible).
Erlaubt sind numpy, matplotlib und die Standardbibliothek.
"""

import numpy as np


class RBM:
    def __init__(self, n_visible, n_hidden, rng=None):
        """Legt die Parameter an.

        Attribute:
            W: Form (n_visible, n_hidden), kleine Zufallswerte aus rng
               (z. B. normalverteilt mit Standardabweichung 0.01);
               ohne rng aus einem frischen np.random.default_rng().
            b: Form (n_visible,), Nullen.
            c: Form (n_hidden,), Nullen.
        """
        raise NotImplementedError

    def hidden_probs(self, v):
        """P(h = 1 | v) = sigmoid(v @ W + c).

        v: Form (m, n_visible). Rückgabe: Form (m, n_hidden).
        """
        raise NotImplementedError

    def visible_probs(self, h):
        """P(v = 1 | h) = sigmoid(h @ W.T + b).

        h: Form (m, n_hidden). Rückgabe: Form (m, n_visible).
        """
        raise NotImplementedError

    def cd_update(self, v0, lr, k=1, rng=None):
        """Ein Contrastive-Divergence-Schritt CD-k auf dem Mini-Batch v0 (m, n_visible).

        Ändert W, b, c (kein Rückgabewert):
            W += lr * (v0.T @ h0 - vk.T @ hk) / m
            b += lr * Mittelwert über den Batch von (v0 - vk)
            c += lr * Mittelwert über den Batch von (h0 - hk)
        mit h0 = hidden_probs(v0). Die Kette läuft k-mal hinunter und wieder hinauf.
        Ohne rng (rng=None) deterministisch mit Wahrscheinlichkeiten (Mean-Field):
            v_{i+1} = visible_probs(h_i),  h_{i+1} = hidden_probs(v_{i+1}).
        Mit rng: die versteckten Zustände, aus denen jeweils rekonstruiert wird,
        werden mit rng als 0/1-Stichproben aus h_i gezogen; vk und hk bleiben
        Wahrscheinlichkeiten.
        """
        raise NotImplementedError

    def reconstruct(self, v):
        """Rekonstruktion: visible_probs(hidden_probs(v)), Form wie v."""
        raise NotImplementedError


def train_rbm(data, n_hidden, epochs, lr, batch_size, rng):
    """Trainiert eine RBM mit CD-1 (mit Stichproben aus rng) und gibt sie zurück.

    data: Form (N, 784), MNIST-Ziffern mit Werten in [0, 1].
    rng: np.random.Generator; aus ihm kommen die Anfangsgewichte, in jeder
    Epoche eine neue zufällige Reihenfolge der Muster und die Stichproben.
    Die Mini-Batches haben batch_size Muster (der letzte einer Epoche darf
    kleiner sein).
    """
    raise NotImplementedError
