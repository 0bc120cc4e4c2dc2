"""The status words of the grader, each vocabulary one ``StrEnum``, and ``CaseRun``, the data
of one case run that the sandbox side produces and the judging side reads (neither imports
the other: both import this).

A member is its word (``CaseStatus.PASSED == "passed"``), so ``results.json``,
the templates and the harness's frames keep the words the contract fixes;
in code, a typo is an ``AttributeError`` instead of a comparison that is never true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class RunStatus(StrEnum):
    """What came back for one case from a sandbox, validated, before it is judged."""

    OK = "ok"
    EXCEPTION = "exception"
    NOT_PLAIN = "not-plain"
    """The value could not be turned into plain data (numbers, arrays, lists, dicts)."""
    TIMEOUT = "timeout"
    OVERFLOW = "overflow"
    """The case's result (arrays and figures) was over its cap."""
    OOM = "oom"
    PIDS = "pids"
    """The process limit was hit."""
    NO_RESULT = "no-result"
    INVALID = "invalid"
    """Malformed output, discarded."""
    ENDED = "ended"
    """The harness ended while this case ran, in a backend where a case can end it: the case's doing."""
    SANDBOX = "sandbox"
    """The sandbox failed, not the submission."""
    REFUSED = "refused"
    """The hand-in could not be sent to a cluster worker (e.g. a file name that is not UTF-8)."""
    LOST_WORKERS = "lost-workers"
    """Cluster workers died again and again while this submission ran: taken as its doing."""


class CaseStatus(StrEnum):
    """A case's verdict (contract: ``cases[].status``)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"


class SubmissionStatus(StrEnum):
    """A submission's status (contract: ``status``): ``error`` where nothing could be graded."""

    GRADED = "graded"
    ERROR = "error"


@dataclass
class CaseRun:
    """What came back for one case, validated, before it is judged."""

    name: str
    status: RunStatus
    value: object = None
    figures: list = field(default_factory=list)
    """Per figure: {"data": plotted data, "png": bytes}."""
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    """Wall-clock seconds the case took."""
    cpu_seconds: float = 0.0
    """CPU seconds the case's processes used (what its limit counts); 0 where unknown."""
    limit: str = ""
    """For a ``timeout``: the limit that ended it, ``cpu`` (its CPU time) or ``wall`` (the
    wall-clock backstop, ``harness.api.wall_limit``); "" otherwise."""
    exit_code: int | None = None
    message: str = ""
    """For ``exception``: the exception text; for ``invalid``/``sandbox``: what went wrong."""
    exception: str = ""
    stage: str = ""
    """Where it ended: ``import`` (the module), ``case`` or ``figures``; for an ``exception``, and for a
    ``timeout`` (or ``oom``, ``pids``) the harness saw; "" where nobody knows."""
    traceback: str = ""
    figures_dropped: int = 0
    """Figures left out: over the count per case or the bytes per figure or submission."""

    def __post_init__(self) -> None:
        self.status = RunStatus(self.status)  # the vocabulary is closed: an unknown word is our bug
