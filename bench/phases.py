"""Where a submission's time goes: each phase of grading, timed by wrapping the grader's functions.

``instrumented()`` patches the grader's functions with timers for as long as it
is entered, so the grader's own code carries no timing. Each phase is wall time
in the thread that grades the submission (a worker of ``Engine.grade``);
what runs in the backend's own threads (containers started ahead, used ones
removed) is counted apart as ``background``, per submission on average.

Phases, in the order a submission travels:

- ``spare wait``: ``Backend.open`` without the copy: taking a started sandbox, or
  waiting for one to be started when none is ready (on demand: the whole start);
- ``copy in``: the submission copied into the sandbox's folder;
- ``harness ready``: from the public job frame to the harness's ``ready`` (it
  compiles the cases, looks for matplotlib, freezes its objects);
- ``public cases`` / ``hidden cases``: waiting for the frames of the cases of that
  phase (fork, import, the case, its result encoded and read);
- ``done wait``: after the last public case, the harness's ``done`` (its clean-up);
- ``hidden ready``: from the hidden job frame to its ``ready``;
- ``close``: the channel released (docker: the container's removal handed on);
- ``validation``: the host reading each case's arrays and figures (``validate.case_run``);
- ``comparison``: verdicts (``verdict``), ``details`` what the report keeps of a
  case (texts, figure files), ``diagnosis`` the typical mistake and import failure,
  ``shared causes``;
- ``store`` and ``reports`` (in the batch's own thread, while the workers grade the
  next submissions): each result written (``ResultStore.put``), and at the end every
  page, the overview and the gradebook.

Besides, ``in public forks`` / ``in hidden forks``: the seconds each case's process
lived, as the harness measured them (fork to exit): the rest of a phase is the
harness's own work per case and the way of the frames.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import grader.engine as engine_module
from grader.backends import docker_channel, process, process_channel, session, validate
from grader.engine import Engine, Local, batch
from grader.engine.store import ResultStore
from grader.judging import diagnosis

ORDER = [
    "spare wait", "copy in", "harness ready", "public cases", "done wait", "hidden ready", "hidden cases",
    "close", "validation", "comparison", "details", "diagnosis", "shared causes",
]
"""The per-submission phases, in the order a submission travels."""
BACKGROUND = ["container start", "container remove"]


class Timeline:
    """Seconds per phase, per submission (the grading thread's current one) and in the background."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.local = threading.local()
        self.per: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.background: dict[str, float] = defaultdict(float)
        self.batch: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1

    def add(self, phase: str, seconds: float) -> None:
        owner = getattr(self.local, "submission", None)
        with self.lock:
            if owner is None:
                self.background[phase] += seconds
            else:
                self.per[owner][phase] += seconds

    def sums(self) -> dict[str, float]:
        found: dict[str, float] = defaultdict(float)
        for phases in self.per.values():
            for phase, seconds in phases.items():
                found[phase] += seconds
        return found


def _timed(timeline: Timeline, phase: str | Callable[..., str], function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            name = phase(*args, **kwargs) if callable(phase) else phase
            timeline.add(name, time.perf_counter() - start)

    return wrapper


@contextlib.contextmanager
def instrumented() -> Iterator[Timeline]:
    """Every phase timed while entered; the grader's functions are restored on leaving."""
    timeline = Timeline()
    patches: list[tuple[object, str, object]] = []

    def patch(owner: object, name: str, phase: str | Callable[..., str] | None, wrap: Callable | None = None) -> None:
        original = getattr(owner, name)
        patches.append((owner, name, original))
        setattr(owner, name, wrap(original) if wrap else _timed(timeline, phase, original))  # type: ignore[arg-type]

    def judged(original):
        @functools.wraps(original)
        def judge(self, submission):
            timeline.local.submission = submission.id
            start = time.perf_counter()
            try:
                return original(self, submission)
            finally:
                timeline.add("judge", time.perf_counter() - start)
                timeline.local.submission = None

        return judge

    def started(original):
        @functools.wraps(original)
        def start(self, key):
            begin = time.perf_counter()
            try:
                return original(self, key)
            finally:
                timeline.count("sandboxes started")
                # On demand (in a grading thread) it is part of that submission's spare wait already.
                if getattr(timeline.local, "submission", None) is None:
                    timeline.add("container start", time.perf_counter() - begin)

        return start

    def opened(original):
        @functools.wraps(original)
        def open_(self, job, cases):
            timeline.local.sends = 0
            begin = time.perf_counter()
            try:
                return original(self, job, cases)
            finally:
                copied = getattr(timeline.local, "copied", 0.0)
                timeline.local.copied = 0.0
                timeline.add("spare wait", time.perf_counter() - begin - copied)

        return open_

    def copied(original):
        @functools.wraps(original)
        def copy(source, spare):
            begin = time.perf_counter()
            try:
                return original(source, spare)
            finally:
                seconds = time.perf_counter() - begin
                timeline.local.copied = getattr(timeline.local, "copied", 0.0) + seconds
                timeline.add("copy in", seconds)

        return copy

    def sent(original):
        @functools.wraps(original)
        def send(self, data, last=True):
            timeline.local.sends = getattr(timeline.local, "sends", 0) + 1
            return original(self, data, last)

        return send

    def validated(original):
        @functools.wraps(original)
        def case_run(name, frame, blobs):
            begin = time.perf_counter()
            try:
                run = original(name, frame, blobs)
            finally:
                timeline.add("validation", time.perf_counter() - begin)
            hidden = getattr(timeline.local, "sends", 0) > 1
            timeline.add("  in hidden forks" if hidden else "  in public forks", run.seconds or 0.0)
            return run

        return case_run

    def removed(original):
        @functools.wraps(original)
        def remove(self):
            cpu = container_cpu(self.container.id)
            if cpu is not None:
                timeline.count("containers measured")
                timeline.add("container cpu", cpu)
            return original(self)

        return remove

    def framed(original):
        @functools.wraps(original)
        def frame(self, seconds):
            begin = time.perf_counter()
            got = original(self, seconds)
            hidden = getattr(timeline.local, "sends", 0) > 1
            kind = got[0].get("type")
            phase = {"ready": "hidden ready" if hidden else "harness ready", "done": "done wait"}.get(
                kind, "hidden cases" if hidden else "public cases"
            )
            timeline.add(phase, time.perf_counter() - begin)
            container = getattr(self.channel, "container", None)
            if container is not None and kind in ("ready", "done"):
                # The container's CPU so far: its warm-up, then each phase's cases.
                cpu = container_cpu(container.id)
                if cpu is not None:
                    timeline.add(f"cpu at {phase}", cpu)
            return got

        return frame

    from grader.backends import docker as docker_backend

    patch(Engine, "judge", None, judged)
    patch(docker_backend.DockerBackend, "_start", None, started)
    patch(process.ProcessBackend, "_start", None, started)
    patch(docker_backend.DockerBackend, "open", None, opened)
    patch(process.ProcessBackend, "open", None, opened)
    patch(docker_backend, "copy_submission", None, copied)
    patch(process, "copy_submission", None, copied)
    for channel in (docker_channel.DockerChannel, process_channel.ProcessChannel):
        patch(channel, "send", None, sent)
        patch(channel, "close", "close")
        if "release" in vars(channel):  # else it is Channel.release, which calls the close timed here
            patch(channel, "release", "close")
    patch(docker_channel.DockerChannel, "_remove", "container remove")
    patch(docker_channel.DockerChannel, "_remove", None, removed)
    patch(session._Talk, "frame", None, framed)
    patch(validate, "case_run", None, validated)
    patch(engine_module, "verdict", "comparison")
    patch(engine_module, "_add_details", "details")
    patch(engine_module, "import_failure", "diagnosis")
    patch(diagnosis, "diagnose", "diagnosis")
    patch(engine_module, "shared_causes", "shared causes")
    patch(ResultStore, "put", None, lambda original: _once(timeline, "store", original))
    patch(Local, "execute", "sandbox")
    patch(batch.report, "write_all", None, lambda original: _once(timeline, "reports", original))
    try:
        yield timeline
    finally:
        for owner, name, original in reversed(patches):
            setattr(owner, name, original)


def container_cpu(container_id: str) -> float | None:
    """CPU seconds the processes of a container used (its cgroup, v1 or v2), None where unreadable."""
    v1 = Path(f"/sys/fs/cgroup/cpuacct/docker/{container_id}/cpuacct.usage")
    v2 = Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat")
    try:
        if v1.exists():
            return int(v1.read_text()) / 1e9
        fields = dict(line.split() for line in v2.read_text().splitlines())
        return int(fields["usage_usec"]) / 1e6
    except (OSError, KeyError, ValueError):
        return None


def _once(timeline: Timeline, phase: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timeline.batch[phase] += time.perf_counter() - start

    return wrapper


def table(rows: dict[str, Timeline], count: int) -> str:
    """Per submission (ms, mean) and summed (s) for each phase, one column pair per row label."""
    labels = list(rows)
    lines = [f"{'phase':<20}" + "".join(f" {label + ' ms/sub':>18} {'sum s':>8}" for label in labels)]
    sums = {label: timeline.sums() for label, timeline in rows.items()}

    def line(name: str, values: dict[str, dict[str, float]], key: str | None = None) -> None:
        got = {label: values[label].get(key or name, 0.0) for label in labels}
        lines.append(f"{name:<20}" + "".join(f" {1000 * got[label] / count:>18.1f} {got[label]:>8.2f}" for label in labels))

    for phase in ORDER:
        line(phase, sums)
        if phase in ("public cases", "hidden cases"):
            line(f"  in {phase.split()[0]} forks", sums)
    line("accounted", {label: {"accounted": sum(sums[label].get(p, 0.0) for p in ORDER)} for label in labels})
    line("judge (all)", sums, "judge")
    line("  of it sandbox", sums, "sandbox")
    background = {label: dict(t.background) for label, t in rows.items()}
    for phase in BACKGROUND:
        line(f"bg {phase}", background, phase)
    batch_phases = {label: dict(t.batch) for label, t in rows.items()}
    line("store (batch)", batch_phases, "store")
    line("reports (batch)", batch_phases, "reports")
    for label, t in rows.items():
        measured = t.counts.get("containers measured", 0)
        if measured:
            lines.append(f"{label}: CPU inside a container {1000 * t.background['container cpu'] / measured:.0f} ms "
                         f"(mean of {measured})")
        cpu = t.sums()
        if cpu.get("cpu at harness ready"):
            lines.append(
                f"{label}: CPU inside, ms/sub: until ready {1000 * cpu['cpu at harness ready'] / count:.0f}, "
                f"until public done {1000 * cpu.get('cpu at done wait', 0.0) / count:.0f}, "
                f"until hidden ready {1000 * cpu.get('cpu at hidden ready', 0.0) / count:.0f}"
            )
        lines.append(f"{label}: sandboxes started {t.counts.get('sandboxes started', 0)} for {count} submissions")
    return "\n".join(lines)
