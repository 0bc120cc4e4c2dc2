"""Throughput benchmark: grade a generated class per Aufgabe and compare with the floor.

For each Aufgabe a class of ``--count`` submissions is generated from the
reference and the example submissions (correct and wrong), graded with
``grader.engine.batch.run`` in each requested sandbox, and compared with the
floor: the same cases run in one plain Python process, without any sandbox,
divided by the number of jobs. Prints seconds per submission, submissions per
minute, the peak of the machine's used memory during the run, the ratio of
wall time to the floor, and the overhead per submission, read two ways:
(wall - floor) / n, what a submission adds to the batch's wall time, and that
times the jobs, what it costs the sandbox running it (on a busy CPU: CPU time).

    .venv/bin/python bench/throughput.py --count 100 --sandbox process docker

``process-weak`` is the process sandbox without bubblewrap (what runs where
the kernel allows no namespaces), to measure what bubblewrap costs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The sandboxes run numpy on one thread per submission; so does the floor, or it
# would count the BLAS threads' parallelism twice (once here, once in --jobs).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

from grader.backends import make_backend  # noqa: E402
from grader.backends.process import ProcessBackend  # noqa: E402
from grader.cases import assignment as assignments  # noqa: E402
from grader.cases.expected import expected_for  # noqa: E402
from grader.engine.batch import run  # noqa: E402
from harness import plain  # noqa: E402
from harness.api import Context  # noqa: E402


def sources(number: int) -> list[Path]:
    """Folders of the reference and of every example submission of Aufgabe ``number``."""
    a = assignments.load(number)
    found = [a.reference]
    examples = ROOT / "examples" / "submissions" / f"aufgabe{number}"
    if examples.is_dir():
        found += [p for p in sorted(examples.iterdir()) if p.is_dir() and (p / f"{a.module}.py").is_file()]
    return found


def make_class(number: int, count: int, root: Path) -> list[Path]:
    folders = []
    for index, source in zip(range(count), itertools.cycle(sources(number))):
        target = root / f"student{index:03d}"
        shutil.copytree(source, target)
        folders.append(target)
    return folders


def floor_seconds(number: int, folders: list[Path]) -> float:
    """Every case of every submission in this process, no sandbox, no fork."""
    a = assignments.load(number)
    total = 0.0
    for index, folder in enumerate(folders):
        spec = importlib.util.spec_from_file_location(f"bench_{number}_{index}", folder / f"{a.module}.py")
        start = time.perf_counter()
        module = importlib.util.module_from_spec(spec)
        with contextlib.redirect_stdout(io.StringIO()):  # what students print is not the point
            spec.loader.exec_module(module)
        for case in a.cases:
            with tempfile.TemporaryDirectory() as scratch:
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        plain.encode(case.func(module, Context(Path(scratch), a.resources)))
                except Exception:
                    pass  # a wrong submission's error costs what it costs
            import matplotlib.pyplot as plt

            plt.close("all")
        total += time.perf_counter() - start
    return total


class CpuBusy:
    """Share of the machine's CPU time that was busy (not idle or waiting for I/O)."""

    @staticmethod
    def _ticks() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]

    def __enter__(self):
        self.start = self._ticks()
        return self

    def __exit__(self, *exc):
        total, idle = (end - start for end, start in zip(self._ticks(), self.start, strict=True))
        self.share = 1 - idle / max(total, 1)


class MemoryPeak:
    """Peak of (MemTotal - MemAvailable) above the level at the start, sampled every 50 ms."""

    def __init__(self):
        self.base = self._used()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _used() -> int:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        kib = lambda key: int(info[key].split()[0])  # noqa: E731
        return (kib("MemTotal") - kib("MemAvailable")) * 1024

    def _sample(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._used() - self.base)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aufgabe", type=int, nargs="*", default=None)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--sandbox", nargs="+", default=["process"], choices=["process", "process-weak", "docker"])
    parser.add_argument("--no-spares", action="store_true",
                        help="start every sandbox on demand (to see what starting them ahead gains)")
    args = parser.parse_args()
    numbers = args.aufgabe or assignments.available()
    print(f"{'Aufgabe':>7} {'sandbox':>12} {'n':>4} {'wall s':>8} {'s/sub':>7} {'subs/min':>9} "
          f"{'peak MB':>8} {'cpu busy':>8} {'floor s':>8} {'ratio':>6} {'overhead s/sub':>15} "
          f"{'per sandbox':>12}")
    for number in numbers:
        with tempfile.TemporaryDirectory(prefix="gnn-bench-") as work:
            root = Path(work) / "class"
            root.mkdir()
            folders = make_class(number, args.count, root)
            expected_for(assignments.load(number))  # the cache is warm in a real course too
            floor = floor_seconds(number, folders) / args.jobs
            for index, sandbox in enumerate(args.sandbox):
                out = Path(work) / f"out-{index}-{sandbox}"  # a row never reuses another's results
                backend = ProcessBackend(bubblewrap=False) if sandbox == "process-weak" else make_backend(sandbox)
                if args.no_spares:
                    backend.reserve = lambda count: None
                with MemoryPeak() as memory, CpuBusy() as cpu:
                    start = time.monotonic()
                    run(aufgabe=number, submissions=root, out=out, sandbox=backend, jobs=args.jobs,
                        log=lambda m: None)
                    wall = time.monotonic() - start
                n = len(folders)
                print(f"{number:>7} {sandbox:>12} {n:>4} {wall:>8.1f} {wall / n:>7.2f} {60 * n / wall:>9.1f} "
                      f"{memory.peak / 2**20:>8.0f} {cpu.share:>8.0%} {floor:>8.1f} {wall / floor:>6.2f} "
                      f"{(wall - floor) / n:>15.2f} {(wall - floor) * args.jobs / n:>12.2f}", flush=True)


if __name__ == "__main__":
    main()
