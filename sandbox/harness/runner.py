"""The warm parent: reads one job, runs each case in a fresh forked child.

The parent imports numpy and matplotlib once, then for every case forks a
child that imports the student's module anew, calls the case function and
writes its plain result into a pipe. The parent never runs student code. It
watches each child from outside (``harness.watch``): the CPU time of the
case's processes, a wall-clock backstop on a monotonic clock,
caps on what the child returns (what it prints is read to the end and kept in
part), and afterwards SIGKILL of every process the case left behind (the
parent is a child subreaper, so orphans come back to it) and an empty scratch
directory for the next case.

The host may send a second job after the first one's ``done``: its hidden
cases (see ``grader.backends.session``). Stdin is read unbuffered and only
frame by frame, so nothing of a job the host has not sent yet is ever in this
process's memory, which every case process gets a copy of.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from pathlib import Path

from . import figures, plain, protocol, reaper
from .api import collect, latest_end, wall_limit
from .case_process import IMPORTED, PARENT_IGNORES, child
from .watch import Watch

png_bytes_left = figures.MAX_SUBMISSION_PNG_BYTES
"""What this harness (one submission's) may still send of figures."""


class Job:
    """The job frame sent by the host, see ``grader.sandbox_session``."""

    def __init__(self, header: dict, blobs: list[bytes]):
        self.module = header["module"]
        self.submission = Path(header["submission"])
        self.cases_source = header["cases_source"]
        self.case_names = header["cases"]
        self.timeouts = header["timeouts"]
        """Case name -> CPU seconds."""
        self.walls = header.get("walls") or {name: wall_limit(t) for name, t in self.timeouts.items()}
        """Case name -> wall-clock seconds, the backstop."""
        self.resources = dict(zip(header["resources"], blobs, strict=True))
        self.scratch = Path(header["scratch"])
        self.wipe = [Path(p) for p in header.get("wipe", [])]
        self.limits = header.get("limits", {})
        self.result_cap = header.get("result_cap", 64 << 20)
        self.more = header.get("more", False)
        """Whether the host sends another job after this one's ``done``."""


def load_cases(source: str):
    """The case module, compiled from the source the host sent (never a file here)."""
    import types

    module = types.ModuleType("aufgabe_cases")
    exec(compile(source, "<cases>", "exec"), module.__dict__)
    return {c.name: c for c in collect(module)}


def main(argv: list[str] | None = None) -> None:
    """``argv``: ``--isolate-network`` (leave the network first), ``--warm-pyplot``
    (import pyplot before the job arrives: the Aufgabe's cases draw). Without
    ``argv``, the options follow the harness folder in ``sys.argv`` (see BOOT)."""
    options = set(sys.argv[2:] if argv is None else argv)
    for sig in PARENT_IGNORES:
        signal.signal(sig, signal.SIG_IGN)
    # The protocol owns the real stdout; nothing else may write to it.
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    # Before anything could start a thread: unshare() may want a single one.
    network = reaper.leave_network() if "--isolate-network" in options else "sandbox"
    os.environ["MPLBACKEND"] = "Agg"
    # Everything that does not depend on the submission happens before the job
    # is read: a harness started ahead waits here, warm, for its submission.
    warm_up(pyplot="--warm-pyplot" in options)
    reaper.become_subreaper()
    reaper.forbid_inspection()
    read_exactly = protocol.stream_reader(sys.stdin.buffer.raw)
    more = True
    while more:
        job = Job(*protocol.read(read_exactly))
        more = run_phase(job, channel_out, network)
    protocol.write(channel_out, {"type": "done", "ended": True})


def run_phase(job: Job, channel_out, network: str) -> bool:
    """Run the cases of one job frame; whether this harness can take another."""
    cases = load_cases(job.cases_source)
    if "matplotlib.pyplot" in sys.modules or mentions_matplotlib(job.submission):
        warm_up(pyplot=True)  # the cases or the student's code draw: once, here
    # What the parent holds now is never collected again: a case's garbage
    # collector does not walk (and so copy) the parent's objects.
    gc.freeze()
    protocol.write(
        channel_out,
        {"type": "ready", "versions": versions(), "network": network},
    )
    for name in job.case_names:
        report, blobs = run_case(job, cases[name], job.timeouts[name], job.walls[name])
        # Cleaned before the frame goes out, so that a failure here is never
        # blamed on the next case: what cannot be removed would be seen by it,
        # so this harness takes no more and the host starts a fresh one.
        try:
            clean_up(job)
        except Exception:
            send_case(channel_out, name, report, blobs)
            return False
        send_case(channel_out, name, report, blobs)
    if not job.more:
        return False
    protocol.write(channel_out, {"type": "done"})
    return True


def send_case(channel_out, name: str, report: dict, blobs: list[bytes]) -> None:
    """The case's frame; a result that JSON cannot carry becomes ``no-result``."""
    try:
        frame = protocol.encode(dict(report, type="case", name=name), blobs)
    except (ValueError, TypeError, RecursionError):
        bare = {key: value for key, value in report.items() if key != "result"}
        frame = protocol.encode(dict(bare, type="case", name=name, status="no-result"))
    channel_out.write(frame)
    channel_out.flush()


def warm_up(pyplot: bool) -> None:
    """Import what every case needs once in the parent, not in every forked child."""
    import zipfile  # noqa: F401  (numpy.savez needs it for every result)

    import numpy
    import numpy.random

    plain.encode({"value": numpy.zeros(2), "figures": []})
    if pyplot and not figures.warmed:
        figures.warm_up()


def versions() -> dict:
    """Python, numpy and matplotlib as the cases see them (matplotlib unimported where unused)."""
    import numpy

    found = {"python": sys.version.split()[0], "numpy": numpy.__version__}
    if "matplotlib" in sys.modules:
        found["matplotlib"] = sys.modules["matplotlib"].__version__
    else:
        found["matplotlib"] = _installed_version("matplotlib")
    return found


def _installed_version(distribution: str) -> str:
    """A distribution's version from its ``.dist-info`` folder's name: importlib.metadata
    (with the email package) costs ~20 ms of CPU per job and stays in every case's parent."""
    prefix, suffix = f"{distribution}-", ".dist-info"
    for entry in filter(os.path.isdir, sys.path):
        for name in os.listdir(entry):
            if name.startswith(prefix) and name.endswith(suffix):
                return name[len(prefix) : -len(suffix)]
    return "nicht installiert"


def mentions_matplotlib(folder: Path) -> bool:
    """Whether the submission's source mentions matplotlib (read as text, never run)."""
    for path in list(folder.glob("*.py"))[:50]:
        try:
            if b"matplotlib" in path.read_bytes()[:1_000_000]:
                return True
        except OSError:
            continue
    return False


def clean_up(job: Job) -> None:
    """Kill what the case left running; empty every directory it could write."""
    reaper.kill_descendants()
    for directory in [job.scratch, *job.wipe]:
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            reaper.remove_tree(entry)
    if Path("/dev/mqueue") in job.wipe:  # the sandbox's own IPC namespace: SysV objects too
        reaper.remove_ipc()


def run_case(job: Job, case, cpu: float, wall: float) -> tuple[dict, list[bytes]]:
    """Fork a child for one case and watch it, ``cpu`` seconds of CPU time and ``wall``
    seconds on the clock; returns (report, blobs)."""
    scratch = job.scratch / f"case-{os.urandom(4).hex()}"
    scratch.mkdir(mode=0o700)
    pipes = [os.pipe() for _ in range(3)]  # stdout, stderr, result
    oom_before = reaper.oom_kills()
    forks_before = reaper.fork_failures()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
        try:
            os.setsid()
            for read_end, _ in pipes:
                os.close(read_end)
            child(job, case, scratch, [w for _, w in pipes], cpu)
        finally:
            os._exit(70)
    for _, write_end in pipes:
        os.close(write_end)
    watch = Watch(pid, [r for r, _ in pipes], job.result_cap)
    outcome = watch.run(cpu, start + wall, start + latest_end(wall))
    seconds = time.monotonic() - start
    report = {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(watch.cpu, 3),
        "stdout": watch.excerpt(0),
        "stderr": watch.excerpt(1),
        "stdout_bytes": watch.totals[0],
        "stderr_bytes": watch.totals[1],
        "exit": watch.exit_status,
    }
    if outcome == "finished" and reaper.oom_kills() > oom_before and watch.exit_status != 0:
        outcome = "oom"
    # A case that hit the sandbox's process limit and did not end well is
    # reported as such, not as the timeout or exception that followed from it.
    hit_pids_limit = reaper.fork_failures() > forks_before
    if outcome == "timeout" and hit_pids_limit:
        outcome = "pids"
    produced = bytes(watch.buffers[2])
    imported = produced.startswith(IMPORTED)
    if outcome != "finished":
        # Where the time (or memory) ran out: "import" makes one message of every case's.
        if outcome == "timeout":
            report["limit"] = watch.limit
        return dict(report, status=outcome, stage="case" if imported else "import"), []
    try:
        result, blobs = protocol.read(_bytes_reader(produced[len(IMPORTED):] if imported else produced))
    except (EOFError, protocol.ProtocolError):
        return dict(report, status="pids" if hit_pids_limit else "no-result"), []
    if hit_pids_limit and result.get("status") != "ok":
        return dict(report, status="pids"), []
    result, blobs, dropped = cap_figures(result, blobs)
    return dict(report, status="finished", result=result, figures_dropped=dropped), blobs


def cap_figures(result: dict, blobs: list[bytes]) -> tuple[dict, list[bytes], int]:
    """Leave out figures beyond ``figures.MAX_FIGURES`` per case, ``MAX_PNG_BYTES`` per
    figure or ``MAX_SUBMISSION_PNG_BYTES`` in all (the host caps the same again).

    The cap of ``figures.capture`` holds only while the case leaves it alone;
    this one holds whatever the case patched. A result whose figures do not
    match its PNGs goes on as it is: the host refuses it.
    """
    global png_bytes_left
    data = result.get("data")
    shown = data.get("figures") if isinstance(data, dict) else None
    pngs = blobs[1:]
    if result.get("status") != "ok" or not isinstance(shown, list) or len(shown) != len(pngs):
        return result, blobs, 0
    keep = []
    for i, png in enumerate(pngs):
        if len(keep) < figures.MAX_FIGURES and len(png) <= min(figures.MAX_PNG_BYTES, png_bytes_left):
            keep.append(i)
            png_bytes_left -= len(png)
    if len(keep) == len(pngs):
        return result, blobs, 0
    data = dict(data, figures=[shown[i] for i in keep])
    return dict(result, data=data), blobs[:1] + [pngs[i] for i in keep], len(pngs) - len(keep)


def _bytes_reader(data: bytes):
    view = memoryview(data)
    position = 0

    def read_exactly(n: int) -> bytes:
        nonlocal position
        if position + n > len(view):
            raise EOFError("result ends early")
        chunk = bytes(view[position : position + n])
        position += n
        return chunk

    return read_exactly
