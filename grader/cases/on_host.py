"""Instructor code run on the host: the reference, its float32 twin, a catalogue mistake, a mutant.

Graded like a submission, through the same harness, in the ``process`` sandbox (it is our own
code, so its network is left as it is). The cache of the reference's outputs
(``grader.cases.expected``), the diagnosis and ``grader mutants`` run their code through here.
"""

from __future__ import annotations

from pathlib import Path

from grader.backends.process import ProcessBackend
from grader.backends.session import run_job
from grader.cases.assignment import Assignment
from grader.common.status import CaseRun


def run_on_host(assignment: Assignment, folder: Path, timeouts: dict[str, float] | None = None) -> dict[str, CaseRun]:
    """The cases of ``assignment`` (all, with their own limits, unless ``timeouts`` names some) run
    on instructor code in ``folder``."""
    backend = ProcessBackend(isolate_network=False)
    try:
        return run_job(backend, assignment.job(folder, timeouts)).cases
    finally:
        backend.close()
