"""The catalogue of typical mistakes (issue 18): every entry loses cases, and the diagnosis names it."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from grader.cases.assignment import available, load
from grader.cases.expected import Expected, expected_for
from grader.cases.mistakes import Mistake, catalogue
from grader.common import results
from grader.common.results import CaseResult
from grader.common.status import CaseRun
from grader.engine.batch import grade_path, run
from grader.judging.compare import judge
from grader.judging.diagnosis import Catalogue, catalogue_for, diagnose, matches

PROJECT = Path(__file__).resolve().parents[2]
# The lecture lies in shared/ beside the project (not part of it).
LECTURE = PROJECT.parent / "shared" / "seeds" / "000_32eba0cdbf988b9d.txt"

ENTRIES = [(n, m) for n in available() for m in catalogue(load(n))]
UNNAMEABLE = {
    3: {
        "mean-field-with-rng": "its only loss is a statistical property whose output varies with the draws",
        "samples-without-rng": "it draws from an unseeded generator: no output of it repeats",
    },
}
"""Mistakes no submission can be recognised by, each with why (checked to stay so)."""


@pytest.mark.parametrize("number", available())
def test_every_aufgabe_has_at_least_ten_mistakes(number):
    assignment = load(number)
    mistakes = catalogue(assignment)
    assert len(mistakes) >= 10, [m.id for m in mistakes]
    assert {p.name for p in (assignment.folder / "mistakes").iterdir()} == {m.id for m in mistakes}
    for mistake in mistakes:
        assert (mistake.folder / f"{assignment.module}.py").is_file(), mistake.id
        assert mistake.title and mistake.hint and mistake.concept, mistake.id
        assert mistake.title != mistake.hint, mistake.id


@pytest.mark.skipif(not LECTURE.is_file(), reason="the lecture text is not on this machine")
@pytest.mark.parametrize("number, mistake", ENTRIES, ids=lambda x: getattr(x, "id", x))
def test_the_concept_is_named_in_the_lecture(number, mistake):
    assert mistake.concept in LECTURE.read_text(encoding="utf-8")


@pytest.mark.parametrize("number, mistake", ENTRIES, ids=lambda x: getattr(x, "id", x))
def test_loses_cases_and_is_diagnosed_as_itself(number, mistake):
    result = grade_path(aufgabe=number, path=mistake.folder, sandbox="process", public_only=False, log=lambda _: None)
    lost = {c.name for c in result.cases if c.status != "passed"}
    assert lost and result.score < result.max_score
    named = {c.name: c.mistake["id"] for c in result.cases if c.mistake}
    assert set(named) <= lost
    # Its whole signature holds: named for certain, never "könnte … sein" (issue 24).
    assert all(c.mistake["certain"] for c in result.cases if c.mistake), named
    # Every case it fails on a value that a plain comparison judges is diagnosed.
    assignment, known = load(number), catalogue_for(load(number))
    compared = {c.name for c in assignment.cases if type(c.check).__name__ in ("Close", "Trajectory")}
    assert known.outputs[mistake.id].values.keys() & compared <= set(named), named
    # Another name only where that mistake explains at least as many of these failed cases.
    own = known.outputs[mistake.id]
    runs = {name: CaseRun(name, "ok", value, own.figures[name]) for name, value in own.values.items()}
    explained = Counter(m for name, run in runs.items() for m in matches(assignment, known, name, run))
    assert all(explained[other] >= explained[mistake.id] for other in named.values()), (named, explained)


@pytest.mark.parametrize("number, mistake", ENTRIES, ids=lambda x: getattr(x, "id", x))
def test_graded_as_a_submission_it_is_named_on_some_case(number, mistake):
    """Every mistake leaves a sign a submission can show: a value, a kind of failure or an exception
    where the function works elsewhere. The diagnosis cannot name what it never recognises."""
    if mistake.id in UNNAMEABLE.get(number, {}):
        assert catalogue_for(load(number)).signature(mistake.id) == {}, "it is nameable now: take it off UNNAMEABLE"
        return
    result = grade_path(aufgabe=number, path=mistake.folder, sandbox="process", public_only=False, log=lambda _: None)
    named = {c.mistake["id"] for c in result.cases if c.mistake}
    assert named == {mistake.id}, named


@pytest.mark.parametrize("number", available())
def test_no_two_mistakes_of_an_aufgabe_leave_the_same_signature(number):
    """Two mistakes that do the same on every case cannot be told apart: the diagnosis would name
    whichever comes first, and a student who made the other is told a false cause."""
    assignment, known = load(number), catalogue_for(load(number))
    runs = {m: {n: CaseRun(n, "ok", v, known.outputs[m].figures[n]) for n, v in known.outputs[m].values.items()}
            for m in known.mistakes}
    for first in known.mistakes:
        for second in known.mistakes:
            sign_a, sign_b = known.signature(first), known.signature(second)
            if first >= second or not sign_a or set(sign_a) != set(sign_b):
                continue
            same_values = all(second in matches(assignment, known, n, runs[first][n]) for n in runs[first])
            same_signs = all(sign_a[n] == sign_b[n] for n in sign_a if n not in runs[first])
            assert not (same_values and same_signs), (first, second)


@pytest.mark.parametrize("number, mistake", ENTRIES, ids=lambda x: getattr(x, "id", x))
def test_the_reference_never_matches_a_mistake(number, mistake):
    """Judged against a mistake's output, the reference's output fails every case that mistake fails."""
    assignment = load(number)
    expected = expected_for(assignment)
    outputs = catalogue_for(assignment).outputs[mistake.id]
    for name, value in outputs.values.items():
        case = assignment.case(name)
        judgement = judge(
            case.check, value, expected.values[name], reveal=False, properties=assignment.properties,
            expected_figures=outputs.figures[name], figures=expected.figures[name],
        )
        assert not judgement.passed, name


def _failed(name: str, visibility: str = "public") -> CaseResult:
    return CaseResult(name, visibility, "failed", 0.0, 1.0, "weicht ab")


def _mistake(mistake_id: str) -> Mistake:
    return Mistake(mistake_id, f"Titel {mistake_id}", f"Hinweis {mistake_id}", "Die Perzeptron-Lernregel", Path())


def test_several_matches_name_the_mistake_that_explains_most_failed_cases():
    assignment = load(1)
    value = {"o": 1}
    known = Catalogue(
        mistakes={m: _mistake(m) for m in ("a-explains-one", "b-explains-two")},
        outputs={
            "a-explains-one": Expected({"output/single": value}, {"output/single": []}),
            "b-explains-two": Expected({"output/single": value, "output/batch": value}, {"output/single": [], "output/batch": []}),
        },
    )
    cases = [_failed("output/single"), _failed("output/batch", "hidden"), CaseResult("output/phi-zero", "public", "passed", 1.0, 1.0, "")]
    runs = {c.name: CaseRun(c.name, "ok", value=value) for c in cases}
    diagnose(assignment, cases, runs, known)
    assert cases[0].mistake == {"id": "b-explains-two", "title": "Titel b-explains-two", "hint": "Hinweis b-explains-two", "certain": True}
    assert cases[1].mistake == {"id": "b-explains-two", "title": "Titel b-explains-two", "hint": "", "certain": True}
    assert cases[2].mistake is None


def test_a_correct_submission_is_never_diagnosed():
    for folder in (PROJECT / "reference" / "aufgabe1", PROJECT / "examples" / "submissions" / "aufgabe1" / "mueller_anna"):
        result = grade_path(aufgabe=1, path=folder, sandbox="process", public_only=False, log=lambda _: None)
        assert result.score == result.max_score and not any(c.mistake for c in result.cases)


def test_results_reports_and_index_name_the_mistake(tmp_path):
    submissions = tmp_path / "submissions"
    mistakes = {m.id: m for m in catalogue(load(1))}
    for student, source in (("anna", "update-sign"), ("ben", "update-sign"), ("cem", "threshold-ge")):
        shutil.copytree(mistakes[source].folder, submissions / student)
    shutil.copytree(PROJECT / "reference" / "aufgabe1", submissions / "dora")
    outcome = run(aufgabe=1, submissions=submissions, out=tmp_path / "out", sandbox="process", jobs=1, log=lambda _: None)
    stored = {s["id"]: s for s in json.loads((tmp_path / "out" / "results.json").read_text())["submissions"]}
    anna = {c["name"]: c for c in stored["anna"]["cases"]}
    assert anna["train/and"]["mistake"]["id"] == "update-sign"
    assert anna["output/single"]["mistake"] is None
    assert not any(c["mistake"] for c in stored["dora"]["cases"])
    mistake = catalogue_for(load(1)).mistakes["update-sign"]
    page = (tmp_path / "out" / stored["anna"]["report"]).read_text()
    assert f"Das entspricht dem typischen Fehler „{mistake.title}“ — Hinweis: {mistake.hint}" in page
    hidden = [c for c in next(s for s in outcome.submissions if s.id == "anna").cases if c.mistake and c.visibility == "hidden" and not c.release]
    assert hidden, "Aufgabe 1 has a hidden case that update-sign fails"
    assert page.count(f"„{mistake.title}“.") == len(hidden)
    index = (tmp_path / "out" / "index.html").read_text()
    assert f"<tr><td>{mistake.title}</td><td class=\"num\" data-sort=\"2\">2</td></tr>" in index
    assert results.typical_mistakes(outcome)[0] == {"id": "update-sign", "title": mistake.title, "students": 2}
