"""The status words of the grader, each vocabulary one ``StrEnum``.

A member is its word (``CaseStatus.PASSED == "passed"``), so ``results.json``,
the templates and the harness's frames keep the words the contract fixes;
in code, a typo is an ``AttributeError`` instead of a comparison that is never true.
"""

from __future__ import annotations

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
