"""Grade submissions: the keyword-only functions behind ``grader run`` and ``grader check``.

The CLI is a thin shell over these; the tests call them directly. Both grade
through ``grader.engine``; what is the batch's own lives here: finding the
hand-ins, the results kept from an earlier run, the reports and the gradebook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grader.backends import Backend, SandboxLost, make_backend
from grader.backends.tempdirs import private_temporary
from grader.cases import assignment as assignments
from grader.cases.assignment import Assignment
from grader.cluster.client import connect
from grader.common.german import count
from grader.common.results import RunResult, SubmissionResult, write_json_atomic
from grader.common.status import SubmissionStatus
from grader.engine import Engine, Local, Sandboxes, outdir
from grader.engine.outdir import claim
from grader.engine.store import ResultStore, submission_hash
from grader.intake.download import find
from grader.intake.submissions import NoSubmissions, module_somewhere, open_submission
from grader.report import pages as report


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
    with private_temporary("gnn-check-") as work:
        submission = open_submission(Path(path), assignment.module, Path(work))
        with Engine(assignment, Local(make_backend(sandbox, log=log)), public_only=public_only, log=log) as engine:
            return engine.judge(submission)


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
    skips submissions graded under the same key (see ``grader.engine.store``) unless
    ``regrade``. Ctrl-C kills the running sandboxes, writes the overview of
    what was graded and raises Interrupted. ``submissions`` may also be a zip
    of the folder (Moodle's "download all submissions"). Reports are in
    ``lang``; ``release_hidden`` shows hidden cases whose release date has passed.
    ``out`` is held for the run: another Aufgabe's results or a second
    grader writing there stop it (``grader.engine.outdir``). ``complete`` in the
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
    """``run`` once OUT is held (see ``grader.engine.outdir.claim``)."""
    hand = outdir.load(out)  # a damaged file stops the run before grading, not after
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
        module_somewhere(found, assignment.module)
        sandboxes: Sandboxes
        if cluster is None:
            sandboxes = Local(sandbox if isinstance(sandbox, Backend) else make_backend(sandbox, log=log))
        elif isinstance(sandbox, Backend):
            # The workers start their own sandboxes: they can be told a kind, not handed this one.
            raise ValueError("with a cluster, sandbox names the workers' sandbox (auto, docker, process), not a Backend")
        else:
            sandboxes = connect(cluster, sandbox=sandbox, log=log)
        fingerprint = assignment.fingerprint()
        keys = {s.id: f"{fingerprint}:{sandboxes.name}:{submission_hash(s)}" for s in found}
        todo = []
        for s in found:
            stored = None if regrade else store.get(s.id, keys[s.id])
            if stored is None:
                todo.append(s)
            else:
                graded[s.id] = stored
        if graded:
            log(f"{count(len(graded), 'Abgabe', 'Abgaben')} unverändert seit dem letzten Lauf, übernommen (--regrade bewertet neu).")
        interrupted = False
        lost: SandboxLost | None = None
        with Engine(assignment, sandboxes, figures_dir=figures_dir, log=log) as engine:
            try:
                for result in engine.grade(todo, jobs=jobs):
                    if result.sandbox_failed:
                        # Reported, but not kept: what failed was the sandbox or the grader, not the code.
                        if result.status != SubmissionStatus.ERROR:
                            log(f"{result.id}: die Sandbox fiel aus; der nächste Lauf bewertet diese Abgabe neu.")
                    else:
                        store.put(result.id, keys[result.id], result)
                    graded[result.id] = result
                    if progress:
                        progress(result, len(graded), len(found))
            except KeyboardInterrupt:
                interrupted = True
            except SandboxLost as exc:
                lost = exc
    outcome = RunResult(
        aufgabe=assignment.number,
        title=assignment.title,
        threshold=assignment.threshold,
        submissions=[graded[s.id] for s in found if s.id in graded],
        sandbox=sandboxes.name,
        complete=len(graded) == len(found),
        total=len(found),
        lang=lang,
        release_hidden=release_hidden,
        skipped=[{"name": entry.name, "why": entry.why} for entry in survey.skipped],
    )
    outdir.apply(outcome, hand)
    report.write_all(outcome, assignment, out, lang=lang, release_hidden=release_hidden)
    write_json_atomic(out / "results.json", outcome.to_json())
    if interrupted:
        raise Interrupted(outcome)
    if lost is not None:
        raise lost
    return outcome
