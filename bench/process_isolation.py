"""What bubblewrap costs the process sandbox: trivial submissions with and without it.

    .venv/bin/python bench/process_isolation.py [-n 40] [--rounds 2]

A trivial submission has one case that returns at once, so what is measured is
the sandbox: starting it (with bubblewrap: bubblewrap's namespaces and the
harness joining them), the job, the case's fork, the clean-up. Each mode runs
in a grader process of its own, one submission after another, and prints wall
seconds and CPU seconds per submission; the CPU time is that of the grader and
everything it started (zygote, bubblewrap, harnesses, cases), so it does not
depend on what else the machine does. The modes alternate for ``--rounds``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.backends import process
from grader.backends.base import Job
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job

CASES = """
from harness.api import case

@case("f/trivial", timeout=10)
def trivial(m, ctx):
    return {"y": m.f(1.0)}
"""
MODES = {"schwach": False, "bubblewrap": True}


def cpu_seconds() -> float:
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(mode: str, count: int) -> None:
    """One grader process: ``count`` submissions in ``mode``; prints one row."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "student"
        folder.mkdir()
        (folder / "student.py").write_text("def f(x):\n    return 2 * x\n")
        job = Job(folder, "student", CASES, {"f/trivial": 10.0})
        backend = ProcessBackend(bubblewrap=MODES[mode])
        run_job(backend, job)  # the zygote imports numpy once, in every mode
        started, cpu = time.monotonic(), cpu_seconds()
        for _ in range(count):
            outcome = run_job(backend, job).cases["f/trivial"]
            if outcome.status != "ok":
                raise SystemExit(f"{mode}: the trivial case failed: {outcome}")
        wall = time.monotonic() - started
        backend.close()
        process._stop_zygotes()  # reaped: their CPU time (and their children's) counts
        used = cpu_seconds() - cpu
    print(f"{mode:>10} {count:>4} {wall / count:>10.3f} {used / count:>9.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="submissions per row")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", choices=list(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure(args.one, args.n)
        return
    print(f"{'sandbox':>10} {'n':>4} {'wall s/sub':>10} {'CPU s/sub':>9}", flush=True)
    for _ in range(args.rounds):
        for mode in MODES:
            subprocess.run([sys.executable, __file__, "--one", mode, "-n", str(args.n)], check=True)


if __name__ == "__main__":
    main()
