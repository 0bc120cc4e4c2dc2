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
``--phases`` adds, per sandbox, the time of each phase of grading per submission
and summed (``bench/phases.py``), so that a regression names its phase.

``--floor`` measures against the floor of bare containers instead (issue 30):
``--count`` copies of the reference graded with ``--sandbox docker``, and as many
bare ``docker run --rm --network none --read-only IMAGE python3 -c "import numpy"``,
``--jobs`` at a time, before and after the grader in the same run:

    .venv/bin/python bench/throughput.py --floor --count 100 --jobs 2 --phases
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import itertools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The sandboxes run numpy on one thread per submission; so does the floor, or it
# would count the BLAS threads' parallelism twice (once here, once in --jobs).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

from bench import phases  # noqa: E402
from grader.backends import image, make_backend  # noqa: E402
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


def bare_containers(count: int, jobs: int) -> float:
    """Seconds for ``count`` bare containers of the sandbox image that import numpy, ``jobs`` at a time."""
    tag = image.image_tag()
    command = ["docker", "run", "--rm", "--network", "none", "--read-only", tag, "python3", "-c", "import numpy"]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for done in pool.map(lambda _: subprocess.run(command, capture_output=True), range(count)):
            if done.returncode:
                raise RuntimeError(done.stderr.decode(errors="replace"))
    return time.monotonic() - start


def bare_container_cpu(samples: int = 5) -> float:
    """Mean CPU seconds inside one bare container that imports numpy (its own cgroup, v1 or v2)."""
    script = ('python3 -c "import numpy"; cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null '
              "|| awk '/usage_usec/ {print $2 * 1000}' /sys/fs/cgroup/cpu.stat")
    command = ["docker", "run", "--rm", "--network", "none", "--read-only", image.image_tag(), "sh", "-c", script]
    found = [int(float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)) for _ in range(samples)]
    return sum(found) / len(found) / 1e9


def daemons_cpu() -> float:
    """CPU seconds that dockerd and containerd used so far (0 where they cannot be read)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            if text[text.index("(") + 1 : text.rindex(")")] in ("dockerd", "containerd"):
                fields = text[text.rindex(")") + 2 :].split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Spent:
    """Wall seconds, this process's CPU (its threads; its waited children: the docker CLI) and the daemons'."""

    def __enter__(self):
        self.start = (time.monotonic(), *self._cpu())
        return self

    @staticmethod
    def _cpu() -> tuple[float, float, float]:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime, daemons_cpu()

    def __exit__(self, *exc):
        self.wall, self.own, self.children, self.daemons = (
            end - start for end, start in zip((time.monotonic(), *self._cpu()), self.start, strict=True)
        )


def against_bare_containers(number: int, count: int, jobs: int, show_phases: bool) -> None:
    """The docker batch of ``count`` copies of the reference against bare containers, before and after."""
    a = assignments.load(number)
    with tempfile.TemporaryDirectory(prefix="gnn-bench-") as work:
        root = Path(work) / "class"
        root.mkdir()
        for index in range(count):
            shutil.copytree(a.reference, root / f"student{index:03d}")
        expected_for(a)
        with Spent() as before:
            bare_containers(count, jobs)
        timed = phases.instrumented() if show_phases else contextlib.nullcontext()
        with timed as timeline, Spent() as grader:
            run(aufgabe=number, submissions=root, out=Path(work) / "out", sandbox=make_backend("docker"),
                jobs=jobs, log=lambda m: None)
        with Spent() as after:
            bare_containers(count, jobs)
    floor = (before.wall + after.wall) / 2
    load = os.getloadavg()
    print(f"Aufgabe {number}, {count} x reference, --jobs {jobs}, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'grader s':>9} {'floor s':>8} {'before':>7} {'after':>7} {'ratio':>6} {'beyond s/sub':>13}")
    print(f"{grader.wall:>9.1f} {floor:>8.1f} {before.wall:>7.1f} {after.wall:>7.1f} {grader.wall / floor:>6.2f} "
          f"{(grader.wall - floor) / count:>13.3f}")
    print("CPU ms per submission (grader) or container (floor): this process / its children (docker CLI) / "
          "dockerd+containerd")
    for name, spent in (("floor before", before), ("grader", grader), ("floor after", after)):
        print(f"  {name:<13} {1000 * spent.own / count:6.0f} {1000 * spent.children / count:6.0f} "
              f"{1000 * spent.daemons / count:6.0f}")
    if timeline is not None:
        print(phases.table({"docker": timeline}, count))
        print(f"docker: CPU inside a bare container {1000 * bare_container_cpu():.0f} ms (mean of 5)")


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
    parser.add_argument("--phases", action="store_true", help="time each phase of grading (bench/phases.py)")
    parser.add_argument("--floor", action="store_true",
                        help="docker against bare containers of the same image (default: Aufgabe 1)")
    args = parser.parse_args()
    if args.floor:
        for number in args.aufgabe or [1]:
            against_bare_containers(number, args.count, args.jobs, args.phases)
        return
    numbers = args.aufgabe or assignments.available()
    timelines: dict[str, phases.Timeline] = {}
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
                timed = phases.instrumented() if args.phases else contextlib.nullcontext()
                # Timed before the backend exists: it keeps the (timed) functions its threads run.
                with timed as timeline, MemoryPeak() as memory, CpuBusy() as cpu:
                    backend = ProcessBackend(bubblewrap=False) if sandbox == "process-weak" else make_backend(sandbox)
                    if args.no_spares:
                        backend.reserve = lambda count: None
                    start = time.monotonic()
                    run(aufgabe=number, submissions=root, out=out, sandbox=backend, jobs=args.jobs,
                        log=lambda m: None)
                    wall = time.monotonic() - start
                if timeline is not None:
                    timelines[sandbox] = timeline
                n = len(folders)
                print(f"{number:>7} {sandbox:>12} {n:>4} {wall:>8.1f} {wall / n:>7.2f} {60 * n / wall:>9.1f} "
                      f"{memory.peak / 2**20:>8.0f} {cpu.share:>8.0%} {floor:>8.1f} {wall / floor:>6.2f} "
                      f"{(wall - floor) / n:>15.2f} {(wall - floor) * args.jobs / n:>12.2f}", flush=True)
            if timelines:
                print(phases.table(timelines, len(folders)), flush=True)
                timelines.clear()


if __name__ == "__main__":
    main()
