"""The worker grades through the one engine, and students see only what the policy allows."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select, update

from grader.backends import make_backend
from grader.engine import Local
from grader.engine.batch import grade_path
from grader.service import queue
from grader.service.models import Aufgabe, Grading, Handin, now
from grader.service.reads import latest_grading
from grader.service.visible import shown
from grader.service.worker import Worker

from .helpers import REFERENCE, WRONG, hand_in


def drain(course, sandboxes, timeout: float = 240.0) -> None:
    worker = Worker(course.opened, sandboxes, jobs=2, lease_seconds=30, poll_seconds=0.1, log=lambda m: None)
    worker.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            with course.opened.session() as db:
                if queue.depth(db) == 0:
                    return
            assert time.monotonic() < deadline, "the queue did not drain"
            time.sleep(0.2)
    finally:
        worker.stop()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course in which the reference and a wrong perceptron were handed in and graded."""
    from .conftest import make_course

    course = make_course(tmp_path_factory.mktemp("graded"))
    right, wrong = hand_in(course, "1001"), hand_in(course, "1002", WRONG)
    drain(course, Local(make_backend("process")))
    yield course, right, wrong
    course.opened.engine.dispose()


def stored(course, receipt) -> dict:
    with course.opened.session() as db:
        return json.loads(latest_grading(db, receipt.id).result)


def test_the_service_gives_the_verdicts_that_grader_check_gives(graded, tmp_path):
    course, right, wrong = graded
    good, bad = stored(course, right), stored(course, wrong)
    assert good["passed"] and good["score"] == good["max_score"]
    (tmp_path / "perceptron.py").write_bytes(WRONG)
    direct = grade_path(aufgabe=1, path=tmp_path / "perceptron.py", sandbox="process", public_only=False, log=lambda m: None)
    assert [(c["name"], c["status"]) for c in bad["cases"]] == [(c.name, c.status.value) for c in direct.cases]
    assert not bad["passed"] and bad["id"] == "Jonas Schmidt (1002)"
    with course.opened.session() as db:
        assert db.scalars(select(Handin.state).order_by(Handin.id)).all() == ["graded", "graded"]
        assert db.scalars(select(Grading.tries)).all() == [1, 1]


def _view(course, receipt, level: str) -> dict:
    with course.opened.session() as db:
        handin = db.get(Handin, receipt.id)
        aufgabe = db.get(Aufgabe, 1)
        aufgabe.hidden_before_deadline = level
        view = shown(handin, aufgabe, latest_grading(db, receipt.id), now())
        db.rollback()
    return view


def test_hidden_cases_show_only_what_the_policy_allows_and_never_a_value(graded):
    course, _, wrong = graded
    full = stored(course, wrong)
    hidden = [c for c in full["cases"] if c["visibility"] == "hidden"]
    assert hidden, "Aufgabe 1 has hidden cases"
    nothing, verdict = _view(course, wrong, "nothing"), _view(course, wrong, "verdict")
    assert {c["visibility"] for c in nothing["cases"]} == {"public"} and nothing["passed"] is None
    assert nothing["max_score"] == sum(c["max_score"] for c in full["cases"] if c["visibility"] == "public")
    shown_hidden = [c for c in verdict["cases"] if c["visibility"] == "hidden"]
    assert [set(c) for c in shown_hidden] == [{"name", "visibility", "status", "score", "max_score"}] * len(hidden)
    assert verdict["passed"] is False and verdict["score"] == full["score"]
    report = _view(course, wrong, "report")
    for case in (c for c in report["cases"] if c["visibility"] == "hidden"):
        assert not ({"expected_text", "got_text", "stdout", "stderr", "traceback"} & set(case))


def test_after_the_deadline_hidden_cases_show_as_in_the_batch_report(graded):
    course, _, wrong = graded
    with course.opened.session() as db:
        db.execute(update(Aufgabe).values(deadline=now(), hidden_before_deadline="nothing"))
        db.commit()
    try:
        view = _view(course, wrong, "nothing")
    finally:
        with course.opened.session() as db:
            db.execute(update(Aufgabe).values(deadline=None, hidden_before_deadline="verdict"))
            db.commit()
    assert any(c["visibility"] == "hidden" and "message" in c for c in view["cases"])


class BrokenSandboxes(Local):
    """A sandbox service that fails every job: the grader's failure, never the student's."""

    def execute(self, job):
        raise RuntimeError("engine gone")


def test_an_infrastructure_failure_is_graded_again_and_uses_up_no_attempt(sqlite_course):
    receipt = hand_in(sqlite_course, content=REFERENCE)
    drain(sqlite_course, BrokenSandboxes(make_backend("process")))
    with sqlite_course.opened.session() as db:
        handin = db.get(Handin, receipt.id)
        grading = latest_grading(db, receipt.id)
    assert handin.state == "error" and grading.tries == queue.MAX_TRIES and grading.state == "failed"
    assert json.loads(grading.result)["sandbox_failed"] is True
    assert hand_in(sqlite_course).attempt == 1
