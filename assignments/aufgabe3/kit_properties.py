"""What the student kit judges of Aufgabe 3: the MNIST case's reconstruction error, the sampled CD step.

Whether the reconstructions stay recognisable is measured at hand-in with a
classifier that ``properties.py`` trains on labelled digits (``mnist5k.npz``);
neither the labels nor the classifier go into a kit.
"""

from pathlib import Path

import numpy as np

from grader.judging.compare import Judgement

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout.npz"


class AtHandIn(Exception):
    """All the kit can check holds; the rest is judged at hand-in. The message says what (German)."""


def recognisable(expected, got, *, reveal, expected_figures, figures, max_mse, min_share):
    """Reconstructions of the held-out digits of the right shape, finite, with a small enough error."""
    with np.load(HELDOUT) as heldout:
        originals = heldout["images"] / 255.0
    recon = got.get("rekonstruktionen") if isinstance(got, dict) else None
    if not isinstance(recon, np.ndarray) or recon.shape != originals.shape:
        shape = recon.shape if isinstance(recon, np.ndarray) else None
        return Judgement(False, f"Die Rekonstruktionen haben die Form {shape}, erwartet {originals.shape}.")
    if not np.all(np.isfinite(recon)):
        return Judgement(False, "Die Rekonstruktionen enthalten NaN oder unendliche Werte.")
    mse = float(np.mean((recon - originals) ** 2))
    error = f"mittlerer quadratischer Fehler {mse:.4f} pro Pixel (verlangt: höchstens {max_mse})"
    if mse > max_mse:
        return Judgement(False, f"Der Fehler ist zu groß: {error}.")
    raise AtHandIn(
        f"Der Fehler stimmt: {error}. Ob ein Klassifikator, der auf Original-Ziffern trainiert wurde, "
        f"noch mindestens {min_share:.0%} der Rekonstruktionen erkennt, wird bei der Abgabe geprüft."
    )


def sampled_update(expected, got, *, reveal, expected_figures, figures, z):
    """A sampled CD-1 step: reproducible per seed, random across seeds, right on average.

    The mean change of (W, b, c) over many seeds must lie within ``z`` combined
    standard errors of the reference's mean, entry by entry.
    """
    if not isinstance(got, dict):
        return Judgement(False, "Das Ergebnis des Falls ist kein dict.")
    if got.get("gleicher_seed_gleich") is not True:
        return Judgement(False, "cd_update mit demselben Seed im rng ergibt verschiedene Änderungen: "
                                "alle Zufallszahlen müssen aus dem übergebenen rng kommen.")
    if got.get("andere_seeds_anders") is not True:
        return Judgement(False, "cd_update ergibt mit verschiedenen Seeds dieselbe Änderung: mit einem rng "
                                "müssen die versteckten Zustände als Stichproben (0 oder 1) gezogen werden.")
    mean, error = got.get("mittel"), got.get("standardfehler")
    shape = expected["mittel"].shape
    if not all(isinstance(a, np.ndarray) and a.shape == shape for a in (mean, error)):
        return Judgement(False, f"Mittelwert und Standardfehler müssen die Form {shape} haben.")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(error))):
        return Judgement(False, "Die Änderungen enthalten NaN oder unendliche Werte.")
    tolerance = z * np.sqrt(error**2 + expected["standardfehler"] ** 2) + 1e-12
    deviation = np.abs(mean - expected["mittel"]) / tolerance
    worst = int(np.argmax(deviation))
    if deviation[worst] <= 1.0:
        return Judgement(True, "Richtig: im Mittel über die Seeds stimmt die Änderung mit der Referenz überein.")
    detail = (
        f" Größte Abweichung bei Eintrag {worst} (Reihenfolge W zeilenweise, dann b, dann c): "
        f"Mittel {mean[worst]:.5g}, erwartet {expected['mittel'][worst]:.5g} ± {tolerance[worst]:.2g}."
        if reveal
        else ""
    )
    return Judgement(
        False,
        f"Im Mittel über viele Seeds weicht die Änderung von W, b, c an "
        f"{int(np.sum(deviation > 1.0))} von {deviation.size} Stellen mehr als {z:g} Standardfehler "
        f"vom Erwartungswert ab{_cause(expected, mean, error, z)}{detail}",
    )


def _cause(expected, mean, error, z):
    """What the deviation looks like, ": …." in words a student recognises; a cause is named only
    where the output fits it (issue 24: missing bias updates were sent after the sampling).

    The spread over the seeds tells the sampling apart from the formula: extra
    sampling spreads the changes more than the reference's; the same spread
    with another mean is the update itself.
    """
    reference, spread = expected["mittel"], expected["standardfehler"]
    moving = (np.abs(reference) > z * spread) & (spread > 0)
    if np.any(moving & (mean == 0) & (error == 0)):
        return (
            f": {int(np.sum(moving & (mean == 0) & (error == 0)))} Einträge ändern sich nie, obwohl sie es "
            "sollten (werden alle Gewichte und beide Bias-Vektoren angepasst?)."
        )
    ratio = np.median(error[spread > 0] / spread[spread > 0]) if np.any(spread > 0) else 1.0
    for sign in (1.0, -1.0):
        if abs(sign * ratio - 1.0) > 0.1 and np.all(
            np.abs(mean - sign * ratio * reference) <= z * np.sqrt(error**2 + (ratio * spread) ** 2) + 1e-12
        ):
            return (
                ": sie ist überall dasselbe Vielfache der richtigen Änderung"
                + (" mit umgekehrtem Vorzeichen" if sign < 0 else "")
                + " (Lernrate, Mittelung über den Mini-Batch, Vorzeichen?)."
            )
    if ratio >= 1.5:
        return (
            ": die Änderungen streuen über die Seeds stärker als bei der Referenz. vk und hk müssen "
            "Wahrscheinlichkeiten sein, nur die versteckten Zustände, die eine Rekonstruktion antreiben, "
            "werden gezogen."
        )
    return (
        ": die Änderungen streuen über die Seeds wie bei der Referenz, gezogen wird also wohl richtig; "
        "abweichend ist die Änderung selbst (Formel, Vorzeichen eines Terms, Bias-Terme?)."
    )
