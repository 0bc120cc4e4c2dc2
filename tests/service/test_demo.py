"""``grader serve --demo``: a throw-away course with the bundled examples, its links printed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests
from sqlalchemy import func, select

from grader.service.course import open_course
from grader.service.demo import EXAMPLES, make_demo
from grader.service.models import Handin

from .conftest import ROOT, free_port


def test_the_demo_course_has_every_example_handed_in_by_its_student(tmp_path):
    data, instructor, links = make_demo(tmp_path, "http://127.0.0.1:9")
    examples = [e for folder in EXAMPLES.iterdir() for e in folder.iterdir()]
    assert "Anna Mueller" in links and links["Anna Mueller"].startswith("http://127.0.0.1:9/anmelden#")
    opened = open_course(data)
    try:
        with opened.session() as db:
            assert db.scalar(select(func.count()).select_from(Handin)) == len(examples)
            assert db.scalar(select(func.count(func.distinct(Handin.student_id)))) == len(links)
    finally:
        opened.engine.dispose()
    assert instructor


def test_serve_demo_prints_links_that_log_in_and_ends_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "sandbox")])}
    with (tmp_path / "out").open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "grader.cli", "serve", "--demo", "--port", str(port), "--sandbox", "process"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 120
        while "Grading-Dienst für" not in (tmp_path / "out").read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "out").read_text(encoding="utf-8")
            time.sleep(0.2)
        printed = (tmp_path / "out").read_text(encoding="utf-8")
        link = next(line.split(": ", 1)[1] for line in printed.splitlines() if "/anmelden#" in line)
        folder = next(word for word in printed.split() if "gnn-demo-" in word).split("/course")[0]
        page = requests.get(link.split("#")[0], timeout=10)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        # The cookie is Secure: a browser sends it to 127.0.0.1 over HTTP, requests does not by itself.
        cookie = page.headers["Set-Cookie"].split(";")[0]
        answer = requests.post(
            link.split("#")[0], data={"token": link.split("#")[1], "csrf_token": csrf}, headers={"Cookie": cookie},
            timeout=10, allow_redirects=False,
        )
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/aufgaben")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) != -signal.SIGKILL
    assert not os.path.exists(folder), "the throw-away course is removed"
