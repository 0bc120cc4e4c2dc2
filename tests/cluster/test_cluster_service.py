"""``grader serve --cluster``: the service grades on the workers of a Dask scheduler, with the same
verdicts as on its own machine."""

from __future__ import annotations

import time

import requests
from clustertools import wait_for_workers

from tests.service.conftest import make_course
from tests.service.helpers import REFERENCE, WRONG
from tests.service.server import Server


def test_the_service_grades_on_the_cluster(processes, tmp_path):
    address = processes.scheduler()
    processes.worker(address, sandbox="process")
    wait_for_workers(address, 1)
    course = make_course(tmp_path)
    course.opened.engine.dispose()
    server = Server(course.data, tmp_path / "server.log", "--cluster", address, "--jobs", "2").start()
    try:
        ids = {}
        for key, content in (("1001", REFERENCE), ("1002", WRONG)):
            answer = requests.post(
                f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {course.tokens[key]}"},
                data={"aufgabe": "1"}, files={"file": ("perceptron.py", content)}, timeout=30,
            )
            assert answer.status_code == 201, answer.text
            ids[key] = answer.json()["id"]
        seen = {}
        deadline = time.monotonic() + 240
        while len(seen) < 2:
            assert time.monotonic() < deadline, server.log()
            for key, handin in ids.items():
                state = requests.get(f"{server.url}/api/v1/submissions/{handin}", headers={"Authorization": f"Bearer {course.tokens[key]}"}, timeout=30).json()
                if state["state"] in ("graded", "error"):
                    seen[key] = state
            time.sleep(0.5)
        assert seen["1001"]["state"] == "graded" and seen["1001"]["score"] == seen["1001"]["max_score"]
        assert seen["1002"]["state"] == "graded" and seen["1002"]["score"] < seen["1002"]["max_score"]
        assert f"Cluster {address}: 1 Sandbox" in server.log()
    finally:
        server.stop()
