"""Aufgabe 4 on its own: the property check of the written PNG.

What every Aufgabe must show (full marks, the losses of each mistake) is in tests/assignments/test_every_aufgabe.py.
"""

import numpy as np
import pytest

from grader.cases.assignment import load
from grader.cases.mistakes import catalogue
from grader.engine.batch import grade_path

# The property check of pool_image, on hand-made outputs.

POOLED = np.array([[0.2, 0.4, 0.6], [0.1, 0.5, 0.9]])
EXPECTED = {"pooled": POOLED, "png": np.round(POOLED * 255) / 255}


def written_png(got, reveal=True):
    check = load(4).properties["written_png"]
    return check(EXPECTED, got, reveal=reveal, expected_figures=[], figures=[], pooled_atol=0.002, levels=3)


def rgba(gray, alpha=1.0):
    return np.dstack([gray, gray, gray, np.full_like(gray, alpha)])


@pytest.mark.parametrize(
    "png",
    [np.round(POOLED * 255) / 255, np.floor(POOLED * 255) / 255, rgba(np.round(POOLED * 255) / 255)],
    ids=["one-channel", "truncated", "rgba-equal-channels"],
)
def test_written_png_accepts_gray_pngs(png):
    judgement = written_png({"pooled": POOLED.tolist(), "png": png})
    assert judgement.passed, judgement.message


@pytest.mark.parametrize(
    ("got", "words"),
    [
        ({"pooled": POOLED, "png": None}, "keine Datei"),
        ({"pooled": POOLED.T, "png": POOLED}, "Form (3, 2)"),
        ({"pooled": POOLED, "png": POOLED.T}, "3x2 Pixel"),
        ({"pooled": POOLED, "png": np.dstack([POOLED, POOLED * 0.5, POOLED])}, "nicht grau"),
        ({"pooled": POOLED, "png": rgba(POOLED, alpha=0.5)}, "durchsichtig"),
        ({"pooled": POOLED, "png": POOLED + 4 / 255}, "um mehr als 3 Graustufen"),
        ({"pooled": POOLED, "png": np.zeros_like(POOLED)}, "nicht mit 255 skaliert"),
        ({"pooled": POOLED, "png": (POOLED - 0.1) / 0.8}, "vmin=0, vmax=1"),
    ],
    ids=["missing", "pooled-wrong", "png-size", "colour", "transparent", "levels", "unscaled", "stretched"],
)
def test_written_png_names_what_is_wrong(got, words):
    judgement = written_png(got)
    assert not judgement.passed
    assert words in judgement.message


@pytest.mark.parametrize(
    "pooled",
    [POOLED // 1, (POOLED - 0.1) / 0.8, np.round(POOLED * 2) / 2],
    ids=["floor-division", "stretched-values", "other-values"],
)
def test_written_png_blames_the_values_not_the_saving_when_the_png_holds_them(pooled):
    """issue 24: floor division returned (almost) zeros and saved them right; it was told that
    the saving forgot the factor 255."""
    judgement = written_png({"pooled": pooled, "png": np.round(pooled * 255) / 255})
    assert not judgement.passed
    assert "255 skaliert" not in judgement.message and "vmin=0" not in judgement.message
    assert "gibt Ihren Rückgabewert richtig wieder" in judgement.message


def test_written_png_hides_expected_values_of_hidden_cases():
    judgement = written_png({"pooled": POOLED, "png": POOLED + 4 / 255}, reveal=False)
    assert not judgement.passed
    assert "erwartet Grauwert" not in judgement.message
    assert "Pixel (" not in judgement.message


def test_floor_division_is_told_its_values_are_wrong_not_its_saving():
    """issue 24: the catalogue's `//` in average pooling wrote its (almost black) values right."""
    mistake = next(m for m in catalogue(load(4)) if m.id == "mean-floor-division")
    result = grade_path(aufgabe=4, path=mistake.folder, sandbox="process", public_only=False, log=lambda _: None)
    message = next(c.message for c in result.cases if c.name == "pool_image/mean-size3-gray")
    assert "255 skaliert" not in message and "gibt Ihren Rückgabewert richtig wieder" in message, message
