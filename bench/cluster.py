"""Cluster benchmark: a class of Aufgabe 1 through two local Dask workers against ``--jobs 2``.

Generates ``--count`` submissions (copies of the reference and the examples, as
``bench/throughput.py``), grades them once locally with ``--jobs 2`` and once
through a scheduler and two ``grader worker`` processes with one sandbox slot
each, all on this machine, in the same sandbox, ``--rounds`` times in turn
(the machine is shared: turns spread its load over both). Prints the wall
times and their ratio, the CPU time the scheduler and the Dask worker
processes (not their sandboxes) spent per submission, then Dask's own cost per
task: a task that does nothing, needing a sandbox slot as a submission does, one after
the other (the round trip a submission waits for) and many at once (what a
task costs the cluster's throughput).

    .venv/bin/python bench/cluster.py --count 100 --sandbox process
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil  # noqa: E402
from distributed import Client, as_completed  # noqa: E402
from throughput import make_class  # noqa: E402

from grader.cases import assignment as assignments  # noqa: E402
from grader.cases.expected import expected_for  # noqa: E402
from grader.cluster.client import connect  # noqa: E402
from grader.engine.batch import run  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(argv: list[str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as handle:
        return subprocess.Popen(argv, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def nothing() -> None:
    """A task without work: what remains is Dask's."""


def dask_overhead(address: str, sandbox: str, count: int) -> tuple[float, float]:
    """Seconds per no-op task: one after the other, and ``count`` at once."""
    remote = connect(address, sandbox=sandbox, log=lambda message: None)
    client, resources = remote.client, {remote.resource: 1}
    try:
        started = time.perf_counter()
        for _ in range(50):
            client.submit(nothing, pure=False, resources=resources).result()
        sequential = (time.perf_counter() - started) / 50
        started = time.perf_counter()
        for _ in as_completed([client.submit(nothing, pure=False, resources=resources) for _ in range(count)]):
            pass
        parallel = (time.perf_counter() - started) / count
    finally:
        remote.close()
    return sequential, parallel


def dask_cpu(client: Client, scheduler: subprocess.Popen) -> float:
    """CPU seconds so far of the scheduler and of the worker processes themselves."""
    workers = client.run(lambda: sum(psutil.Process().cpu_times()[:2]))
    return sum(workers.values()) + sum(psutil.Process(scheduler.pid).cpu_times()[:2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--sandbox", choices=["process", "docker"], default="process")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    quiet = lambda message: None  # noqa: E731
    expected_for(assignments.load(1))  # cached before either run is timed
    with tempfile.TemporaryDirectory(prefix="gnn-bench-cluster-") as work:
        work = Path(work)
        make_class(1, args.count, work / "class")

        port = free_port()
        address = f"tcp://127.0.0.1:{port}"
        processes = [start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                            "--port", str(port), "--no-dashboard"], work / "scheduler.log")]
        try:
            for index in range(2):
                processes.append(start([sys.executable, "-m", "grader.cli", "worker", address, "--sandbox", args.sandbox,
                                        "--slots", "1", "--host", "127.0.0.1"], work / f"worker{index}.log"))
            watcher = Client(address, timeout="60s")
            watcher.wait_for_workers(2, timeout=120)
            local = remote = cpu = 0.0
            for _ in range(args.rounds):
                for out in ("local", "cluster"):
                    shutil.rmtree(work / out, ignore_errors=True)
                started = time.perf_counter()
                run(aufgabe=1, submissions=work / "class", out=work / "local", sandbox=args.sandbox, jobs=2, log=quiet)
                local += time.perf_counter() - started
                before = dask_cpu(watcher, processes[0])
                started = time.perf_counter()
                outcome = run(aufgabe=1, submissions=work / "class", out=work / "cluster", sandbox=args.sandbox,
                              cluster=address, log=quiet)
                remote += time.perf_counter() - started
                cpu += dask_cpu(watcher, processes[0]) - before
                assert len(outcome.submissions) == args.count
            watcher.close()
            sequential, parallel = dask_overhead(address, args.sandbox, 1000)
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                process.wait()
    graded = args.count * args.rounds
    print(f"Aufgabe 1, {args.count} submissions x {args.rounds} rounds, sandbox {args.sandbox}, on {os.cpu_count()} cores")
    print(f"local --jobs 2:            {local:6.1f} s  ({local / graded:.3f} s/submission)")
    print(f"cluster, 2 workers x 1:    {remote:6.1f} s  ({remote / graded:.3f} s/submission)")
    print(f"ratio cluster / local:     {remote / local:6.2f}")
    print(f"scheduler + worker processes, CPU: {cpu / graded * 1000:.0f} ms per submission")
    print(f"Dask per no-op task:       {sequential * 1000:6.1f} ms one after the other, "
          f"{parallel * 1000:.1f} ms each with 1000 at once")


if __name__ == "__main__":
    main()
