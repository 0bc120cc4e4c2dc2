"""Every Aufgabe: the reference, correct variants and examples get full marks, each typical mistake
loses exactly the cases its ``mistake.toml`` declares, the skeleton scores nothing.

One rule for the status of a lost case: "failed" where the code returns a wrong result, "error"
where it raises. The student reads different things: a comparison with the reference (what
differs), or the exception and the traceback into their own code. So ``raises`` names, per
submission, the cases in which its code raises, each with the reason; every other lost case must
be "failed". Accepting either would let a wrong value turn into a crash (or the other way round)
without any test noticing.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import PROJECT
from grader.cases import assignment as assignments
from grader.cases.mistakes import catalogue
from grader.engine.batch import grade_path

HERE = Path(__file__).resolve().parent
EXAMPLES = PROJECT / "examples" / "submissions"


CATALOGUE = {number: {m.id: m for m in catalogue(assignments.load(number))} for number in assignments.available()}


def loses(number: int, mistake: str) -> set[str]:
    """The cases a typical mistake of Aufgabe ``number`` loses, as its ``mistake.toml`` declares."""
    return set(CATALOGUE[number][mistake].loses)


@dataclass(frozen=True)
class Losses:
    """What the submissions of one Aufgabe beside its typical mistakes must lose; each mistake
    declares its own in its ``mistake.toml`` (``loses``, ``raises``, ``passes_testat``)."""

    others: dict[str, tuple[Path, set[str]]]
    """Reference, correct variants, examples -> (folder or zip, the cases it loses)."""
    still_passes: set[str] = field(default_factory=set)
    """Of ``others``, those whose losses still pass the Testat (see the Aufgabe's threshold)."""
    raises: dict[str, set[str]] = field(default_factory=dict)
    """Of ``others``, submission -> the lost cases in which its code raises ("error"); see the module's rule."""


AUFGABE1 = Losses(
    others={
        "reference": (PROJECT / "reference" / "aufgabe1", set()),
        "correct-with-loops": (EXAMPLES / "aufgabe1" / "mueller_anna", set()),
    },
)

AUFGABE2 = Losses(
    others={
        "reference": (PROJECT / "reference" / "aufgabe2", set()),
        "correct-with-loops": (EXAMPLES / "aufgabe2" / "mueller_anna", set()),
        **{f"variant-{p.name}": (p, set()) for p in sorted((HERE / "aufgabe2" / "variants").iterdir()) if p.is_dir()},
    },
)

AUFGABE3 = Losses(
    others={
        "reference": (PROJECT / "reference" / "aufgabe3", set()),
        "example-correct-loops": (EXAMPLES / "aufgabe3" / "mueller_anna", set()),
        **{f"variant-{p.name}": (p, set()) for p in sorted((HERE / "aufgabe3" / "variants").iterdir()) if p.is_dir()},
        "example-sign-flipped": (EXAMPLES / "aufgabe3" / "schmidt_jonas", loses(3, "sign-flipped")),
        "example-sum-not-mean-zip": (EXAMPLES / "aufgabe3" / "weber_lena.zip", loses(3, "sum-not-mean")),
        "example-k-ignored-global-shuffle": (
            EXAMPLES / "aufgabe3" / "becker_tim", loses(3, "k-ignored") | loses(3, "global-shuffle")
        ),
    },
    # k and rng are named by the contract: their required cases fail (issue 24).
)

AUFGABE4 = Losses(
    others={
        "reference": (PROJECT / "reference" / "aufgabe4", set()),
        "example-correct-loops": (EXAMPLES / "aufgabe4" / "wagner_sophie", set()),
        "example-stride-ignored": (EXAMPLES / "aufgabe4" / "hoffmann_lukas", loses(4, "stride-ignored")),
        "example-mean-gray-and-autoscale": (
            EXAMPLES / "aufgabe4" / "schulz_mia", loses(4, "equal-weights") | loses(4, "imsave-autoscale")
        ),
        "example-transposed-zip": (EXAMPLES / "aufgabe4" / "koch_felix.zip", loses(4, "transposed")),
    },
)

AUFGABE5 = Losses(
    others={
        "reference": (PROJECT / "reference" / "aufgabe5", set()),
        "example-correct-loops": (EXAMPLES / "aufgabe5" / "fischer_emma", set()),
        "example-transposed": (EXAMPLES / "aufgabe5" / "meyer_leon", loses(5, "w-transposed")),
        "example-over-time": (EXAMPLES / "aufgabe5" / "wolf_hannah", loses(5, "plot-over-time")),
        "example-sequential-zip": (EXAMPLES / "aufgabe5" / "braun_max.zip", loses(5, "sequential-update")),
    },
)

AUFGABEN = {1: AUFGABE1, 2: AUFGABE2, 3: AUFGABE3, 4: AUFGABE4, 5: AUFGABE5}


def expectations(number: int, label: str) -> tuple[set[str], bool]:
    """(the lost cases in which the code raises, whether the Testat still passes) of one submission."""
    mistake = CATALOGUE[number].get(label)
    if mistake is not None:
        return set(mistake.raises), mistake.passes_testat
    losses = AUFGABEN[number]
    return losses.raises.get(label, set()), label in losses.still_passes


def submissions():
    for number, losses in AUFGABEN.items():
        every = {**losses.others, **{m.id: (m.folder, set(m.loses)) for m in CATALOGUE[number].values()}}
        for label, (path, lost) in every.items():
            yield pytest.param(number, label, path, lost, id=f"aufgabe{number}-{label}")


def test_every_aufgabe_is_covered():
    assert set(AUFGABEN) == set(assignments.available())


@pytest.mark.parametrize("number", AUFGABEN)
def test_every_listed_case_exists_and_raises_only_where_it_is_lost(number):
    losses = AUFGABEN[number]
    names = {c.name for c in assignments.load(number).cases}
    lost = {label: cases for label, (_, cases) in losses.others.items()}
    for label, raising in losses.raises.items():
        assert raising <= lost[label], label
    assert losses.still_passes <= set(lost)
    for mistake in CATALOGUE[number].values():
        # Every mistake loses cases (tests/assignments/test_mistakes.py), and says which.
        lost[mistake.id] = set(mistake.loses)
        assert mistake.loses, mistake.id
        assert mistake.raises <= mistake.loses, mistake.id
    for cases in lost.values():
        assert cases <= names


@pytest.mark.parametrize("number", AUFGABEN)
def test_the_skeleton_scores_nothing(number):
    skeleton = PROJECT / "assignments" / f"aufgabe{number}" / "skeleton"
    result = grade_path(aufgabe=number, path=skeleton, sandbox="process", public_only=False, log=lambda _: None)
    assert result.score == 0 and {c.status for c in result.cases} == {"error"}


@pytest.mark.parametrize(("number", "label", "path", "lost"), list(submissions()))
def test_loses_exactly_its_cases_with_the_status_that_says_why(number, label, path, lost):
    raising, still_passes = expectations(number, label)
    result = grade_path(aufgabe=number, path=path, sandbox="process", public_only=False, log=lambda _: None)
    statuses = {c.name: c.status for c in result.cases}
    assert {n for n, s in statuses.items() if s != "passed"} == lost, {c.name: c.message for c in result.cases}
    assert {n: statuses[n] for n in lost} == {n: "error" if n in raising else "failed" for n in lost}
    assert result.score == result.max_score - sum(c.max_score for c in result.cases if c.name in lost)
    assert set(result.missing_required) == lost & set(assignments.load(number).required)
    assert result.passed == (not lost or still_passes), (result.score, result.missing_required)
