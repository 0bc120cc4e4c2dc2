"""What the docker sandbox costs: N trivial submissions graded with docker and with process.

    .venv/bin/python bench/sandbox_overhead.py [-n 20]

Prints seconds per submission for each backend and their ratio. A trivial
submission has one case that returns at once, so the time is the sandbox's:
starting it, importing numpy, forking the case, cleaning up. Also prints the
CPU time the whole machine spent per submission, and what Docker itself
spends per container (one that only runs ``true``, with the sandbox's options
but without the harness): the part of the overhead no harness can save.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.backends.base import Backend, Job, Limits
from grader.backends.docker import DockerBackend
from grader.backends.docker_engine import docker_unavailable_reason
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job

CASES = """
from harness.api import case

@case("f/trivial", timeout=10)
def trivial(m, ctx):
    return {"y": m.f(1.0)}
"""


def busy_seconds() -> float:
    """CPU seconds the machine has been busy (all cores, not idle, not waiting for I/O)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def seconds_per_submission(backend: Backend, folders: list[Path]) -> tuple[float, float]:
    """(wall seconds, machine CPU seconds) per submission, one after another."""
    started, busy = time.monotonic(), busy_seconds()
    for folder in folders:
        run = run_job(backend, Job(folder, "student", CASES, {"f/trivial": 10.0}))
        if run.cases["f/trivial"].status != "ok":
            raise SystemExit(f"{backend.name}: the trivial case failed: {run.cases['f/trivial']}")
    return (time.monotonic() - started) / len(folders), (busy_seconds() - busy) / len(folders)


def bare_container_seconds(backend: DockerBackend, count: int) -> tuple[float, float]:
    """(wall, machine CPU) per container that only runs ``true``: Docker's own share."""
    with tempfile.TemporaryDirectory() as empty:
        started, busy = time.monotonic(), busy_seconds()
        for _ in range(count):
            container = backend._create(Limits(), False, Path(empty), Path(empty), command=["true"])
            container.start()
            container.wait()
            backend.registry.remove(container)
        return (time.monotonic() - started) / count, (busy_seconds() - busy) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="submissions per backend")
    args = parser.parse_args()
    reason = docker_unavailable_reason()
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory() as work:
        folders = []
        for i in range(args.n):
            folder = Path(work) / f"student{i}"
            folder.mkdir()
            (folder / "student.py").write_text("def f(x):\n    return 2 * x\n")
            folders.append(folder)
        docker_backend = DockerBackend()
        try:
            run_job(docker_backend, Job(folders[0], "student", CASES, {"f/trivial": 10.0}))  # warm caches
            docker_seconds, docker_cpu = seconds_per_submission(docker_backend, folders)
            bare_seconds, bare_cpu = bare_container_seconds(docker_backend, args.n)
        finally:
            docker_backend.close()
        process_seconds, process_cpu = seconds_per_submission(ProcessBackend(), folders)
    print(f"{args.n} trivial submissions, one case each, one after another")
    print(f"docker:  {docker_seconds:.2f} s per submission, {docker_cpu:.2f} s CPU ({docker_backend.image})")
    print(f"  of which Docker's own container (runs `true`): {bare_seconds:.2f} s, {bare_cpu:.2f} s CPU")
    print(f"process: {process_seconds:.2f} s per submission, {process_cpu:.2f} s CPU")
    print(f"ratio docker/process: {docker_seconds / process_seconds:.1f}")


if __name__ == "__main__":
    main()
