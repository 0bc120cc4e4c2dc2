"""Drive one submission's harness through a backend, whatever the harness does.

The harness answers with a ``ready`` frame, then one frame per case. The host
gives each case its time limit plus a grace on its own monotonic clock. When a
frame does not come in time, or the harness dies, the channel is closed (the
backend kills everything) and a new harness is started for the cases that
are left: one case that brings down its sandbox costs only that case.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from harness import protocol

from .. import validate
from ..validate import CaseRun
from .base import Backend, ChannelTimeout, ExitInfo, Job, SandboxLost

STARTUP_SECONDS = 60.0
"""How long a harness may take to import numpy and matplotlib and say ready."""
GRACE_SECONDS = 5.0
"""Extra time on top of a case's limit before the host stops waiting."""


@dataclass
class JobRun:
    cases: dict[str, CaseRun]
    versions: dict
    restarts: int = 0


def run_job(backend: Backend, job: Job) -> JobRun:
    """Run every case of ``job``; every case ends with a CaseRun."""
    runs: dict[str, CaseRun] = {}
    versions: dict = {}
    restarts = -1
    while len(runs) < len(job.timeouts):
        restarts += 1
        remaining = [name for name in job.timeouts if name not in runs]
        before = len(runs)
        versions = _one_harness(backend, job, remaining, runs) or versions
        if len(runs) == before:
            # Not even one case came back: the sandbox itself cannot run.
            for name in remaining:
                runs[name] = CaseRun(name, "sandbox", message="Die Sandbox ließ sich nicht starten.")
    if any(run.status == "sandbox" for run in runs.values()) and not backend.healthy():
        raise SandboxLost("Die Sandbox ist während der Bewertung ausgefallen.")
    return JobRun({name: runs[name] for name in job.timeouts}, versions, restarts)


def _one_harness(backend: Backend, job: Job, cases: list[str], runs: dict) -> dict | None:
    """Start one harness for ``cases``; fill ``runs`` with what it answers."""
    try:
        channel, header = backend.open(job, cases)
    except SandboxLost:
        raise  # not this submission's fault: the batch stops, see grading.run
    except Exception as exc:  # a backend that cannot start is a verdict, not a crash
        for name in cases:
            runs[name] = CaseRun(name, "sandbox", message=f"Sandbox-Start fehlgeschlagen: {exc}")
        return None
    current = None
    versions = None
    finished = False
    try:
        channel.send(protocol.encode(header, list(job.resources.values())))
        ready, _ = _frame(channel, time.monotonic() + STARTUP_SECONDS, job)
        versions = ready.get("versions") if ready.get("type") == "ready" else None
        for name in cases:
            current = name
            deadline = time.monotonic() + job.timeouts[name] + GRACE_SECONDS
            frame, blobs = _frame(channel, deadline, job)
            if frame.get("type") != "case" or frame.get("name") != name:
                raise protocol.ProtocolError(f"expected the result of {name}")
            runs[name] = validate.case_run(name, frame, blobs)
        current = None
        finished = True
    except ChannelTimeout:
        if current is not None:
            runs[current] = CaseRun(current, "timeout", seconds=job.timeouts[current])
    except (EOFError, protocol.ProtocolError, OSError) as exc:
        info = channel.close()
        if current is not None:
            runs[current] = _died(current, info, exc)
    finally:
        if finished:
            channel.release()  # every case answered: the backend may tidy up later
        else:
            channel.close()  # a runaway case or a grader error: end it now
    return versions


def _frame(channel, deadline: float, job: Job):
    return protocol.read(
        lambda n: channel.read_exactly(n, deadline),
        max_blobs=job.limits.result_cap + (1 << 20),
    )


def _died(name: str, info: ExitInfo, exc: Exception) -> CaseRun:
    if info.oom_killed:
        return CaseRun(name, "oom", exit_code=info.exit_code)
    return CaseRun(
        name,
        "sandbox",
        exit_code=info.exit_code,
        message=f"Die Sandbox endete während dieses Falls unerwartet ({type(exc).__name__}).",
        stderr=info.stderr,
    )
