"""The case process: what runs in the child the harness forks for one case.

It gives up what the parent holds (signals it ignores, every descriptor but
its three pipes), takes the case's rlimits, imports the student's module
anew, calls the case function and writes the plain result into its pipe.
The parent (``harness.runner``) watches it from outside.
"""

from __future__ import annotations

import importlib.util
import math
import os
import resource
import signal
import sys
import traceback
from pathlib import Path

from . import figures, plain, protocol, reaper
from .api import Context

PARENT_IGNORES = (
    signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT,
    signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM,
)
"""Signals a case (same user) could send the parent to end it; the host ends
the harness with SIGKILL only."""
IMPORTED = b"I"
"""Written to the result pipe once the student's module is imported, before the
frame: a case that then runs out of time ran out in its own code, not in the
import (a frame itself starts with ``protocol.MAGIC``)."""


def child(job, case, scratch: Path, fds: list[int], cpu: float) -> None:  # pragma: no cover
    """Runs in the forked child: import the student's module, run the case in ``cpu``
    seconds of CPU time, report."""
    stdout_fd, stderr_fd, result_fd = fds
    for sig in (*PARENT_IGNORES, signal.SIGPIPE, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)
    os.close(stdout_fd)
    os.close(stderr_fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    # fork() copies every descriptor of the parent, the host's protocol channel
    # included: student code must not be able to forge frames on it.
    os.closerange(3, result_fd)
    os.closerange(result_fd + 1, os.sysconf("SC_OPEN_MAX"))
    apply_limits(job.limits)
    resource.setrlimit(resource.RLIMIT_CPU, cpu_rlimit(cpu))
    os.chdir(scratch)
    os.environ.update(HOME=str(scratch), TMPDIR=str(scratch))
    sys.dont_write_bytecode = True
    result = os.fdopen(result_fd, "wb")

    def imported() -> None:
        result.write(IMPORTED)
        result.flush()

    header, blobs = execute(job, case, scratch, imported)
    sys.stdout.flush()
    sys.stderr.flush()
    result.write(protocol.encode(header, blobs))
    result.flush()
    os._exit(0)


def execute(job, case, scratch: Path, imported=lambda: None) -> tuple[dict, list[bytes]]:  # pragma: no cover
    """Import, run, capture: (result header, blobs) for the parent; ``imported`` is called between import and case."""
    stage = "import"
    try:
        module = import_submission(job.submission, job.module)
        imported()
        stage = "case"
        value = case.func(module, Context(scratch, job.resources))
        stage = "figures"
        captured = figures.capture(extra=[value])
        if hasattr(value, "savefig"):
            value = {"$figure": 0}
        structure, npz = plain.encode({"value": value, "figures": [d for d, _ in captured]})
    except plain.NotPlain as exc:
        return {"status": "not-plain", "message": str(exc)}, []
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included
        return {
            "status": "exception",
            "stage": stage,
            "exception": type(exc).__name__,
            "message": _safe_str(exc),
            "traceback": student_traceback(exc, job.submission),
        }, []
    return {"status": "ok", "data": structure}, [npz] + [png for _, png in captured]


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:2000]
    except Exception:  # a student's exception whose __str__ raises
        return "<Nachricht nicht lesbar>"


def import_submission(directory: Path, name: str):  # pragma: no cover
    path = directory / f"{name}.py"
    sys.path.insert(0, str(directory))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def student_traceback(exc: BaseException, submission: Path) -> str:
    """The traceback of the student's own code: grader frames left out."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.startswith(str(submission))
    ]
    for frame in frames:
        frame.filename = os.path.relpath(frame.filename, submission)
    lines = traceback.format_list(frames)
    try:
        lines += traceback.format_exception_only(type(exc), exc)
    except Exception:
        lines.append(type(exc).__name__ + "\n")
    return "".join(lines)[-8000:]


def apply_limits(limits: dict) -> None:  # pragma: no cover
    """rlimits of the case process, given by the host for its backend."""
    pairs = {
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
        "nproc": resource.RLIMIT_NPROC,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in pairs.items():
        if limits.get(key):
            resource.setrlimit(which, (limits[key], limits[key]))
    if limits.get("memory"):
        room = reaper.virtual_size() + limits["memory"]
        resource.setrlimit(resource.RLIMIT_AS, (room, room))


def cpu_rlimit(cpu: float) -> tuple[int, int]:
    """RLIMIT_CPU (soft, hard) of a case process with ``cpu`` seconds: the kernel's
    own stop (SIGXCPU, then SIGKILL a second later, should the case catch it) for
    when the harness gets no CPU to watch; a second after the harness's own stop at
    ``cpu``, which also counts the case's other processes."""
    soft = math.ceil(cpu) + 1
    return soft, soft + 1
