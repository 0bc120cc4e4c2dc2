"""A damaged overrides file stops a run before grading, not after it."""

import json

import pytest

from grader.engine import batch as grading
from grader.engine import outdir as overrides


@pytest.mark.parametrize(
    "entry",
    [{"points": "zehn"}, {"passed": "ja"}, {"note": 3}, {"points": True}],
    ids=["points-text", "passed-text", "note-number", "points-bool"],
)
def test_an_overrides_file_of_wrong_types_is_refused_when_read(tmp_path, entry):
    (tmp_path / overrides.FILE).write_text(json.dumps({"anna": {"note": "x", "at": "y", **entry}}))
    with pytest.raises(overrides.OverrideError, match="beschädigt"):
        overrides.load(tmp_path)


def test_a_run_on_an_out_with_a_damaged_overrides_file_grades_nothing(tmp_path, monkeypatch):
    (tmp_path / "subs" / "anna").mkdir(parents=True)
    (tmp_path / "subs" / "anna" / "perceptron.py").write_text("x = 1\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / overrides.FILE).write_text(json.dumps({"anna": {"note": "x", "at": "y", "points": "zehn"}}))

    def graded(*args, **kwargs):
        raise AssertionError("submissions were looked for before the overrides were read")

    monkeypatch.setattr(grading, "find", graded)
    with pytest.raises(overrides.OverrideError, match="beschädigt"):
        grading.run(aufgabe=1, submissions=tmp_path / "subs", out=out, jobs=1, sandbox="process", log=lambda m: None)
