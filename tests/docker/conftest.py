"""Real containers: a Docker engine and the sandbox image, or a skip that says why.

Every test here grades a submission that attacks one defence of the
``docker`` sandbox; after every test no container of the grader may be left
and a file of the host must be untouched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import docker
import pytest
from dockertools import CASES, HOST_SENTINEL, leftover_containers, make_job

from grader.backends.docker import DockerBackend
from grader.backends.docker_engine import docker_unavailable_reason
from grader.backends.session import JobRun, run_job


@pytest.fixture(scope="session")
def client():
    reason = docker_unavailable_reason()
    if reason is not None:
        pytest.skip(f"docker tests skipped: {reason}")
    client = docker.from_env()
    yield client
    client.close()


@pytest.fixture(scope="session")
def sandbox_image(client) -> str:
    from grader.backends.image import ensure_image

    return ensure_image(client, log=lambda line: None)


@pytest.fixture
def backend(client, sandbox_image):
    backend = DockerBackend(client, sandbox_image)
    yield backend
    backend.close()


@pytest.fixture(autouse=True)
def host_untouched(request):
    """A file of the host that attacks aim at keeps its content; no container survives."""
    if "client" not in request.fixturenames:
        yield
        return
    content = f"nicht anfassen {os.urandom(8).hex()}\n"
    HOST_SENTINEL.write_text(content)
    try:
        yield
        assert HOST_SENTINEL.read_text() == content
        assert leftover_containers(request.getfixturevalue("client")) == []
    finally:
        HOST_SENTINEL.unlink(missing_ok=True)


@pytest.fixture
def grade(backend, tmp_path):
    """grade(attack, cases=CASES, files=None, **limits) -> JobRun, with the folder unchanged."""

    def grade(attack: str, cases: str = CASES, files: dict | None = None, **limits) -> JobRun:
        job = make_job(tmp_path, attack, cases, files, **limits)
        before = _tree_hash(job.submission)
        result = run_job(backend, job)
        assert _tree_hash(job.submission) == before, "the submission on the host was changed"
        return result

    return grade


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()
