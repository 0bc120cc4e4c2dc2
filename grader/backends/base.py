"""The sandbox interface: a backend starts a harness, a channel talks to it.

A backend (``process``, ``docker``) knows how to start ``python -m harness``
isolated from the host and how to end it with everything it started. What
is said over the channel, the deadlines and the restarts after a crash are
the same for every backend and live in ``grader.backends.session``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from grader.cases.source import case_code, named_strings, public_cases_source
from grader.common.errors import EXIT_NO_SANDBOX, EXIT_SANDBOX_LOST, GraderError, if_option
from harness.api import latest_end, wall_limit


@dataclass(frozen=True)
class Limits:
    """What one submission may use; declared per Aufgabe in ``assignment.toml``."""

    memory: int = 1 << 30
    """Bytes of memory (docker: memory = memory+swap; process: address space)."""
    pids: int = 64
    """Processes at once (docker pids limit; process: RLIMIT_NPROC where it applies)."""
    cpus: float = 1.0
    """CPUs the container may use (docker only)."""
    fsize: int = 64 << 20
    """Largest file a case may write."""
    nofile: int = 256
    """Open files per process."""
    scratch: int = 256 << 20
    """Size of the writable scratch space (docker tmpfs)."""
    result_cap: int = 64 << 20
    """Bytes a case's result (arrays and figures) may have."""


@dataclass
class Job:
    """One submission's run: which module, which cases, with what."""

    submission: Path
    """Host folder holding the module file (already unpacked and checked)."""
    module: str
    """Module name, e.g. ``perceptron`` for ``perceptron.py``."""
    cases_source: str
    """Source of the Aufgabe's case module: sent over the channel, never a file, and
    never whole while a public case may run (see ``phases``)."""
    timeouts: dict[str, float]
    """Case name -> seconds of CPU time, in the order the cases run (the wall clock
    stops a case only at ``wall``)."""
    resources: dict[str, bytes] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    def header(self, cases: list[str], scratch: str, submission: str, wipe: list[str]) -> dict:
        """The job frame for the harness, for the cases still to run."""
        return {
            "type": "job",
            "module": self.module,
            "submission": submission,
            "cases_source": self.cases_source,
            "cases": cases,
            "timeouts": {name: self.timeouts[name] for name in cases},
            "walls": {name: self.wall(name) for name in cases},
            "resources": list(self.resources),
            "scratch": scratch,
            "wipe": wipe,
            "limits": self.harness_limits(),
            "result_cap": self.limits.result_cap,
        }

    def wall(self, name: str) -> float:
        """The wall-clock backstop of case ``name`` (``harness.api.wall_limit``)."""
        return wall_limit(self.timeouts[name])

    def latest(self, name: str) -> float:
        """The longest case ``name`` can run on the wall clock, the time it waited for a
        CPU left out of its backstop (``harness.api.latest_end``)."""
        return latest_end(self.wall(name))

    def phases(self, cases: list[str]) -> list[tuple[list[str], str, dict[str, bytes]]]:
        """``cases`` as (names, case source, data files) per job frame: the public ones
        first, with a source that holds no hidden case and only the data files it names,
        then the hidden ones with everything.

        A case process gets a copy of all its harness holds, so hidden code and
        inputs reach a harness only when no public case can run there anymore.
        A case whose visibility cannot be read from the source counts as hidden.
        """
        public_source, public, named = _public_part(self.cases_source)
        shown = [name for name in cases if name in public]
        hidden = [name for name in cases if name not in public]
        found = [
            (shown, public_source, {k: v for k, v in self.resources.items() if k in named}),
            (hidden, self.cases_source, self.resources),
        ]
        return [phase for phase in found if phase[0]]

    @property
    def warm_pyplot(self) -> bool:
        """Whether the cases draw: then the harness imports pyplot before the job."""
        return "matplotlib" in self.cases_source

    def harness_limits(self) -> dict:
        """rlimits the harness sets in each case process (the backend may add more)."""
        return {"fsize": self.limits.fsize, "nofile": self.limits.nofile}


@lru_cache(maxsize=16)
def _public_part(source: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(the source cut to its public cases, their names, the strings the cut names);
    the same for every submission, so parsed once per Aufgabe, not per job."""
    public = frozenset(name for name, code in case_code(source).items() if code.visibility == "public")
    cut = public_cases_source(source)
    return cut, public, frozenset(named_strings([cut]))


STDERR_KEEP = 16 * 1024
"""Bytes of a harness's own stderr that a channel keeps (a case's output has the protocol's caps)."""


class SandboxLost(GraderError, RuntimeError):
    """The sandbox service itself went away (the Docker engine stopped): the batch
    must stop, and nothing graded after that is a result."""

    exit_code = EXIT_SANDBOX_LOST

    def message(self) -> str:
        return f"Abbruch: {self} Bisher Bewertetes ist gespeichert."

    def hint(self, options) -> str:
        return "Docker-Engine wieder starten und denselben Befehl erneut ausführen: er setzt fort."


class SandboxUnavailable(GraderError, RuntimeError):
    """The requested sandbox cannot run here; the message says why and what to do."""

    exit_code = EXIT_NO_SANDBOX

    def message(self) -> str:
        return f"Die Docker-Sandbox ist nicht verfügbar: {self}"

    def hint(self, options) -> str:
        return f"Docker-Engine starten (z. B. `dockerd`){if_option(options, '--sandbox', ' oder --sandbox process wählen')}."


class RootWithoutBubblewrap(SandboxUnavailable):
    """The grader runs as root and bubblewrap cannot run: the weak process sandbox would run
    student code as root, so it is refused."""

    def message(self) -> str:
        return f"Als root bewertet die process-Sandbox nur mit bubblewrap, und das läuft hier nicht: {self}"

    def hint(self, options) -> str:
        return (
            "bubblewrap installieren (apt-get install bubblewrap), den Grader als normaler Benutzer starten"
            f"{if_option(options, '--sandbox', ' oder --sandbox docker wählen')}."
        )


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


@dataclass
class ExitInfo:
    """How a harness ended, as far as the backend could tell."""

    exit_code: int | None = None
    oom_killed: bool = False
    stderr: str = ""


class Channel(abc.ABC):
    """A running harness: bytes in on its stdin, frames out on its stdout."""

    @abc.abstractmethod
    def send(self, data: bytes, last: bool = True) -> None:
        """Write ``data`` to the harness's stdin; close it after the ``last``."""

    @abc.abstractmethod
    def read_exactly(self, n: int, deadline: float) -> bytes:
        """``n`` bytes of the harness's stdout; ChannelTimeout after ``deadline``
        (``time.monotonic()``), EOFError when the harness ended first."""

    @abc.abstractmethod
    def close(self) -> ExitInfo:
        """Kill the harness and everything it started; free all it used. Idempotent."""

    def release(self) -> None:
        """Like ``close`` when nobody needs the ExitInfo: a backend may finish
        freeing (removing a container) in the background."""
        self.close()


class Backend(abc.ABC):
    """Starts harnesses in one kind of sandbox."""

    name: str
    cases_reach_harness: bool = True
    """Whether a case process can end its harness (same user, same pid namespace): then
    a harness that ends while a case runs was ended by that case, and it is that case's
    verdict. Where it cannot, such an end is the sandbox's failure."""

    @abc.abstractmethod
    def open(self, job: Job, cases: list[str]) -> tuple[Channel, dict]:
        """Start a harness for ``cases`` of ``job``; returns the channel and the job
        frame's header (paths as the harness sees them)."""

    def healthy(self) -> bool:
        """Whether the sandbox service itself still works (the Docker engine answers)."""
        return True

    def reserve(self, count: int) -> None:  # noqa: B027 - a backend need not start ahead
        """Keep ``count`` harnesses started ahead for the next jobs (0: none)."""

    def close(self) -> None:  # noqa: B027 - a backend may hold nothing
        """Release what the backend holds for a whole batch."""
