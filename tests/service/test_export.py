"""``grader service export`` writes what ``grader run`` writes, with the same verdicts, and the course
commands work on it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from grader.backends import make_backend
from grader.cli import main
from grader.engine import Local
from grader.engine.batch import run

from .helpers import REFERENCE, WRONG, hand_in
from .test_worker import drain


def test_export_equals_grader_run_on_the_same_files_and_feeds_the_course_commands(sqlite_course, tmp_path):
    course = sqlite_course
    hand_in(course, "1001", REFERENCE)
    hand_in(course, "1002", WRONG)
    drain(course, Local(make_backend("process")))
    out = tmp_path / "export"
    done = CliRunner().invoke(main, ["service", "export", str(course.data), "--aufgabe", "1", "--out", str(out)])
    assert done.exit_code == 0, done.output
    exported = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert exported["complete"] is True and (out / "index.html").is_file() and (out / "grades.csv").is_file()
    for submission in exported["submissions"]:
        assert (out / submission["report"]).is_file()

    for name, content in (("anna", REFERENCE), ("jonas", WRONG)):
        (tmp_path / "subs" / name).mkdir(parents=True)
        (tmp_path / "subs" / name / "perceptron.py").write_bytes(content)
    batch = run(aufgabe=1, submissions=tmp_path / "subs", out=tmp_path / "batch", sandbox="process", log=lambda m: None)

    def verdicts(submissions) -> list:
        return [(s["passed"], s["score"], [(c["name"], c["status"]) for c in s["cases"]]) for s in submissions]

    assert verdicts(exported["submissions"]) == verdicts([s.to_json() for s in batch.submissions])
    assert [s["id"] for s in exported["submissions"]] == ["Anna Müller (1001)", "Jonas Schmidt (1002)"]
    overview = CliRunner().invoke(main, ["overview", str(out), "--out", str(tmp_path / "overview")])
    assert overview.exit_code == 0, overview.output
    assert "Anna Müller" in (tmp_path / "overview" / "overview.csv").read_text(encoding="utf-8")


def test_an_export_while_hand_ins_wait_is_incomplete(sqlite_course, tmp_path):
    hand_in(sqlite_course, "1001", REFERENCE)
    done = CliRunner().invoke(main, ["service", "export", str(sqlite_course.data), "--aufgabe", "1", "--out", str(tmp_path / "out")])
    assert done.exit_code == 0 and "unvollständig" in done.output
    written = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert (written["complete"], written["total"], written["submissions"]) == (False, 1, [])
