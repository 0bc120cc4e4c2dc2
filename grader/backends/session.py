"""Drive one submission's harness through a backend, whatever the harness does.

The harness answers a job frame with a ``ready`` frame, then one frame per case.
A case's limit is its CPU time, which the harness watches; the host waits for its
frame until the latest end of the case's wall-clock backstop (``Job.latest``) plus a
grace, on its own monotonic clock. A timeout that a busy machine could have caused is confirmed by a
second run in a fresh harness before it is final (``to_confirm``).
When a frame does not come in time, or the harness dies, the channel is closed
(the backend kills everything) and a new harness is started for the cases that
are left: one case that brings down its sandbox costs only that case.

Hidden cases run in the same harness as the public ones, but in a second job
frame that the host sends only after the harness said ``done`` with the first:
by then every public case process and all it started are gone (the harness
reaps them after each case), so none of them ever had hidden code or inputs in
its memory. This costs one round trip; a second sandbox per submission would
cost a container start and a warm-up (see the report of issue 13).

What a case does is its own verdict: a harness that ends while a case runs, in
a backend where cases can reach it and on an engine that still answers, was
ended by that case (``ended``). Only what lies outside a submission's reach is
``sandbox``: a harness that does not start or answer before any case ran, one
that a case cannot reach, or an engine that is gone (SandboxLost).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from grader.backends import load, validate
from grader.backends.base import (
    Backend,
    Channel,
    ChannelTimeout,
    ExitInfo,
    Job,
    SandboxLost,
)
from grader.common.status import CaseRun, RunStatus
from harness import protocol

STARTUP_SECONDS = 60.0
"""How long a harness may take to import numpy and matplotlib and say ready."""
GRACE_SECONDS = 5.0
"""Extra time on top of a case's latest end (``Job.latest``) before the host stops waiting."""


@dataclass
class JobRun:
    cases: dict[str, CaseRun]
    versions: dict
    restarts: int = 0
    network: str = ""
    """What the harnesses said of their network (``validate.NETWORKS``), the least cut off
    of them; "" where none said."""
    rerun: list[str] = field(default_factory=list)
    """Cases run a second time to confirm their timeout or sandbox failure (``to_confirm``)."""


@dataclass
class _Said:
    """What the harnesses of one job said besides their cases' frames."""

    versions: dict = field(default_factory=dict)
    networks: set[str] = field(default_factory=set)
    budget: validate.FigureBudget = field(default_factory=validate.FigureBudget)
    """The figures the submission may still send, over all its harnesses."""


def run_job(backend: Backend, job: Job) -> JobRun:
    """Run every case of ``job``; every case ends with a CaseRun.

    A verdict that a busy machine could have caused is not final until a second run in
    a fresh harness confirms it (``to_confirm``): what that run says stands.
    """
    said = _Said()
    runs, restarts = _run_all(backend, job, list(job.timeouts), said)
    _stop_if_lost(backend, runs)  # a sandbox service that is gone is confirmed by no second run
    rerun: list[str] = []
    confirm = to_confirm(runs, load.busy())
    if confirm:
        again, more = _second_runs(backend, job, confirm, runs, said)
        runs.update(again)
        restarts += more + 1
        rerun = list(again)
        _stop_if_lost(backend, runs)
    # The least cut off harness counts; one that said nothing readable is not known to be cut off.
    network = min(said.networks, key=("shared", "", "isolated", "sandbox").index, default="")
    return JobRun({name: runs[name] for name in job.timeouts}, said.versions, restarts, network, rerun)


def _stop_if_lost(backend: Backend, runs: dict[str, CaseRun]) -> None:
    if any(run.status in (RunStatus.SANDBOX, RunStatus.ENDED) for run in runs.values()) and not backend.healthy():
        raise SandboxLost("Die Sandbox ist während der Bewertung ausgefallen.")


def to_confirm(runs: dict[str, CaseRun], busy: bool) -> list[str]:
    """The cases whose verdict needs a second run: every timeout on a busy machine,
    every timeout where all cases timed out, and every sandbox failure.

    A timeout of the CPU limit is the case's own doing on an idle machine; on a busy one
    even CPU time grows (shared caches), and a wall-clock timeout may be the machine's.
    A sandbox that failed under load may start the second time.
    """
    timeouts = [name for name, run in runs.items() if run.status == RunStatus.TIMEOUT]
    everything = len(timeouts) == len(runs)
    return [
        name for name, run in runs.items()
        if run.status == RunStatus.SANDBOX or (name in timeouts and (busy or everything))
    ]


def _second_runs(
    backend: Backend, job: Job, names: list[str], first: dict[str, CaseRun], said: _Said
) -> tuple[dict[str, CaseRun], int]:
    """The second runs of ``names``: (runs, restarts). Where each of them timed out in the
    import of the module, which is the same code for every case, the first one's second run
    speaks for all, unless it gets past the import: then every one runs again."""
    at_import = all(first[name].status == RunStatus.TIMEOUT and first[name].stage == "import" for name in names)
    if not at_import or len(names) == 1:
        return _run_all(backend, job, names, said)
    probe, restarts = _run_all(backend, job, names[:1], said)
    if probe[names[0]].status == RunStatus.TIMEOUT and probe[names[0]].stage == "import":
        return probe, restarts
    rest, more = _run_all(backend, job, names[1:], said)
    return probe | rest, restarts + more + 1


def _run_all(backend: Backend, job: Job, cases: list[str], said: _Said) -> tuple[dict[str, CaseRun], int]:
    """Run ``cases``, a new harness for those left after one ends early: (runs, restarts)."""
    runs: dict[str, CaseRun] = {}
    restarts = -1
    while len(runs) < len(cases):
        restarts += 1
        remaining = [name for name in cases if name not in runs]
        before = len(runs)
        talk = _one_harness(backend, job, remaining, runs, said.budget)
        if talk is not None:
            said.versions = talk.versions or said.versions
            said.networks |= talk.networks
        if len(runs) == before:
            # Not even one case came back: the sandbox itself cannot run.
            for name in remaining:
                runs[name] = CaseRun(name, RunStatus.SANDBOX, message="Die Sandbox ließ sich nicht starten.")
    return runs, restarts


def _one_harness(
    backend: Backend, job: Job, cases: list[str], runs: dict, budget: validate.FigureBudget
) -> _Talk | None:
    """Start one harness for ``cases``; fill ``runs`` with what it answers. The conversation,
    None where no harness started."""
    try:
        channel, header = backend.open(job, cases)
    except SandboxLost:
        raise  # not this submission's fault: the batch stops, see grading.run
    except Exception as exc:  # a backend that cannot start is a verdict, not a crash
        for name in cases:
            runs[name] = CaseRun(name, RunStatus.SANDBOX, message=f"Sandbox-Start fehlgeschlagen: {exc}")
        return None
    talk = _Talk(channel, header, job, runs, budget)
    finished = False
    try:
        talk.run(job.phases(cases))
        finished = True
    except ChannelTimeout:
        if talk.current is not None:
            runs[talk.current] = CaseRun(talk.current, RunStatus.TIMEOUT, seconds=job.latest(talk.current), limit="wall")
    except (EOFError, protocol.ProtocolError, OSError) as exc:
        info = channel.close()
        if talk.current is not None:
            runs[talk.current] = _died(talk.current, info, exc, backend.cases_reach_harness)
    finally:
        if finished:
            channel.release()  # every case answered: the backend may tidy up later
        else:
            channel.close()  # a runaway case or a grader error: end it now
    return talk


@dataclass
class _Talk:
    """One harness's conversation; ``current`` is the case whose frame is awaited."""

    channel: Channel
    header: dict
    job: Job
    runs: dict
    budget: validate.FigureBudget
    current: str | None = None
    versions: dict | None = None
    networks: set[str] = field(default_factory=set)
    """What each ``ready`` frame said of the network (one per phase)."""

    def run(self, phases: list[tuple[list[str], str, dict[str, bytes]]]) -> None:
        """Each phase as its own job frame; returns early when the harness takes no more
        (it could not clean up after a case: a new harness takes the rest)."""
        for number, (names, source, resources) in enumerate(phases):
            more = number + 1 < len(phases)
            frame = dict(
                self.header, cases=names, cases_source=source, more=more, resources=list(resources),
                timeouts={name: self.job.timeouts[name] for name in names},
                walls={name: self.job.wall(name) for name in names},
            )
            self.channel.send(protocol.encode(frame, list(resources.values())), last=not more)
            ready, _ = self.frame(STARTUP_SECONDS)
            if ready.get("type") == "ready":
                self.versions = validate.versions(ready.get("versions"))
                self.networks.add(validate.network(ready.get("network")))
            for name in names:
                self.current = name
                frame, blobs = self.frame(self.job.latest(name) + GRACE_SECONDS)
                if frame.get("type") == "done":
                    self.current = None
                    return
                if frame.get("type") != "case" or frame.get("name") != name:
                    raise protocol.ProtocolError(f"expected the result of {name}")
                self.runs[name] = validate.case_run(name, frame, blobs)
                self.budget.take(self.runs[name])
            self.current = None
            if more:
                done, _ = self.frame(GRACE_SECONDS)
                if done.get("type") != "done" or done.get("ended"):
                    return

    def frame(self, seconds: float) -> tuple[dict, list[bytes]]:
        deadline = time.monotonic() + seconds
        return protocol.read(
            lambda n: self.channel.read_exactly(n, deadline),
            max_blobs=self.job.limits.result_cap + (1 << 20),
        )


def _died(name: str, info: ExitInfo, exc: Exception, by_the_case: bool) -> CaseRun:
    if info.oom_killed:
        return CaseRun(name, RunStatus.OOM, exit_code=info.exit_code)
    how = "die Antwort war unlesbar" if isinstance(exc, protocol.ProtocolError) else "die Verbindung brach ab"
    if not by_the_case:
        return CaseRun(
            name,
            RunStatus.SANDBOX,
            exit_code=info.exit_code,
            message=f"Die Sandbox endete während dieses Falls unerwartet ({how}).",
            stderr=info.stderr,
        )
    return CaseRun(
        name,
        RunStatus.ENDED,
        exit_code=info.exit_code,
        message=f"Während dieses Falls endete der Prozess, der ihn überwachte ({how}); Ihr Code hat ihn vermutlich beendet.",
        stderr=info.stderr,
    )
