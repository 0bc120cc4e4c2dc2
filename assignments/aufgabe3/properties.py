"""Host-side property checks of Aufgabe 3: the measurements of the random parts.

``recognisable`` judges the reconstructions of the held-out MNIST digits with a
classifier trained on original digits that never enter the sandbox; the labels
stay here too. ``sampled_update`` compares the mean of many sampled CD-1 steps
with the reference's mean, within their standard errors.
"""

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from grader.judging.compare import Judgement


def _kit_properties():
    """``kit_properties.py`` beside this file (this one is loaded by path, not as a package)."""
    spec = importlib.util.spec_from_file_location("aufgabe3_kit_properties", Path(__file__).with_name("kit_properties.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_kit = _kit_properties()

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def _mnist():
    """(held-out images, held-out labels, classifier images, classifier labels), pixels in [0, 1]."""
    mnist = np.load(DATA / "mnist5k.npz")
    used = [np.load(DATA / name)["index"] for name in ("rbm_train.npz", "heldout.npz")]
    heldout = used[1]
    rest = np.setdiff1d(np.arange(len(mnist["labels"])), np.concatenate(used))
    images = mnist["images"] / 255.0
    return images[heldout], mnist["labels"][heldout], images[rest], mnist["labels"][rest]


@lru_cache(maxsize=1)
def _classifier_weights(ridge=30.0):
    """Linear classifier on the original digits: ridge regression onto one-hot labels.

    Closed form: nothing to tune, and it takes a fraction of a second.
    """
    _, _, images, labels = _mnist()
    X = np.hstack([images, np.ones((len(images), 1))])
    return np.linalg.solve(X.T @ X + ridge * np.eye(X.shape[1]), X.T @ np.eye(10)[labels])


def _classify(images: np.ndarray) -> np.ndarray:
    """Digit labels the grader's classifier gives to images of shape (m, 784)."""
    W = _classifier_weights()
    return np.argmax(np.hstack([images, np.ones((len(images), 1))]) @ W, axis=1)


@lru_cache(maxsize=1)
def _original_accuracy() -> float:
    """The classifier's accuracy on the original held-out digits (the same for every submission)."""
    originals, labels, _, _ = _mnist()
    return float(np.mean(_classify(originals) == labels))


def recognisable(expected, got, *, reveal, expected_figures, figures, max_mse, min_share):
    """Reconstructions close to the held-out digits and still classified as well.

    Passes when the mean squared error per pixel is at most ``max_mse`` and the
    classifier's accuracy on the reconstructions is at least ``min_share`` of
    its accuracy on the original held-out digits.
    """
    originals, labels, _, _ = _mnist()
    recon = got.get("rekonstruktionen") if isinstance(got, dict) else None
    if not isinstance(recon, np.ndarray) or recon.shape != originals.shape:
        shape = recon.shape if isinstance(recon, np.ndarray) else None
        return Judgement(False, f"Die Rekonstruktionen haben die Form {shape}, erwartet {originals.shape}.")
    if not np.all(np.isfinite(recon)):
        return Judgement(False, "Die Rekonstruktionen enthalten NaN oder unendliche Werte.")
    mse = float(np.mean((recon - originals) ** 2))
    accuracy = _original_accuracy()
    recognised = float(np.mean(_classify(recon) == labels))
    share = recognised / accuracy
    error = f"mittlerer quadratischer Fehler {mse:.4f} pro Pixel (verlangt: höchstens {max_mse})"
    reference = expected.get("rekonstruktionen") if isinstance(expected, dict) else None
    if reveal and isinstance(reference, np.ndarray):
        error += f", die Referenz erreicht {float(np.mean((reference - originals) ** 2)):.4f}"
    classified = (
        f"ein Klassifikator, der auf Original-Ziffern trainiert wurde, erkennt {recognised:.1%} der "
        f"Rekonstruktionen und {accuracy:.1%} der Originale, also {share:.1%} davon "
        f"(verlangt: mindestens {min_share:.0%})"
    )
    problems = []
    if mse > max_mse:
        problems.append(f"Der Fehler ist zu groß: {error}.")
    if share < min_share:
        problems.append(f"Zu wenige Rekonstruktionen werden erkannt: {classified}.")
    if problems:
        return Judgement(False, " ".join(problems))
    return Judgement(True, f"Richtig, die Ziffern sind noch erkennbar: {error}; {classified}.")


def sampled_update(expected, got, *, reveal, expected_figures, figures, z):
    """The kit's check, unchanged: it needs nothing that stays on the host (``kit_properties.py``)."""
    return _kit.sampled_update(expected, got, reveal=reveal, expected_figures=expected_figures, figures=figures, z=z)
