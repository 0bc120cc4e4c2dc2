"""Aufgabe 4: the reference gets full marks, each typical mistake loses exactly its cases."""

from pathlib import Path

import numpy as np
import pytest

from grader.assignment import load
from grader.grading import grade_path

PROJECT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
CATALOGUE = PROJECT / "assignments" / "aufgabe4" / "mistakes"
EXAMPLES = PROJECT / "examples" / "submissions" / "aufgabe4"

POOL_IMAGE = {"pool_image/max-default", "pool_image/mean-size3-gray"}
STRIDE_NOT_ONE = {
    "pool2d/max-even-shape", "pool2d/mean-even-shape", "pool2d/max-odd-shape",
    "pool2d/mean-odd-shape", "pool2d/size3-stride2", "pool2d/size2-stride3-mean",
    "pool2d/size4-stride4-mean",
}
COLOUR = {"load_grayscale/rgb-png", "load_grayscale/rgba-png", "load_grayscale/matplotlib-png",
          "pool_image/max-default"}
# Large white areas pooled: lost by every mistake that changes a pooled value or the gray levels written.
WHITE = {"pool_image/white-areas"}
STRIDE_IGNORED = STRIDE_NOT_ONE | POOL_IMAGE | WHITE
TRANSPOSED = STRIDE_NOT_ONE | {"pool2d/size3-stride1-negative"} | POOL_IMAGE | WHITE

FAILING = {
    "stride-ignored": STRIDE_IGNORED,
    "size-stride-swapped": {
        "pool2d/size3-stride2", "pool2d/size2-stride3-mean", "pool2d/size3-stride1-negative",
        "pool_image/mean-size3-gray",
    },
    "mean-instead-of-max": {
        "pool2d/max-even-shape", "pool2d/max-odd-shape", "pool2d/size3-stride2",
        "pool2d/size3-stride1-negative", "pool2d/window-fills-image", "pool_image/max-default",
    } | WHITE,
    "ceil-output-shape": {
        "pool2d/max-odd-shape", "pool2d/mean-odd-shape", "pool2d/size3-stride2",
        "pool2d/size2-stride3-mean", "pool2d/size4-stride4-mean",
    } | POOL_IMAGE,
    "transposed": TRANSPOSED,
    "equal-weights": COLOUR,
    "alpha-not-dropped": {
        "load_grayscale/rgba-png", "load_grayscale/matplotlib-png", "pool_image/max-default",
    },
    "values-0-255": {
        "load_grayscale/gray-png", "load_grayscale/rgb-png", "load_grayscale/rgba-png",
        "load_grayscale/matplotlib-png",
    } | POOL_IMAGE | WHITE,
    "imsave-autoscale": POOL_IMAGE | WHITE,
    "write-without-255": POOL_IMAGE | WHITE,
    "gray-png-not-handled": {"load_grayscale/gray-png", "pool_image/mean-size3-gray"} | WHITE,
    "max-init-zero": {"pool2d/size3-stride1-negative"},
}

# A single slip outside the core still passes the Testat (see the README's threshold).
STILL_PASSES_TESTAT = {
    "alpha-not-dropped", "imsave-autoscale", "write-without-255", "gray-png-not-handled", "max-init-zero",
}

SUBMISSIONS = {
    "reference": (PROJECT / "reference" / "aufgabe4", set()),
    "example-correct-loops": (EXAMPLES / "wagner_sophie", set()),
    "example-stride-ignored": (EXAMPLES / "hoffmann_lukas", STRIDE_IGNORED),
    "example-mean-gray-and-autoscale": (EXAMPLES / "schulz_mia", COLOUR | POOL_IMAGE | WHITE),
    "example-transposed-zip": (EXAMPLES / "koch_felix.zip", TRANSPOSED),
    **{mistake: (CATALOGUE / mistake, failing) for mistake, failing in FAILING.items()},
}


def test_every_listed_mistake_is_in_the_catalogue():
    # The catalogue may hold more; each of its entries loses cases (tests/assignments/test_mistakes.py).
    assert set(FAILING) <= {p.name for p in CATALOGUE.iterdir() if p.is_dir()}


def test_every_listed_case_exists():
    names = {c.name for c in load(4).cases}
    for failing in FAILING.values():
        assert failing <= names


@pytest.mark.parametrize("label", list(SUBMISSIONS))
def test_loses_exactly_its_cases(label):
    path, failing = SUBMISSIONS[label]
    result = grade_path(aufgabe=4, path=path, sandbox="process", public_only=False, log=lambda _: None)
    statuses = {c.name: c.status for c in result.cases}
    assert {n for n, s in statuses.items() if s != "passed"} == failing, statuses
    assert all(statuses[n] in ("failed", "error") for n in failing), statuses
    assert result.score == result.max_score - sum(c.max_score for c in result.cases if c.name in failing)
    assert result.passed == (not failing or label in STILL_PASSES_TESTAT), result.score


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


def test_written_png_hides_expected_values_of_hidden_cases():
    judgement = written_png({"pooled": POOLED, "png": POOLED + 4 / 255}, reveal=False)
    assert not judgement.passed
    assert "erwartet Grauwert" not in judgement.message
    assert "Pixel (" not in judgement.message
