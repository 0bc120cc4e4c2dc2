"""In the real image (the pinned numpy and matplotlib), every reference still gets full marks,
and a class of examples is graded end to end with `grader run --sandbox docker`."""

import json

import pytest

from grader.cases import assignment as assignments
from grader.engine.batch import grade_path, run


@pytest.mark.parametrize("number", assignments.available())
def test_reference_gets_full_marks_in_docker(client, sandbox_image, number):
    a = assignments.load(number)
    result = grade_path(aufgabe=number, path=a.reference, sandbox="docker", public_only=False, log=lambda m: None)
    assert result.sandbox == "docker" and result.versions["numpy"]
    failing = [(c.name, c.message) for c in result.cases if c.status != "passed"]
    assert not failing and result.score == a.max_score


def test_run_with_docker_grades_the_examples(client, sandbox_image, tmp_path):
    examples = assignments.PROJECT / "examples" / "submissions" / "aufgabe1"
    outcome = run(aufgabe=1, submissions=examples, out=tmp_path, sandbox="docker", jobs=2, log=lambda m: None)
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["sandbox"] == "docker" and len(data["submissions"]) == len(outcome.submissions) >= 3
    passed = {s.id: s.passed for s in outcome.submissions}
    assert passed["mueller_anna"] and not passed["schmidt_jonas"]
