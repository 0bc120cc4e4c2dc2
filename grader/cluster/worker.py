"""The worker side of grading on a Dask cluster: ``grader worker SCHEDULER``.

``start`` checks the sandbox (and builds the Docker image when it is missing),
then becomes ``dask worker`` with this module as its preload: one worker
process whose threads are the sandbox slots. The worker asks for no
resources of its own; the ``SANDBOX-…`` resource that grading tasks need is
granted by ``Admission``, which each client registers and which runs on every
worker, present and future, before that worker can take a task: a worker of
another grader version, another sandbox or another image never gets one.
Plugin and resource are named by what the client wants, so that graders of
other versions on the same scheduler admit their own workers beside these.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import replace

from distributed import WorkerPlugin, get_worker

from grader.backends import Backend, SandboxLost, make_backend, tempdirs
from grader.backends.base import Job
from grader.backends.session import run_job
from grader.cluster import wire as cluster_wire
from grader.intake import archives

SANDBOX_ENV = "GRADER_WORKER_SANDBOX"
SLOTS_ENV = "GRADER_WORKER_SLOTS"
TEST_VERSION_ENV = "GRADER_TEST_WORKER_VERSION"
"""Only for the tests: the version this worker claims, to show that a client refuses it."""
RESOURCE = "SANDBOX"
"""What each admission's resource is named after (``Admission.resource``)."""

_log = logging.getLogger("distributed.worker")

_backend: Backend | None = None


def start(
    scheduler: str, *, sandbox: str = "docker", slots: int | None = None, dask_args: tuple[str, ...] = (),
    log: Callable[[str], None] = print,
) -> None:
    """Check the sandbox, then replace this process by ``dask worker`` with ``slots`` sandboxes (default: one per core)."""
    if sandbox == "docker":
        from grader.backends.docker_engine import engine
        from grader.backends.image import ensure_image

        log(f"Sandbox-Image bereit: {ensure_image(engine(), log=log)}")
    slots = slots or os.cpu_count() or 1
    env = dict(os.environ, **{SANDBOX_ENV: sandbox, SLOTS_ENV: str(slots)})
    argv = [
        sys.executable, "-m", "distributed.cli.dask_worker", scheduler,
        "--nworkers", "1", "--nthreads", str(slots),
        "--name", f"{socket.gethostname()}-{os.getpid()}",
        "--preload", __name__, "--no-dashboard", *dask_args,
    ]
    log(f"Worker mit {slots} {sandbox}-Sandboxen für {scheduler}, Version {cluster_wire.grader_version()}.")
    sys.stdout.flush()
    os.execve(sys.executable, argv, env)


def dask_setup(worker) -> None:
    """Preload of the worker process: its sandbox, started once for all tasks."""
    global _backend
    _backend = make_backend(os.environ[SANDBOX_ENV], log=lambda message: None)


def dask_teardown(worker) -> None:
    if _backend is not None:
        _backend.close()


def identity() -> dict:
    """What a client compares before this worker may grade for it."""
    # The kind is compared ("process"); how strong it is here ("process (bubblewrap)") is told.
    sandbox = _backend.name.split(" ", 1)[0] if _backend is not None else None
    image = getattr(_backend, "image", None)
    return {
        "version": os.environ.get(TEST_VERSION_ENV) or cluster_wire.grader_version(),
        "sandbox": sandbox,
        "isolation": _backend.name if _backend is not None else None,
        "image": image,
        "slots": int(os.environ.get(SLOTS_ENV, "0")),
    }


def refusal(mine: dict, wanted: dict) -> str:
    """Why a worker with identity ``mine`` may not grade for a client that wants ``wanted``
    (German; empty when it may)."""
    if mine["sandbox"] is None:
        return "nicht mit `grader worker` gestartet"
    labels = {"version": "Grader-Version", "sandbox": "Sandbox", "image": "Sandbox-Image"}
    return "; ".join(
        f"{labels[key]} {mine[key]} statt {value}" for key, value in wanted.items() if mine[key] != value
    )


class Admission(WorkerPlugin):
    """Grants a worker its sandbox slots only when it equals the client (``refusal``)."""

    def __init__(self, wanted: dict):
        self.wanted = wanted
        key = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:12]
        # Dask replaces a plugin of the same name: one name per version, sandbox and image.
        self.name = f"gnn-grader-admission-{key}"
        self.resource = f"{RESOURCE}-{key}"
        """What this client's tasks need: slots on the workers it admitted, and only there."""

    async def setup(self, worker) -> None:
        mine = identity()
        reason = refusal(mine, self.wanted)
        if reason:
            _log.warning("Dieser Worker wurde abgelehnt: %s", reason)
        await worker.set_resources(**{self.resource: 0 if reason else mine["slots"]})


def run_remote(job: Job, handed_in: bytes) -> dict:
    """One Dask task: a submission's job in this worker's sandbox; the raw case frames back."""
    worker = get_worker()
    backend = _backend
    if backend is None:  # ``refusal`` grants such a worker no slots, so no task should arrive
        raise RuntimeError("this worker was not started by `grader worker`: it has no sandbox")
    # One sandbox started ahead per slot: the next task often arrives only while this one runs.
    backend.reserve(worker.state.nthreads)
    try:
        with tempdirs.private_temporary("gnn-cluster-") as work:
            (work / "handin.zip").write_bytes(handed_in)
            archives.unpack(work / "handin.zip", work / "submission")
            job_run = run_job(backend, replace(job, submission=work / "submission"))
    except SandboxLost:
        # This host's sandbox is gone: no more tasks here for any client, the retries go elsewhere.
        lost = {name: 0 for name in worker.state.total_resources if name.startswith(RESOURCE)}
        worker.loop.add_callback(worker.set_resources, **lost)
        raise
    return cluster_wire.encode_run(job_run, backend.name)
