"""Grade the corpus of correct styles and realistic mistakes (issue 15) against
the verdicts in ``verdicts.toml``: the cases each must lose and its Testat."""

import tomllib
from pathlib import Path

import pytest

from grader.cases.assignment import load
from grader.cases.mistakes import catalogue
from grader.engine.batch import grade_path

HERE = Path(__file__).resolve().parent
VERDICTS = tomllib.loads((HERE / "verdicts.toml").read_text(encoding="utf-8"))


def _entry(label):
    expected = VERDICTS[label]
    marks = [pytest.mark.xfail(reason=expected["misverdict"], strict=True)] if "misverdict" in expected else []
    return pytest.param(label, marks=marks, id=label)


def test_every_submission_of_the_corpus_has_a_verdict():
    folders = {str(p.relative_to(HERE)) for p in HERE.glob("aufgabe*/*/*") if p.is_dir()}
    assert folders == set(VERDICTS)


def _expected(aufgabe: int, label: str) -> tuple[set[str], bool]:
    """The cases ``label`` must lose and whether it passes the Testat: for a typical mistake
    of the catalogue, what its ``mistake.toml`` declares."""
    expected = VERDICTS[label]
    if "mistake" in expected:
        mistake = next(m for m in catalogue(load(aufgabe)) if m.id == expected["mistake"])
        return set(mistake.loses), mistake.passes_testat
    return set(expected["failing"]), expected["testat"]


@pytest.mark.parametrize("label", [_entry(label) for label in VERDICTS])
def test_corpus_verdict(label):
    expected = VERDICTS[label]
    aufgabe = int(label.split("/")[0].removeprefix("aufgabe"))
    failing, testat = _expected(aufgabe, label)
    result = grade_path(aufgabe=aufgabe, path=HERE / label, sandbox="process", public_only=False, log=lambda m: None)
    lost = {c.name for c in result.cases if c.status != "passed"}
    # What a student reads of a failed case: the message and the typical mistake it matches.
    messages = {
        c.name: " ".join([c.message, *(v for v in (c.mistake or {}).values() if isinstance(v, str))])
        for c in result.cases if c.status != "passed"
    }
    assert result.status == "graded"
    assert lost == failing, messages
    assert result.passed == testat, (result.score, result.missing_required)
    for case, words in expected.get("says", {}).items():
        assert words in messages[case], messages[case]
