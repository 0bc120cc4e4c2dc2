"""Grade submissions: the keyword-only functions behind ``grader run`` and ``grader check``.

The CLI is a thin shell over these; the tests call them directly.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path

from grader import assignment as assignments
from grader import diagnosis, disclosure
from grader.assignment import Assignment
from grader.backends import Backend, SandboxLost, make_backend
from grader.backends.session import run_job
from grader.backends.tempdirs import private_temporary
from grader.backends.validate import CaseRun
from grader.causes import shared_causes
from grader.cluster.client import Cluster, connect
from grader.course import overrides
from grader.expected import Expected, expected_for
from grader.intake.download import find
from grader.intake.filenames import file_stem
from grader.intake.submissions import NoSubmissions, Submission, open_submission
from grader.outdir import claim
from grader.report import pages as report
from grader.report import pictures
from grader.report.formatting import compact
from grader.results import CaseResult, RunResult, SubmissionResult, write_json_atomic
from grader.status import CaseStatus, RunStatus, SubmissionStatus
from grader.store import ResultStore, submission_hash
from grader.verdicts import import_failure, not_imported, verdict
from harness.api import Case
from harness.reaper import remove_tree


def grade_submission(
    assignment: Assignment,
    expected: Expected,
    backend: Backend | Cluster,
    submission: Submission,
    *,
    public_only: bool = False,
    figures_dir: Path | None = None,
) -> SubmissionResult:
    """Grade one submission; never raises for anything the submission does.

    With a ``Cluster`` as ``backend``, the job runs on one of its workers."""
    started = time.monotonic()
    cases = [c for c in assignment.cases if c.visibility == "public" or not public_only]
    result = SubmissionResult(
        id=submission.id,
        status=SubmissionStatus.GRADED,
        score=0.0,
        max_score=sum(c.points for c in cases),
        passed=False,
        cases=[],
        sandbox=backend.name,
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
    job_run = backend.execute(job) if isinstance(backend, Cluster) else run_job(backend, job)
    result.versions, result.network = job_run.versions, job_run.network
    result.sandbox_failed = any(run.status == RunStatus.SANDBOX for run in job_run.cases.values())
    for case in cases:
        run = job_run.cases[case.name]
        status, message = verdict(
            case, run, assignment, expected.values[case.name], expected.figures[case.name]
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
            release=case.release,
        )
        if disclosure.keeps_details(case):
            _add_details(case_result, case, run, expected, figures_dir, file_stem(submission.id))
        result.cases.append(case_result)
    # A public case's import is quoted, never a hidden one's (``import_failure``).
    shown = sorted(cases, key=lambda c: not disclosure.quotes_the_code(c))
    failure = import_failure(
        [job_run.cases[c.name] for c in shown], assignment, reveal=bool(shown) and disclosure.quotes_the_code(shown[0])
    )
    if failure:  # the contract's "error": nothing could be graded
        result.status, result.message = SubmissionStatus.ERROR, failure
        for case_result in result.cases:
            case_result.message = not_imported(assignment)
    else:
        diagnosis.diagnose(assignment, result.cases, job_run.cases)  # name the typical mistake
    result.score = sum(c.score for c in result.cases)
    # The Testat certifies that the algorithm works: enough points and every required case.
    if result.status == SubmissionStatus.GRADED:
        result.missing_required = [c.name for c in result.cases if c.name in assignment.required and c.status != CaseStatus.PASSED]
        result.shared_causes = shared_causes(result.cases, expected.values)
    result.passed = result.score >= assignment.threshold * result.max_score - 1e-9 and not result.missing_required
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _grader_failed(
    assignment: Assignment, backend: Backend | Cluster, submission: Submission, exc: Exception,
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
        sandbox=backend.name,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sandbox_failed=True,
    )


def _add_details(
    result: CaseResult, case: Case, run: CaseRun, expected: Expected, figures_dir: Path | None, owner: str
) -> None:
    """What the report may show of a case besides its verdict (``grader.disclosure``): its
    output, the values and, with ``figures_dir``, the figures' files under ``owner``."""
    result.stdout, result.stderr, result.traceback = run.stdout, run.stderr, run.traceback
    result.expected_text = expected.text(case.name)
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


def grade_path(
    *,
    aufgabe: int,
    path: Path,
    sandbox: str = "auto",
    public_only: bool = True,
    log: Callable[[str], None] = print,
) -> SubmissionResult:
    """Grade one submission (folder, zip or the module file) — ``grader check``."""
    assignment = assignments.load(aufgabe)
    expected = expected_for(assignment)
    backend = make_backend(sandbox, log=log)
    with private_temporary("gnn-check-") as work:
        submission = open_submission(Path(path), assignment.module, Path(work))
        try:
            return grade_submission(assignment, expected, backend, submission, public_only=public_only)
        finally:
            backend.close()


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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; ``outcome`` holds what was graded before it."""

    def __init__(self, outcome: RunResult):
        super().__init__()
        self.outcome = outcome


def run(
    *,
    aufgabe: int,
    submissions: Path,
    out: Path,
    jobs: int | None = None,
    sandbox: str | Backend = "auto",
    regrade: bool = False,
    lang: str = "de",
    release_hidden: bool = False,
    progress: Callable[[SubmissionResult, int, int], None] | None = None,
    log: Callable[[str], None] = print,
    cluster: str | None = None,
) -> RunResult:
    """Grade every submission in ``submissions``; write results, reports and gradebook to ``out``.

    Each result is stored as soon as it is graded; a rerun on the same ``out``
    skips submissions graded under the same key (see ``grader.store``) unless
    ``regrade``. Ctrl-C kills the running sandboxes, writes the overview of
    what was graded and raises Interrupted. ``submissions`` may also be a zip
    of the folder (Moodle's "download all submissions"). Reports are in
    ``lang``; ``release_hidden`` shows hidden cases whose release date has passed.
    ``out`` is held for the run: another Aufgabe's results or a second
    grader writing there stop it (``grader.outdir``). ``complete`` in the
    outcome says whether every submission found has a result.
    With ``cluster`` (a Dask scheduler's address) the sandboxes run on its
    workers (``grader.cluster.client``); everything else stays here.
    """
    assignment = assignments.load(aufgabe)
    with claim(Path(out), assignment.number):
        return _run(
            assignment=assignment, submissions=submissions, out=Path(out), jobs=jobs, sandbox=sandbox,
            regrade=regrade, lang=lang, release_hidden=release_hidden, progress=progress, log=log,
            cluster=cluster,
        )


def _run(
    *,
    assignment: Assignment,
    submissions: Path,
    out: Path,
    jobs: int | None,
    sandbox: str | Backend,
    regrade: bool,
    lang: str,
    release_hidden: bool,
    progress: Callable[[SubmissionResult, int, int], None] | None,
    log: Callable[[str], None],
    cluster: str | None,
) -> RunResult:
    """``run`` once OUT is held (see ``grader.outdir.claim``)."""
    hand = overrides.load(out)  # a damaged file stops the run before grading, not after
    store = ResultStore(out / "submissions")
    figures_dir = out / "reports" / "figures"
    graded: dict[str, SubmissionResult] = {}
    with private_temporary("gnn-unpack-") as work:
        survey = find(Path(submissions), assignment.module, Path(work))
        for entry in survey.skipped:
            log(f"Übersprungen: {entry.name} – {entry.why}.")
        found = survey.submissions
        if not found:
            raise NoSubmissions(submissions)
        backend: Backend | Cluster
        if cluster is None:
            backend = sandbox if isinstance(sandbox, Backend) else make_backend(sandbox, log=log)
        elif isinstance(sandbox, Backend):
            # The workers start their own sandboxes: they can be told a kind, not handed this one.
            raise ValueError("with a cluster, sandbox names the workers' sandbox (auto, docker, process), not a Backend")
        else:
            backend = connect(cluster, sandbox=sandbox, log=log)
        fingerprint = assignment.fingerprint()
        keys = {s.id: f"{fingerprint}:{backend.name}:{submission_hash(s)}" for s in found}
        todo = []
        for s in found:
            stored = None if regrade else store.get(s.id, keys[s.id])
            if stored is None:
                todo.append(s)
            else:
                graded[s.id] = stored
        if graded:
            log(f"{len(graded)} Abgaben unverändert seit dem letzten Lauf, übernommen (--regrade bewertet neu).")
        stopping = threading.Event()
        # On a cluster: a second submission per slot waits there while this host judges the first.
        workers = 2 * backend.slots if isinstance(backend, Cluster) else affordable_jobs(jobs or os.cpu_count() or 1, assignment.limits.memory, log)
        waiting = len(todo)
        waiting_lock = threading.Lock()

        def grade(submission: Submission, expected: Expected) -> SubmissionResult:
            nonlocal waiting
            with waiting_lock:
                waiting -= 1
                # Sandboxes started ahead for the submissions still waiting, no more.
                backend.reserve(min(workers, waiting))
            remove_tree(figures_dir / file_stem(submission.id))
            try:
                result = grade_submission(assignment, expected, backend, submission, figures_dir=figures_dir)
            except (SandboxLost, KeyboardInterrupt):
                raise
            except Exception as exc:  # one submission never stops the batch
                return _grader_failed(assignment, backend, submission, exc, log)
            if stopping.is_set():  # results of killed sandboxes are not results
                return result
            if result.sandbox_failed:
                # Reported, but not kept: what failed was the sandbox, not the code.
                log(f"{submission.id}: die Sandbox fiel aus; der nächste Lauf bewertet diese Abgabe neu.")
            else:
                store.put(submission.id, keys[submission.id], result)
            return result

        interrupted = False
        lost: SandboxLost | None = None
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = []
            if todo:  # with every result stored, the expected values need not be computed
                expected = expected_for(assignment)
                futures = [pool.submit(grade, s, expected) for s in todo]
            for future in as_completed(futures):
                result = future.result()
                graded[result.id] = result
                if progress:
                    progress(result, len(graded), len(found))
        except KeyboardInterrupt:
            interrupted = True
            stopping.set()
        except SandboxLost as exc:
            lost = exc
            stopping.set()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            backend.close()  # kills what still runs, so the workers end at once
            pool.shutdown(wait=True)
    outcome = RunResult(
        aufgabe=assignment.number,
        title=assignment.title,
        threshold=assignment.threshold,
        submissions=[graded[s.id] for s in found if s.id in graded],
        sandbox=backend.name,
        complete=len(graded) == len(found),
        total=len(found),
        lang=lang,
        release_hidden=release_hidden,
        skipped=[{"name": entry.name, "why": entry.why} for entry in survey.skipped],
    )
    overrides.apply(outcome, hand)
    report.write_all(outcome, assignment, out, lang=lang, release_hidden=release_hidden)
    write_json_atomic(out / "results.json", outcome.to_json())
    if interrupted:
        raise Interrupted(outcome)
    if lost is not None:
        raise lost
    return outcome
