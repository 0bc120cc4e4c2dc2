"""Grade on a Dask cluster: ``grader run ... --cluster tcp://HOST:8786``.

Each submission is one Dask task that needs one sandbox slot: its job and
its folder go to a worker (``grader worker``), which runs them in its own
sandbox and sends the case frames back (``grader.cluster.wire``). The
expected values never leave this host; validation, verdicts, reports and the
store stay here: the engine (``grader.engine``) calls ``Cluster.execute`` where
it would run a local sandbox. Dask reroutes the tasks of a lost worker; a task
that was running on ``distributed.scheduler.allowed-failures`` + 1 workers
when they died is given up (``KilledWorker``) and becomes an error verdict.

TLS, certificates and timeouts come from Dask's own configuration
(``~/.config/dask/distributed.yaml`` or ``DASK_DISTRIBUTED__COMM__...``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from grader.backends import SandboxLost
from grader.backends.base import Job
from grader.backends.session import GRACE_SECONDS, STARTUP_SECONDS, JobRun
from grader.common.errors import EXIT_NO_SANDBOX, GraderError
from grader.common.german import count
from grader.common.status import CaseRun, RunStatus
from grader.intake import handin

RETRIES = 2
"""Further tries of a task that failed with an exception (a worker whose engine stopped)."""
RESENDS = 2
"""Sends again of a task that was cancelled while the scheduler stayed (see ``Cluster.execute``)."""
RECONNECT_SECONDS = 10.0
ADMISSION_SECONDS = 60.0
"""How long to wait for a first worker that may grade."""


class ClusterUnavailable(GraderError, RuntimeError):
    """Grading on the cluster cannot start; the message (German) says why."""

    exit_code = EXIT_NO_SANDBOX

    def hint(self, options) -> str:
        return "Scheduler und Worker prüfen (siehe README, „Auf mehreren Rechnern bewerten“)."


class Cluster:
    """A client of the scheduler whose admitted workers run the jobs: the engine's
    ``Sandboxes`` (``grader.engine``) in place of a local backend."""

    def __init__(self, client, sandbox: str, slots: int, resource: str):
        self.client = client
        self.name = sandbox
        self.slots = slots
        self.resource = resource
        """The resource of this client's admission (``grader.cluster.worker.Admission``)."""
        self._templates: list[tuple[Job, Any]] = []  # (job without folder, its distributed.Future)
        self._closing = False

    def execute(self, job: Job) -> JobRun:
        """Run ``job`` on a worker; blocks until its frames are back and read."""
        from distributed import KilledWorker

        from grader.cluster import wire as cluster_wire
        from grader.cluster import worker as cluster_worker

        try:
            handed_in = cluster_wire.pack_handin(job.submission)
        except handin.UnsafeHandIn as exc:
            message = f"Die Abgabe wurde nicht bewertet: {exc}."
            return JobRun({name: CaseRun(name, RunStatus.REFUSED, message=message) for name in job.timeouts}, {})
        # The worker's sandbox enforces each case's limit; this bounds the whole task from here,
        # so that a worker that hangs without dying costs this submission, not the run.
        # Each case to its wall-clock backstop, and once more where a timeout is confirmed (``session``).
        one_run = STARTUP_SECONDS + sum(job.latest(name) + GRACE_SECONDS for name in job.timeouts)
        seconds = (RETRIES + 1) * 2 * one_run + 60
        sent = 0
        while True:
            sent += 1
            future = self.client.submit(
                cluster_worker.run_remote,
                self._template(job),
                handed_in,
                resources={self.resource: 1},
                retries=RETRIES,
                pure=False,
            )
            try:
                answer = future.result(timeout=seconds)
            except KilledWorker:
                return _killed_workers(job)
            except (TimeoutError, SandboxLost):
                # Not the submission's doing: reported as a sandbox failure, so the next run grades it again.
                future.cancel()
                message = "Der Bewertungsrechner des Clusters antwortete nicht oder fiel aus; der nächste Lauf bewertet diese Abgabe neu."
                return JobRun({name: CaseRun(name, RunStatus.SANDBOX, message=message) for name in job.timeouts}, {})
            except CancelledError:
                if self._closing:
                    raise
                # A task is also cancelled while the scheduler stays, e.g. when the client reconnects
                # under load: then it is sent again; only a scheduler that is gone stops the run.
                if sent > RESENDS or not self._scheduler_answers():
                    raise SandboxLost("Die Verbindung zum Dask-Scheduler ist abgebrochen; Scheduler und Worker wieder starten.") from None
                continue
            return cluster_wire.decode_run(answer, job)

    def _scheduler_answers(self) -> bool:
        """Whether the client is (again) connected to its scheduler within ``RECONNECT_SECONDS``."""
        deadline = time.monotonic() + RECONNECT_SECONDS
        time.sleep(0.5)  # a scheduler that died has closed the connection by now
        while time.monotonic() < deadline:
            if self.client.status == "running":
                return True
            time.sleep(0.2)
        return False

    def _template(self, job: Job):
        """The job without its folder, sent to the workers once per batch, not with every task."""
        # The worker puts in the folder it unpacked the hand-in to (``run_remote``).
        bare = dataclasses.replace(job, submission=Path())
        for known, future in self._templates:
            if known == bare and not future.cancelled():  # a reconnect cancels scattered data too
                return future
        future = self.client.scatter(bare, broadcast=True)
        self._templates.append((bare, future))
        return future

    def workers(self, requested: int | None, memory: int, log: Callable[[str], None]) -> int:
        """A second hand-in per slot waits on the cluster while this host judges the first;
        ``--jobs`` and this machine's memory do not bound what the workers run."""
        return 2 * self.slots

    def reserve(self, count: int) -> None:
        """Spares are the workers' own business (``grader.cluster.worker.run_remote``)."""

    def close(self) -> None:
        self._closing = True
        self.client.close()


def connect(address: str, *, sandbox: str = "auto", log: Callable[[str], None] = print) -> Cluster:
    """Connect to the scheduler at ``address`` and wait for workers equal to this grader.

    ``sandbox`` is what the workers must run: ``auto`` means ``docker`` (a
    graded run never falls back to the weaker sandbox silently). Workers of
    another version, sandbox or image are named in ``log`` and get no task.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ClusterUnavailable(
            "Für --cluster fehlt Dask. Installieren mit: pip install 'gnn-grader[cluster]'"
        ) from None
    from grader.backends.image import image_tag
    from grader.cluster import wire as cluster_wire
    from grader.cluster import worker as cluster_worker

    kind = "docker" if sandbox == "auto" else sandbox
    wanted = {
        "version": cluster_wire.grader_version(),
        "sandbox": kind,
        "image": image_tag() if kind == "docker" else None,
    }
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, TypeError) as exc:  # TypeError: tls:// without TLS settings
        raise ClusterUnavailable(f"Der Dask-Scheduler {address} ist nicht erreichbar ({exc}).") from None
    admission = cluster_worker.Admission(wanted)
    try:
        client.register_plugin(admission)
        slots, name = _admitted_slots(client, admission, log)
    except BaseException:
        client.close()
        raise
    log(f"Cluster {address}: {count(slots, 'Sandbox', 'Sandboxen')} ({kind}) auf zugelassenen Workern.")
    return Cluster(client, name, slots, admission.resource)


def _admitted_slots(client, admission, log: Callable[[str], None]) -> tuple[int, str]:
    """The admitted slots, and the sandbox as the reports name it: how strong the admitted
    workers' sandboxes are ("process (bubblewrap)"), so that a run here and on the cluster
    keep each other's results (``grader.engine.store`` keys by it)."""
    from grader.cluster import worker as cluster_worker

    wanted = admission.wanted
    deadline = time.monotonic() + ADMISSION_SECONDS
    told: set[str] = set()
    while True:
        workers = client.scheduler_info(n_workers=-1)["workers"]
        slots = sum(w["resources"].get(admission.resource, 0) for w in workers.values())
        identities = client.run(cluster_worker.identity)
        refused = {
            address: reason
            for address, mine in identities.items()
            if (reason := cluster_worker.refusal(mine, wanted))
        }
        names = sorted({
            mine.get("isolation") or mine["sandbox"]
            for address, mine in identities.items()
            if address not in refused and mine.get("sandbox")
        })
        for address, reason in refused.items():
            if address not in told:
                log(f"Worker {address} abgelehnt: {reason}.")
                told.add(address)
        if slots:
            return int(slots), " / ".join(names) or wanted["sandbox"]
        if time.monotonic() > deadline:
            why = "; ".join(refused.values()) or "kein Worker angemeldet"
            raise ClusterUnavailable(
                f"Kein Worker des Clusters darf bewerten ({why}). Worker mit `grader worker SCHEDULER "
                f"--sandbox {wanted['sandbox']}` und derselben Grader-Version starten."
            )
        time.sleep(0.5)


def _killed_workers(job: Job) -> JobRun:
    message = (
        "Während diese Abgabe lief, fielen wiederholt Worker des Clusters aus; sie wurde nicht "
        "weiter versucht und ist nicht bewertet. Bitte der Lehrperson melden."
    )
    return JobRun({name: CaseRun(name, RunStatus.LOST_WORKERS, message=message) for name in job.timeouts}, {})
