"""The grading engine: hand-ins in, each one's result out as soon as it is judged.

``grader run`` (local or ``--cluster``), ``grader check`` and the service all
grade through an ``Engine``; what differs between them is only where the
sandboxes run (``Sandboxes``) and what happens to a result afterwards (the
batch stores it and writes reports, the service answers a student).

A ``Sandboxes`` is whatever runs a job and gives back its ``JobRun``: ``Local``
wraps a backend of this machine, ``grader.cluster.client.Cluster`` sends the
job to a worker. The engine judges what comes back on this host, always the
same way (``grade_submission``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from grader.backends import Backend, SandboxLost
from grader.backends.base import Job
from grader.backends.session import JobRun, run_job
from grader.cases.assignment import Assignment
from grader.cases.expected import Expected, expected_for
from grader.common.results import CaseResult, SubmissionResult
from grader.common.status import CaseRun, CaseStatus, RunStatus, SubmissionStatus
from grader.intake.filenames import file_stem
from grader.intake.notebooks import Converted
from grader.intake.submissions import Submission
from grader.judging import diagnosis, disclosure
from grader.judging.causes import fix_first, shared_causes
from grader.judging.verdicts import import_failure, not_imported, verdict
from grader.report import pictures
from grader.report.formatting import compact
from harness.api import Case
from harness.reaper import remove_tree


class Sandboxes(Protocol):
    """Where jobs run: this machine's backend (``Local``) or a cluster's workers."""

    name: str
    """The sandbox as the reports name it."""

    def execute(self, job: Job) -> JobRun:
        """Run every case of ``job``; raises only SandboxLost (the service itself is gone)."""

    def workers(self, requested: int | None, memory: int, log: Callable[[str], None]) -> int:
        """How many hand-ins to grade at once (``requested``: the user's ``--jobs``)."""

    def reserve(self, count: int) -> None:
        """Start up to ``count`` sandboxes ahead for hand-ins still waiting."""

    def close(self) -> None:
        """Kill what still runs and free everything."""


class Local:
    """The sandboxes of one backend on this machine."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.name = backend.name

    def execute(self, job: Job) -> JobRun:
        return run_job(self.backend, job)

    def workers(self, requested: int | None, memory: int, log: Callable[[str], None]) -> int:
        return affordable_jobs(requested or os.cpu_count() or 1, memory, log)

    def reserve(self, count: int) -> None:
        self.backend.reserve(count)

    def close(self) -> None:
        self.backend.close()


def affordable_jobs(jobs: int, memory_per_job: int, log: Callable[[str], None]) -> int:
    """``jobs``, lowered so that the sandboxes' memory limits fit into this machine's memory."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return jobs
    # Leave a quarter for the grader itself and the system.
    fitting = max(1, int(total * 0.75) // max(memory_per_job, 1))
    if fitting < jobs:
        log(f"Hinweis: nur {fitting} Abgaben gleichzeitig, damit die Speicherlimits in den Arbeitsspeicher passen.")
        return fitting
    return jobs


class Engine:
    """Grades hand-ins of one Aufgabe in ``sandboxes``; never raises for what a hand-in does.

    ``judge`` grades one hand-in in the calling thread; ``grade`` grades many
    in parallel and yields each result when it is judged. A failure of the
    grader's own code becomes that hand-in's result (``sandbox_failed``: not the
    student's, graded again); only SandboxLost and Ctrl-C end the engine's work.
    """

    def __init__(
        self,
        assignment: Assignment,
        sandboxes: Sandboxes,
        *,
        public_only: bool = False,
        figures_dir: Path | None = None,
        log: Callable[[str], None] = print,
    ):
        self.assignment = assignment
        self.sandboxes = sandboxes
        self.public_only = public_only
        self.figures_dir = figures_dir
        self.log = log
        self._expected: Expected | None = None
        self._expected_lock = threading.Lock()

    @property
    def expected(self) -> Expected:
        """The reference's outputs, computed (or read from the cache) when first needed."""
        with self._expected_lock:
            if self._expected is None:
                self._expected = expected_for(self.assignment)
            return self._expected

    def judge(self, submission: Submission) -> SubmissionResult:
        """The result of one hand-in."""
        if self.figures_dir is not None:
            remove_tree(self.figures_dir / file_stem(submission.id))
        try:
            return grade_submission(
                self.assignment, self.expected, self.sandboxes, submission,
                public_only=self.public_only, figures_dir=self.figures_dir,
            )
        except (SandboxLost, KeyboardInterrupt):
            raise
        except Exception as exc:  # one hand-in never stops the others
            return _grader_failed(self.assignment, self.sandboxes, submission, exc, self.log)

    def grade(self, submissions: Iterable[Submission], *, jobs: int | None = None) -> Iterator[SubmissionResult]:
        """Each hand-in's result as it is judged, ``jobs`` at a time (see ``Sandboxes.workers``).

        Leaving the loop early (Ctrl-C, SandboxLost, ``break``) kills the sandboxes
        still running; their hand-ins yield nothing.
        """
        todo = list(submissions)
        if not todo:
            return
        workers = self.sandboxes.workers(jobs, self.assignment.limits.memory, self.log)
        waiting = len(todo)
        lock = threading.Lock()
        self.expected  # noqa: B018 - computed once here, not by the first hand-ins at once

        def one(submission: Submission) -> SubmissionResult:
            nonlocal waiting
            with lock:
                waiting -= 1
                # Sandboxes started ahead for the hand-ins still waiting, no more.
                self.sandboxes.reserve(min(workers, waiting))
            return self.judge(submission)

        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
        finished = False
        try:
            futures: list[Future[SubmissionResult]] = [pool.submit(one, s) for s in todo]
            for future in as_completed(futures):
                yield future.result()
            finished = True
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if not finished:
                self.close()  # kills what still runs, so the workers end at once
            pool.shutdown(wait=True)

    def close(self) -> None:
        """Kill what still runs and free the sandboxes."""
        self.sandboxes.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def grade_submission(
    assignment: Assignment,
    expected: Expected,
    sandboxes: Sandboxes,
    submission: Submission,
    *,
    public_only: bool = False,
    figures_dir: Path | None = None,
) -> SubmissionResult:
    """Grade one submission; never raises for anything the submission does."""
    started = time.monotonic()
    cases = [c for c in assignment.cases if c.visibility == "public" or not public_only]
    result = SubmissionResult(
        id=submission.id,
        status=SubmissionStatus.GRADED,
        score=0.0,
        max_score=sum(c.points for c in cases),
        passed=False,
        cases=[],
        sandbox=sandboxes.name,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        notes=list(submission.notes),
    )
    if submission.error:
        result.status, result.message = SubmissionStatus.ERROR, submission.error
        result.cases = [
            CaseResult(c.name, c.visibility, CaseStatus.ERROR, 0.0, c.points, submission.error, c.about)
            for c in cases
        ]
        return result
    assert submission.folder is not None, submission.id  # found wherever there is no error
    job = assignment.job(submission.folder, {c.name: c.timeout for c in cases})
    job_run = sandboxes.execute(job)
    handed_in = submission.notebook.name if submission.notebook else ""
    result.versions, result.network = job_run.versions, job_run.network
    result.sandbox_failed = any(run.status == RunStatus.SANDBOX for run in job_run.cases.values())
    for case in cases:
        run = job_run.cases[case.name]
        status, message = verdict(
            case, run, assignment, expected.values[case.name], expected.figures[case.name], handed_in=handed_in
        )
        case_result = CaseResult(
            name=case.name,
            visibility=case.visibility,
            status=status,
            score=case.points if status == CaseStatus.PASSED else 0.0,
            max_score=case.points,
            message=message,
            about=case.about,
            seconds=run.seconds,
            limit=run.limit if status == CaseStatus.TIMEOUT else "",
            release=case.release,
        )
        if disclosure.keeps_details(case):
            _add_details(case_result, case, run, expected, figures_dir, file_stem(submission.id))
        result.cases.append(case_result)
    # A public case's import is quoted, never a hidden one's (``import_failure``).
    shown = sorted(cases, key=lambda c: not disclosure.quotes_the_code(c))
    failure = import_failure(
        [job_run.cases[c.name] for c in shown], assignment, reveal=bool(shown) and disclosure.quotes_the_code(shown[0]),
        handed_in=handed_in,
    )
    if failure:  # the contract's "error": nothing could be graded
        result.status, result.message = SubmissionStatus.ERROR, failure
        for case_result in result.cases:
            case_result.message = not_imported(assignment, handed_in)
    else:
        diagnosis.diagnose(assignment, result.cases, job_run.cases)  # name the typical mistake
    result.score = sum(c.score for c in result.cases)
    # The Testat certifies that the algorithm works: enough points and every required case.
    if result.status == SubmissionStatus.GRADED:
        result.missing_required = [c.name for c in result.cases if c.name in assignment.required and c.status != CaseStatus.PASSED]
        result.shared_causes = shared_causes(result.cases, expected.values)
        result.fix_first = fix_first(result.cases, assignment.builds_on)
    result.passed = result.score >= assignment.threshold * result.max_score - 1e-9 and not result.missing_required
    if submission.notebook:
        _in_cells(result, submission.notebook, f"{assignment.module}.py")
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _in_cells(result: SubmissionResult, notebook: Converted, module: str) -> None:
    """Every line of ``module`` that ``result`` names becomes the notebook's cell and line."""
    result.message = notebook.located(result.message, module)
    for case in result.cases:
        case.message = notebook.located(case.message, module)
        case.traceback = notebook.located(case.traceback, module)
        case.stdout = notebook.located(case.stdout, module)
        case.stderr = notebook.located(case.stderr, module)


def _grader_failed(
    assignment: Assignment, sandboxes: Sandboxes, submission: Submission, exc: Exception,
    log: Callable[[str], None],
) -> SubmissionResult:
    """The verdict for a submission whose grading failed on the host: reported like a failed
    sandbox (``sandbox_failed``), whatever the exception, so never kept as the student's result
    and graded again by the next run; the other submissions go on. Built here, not through
    ``grade_submission``'s error branch: the fallback must not depend on the code that failed."""
    log(
        f"{submission.id}: interner Fehler beim Bewerten ({type(exc).__name__}: {exc!r:.200}); "
        "der nächste Lauf bewertet diese Abgabe neu."
    )
    message = (
        "Diese Abgabe konnte wegen eines internen Fehlers des Graders nicht bewertet werden "
        f"({type(exc).__name__}); die anderen Abgaben sind nicht betroffen. Bitte der Lehrperson melden."
    )
    cases = assignment.cases
    return SubmissionResult(
        id=submission.id,
        status=SubmissionStatus.ERROR,
        score=0.0,
        max_score=sum(c.points for c in cases),
        passed=False,
        cases=[CaseResult(c.name, c.visibility, CaseStatus.ERROR, 0.0, c.points, message, c.about) for c in cases],
        message=message,
        sandbox=sandboxes.name,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sandbox_failed=True,
    )


def _expected_text(expected: Expected, case: str) -> str:
    """The expected value of ``case`` as the report shows it, made once per Aufgabe."""
    text = expected.texts.get(case)
    if text is None:
        text = expected.texts[case] = compact(expected.values[case])
    return text


def _add_details(
    result: CaseResult, case: Case, run: CaseRun, expected: Expected, figures_dir: Path | None, owner: str
) -> None:
    """What the report may show of a case besides its verdict (``grader.judging.disclosure``): its
    output, the values and, with ``figures_dir``, the figures' files under ``owner``."""
    result.stdout, result.stderr, result.traceback = run.stdout, run.stderr, run.traceback
    result.expected_text = _expected_text(expected, case.name)
    result.got_text = compact(run.value) if run.status == RunStatus.OK else ""
    if figures_dir is None:
        return
    result.figures = pictures.save(figures_dir, owner, case.name, run.figures)
    if result.status == CaseStatus.FAILED:
        picture = pictures.difference_png(
            case.check, run.figures, expected.figures[case.name], expected.values[case.name], run.value
        )
        if picture:
            result.difference_figures = pictures.save(figures_dir, owner, f"{case.name}-difference", [{"png": picture}])
    result.expected_figures = pictures.save(figures_dir, ".reference", case.name, expected.figures[case.name])
