"""A worker with the docker sandbox, where an engine runs."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from clustertools import ROOT, verdicts, wait_for_workers

from grader.backends.docker_engine import docker_unavailable_reason
from grader.engine.batch import run

EXAMPLES = ROOT / "examples" / "submissions" / "aufgabe1"
REASON = docker_unavailable_reason()

pytestmark = pytest.mark.skipif(REASON is not None, reason=f"keine Docker-Engine: {REASON}")


def test_docker_workers_grade_like_local_docker(processes, tmp_path):
    address = processes.scheduler()
    processes.worker(address, sandbox="docker", slots=2)
    wait_for_workers(address, 1)
    outcome = run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "cluster", sandbox="auto", cluster=address, log=lambda m: None)
    local = run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "local", sandbox="docker", jobs=2, log=lambda m: None)
    assert outcome.sandbox == "docker"
    assert verdicts(outcome) == verdicts(local)
