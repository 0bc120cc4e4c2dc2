"""Every Aufgabe: the reference, correct variants and examples get full marks, each typical mistake
loses exactly its cases, the skeleton scores nothing.

One rule for the status of a lost case: "failed" where the code returns a wrong result, "error"
where it raises. The student reads different things: a comparison with the reference (what
differs), or the exception and the traceback into their own code. So ``RAISES`` names, per
submission, the cases in which its code raises, each with the reason; every other lost case must
be "failed". Accepting either would let a wrong value turn into a crash (or the other way round)
without any test noticing.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import PROJECT
from grader import assignment as assignments
from grader.grading import grade_path

HERE = Path(__file__).resolve().parent
EXAMPLES = PROJECT / "examples" / "submissions"


@dataclass(frozen=True)
class Losses:
    """What the submissions of one Aufgabe must lose."""

    mistakes: dict[str, set[str]]
    """Typical mistake (a folder of ``assignments/aufgabeN/mistakes``) -> the cases it loses."""
    others: dict[str, tuple[Path, set[str]]]
    """Reference, correct variants, examples -> (folder or zip, the cases it loses)."""
    still_passes: set[str]
    """The submissions whose losses still pass the Testat (see the Aufgabe's threshold)."""
    raises: dict[str, set[str]] = field(default_factory=dict)
    """Submission -> the lost cases in which its code raises ("error"); see the module's rule."""


# Aufgabe 1: the perceptron.

ALL_TRAIN_BUT_EDGE = {
    "train/and", "train/or", "train/not", "train/nand", "train/and-from-w0",
    "train/separable-2d", "train/separable-5d", "train/converges-in-last-epoch",
}
OFF_BY_ONE_EPOCH = ALL_TRAIN_BUT_EDGE | {"train/already-solved"}
NEVER_RIGHT = ALL_TRAIN_BUT_EDGE | {
    "train/xor", "train/max-epochs-too-small", "train/not-separable", "train/default-max-epochs",
}

AUFGABE1 = Losses(
    mistakes={
        "update-sign": NEVER_RIGHT,
        "bias-not-updated": NEVER_RIGHT,
        "stops-too-early": NEVER_RIGHT,
        "threshold-ge": {
            "output/phi-zero", "output/integer-grid", "train/and", "train/or", "train/not",
            "train/xor", "train/converges-in-last-epoch", "train/max-epochs-too-small",
        },
        "epochs-zero-based": OFF_BY_ONE_EPOCH,
        "epochs-last-error": OFF_BY_ONE_EPOCH,
        "w0-in-place": {"train/w0-unchanged"},
        "xor-max-epochs": {"train/xor", "train/max-epochs-too-small", "train/not-separable", "train/default-max-epochs"},
        # XOR's weights repeat every epoch: only the cases that count epochs exactly tell (issue 24).
        "one-epoch-short": {
            "train/converges-in-last-epoch", "train/max-epochs-too-small", "train/not-separable", "train/default-max-epochs",
        },
    },
    others={
        "reference": (PROJECT / "reference" / "aufgabe1", set()),
        "correct-with-loops": (EXAMPLES / "aufgabe1" / "mueller_anna", set()),
    },
    # A single slip at an edge still passes the Testat; a required case (README, "Pflichtfälle") does not.
    still_passes={"w0-in-place"},
)

# Aufgabe 2: iRprop⁻.

FORWARD = {"forward/xor-net", "forward/deep", "forward/no-hidden-layer"}
GRADIENTS = {"gradients/xor-net", "gradients/deep", "gradients/no-hidden-layer"}
IRPROP = {"irprop_minus/sign-combinations", "irprop_minus/matrix", "irprop_minus/step-limits", "irprop_minus/custom-eta"}
TRAJECTORY = {
    "train/irprop-steps", "train/irprop-steps-deep", "train/irprop-steps-large-step0",
    "train/irprop-steps-default-step0",
}

AUFGABE2 = Losses(
    mistakes={
        "irprop-plus": {"train/irprop-steps", "train/irprop-steps-large-step0", "train/irprop-steps-default-step0"},
        "no-zeroing": IRPROP | TRAJECTORY,
        "gradient-not-sign": IRPROP | TRAJECTORY,
        "delta-sign": IRPROP | TRAJECTORY | {"train/xor"},
        "mean-not-sum": GRADIENTS | TRAJECTORY,
        "bias-row-first": FORWARD | GRADIENTS | TRAJECTORY | {"train/xor"},
        "eta-swapped": IRPROP | TRAJECTORY | {"train/xor"},
        "step-limits-ignored": {"irprop_minus/step-limits"},
        "forward-without-input": FORWARD,
        "no-output-sigmoid": FORWARD | GRADIENTS | TRAJECTORY | {"train/xor"},
    },
    others={
        "reference": (PROJECT / "reference" / "aufgabe2", set()),
        "correct-with-loops": (EXAMPLES / "aufgabe2" / "mueller_anna", set()),
        **{f"variant-{p.name}": (p, set()) for p in sorted((HERE / "aufgabe2" / "variants").iterdir()) if p.is_dir()},
    },
    # step_min and step_max are parameters the contract names: their required case fails (issue 24).
    still_passes=set(),
)

# Aufgabe 3: the RBM.

HIDDEN_PROBS = {"hidden_probs/small", "hidden_probs/square-bias"}
CD_MEAN_FIELD = {"cd_update/cd1-mean-field", "cd_update/cdk-mean-field", "cd_update/batch-sizes"}
CD_ALL = CD_MEAN_FIELD | {"cd_update/sampled-mean"}
RECONSTRUCT = {"reconstruct/small", "reconstruct/mnist-size"}
TRAIN_MNIST = {"train_rbm/mnist-100-hidden", "train_rbm/mnist-other-settings"}
TRAIN_OTHERS = {"train_rbm/rng-reproducible", "train_rbm/batch-order-from-rng", "train_rbm/single-pattern"}
HIDDEN_TRANSPOSED = HIDDEN_PROBS | CD_ALL | RECONSTRUCT | TRAIN_MNIST | TRAIN_OTHERS

AUFGABE3_MISTAKES = {
    "sign-flipped": CD_ALL | TRAIN_MNIST | {"train_rbm/single-pattern"},
    "biases-not-updated": CD_ALL,
    "hidden-transposed": HIDDEN_TRANSPOSED,
    "hidden-without-bias": HIDDEN_PROBS | CD_ALL | RECONSTRUCT,
    "sum-not-mean": CD_ALL | TRAIN_MNIST,
    "divides-by-n-visible": CD_ALL | TRAIN_MNIST,
    "k-ignored": {"cd_update/cdk-mean-field", "cd_update/batch-sizes"},
    "samples-without-rng": CD_MEAN_FIELD,
    "mean-field-with-rng": {"cd_update/sampled-mean"},
    "samples-visible": {"cd_update/sampled-mean"},
    "reconstruct-hidden": RECONSTRUCT | {"train_rbm/single-pattern"},
    "reconstruct-identity": RECONSTRUCT,
    "train-returns-untrained": TRAIN_MNIST | {"train_rbm/single-pattern"},
    "global-shuffle": {"train_rbm/rng-reproducible"},
}
AUFGABE3 = Losses(
    mistakes=AUFGABE3_MISTAKES,
    others={
        "reference": (PROJECT / "reference" / "aufgabe3", set()),
        "example-correct-loops": (EXAMPLES / "aufgabe3" / "mueller_anna", set()),
        **{f"variant-{p.name}": (p, set()) for p in sorted((HERE / "aufgabe3" / "variants").iterdir()) if p.is_dir()},
        "example-sign-flipped": (EXAMPLES / "aufgabe3" / "schmidt_jonas", AUFGABE3_MISTAKES["sign-flipped"]),
        "example-sum-not-mean-zip": (EXAMPLES / "aufgabe3" / "weber_lena.zip", AUFGABE3_MISTAKES["sum-not-mean"]),
        "example-k-ignored-global-shuffle": (
            EXAMPLES / "aufgabe3" / "becker_tim", AUFGABE3_MISTAKES["k-ignored"] | AUFGABE3_MISTAKES["global-shuffle"]
        ),
    },
    # Each of them breaks a behaviour the contract names (k, rng, reconstruct): a required case fails (issue 24).
    still_passes=set(),
    raises={
        # A transposed W of a non-square RBM does not fit the matrix product: only the square case computes
        # (a wrong value).
        "hidden-transposed": HIDDEN_TRANSPOSED - {"hidden_probs/square-bias"},
        # Training measures its reconstructions against the visible layer; hidden ones do not fit.
        "reconstruct-hidden": {"train_rbm/single-pattern"},
    },
)

# Aufgabe 4: pooling.

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
ALPHA_WEIGHTED = {"load_grayscale/rgba-png", "load_grayscale/matplotlib-png", "pool_image/max-default"}
GRAY_AS_COLOUR = {"load_grayscale/gray-png", "pool_image/mean-size3-gray"} | WHITE

AUFGABE4 = Losses(
    mistakes={
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
        "alpha-not-dropped": ALPHA_WEIGHTED,
        "values-0-255": {
            "load_grayscale/gray-png", "load_grayscale/rgb-png", "load_grayscale/rgba-png",
            "load_grayscale/matplotlib-png",
        } | POOL_IMAGE | WHITE,
        "imsave-autoscale": POOL_IMAGE | WHITE,
        "write-without-255": POOL_IMAGE | WHITE,
        "gray-png-not-handled": GRAY_AS_COLOUR,
        "max-init-zero": {"pool2d/size3-stride1-negative"},
        "png-false-colour": POOL_IMAGE | WHITE,
    },
    others={
        "reference": (PROJECT / "reference" / "aufgabe4", set()),
        "example-correct-loops": (EXAMPLES / "aufgabe4" / "wagner_sophie", set()),
        "example-stride-ignored": (EXAMPLES / "aufgabe4" / "hoffmann_lukas", STRIDE_IGNORED),
        "example-mean-gray-and-autoscale": (EXAMPLES / "aufgabe4" / "schulz_mia", COLOUR | POOL_IMAGE | WHITE),
        "example-transposed-zip": (EXAMPLES / "aufgabe4" / "koch_felix.zip", TRANSPOSED),
    },
    # A single slip outside the core still passes the Testat (see the README's threshold).
    # The others break a behaviour the contract names (alpha, gray PNG, the written file): a required case fails.
    still_passes={"max-init-zero"},
    raises={
        # Four channels against three weights: the product does not fit.
        "alpha-not-dropped": ALPHA_WEIGHTED,
        # A gray PNG has no third axis to take channels from.
        "gray-png-not-handled": GRAY_AS_COLOUR,
    },
)

# Aufgabe 5: the recurrent network with two neurons.

SIMULATE = {
    "simulate/first-steps", "simulate/start-value", "simulate/attractor", "simulate/attractor-other-start",
    "simulate/fixed-point", "simulate/periodic",
}
WRONG_MAP = {"step/origin", "step/lecture-weights", "step/other-weights"} | SIMULATE
W_TRANSPOSED = WRONG_MAP - {"step/origin"}
# The labels are judged on the diagram drawn, whatever it shows (issue 15.5): a wrong
# diagram with labelled axes loses the diagram's case only.
WRONG_DIAGRAM = {"plot/phase-diagram"}

AUFGABE5 = Losses(
    mistakes={
        "w-transposed": W_TRANSPOSED,
        "sequential-update": WRONG_MAP,
        "bias-missing": WRONG_MAP,
        "sigmoid-instead-of-tanh": WRONG_MAP,
        "row0-missing": SIMULATE | {"simulate/zero-steps"},
        "rows-aliased": SIMULATE,
        "plot-over-time": WRONG_DIAGRAM,
        "plot-transposed": WRONG_DIAGRAM,
        "plot-without-labels": {"plot/axis-labels"},
        "plot-returns-none": {"plot/returns-figure"},
    },
    others={
        "reference": (PROJECT / "reference" / "aufgabe5", set()),
        "example-correct-loops": (EXAMPLES / "aufgabe5" / "fischer_emma", set()),
        "example-transposed": (EXAMPLES / "aufgabe5" / "meyer_leon", W_TRANSPOSED),
        "example-over-time": (EXAMPLES / "aufgabe5" / "wolf_hannah", WRONG_DIAGRAM),
        "example-sequential-zip": (EXAMPLES / "aufgabe5" / "braun_max.zip", WRONG_MAP),
    },
    # Unlabelled axes and a missing Figure break what the contract names: a required case fails (issue 24).
    still_passes=set(),
)

AUFGABEN = {1: AUFGABE1, 2: AUFGABE2, 3: AUFGABE3, 4: AUFGABE4, 5: AUFGABE5}


def submissions():
    for number, losses in AUFGABEN.items():
        catalogue = PROJECT / "assignments" / f"aufgabe{number}" / "mistakes"
        every = {**losses.others, **{m: (catalogue / m, lost) for m, lost in losses.mistakes.items()}}
        for label, (path, lost) in every.items():
            yield pytest.param(number, label, path, lost, id=f"aufgabe{number}-{label}")


def test_every_aufgabe_is_covered():
    assert set(AUFGABEN) == set(assignments.available())


@pytest.mark.parametrize("number", AUFGABEN)
def test_every_listed_mistake_is_in_the_catalogue(number):
    # The catalogue may hold more; each of its entries loses cases (tests/assignments/test_mistakes.py).
    catalogue = PROJECT / "assignments" / f"aufgabe{number}" / "mistakes"
    assert set(AUFGABEN[number].mistakes) <= {p.name for p in catalogue.iterdir() if p.is_dir()}


@pytest.mark.parametrize("number", AUFGABEN)
def test_every_listed_case_exists_and_raises_only_where_it_is_lost(number):
    losses = AUFGABEN[number]
    names = {c.name for c in assignments.load(number).cases}
    lost = {**{label: cases for label, (_, cases) in losses.others.items()}, **losses.mistakes}
    for cases in lost.values():
        assert cases <= names
    for label, raising in losses.raises.items():
        assert raising <= lost[label], label
    assert losses.still_passes <= set(lost)


@pytest.mark.parametrize("number", AUFGABEN)
def test_the_skeleton_scores_nothing(number):
    skeleton = PROJECT / "assignments" / f"aufgabe{number}" / "skeleton"
    result = grade_path(aufgabe=number, path=skeleton, sandbox="process", public_only=False, log=lambda _: None)
    assert result.score == 0 and {c.status for c in result.cases} == {"error"}


@pytest.mark.parametrize(("number", "label", "path", "lost"), list(submissions()))
def test_loses_exactly_its_cases_with_the_status_that_says_why(number, label, path, lost):
    losses = AUFGABEN[number]
    result = grade_path(aufgabe=number, path=path, sandbox="process", public_only=False, log=lambda _: None)
    statuses = {c.name: c.status for c in result.cases}
    assert {n for n, s in statuses.items() if s != "passed"} == lost, {c.name: c.message for c in result.cases}
    raising = losses.raises.get(label, set())
    assert {n: statuses[n] for n in lost} == {n: "error" if n in raising else "failed" for n in lost}
    assert result.score == result.max_score - sum(c.max_score for c in result.cases if c.name in lost)
    assert set(result.missing_required) == lost & set(assignments.load(number).required)
    assert result.passed == (not lost or label in losses.still_passes), (result.score, result.missing_required)
