"""``kill -9`` of the server while it grades and receives, then a restart: nothing accepted is lost,
each hand-in is graded exactly once; SIGTERM returns running work to the queue."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests
from sqlalchemy import select

from grader.service.models import Grading, Handin

from .conftest import make_course
from .helpers import REFERENCE, WRONG
from .server import Server


@pytest.fixture(params=["sqlite", "postgresql"])
def crash_course(request, tmp_path):
    database = "" if request.param == "sqlite" else request.getfixturevalue("postgres").create_database()
    made = make_course(tmp_path, database)
    yield made
    made.opened.engine.dispose()


def upload(server: Server, token: str, content: bytes) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
        data={"aufgabe": "1"}, files={"file": ("perceptron.py", content)}, timeout=30,
    )


def states(course) -> dict[int, str]:
    with course.opened.session() as db:
        return {handin: state for handin, state in db.execute(select(Handin.id, Handin.state))}


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_kill_9_while_grading_and_receiving_loses_nothing_and_grades_each_once(crash_course, tmp_path):
    course = crash_course
    server = Server(course.data, tmp_path / "server.log", "--jobs", "2", "--lease", "3").start()
    receipted: list[int] = []
    stop = threading.Event()

    def keep_handing_in() -> None:
        tokens = list(course.tokens.values())
        index = 0
        while not stop.is_set():
            try:
                answer = upload(server, tokens[index % 3], REFERENCE if index % 2 else WRONG)
            except requests.RequestException:
                return  # the server died under us: that upload had no receipt
            if answer.status_code == 201:
                receipted.append(answer.json()["id"])
            index += 1

    uploader = threading.Thread(target=keep_handing_in)
    try:
        uploader.start()
        wait_for(lambda: len(receipted) >= 4 and "running" in states(course).values(), 120, "no grading started")
        assert server.kill(signal.SIGKILL) == -signal.SIGKILL
        stop.set()
        uploader.join(60)
        interrupted = [i for i, s in states(course).items() if s == "running"]
        assert interrupted, "killed while grading"
        server.start()
        wait_for(lambda: set(states(course).values()) == {"graded"}, 300, f"not all graded: {states(course)}")
    finally:
        stop.set()
        server.stop()
    with course.opened.session() as db:
        handins = set(db.scalars(select(Handin.id)))
        done = [(handin, tries) for handin, tries in db.execute(select(Grading.handin_id, Grading.tries).where(Grading.state == "done"))]
    assert set(receipted) <= handins
    assert sorted(h for h, _ in done) == sorted(handins), "each hand-in graded exactly once"
    assert all(tries == 2 for h, tries in done if h in interrupted)


def test_sigterm_returns_running_work_to_the_queue(sqlite_course, tmp_path):
    course = sqlite_course
    server = Server(course.data, tmp_path / "server.log", "--jobs", "1").start()
    try:
        ids = [upload(server, token, REFERENCE).json()["id"] for token in course.tokens.values()]
        wait_for(lambda: "running" in states(course).values(), 120, "no grading started")
        assert server.kill(signal.SIGTERM, timeout=60) != -signal.SIGKILL
        after = states(course)
        assert "running" not in after.values(), after
        assert "zurück in der Warteschlange" in server.log()
        with course.opened.session() as db:
            assert all(t == 0 for t in db.scalars(select(Grading.tries).where(Grading.state == "queued")))
        server.start()
        wait_for(lambda: set(states(course).values()) == {"graded"}, 300, f"not all graded: {states(course)}")
    finally:
        server.stop()
    assert sorted(states(course)) == sorted(ids)
