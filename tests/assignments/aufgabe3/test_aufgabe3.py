"""Aufgabe 3 on its own: the data splits and the property checks.

What every Aufgabe must show (full marks, the losses of each mistake) is in tests/assignments/test_every_aufgabe.py.
"""

import importlib.util

import numpy as np
import pytest

from grader import PROJECT
from grader.cases.assignment import load
from grader.cases.expected import expected_for
from grader.judging.diagnosis import catalogue_for

DATA = PROJECT / "assignments" / "aufgabe3" / "data"

# The data splits.


def test_splits_are_what_make_splits_produces():
    spec = importlib.util.spec_from_file_location("make_splits", DATA / "make_splits.py")
    make_splits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_splits)
    mnist = np.load(DATA / "mnist5k.npz")
    train, heldout = make_splits.split(mnist["labels"])
    for name, rows in (("rbm_train.npz", train), ("heldout.npz", heldout)):
        stored = np.load(DATA / name)
        assert set(stored.files) == {"images", "index"}
        assert np.array_equal(stored["index"], rows)
        assert np.array_equal(stored["images"], mnist["images"][rows])
    assert not set(train) & set(heldout)
    assert np.array_equal(np.bincount(mnist["labels"][train]), np.full(10, 200))
    assert np.array_equal(np.bincount(mnist["labels"][heldout]), np.full(10, 50))


# The property checks, on hand-made outputs.

CHECKS = load(3).properties
THRESHOLDS = load(3).case("train_rbm/mnist-100-hidden").check.params
HELDOUT = np.load(DATA / "heldout.npz")["images"] / 255.0


def recognisable(reconstructions, reveal=True):
    return CHECKS["recognisable"](
        {"rekonstruktionen": HELDOUT}, {"rekonstruktionen": reconstructions}, reveal=reveal,
        expected_figures=[], figures=[], **THRESHOLDS,
    )


def test_both_measurements_use_the_thresholds_of_the_readme():
    assert THRESHOLDS == {"max_mse": 0.032, "min_share": 0.85}
    assert load(3).case("train_rbm/mnist-other-settings").check.params == THRESHOLDS


def test_only_the_checks_are_public():
    assert set(CHECKS) == {"recognisable", "sampled_update"}


def test_recognisable_accepts_the_originals_and_slightly_noisy_digits():
    assert recognisable(HELDOUT).passed
    noisy = np.clip(HELDOUT + np.random.default_rng(0).normal(0, 0.1, HELDOUT.shape), 0, 1)
    judgement = recognisable(noisy)
    assert judgement.passed, judgement.message


@pytest.mark.parametrize(
    ("reconstructions", "words"),
    [
        (np.tile(HELDOUT.mean(axis=0), (len(HELDOUT), 1)), ["Fehler ist zu groß", "Zu wenige"]),
        (np.full(HELDOUT.shape, 0.5), ["Fehler ist zu groß", "Zu wenige"]),
        (np.roll(HELDOUT.reshape(-1, 28, 28), 4, axis=2).reshape(HELDOUT.shape), ["Fehler ist zu groß"]),
        (HELDOUT[:10], ["Form (10, 784)"]),
        (np.where(HELDOUT > 0.5, np.nan, HELDOUT), ["NaN"]),
    ],
    ids=["mean-image", "all-gray", "shifted", "too-few", "nan"],
)
def test_recognisable_fails_what_is_not_a_reconstruction(reconstructions, words):
    judgement = recognisable(reconstructions)
    assert not judgement.passed
    assert all(word in judgement.message for word in words), judgement.message


def test_recognisable_fails_close_but_confusable_reconstructions():
    # Each digit blended with the next held-out digit: small error, but often read as the other.
    blended = 0.6 * HELDOUT + 0.4 * np.roll(HELDOUT, 1, axis=0)
    judgement = recognisable(blended)
    assert not judgement.passed
    assert "Zu wenige" in judgement.message
    assert "Fehler ist zu groß" not in judgement.message


def test_recognisable_names_the_reference_only_when_revealed():
    assert "Referenz" in recognisable(HELDOUT * 0.9, reveal=True).message
    assert "Referenz" not in recognisable(HELDOUT * 0.9, reveal=False).message


SAMPLED = {
    "mittel": np.linspace(-1.0, 1.0, 27),
    "standardfehler": np.full(27, 0.01),
    "gleicher_seed_gleich": True,
    "andere_seeds_anders": True,
}


def sampled_update(got, reveal=True):
    return CHECKS["sampled_update"](SAMPLED, got, reveal=reveal, expected_figures=[], figures=[], z=6.0)


def test_sampled_update_accepts_a_mean_within_the_errors():
    assert sampled_update(dict(SAMPLED, mittel=SAMPLED["mittel"] + 0.05)).passed


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"mittel": SAMPLED["mittel"] + 0.09}, "an 27 von 27 Stellen"),
        ({"gleicher_seed_gleich": False}, "demselben Seed"),
        ({"andere_seeds_anders": False}, "verschiedenen Seeds dieselbe"),
        ({"mittel": SAMPLED["mittel"][:9]}, "Form (27,)"),
        ({"standardfehler": np.full(27, np.inf)}, "NaN"),
    ],
    ids=["mean-off", "not-reproducible", "not-random", "shape", "infinite"],
)
def test_sampled_update_names_what_is_wrong(changes, words):
    judgement = sampled_update(dict(SAMPLED, **changes))
    assert not judgement.passed
    assert words in judgement.message


SAMPLING_HINT = "vk und hk müssen Wahrscheinlichkeiten sein"
HALF_FLIPPED = np.where(np.arange(27) < 18, -1.0, 1.0) * SAMPLED["mittel"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"mittel": np.where(np.arange(27) < 18, SAMPLED["mittel"], 0.0),
          "standardfehler": np.where(np.arange(27) < 18, 0.01, 0.0)}, "Einträge ändern sich nie"),
        ({"mittel": HALF_FLIPPED}, "streuen über die Seeds wie bei der Referenz"),
        ({"mittel": -SAMPLED["mittel"]}, "mit umgekehrtem Vorzeichen"),
        ({"mittel": 4 * SAMPLED["mittel"], "standardfehler": np.full(27, 0.04)}, "dasselbe Vielfache"),
    ],
    ids=["biases-not-updated", "sign-of-a-term", "sign-of-all", "sum-not-mean"],
)
def test_sampled_update_gives_the_sampling_hint_only_where_the_spread_fits_it(changes, words):
    """issue 24: missing bias updates and a sign flip were sent after the sampling."""
    judgement = sampled_update(dict(SAMPLED, **changes), reveal=False)
    assert not judgement.passed
    assert words in judgement.message and SAMPLING_HINT not in judgement.message, judgement.message


def test_sampled_update_gives_the_sampling_hint_where_the_changes_spread_more():
    got = dict(SAMPLED, mittel=SAMPLED["mittel"] * 0.8, standardfehler=np.full(27, 0.03))
    assert SAMPLING_HINT in sampled_update(got, reveal=False).message


def test_sampled_update_hides_expected_values_of_hidden_cases():
    got = dict(SAMPLED, mittel=SAMPLED["mittel"] + 0.09)
    assert "erwartet" in sampled_update(got, reveal=True).message
    assert "erwartet" not in sampled_update(got, reveal=False).message


@pytest.mark.parametrize(
    ("mistake", "hinted"),
    [("biases-not-updated", False), ("sign-flipped", False), ("samples-visible", True)],
)
def test_the_catalogues_mistakes_get_the_sampling_hint_only_where_they_sample(mistake, hinted):
    """issue 24: missing bias updates and a sign flip got the sampling hint of sampled-mean."""
    assignment = load(3)
    got = catalogue_for(assignment).outputs[mistake].values["cd_update/sampled-mean"]
    expected = expected_for(assignment).values["cd_update/sampled-mean"]
    judgement = CHECKS["sampled_update"](expected, got, reveal=False, expected_figures=[], figures=[], z=6.0)
    assert not judgement.passed
    assert (SAMPLING_HINT in judgement.message) == hinted, judgement.message
