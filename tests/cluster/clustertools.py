"""A real Dask scheduler and real `grader worker` processes on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """Scheduler and workers started by one test; each in its own session so that
    stopping it stops the nanny, the worker process and their sandboxes."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.started: list[subprocess.Popen] = []

    def _spawn(self, argv: list[str], env: dict, log: str) -> subprocess.Popen:
        with open(self.tmp / log, "wb") as handle:  # the process keeps its own copy
            process = subprocess.Popen(
                argv, cwd=ROOT, env=dict(os.environ, **env), stdout=handle, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def scheduler(self, *options: str, env: dict | None = None, protocol: str = "tcp") -> str:
        port = free_port()
        self._spawn(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port), "--protocol", protocol, "--no-dashboard", *options],
            env or {}, "scheduler.log",
        )
        address = f"{protocol}://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return address
            except OSError:
                time.sleep(0.2)
        raise AssertionError((self.tmp / "scheduler.log").read_text())

    def worker(self, address: str, *options: str, sandbox: str = "process", slots: int = 1, env: dict | None = None) -> str:
        """Start `grader worker`; returns the name of its log file."""
        log = f"worker-{len(self.started)}.log"
        self._spawn(
            [sys.executable, "-m", "grader.cli", "worker", address, "--sandbox", sandbox, "--slots", str(slots),
             "--host", "127.0.0.1", *options],
            env or {}, log,
        )
        return log

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_workers(address: str, count: int, **client_options) -> dict:
    """The scheduler's view of its workers once ``count`` have registered."""
    from distributed import Client

    with Client(address, timeout="30s", **client_options) as client:
        client.wait_for_workers(count, timeout=120)
        return client.scheduler_info(n_workers=-1)["workers"]


def wait_until_processing(watcher, worker: str, seconds: float = 30) -> None:
    """Until the scheduler says ``worker`` runs a task (``watcher``: a Client of that scheduler)."""
    deadline = time.monotonic() + seconds
    while not watcher.processing(workers=[worker]).get(worker):
        assert time.monotonic() < deadline, f"{worker} ran no task for {seconds} s"
        time.sleep(0.01)


def verdicts(outcome) -> dict:
    """What a student sees of each submission, without times and dates."""
    return {
        s.id: (s.status, s.score, s.passed, s.message, s.network, [
            (c.name, c.status, c.score, c.message, c.expected_text, c.got_text, c.stdout, c.traceback)
            for c in s.cases
        ])
        for s in outcome.submissions
    }


def make_certificates(folder: Path, names=("scheduler", "worker", "client"), authority: str = "ca") -> dict[str, tuple[Path, Path]]:
    """A certificate authority and one certificate per name signed by it, as the README
    tells the instructor to make them: {name: (certificate, key)}, "ca" included."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    key_options = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key_options, "-keyout", f"{authority}.key", "-out", f"{authority}.pem",
            "-days", "2", "-subj", f"/CN=grader-{authority}")
    made = {"ca": (folder / f"{authority}.pem", folder / f"{authority}.key")}
    for name in names:
        openssl("req", *key_options, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{authority}.pem", "-CAkey", f"{authority}.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2")
        made[name] = (folder / f"{name}.pem", folder / f"{name}.key")
    return made
