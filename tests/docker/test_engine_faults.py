"""Faults of the Docker engine itself: it stops mid-batch, or a container cannot be created.

The engine's stop is played by a socket proxy in front of the real engine:
the grader's client talks through it, and the test pulls it away.
"""

import contextlib
import gc
import os
import socket
import threading
import time
from pathlib import Path

import docker
import pytest
from dockertools import leftover_containers

from grader.backends.base import SandboxLost
from grader.backends.docker import OWNER, DockerBackend
from grader.cases import assignment as assignments
from grader.engine.batch import run

ENGINE = "/var/run/docker.sock"
REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
SLOW = REFERENCE.replace("def train(", "def _train(") + (
    "\nimport time\n\ndef train(X, T, w0, max_epochs=100):\n    if len(X) == 2:\n        time.sleep(1)\n"
    "    return _train(X, T, w0, max_epochs)\n"
)


class EngineProxy:
    """A Unix socket that forwards to the engine, until ``cut()``."""

    def __init__(self, path: Path):
        self.path = path
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(path))
        self.server.listen(32)
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.is_cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            engine = socket.socket(socket.AF_UNIX)
            engine.connect(ENGINE)
            with self.lock:
                if self.is_cut:  # accepted just before the cut: it must not outlive it
                    client.close()
                    engine.close()
                    return
                self.sockets += [client, engine]
            for a, b in ((client, engine), (engine, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)  # pass a half-close on (the harness's stdin ends)
        except OSError:
            pass

    def cut(self):
        self.server.close()
        with self.lock:
            self.is_cut = True
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
        self.path.unlink(missing_ok=True)


@pytest.fixture
def collected():
    """After the test: collect the sockets docker-py leaked while the engine was gone,
    under that test's warning filter, not in some later test."""
    yield
    gc.collect()


@pytest.fixture
def submissions(tmp_path) -> Path:
    root = tmp_path / "subs"
    for i in range(6):
        (root / f"student{i}").mkdir(parents=True)
        (root / f"student{i}" / "perceptron.py").write_text(SLOW)
    return root


# docker-py does not close the socket of a connect() to a vanished engine that failed.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_engine_stopping_mid_batch_stops_cleanly_and_a_rerun_resumes(client, sandbox_image, submissions, tmp_path, collected):
    if not os.path.exists(ENGINE):
        pytest.skip(f"the engine's socket is not at {ENGINE}")
    proxy = EngineProxy(tmp_path / "engine.sock")
    proxied = docker.DockerClient(base_url=f"unix://{proxy.path}")
    out = tmp_path / "out"
    outcome = {}

    def grade():
        try:
            run(aufgabe=1, submissions=submissions, out=out, sandbox=DockerBackend(proxied, sandbox_image), jobs=1, log=lambda m: None)
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=grade)
    worker.start()
    stored = out / "submissions"
    deadline = time.monotonic() + 120
    while len(list(stored.glob("*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proxy.cut()
    worker.join(60)
    proxied.close()
    assert not worker.is_alive()
    assert isinstance(outcome.get("error"), SandboxLost), outcome
    outcome.clear()
    kept = {p.stem for p in stored.glob("*.json")}
    assert 2 <= len(kept) < 6
    for container_id in leftover_containers(client, owner=OWNER):
        # The "stopped" engine took them along; a removal sent just before the cut may have finished meanwhile.
        with contextlib.suppress(docker.errors.APIError):
            client.api.remove_container(container_id, force=True)
    messages = []
    result = run(aufgabe=1, submissions=submissions, out=out, sandbox="docker", jobs=2, log=messages.append)
    assert any(f"{len(kept)} Abgaben unverändert" in m for m in messages)
    failed = {s.id: [(c.name, c.message) for c in s.cases if c.status != "passed"]
              for s in result.submissions if not s.passed}
    assert len(result.submissions) == 6 and not failed, failed


def test_a_container_that_cannot_be_created_is_a_verdict_and_the_batch_goes_on(client, sandbox_image, submissions, tmp_path):
    backend = DockerBackend(client, "gnn-grader-sandbox:no-such-image")
    result = run(aufgabe=1, submissions=submissions, out=tmp_path / "out", sandbox=backend, jobs=2, log=lambda m: None)
    assert len(result.submissions) == 6
    for submission in result.submissions:
        assert {c.status for c in submission.cases} == {"error"}
        assert all("Sandbox-Start fehlgeschlagen" in c.message for c in submission.cases)
