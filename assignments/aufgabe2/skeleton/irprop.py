"""Aufgabe 2 – Backpropagation mit iRprop⁻.

Ergänzen Sie die Funktionen. Erlaubt sind numpy und die Standardbibliothek.
Ausgaben mit print stören die Bewertung nicht.

Ein Netz mit den Schichtgrößen sizes = [n_0, n_1, ..., n_L] hat die
Gewichtsmatrizen weights[l] der Form (n_l + 1, n_{l+1}); die LETZTE Zeile
jeder Matrix enthält die Gewichte vom Bias-Neuron (Ausgabe immer 1).
Alle Neuronen, auch die der Ausgabeschicht, benutzen die Sigmoide.
"""

import numpy as np


def sigmoid(x):
    """Die Standard-Sigmoide 1 / (1 + exp(-x)), elementweise auf einem Array."""
    raise NotImplementedError


def forward(weights, X):
    """Vorwärtsaktivierung.

    Parameter
    ---------
    weights : Liste von np.ndarray, weights[l] der Form (n_l + 1, n_{l+1})
    X : np.ndarray der Form (m, n_0), die Muster als Zeilen

    Rückgabe
    --------
    Liste [X, o_1, ..., o_L] mit o_{l+1} = sigmoid([o_l, 1] @ weights[l]),
    o_l der Form (m, n_l).
    """
    raise NotImplementedError


def gradients(weights, X, T):
    """Backpropagation: dE/dweights[l] für alle Muster zusammen (Full-Batch).

    E = 1/2 * Summe über alle Muster und Ausgaben von (o_L - T)^2
    (eine Summe, kein Mittelwert).

    Parameter
    ---------
    weights : Liste von np.ndarray, weights[l] der Form (n_l + 1, n_{l+1})
    X : np.ndarray der Form (m, n_0)
    T : np.ndarray der Form (m, n_L), die Targets

    Rückgabe
    --------
    Liste von np.ndarray in denselben Formen wie weights.
    """
    raise NotImplementedError


def irprop_minus(grad, prev_grad, step, eta_plus=1.2, eta_minus=0.5, step_min=1e-6, step_max=50.0):
    """Ein iRprop⁻-Schritt, elementweise auf Arrays gleicher Form.

    grad * prev_grad > 0:  step = min(step * eta_plus, step_max)
    grad * prev_grad < 0:  step = max(step * eta_minus, step_min); grad = 0
    grad * prev_grad == 0: step bleibt
    delta_w = -sign(grad) * step    (der Aufrufer addiert delta_w zu den Gewichten)

    Rückgabe
    --------
    (delta_w, grad_stored, new_step): grad_stored ist grad nach dem Nullsetzen
    und wird beim nächsten Aufruf als prev_grad übergeben.
    """
    raise NotImplementedError


def train(X, T, sizes, epochs, rng, step0=0.1):
    """Full-Batch-Training, bei dem JEDES Gewicht mit irprop_minus geändert wird.

    Parameter
    ---------
    X : np.ndarray der Form (m, sizes[0])
    T : np.ndarray der Form (m, sizes[-1])
    sizes : Liste der Schichtgrößen, z. B. [2, 3, 1]
    epochs : int, Zahl der Epochen (0 ist erlaubt: dann kommen die Startgewichte zurück)
    rng : np.random.Generator, nur für die Startgewichte (kleine Zufallswerte,
        z. B. gleichverteilt in [-0.5, 0.5])
    step0 : float, Anfangsschrittweite jedes Gewichts

    Rückgabe
    --------
    (weights, errors): die Gewichte am Ende und errors der Form (epochs,),
    errors[e] = E nach der Gewichtsänderung der Epoche e.
    """
    raise NotImplementedError
