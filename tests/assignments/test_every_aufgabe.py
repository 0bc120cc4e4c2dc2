"""Every Aufgabe: the reference, correct variants and examples get full marks, each typical mistake
loses exactly the cases its ``mistake.toml`` declares, the skeleton scores nothing.

One rule for the status of a lost case: "failed" where the code returns a wrong result, "error"
where it raises. The student reads different things: a comparison with the reference (what
differs), or the exception and the traceback into their own code. So ``raises`` names, per
submission, the cases in which its code raises, each with the reason; every other lost case must
be "failed". Accepting either would let a wrong value turn into a crash (or the other way round)
without any test noticing.
"""

import tomllib
from pathlib import Path

import pytest

from grader import PROJECT
from grader.cases import assignment as assignments
from grader.cases.mistakes import catalogue
from grader.engine.batch import grade_path

HERE = Path(__file__).resolve().parent
EXAMPLES = PROJECT / "examples" / "submissions"
NUMBERS = assignments.available()

CATALOGUE = {number: {m.id: m for m in catalogue(assignments.load(number))} for number in NUMBERS}


def loses(number: int, mistake: str) -> set[str]:
    """The cases a typical mistake of Aufgabe ``number`` loses, as its ``mistake.toml`` declares."""
    return set(CATALOGUE[number][mistake].loses)


def declared_examples(number: int) -> dict[str, list[str]]:
    """The Aufgabe's ``examples.toml``: each bundled example -> the typical mistakes it makes."""
    path = assignments.ASSIGNMENTS / f"aufgabe{number}" / "examples.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["examples"] if path.is_file() else {}


def others(number: int) -> dict[str, tuple[Path, set[str]]]:
    """Reference, correct variants (tests/assignments/aufgabeN/variants) and the bundled examples ->
    (folder or zip, the cases it loses), all derived from the Aufgabe's folder."""
    found = {"reference": (assignments.REFERENCE / f"aufgabe{number}", set())}
    variants = HERE / f"aufgabe{number}" / "variants"
    if variants.is_dir():
        found.update({f"variant-{p.name}": (p, set()) for p in sorted(variants.iterdir()) if p.is_dir()})
    for name, mistakes in declared_examples(number).items():
        found[f"example-{name}"] = (EXAMPLES / f"aufgabe{number}" / name, set().union(*(loses(number, m) for m in mistakes)))
    return found


def expectations(number: int, label: str) -> tuple[set[str], bool]:
    """(the lost cases in which the code raises, whether the Testat still passes) of one submission:
    a mistake's from its ``mistake.toml``; the others (examples: unions of mistakes) raise nowhere and
    lose the Testat with any required case or the threshold."""
    mistake = CATALOGUE[number].get(label)
    if mistake is not None:
        return set(mistake.raises), mistake.passes_testat
    return set(), False


def submissions():
    for number in NUMBERS:
        every = {**others(number), **{m.id: (m.folder, set(m.loses)) for m in CATALOGUE[number].values()}}
        for label, (path, lost) in every.items():
            yield pytest.param(number, label, path, lost, id=f"aufgabe{number}-{label}")


@pytest.mark.parametrize("number", NUMBERS)
def test_every_bundled_example_is_declared_with_mistakes_of_the_catalogue(number):
    folder = EXAMPLES / f"aufgabe{number}"
    bundled = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    declared = declared_examples(number)
    assert bundled == set(declared), f"assignments/aufgabe{number}/examples.toml must list exactly {sorted(bundled)}"
    for name, mistakes in declared.items():
        assert set(mistakes) <= set(CATALOGUE[number]), (name, mistakes)


@pytest.mark.parametrize("number", NUMBERS)
def test_every_listed_case_exists_and_raises_only_where_it_is_lost(number):
    names = {c.name for c in assignments.load(number).cases}
    lost = {label: cases for label, (_, cases) in others(number).items()}
    for mistake in CATALOGUE[number].values():
        # Every mistake loses cases (tests/assignments/test_mistakes.py), and says which.
        lost[mistake.id] = set(mistake.loses)
        assert mistake.loses, mistake.id
        assert mistake.raises <= mistake.loses, mistake.id
    for cases in lost.values():
        assert cases <= names


@pytest.mark.parametrize("number", NUMBERS)
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
