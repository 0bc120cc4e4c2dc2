"""What the student kit judges of Aufgabe 3's MNIST case: the reconstructions' error.

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
