"""What crosses the network between the instructor's host and a cluster worker.

To the worker: the job without expected values (``grader.backends.base.Job``)
and the submission's folder as a zip, packed with the same walk that copies a
hand-in into a local sandbox (``grader.intake.handin``). Back: per case one frame of
the harness protocol, as the harness sent it: JSON, ``.npz`` arrays, PNGs.
The instructor's host reads those frames with the same caps and the same
validation (``grader.backends.validate``) as frames from a local sandbox; the worker's
bytes are never trusted more than a sandbox's.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.backends import validate
from grader.backends.base import Job
from grader.backends.session import JobRun
from grader.backends.validate import RESULT_STATUSES
from grader.common.status import CaseRun, RunStatus
from grader.intake import archives, handin
from grader.intake.filenames import readable
from harness import plain, protocol

HOST_STATUSES = {RunStatus.SANDBOX, RunStatus.INVALID, RunStatus.ENDED}
"""Statuses the worker's grader gives a case itself (the harness never sends them)."""
MAX_HEADER = protocol.MAX_HEADER + (1 << 20)
"""A case's frame from a worker holds what the local sandbox's frame may hold, encoded
again, and a few texts once more (message, stage): never more than a MiB of them."""
_SOURCES = (Path(__file__).resolve().parents[1], Path(protocol.__file__).resolve().parent)


def grader_version() -> str:
    """The package version and a hash of the grader's and the harness's code: a worker
    whose code differs in any way would judge differently, so it must not grade."""
    digest = hashlib.sha256()
    for root in _SOURCES:
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return f"{metadata.version('gnn-grader')}+{digest.hexdigest()[:12]}"


def pack_handin(folder: Path) -> bytes:
    """The submission folder as an uncompressed zip; links and bytecode never go in.

    Raises UnsafeHandIn (German) for what ``handin.walk`` refuses, for a file
    name that is not UTF-8, which a zip cannot carry as it is, and for a name
    the worker's ``archives.unpack`` would refuse: here it is the hand-in's
    verdict, there it would be a failed task.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for relative, is_dir in handin.walk(folder):
            name = relative.as_posix()
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise handin.UnsafeHandIn(
                    f"der Dateiname {readable(name)!r} ist kein gültiges UTF-8 und lässt sich nicht an "
                    "einen Bewertungsrechner des Clusters schicken (bitte die Datei umbenennen)"
                ) from None
            try:
                archives.check_name(name)
            except archives.UnsafeArchive as exc:
                raise handin.UnsafeHandIn(str(exc)) from None
            if is_dir:
                archive.writestr(name + "/", b"")
            else:
                archive.writestr(name, (folder / relative).read_bytes())
    return buffer.getvalue()


def encode_run(job_run: JobRun, sandbox: str) -> dict:
    """The worker's answer: the sandbox that ran it, what its harnesses said (versions,
    network) and one harness frame per case."""
    return {
        "sandbox": sandbox,
        "versions": job_run.versions,
        "restarts": job_run.restarts,
        "network": job_run.network,
        "frames": [_frame(run) for run in job_run.cases.values()],
    }


def _frame(run: CaseRun) -> bytes:
    header: dict[str, Any] = {
        "type": "case",
        "name": run.name,
        "status": "finished" if run.status in RESULT_STATUSES else run.status,
        "stdout": run.stdout,
        "stderr": run.stderr,
        "seconds": run.seconds,
        "exit": run.exit_code,
        "message": run.message,
        "figures_dropped": run.figures_dropped,
        "stage": run.stage,
        "cpu_seconds": run.cpu_seconds,
        "limit": run.limit,
    }
    blobs: list[bytes] = []
    if run.status in RESULT_STATUSES:
        # The worker decoded what its harness encoded; what passed that decoding is encoded again
        # unchanged (lists stay lists), so that the host's decoding of it gives the same value.
        structure, npz = plain.encode(
            {"value": run.value, "figures": [f["data"] for f in run.figures]}, keep_lists=True
        )
        header["result"] = {
            "status": run.status,
            "message": run.message,
            "exception": run.exception,
            "stage": run.stage,
            "traceback": run.traceback,
            "data": structure,
        }
        blobs = [npz, *(f["png"] for f in run.figures)]
    return protocol.encode(header, blobs)


def decode_run(answer: object, job: Job) -> JobRun:
    """A JobRun from a worker's answer, validated like a local sandbox's frames; a case
    missing or unreadable in the answer is a sandbox failure of that case."""
    answer = answer if isinstance(answer, dict) else {}
    runs: dict[str, CaseRun] = {}
    budget = validate.FigureBudget()  # the same cap on a submission's pictures as a local run
    frames = answer.get("frames")
    for frame in frames if isinstance(frames, list) else []:
        run = _case_run(frame, job)
        if run is not None and run.name in job.timeouts and run.name not in runs:
            budget.take(run)
            runs[run.name] = run
    for name in job.timeouts:
        runs.setdefault(name, CaseRun(name, RunStatus.SANDBOX, message="Der Bewertungsrechner lieferte für diesen Fall kein lesbares Ergebnis."))
    restarts = answer.get("restarts")
    return JobRun(
        {name: runs[name] for name in job.timeouts},
        validate.versions(answer.get("versions")),
        restarts if type(restarts) is int else 0,
        validate.network(answer.get("network")),
    )


def _case_run(frame: object, job: Job) -> CaseRun | None:
    if not isinstance(frame, bytes):
        return None
    stream = io.BytesIO(frame)
    try:
        header, blobs = protocol.read(
            protocol.stream_reader(stream), max_header=MAX_HEADER, max_blobs=job.limits.result_cap + (1 << 20)
        )
    except (protocol.ProtocolError, EOFError):
        return None
    name = header.get("name")
    if not isinstance(name, str):
        return None
    status = header.get("status")
    if isinstance(status, str) and status in HOST_STATUSES:
        return CaseRun(
            name,
            RunStatus(status),
            message=validate.text(header.get("message")),
            stderr=validate.text(header.get("stderr")),
            exit_code=header.get("exit") if type(header.get("exit")) is int else None,
        )
    return validate.case_run(name, header, blobs)

