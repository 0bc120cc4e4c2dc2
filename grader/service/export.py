"""``grader service export``: the service's counted attempts written as ``grader run`` writes a run.

``results.json``, the reports, ``index.html`` and the gradebooks land in OUT
through the batch's own writers, so ``overview``, ``publish``, ``moodle-grades``,
``override`` and ``similarity`` work on them unchanged. Hand-ins still queued or
running make the run incomplete (``"complete": false``), as Ctrl-C does for ``grader run``.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import func, select

from grader.cases import assignment as assignments
from grader.common.errors import EXIT_UNKNOWN_AUFGABE
from grader.common.results import RunResult, write_json_atomic
from grader.course import overrides
from grader.engine.outdir import FILE, claim
from grader.report import pages as report
from grader.service.course import CourseError, open_course
from grader.service.models import Aufgabe, Handin, Student
from grader.service.reads import counted, overrides_of
from grader.service.worker import figures_root, submission_id


def export(*, data: Path, aufgabe: int, out: Path, lang: str = "de", release_hidden: bool = False) -> RunResult:
    """Write the counted attempts of ``aufgabe`` to ``out``; the run written."""
    opened = open_course(data)
    try:
        with opened.session() as db:
            row = db.get(Aufgabe, aufgabe)
            if row is None:
                raise CourseError(f"Aufgabe {aufgabe} gibt es in diesem Kurs nicht.", "die Aufgaben stehen in course.toml.", EXIT_UNKNOWN_AUFGABE)
            submissions = counted(db, row)
            by_student = overrides_of(db, aufgabe)
            changed = {submission_id(s): by_student[s.id] for s in db.scalars(select(Student).where(Student.id.in_(by_student)))}
            students = func.count(func.distinct(Handin.student_id))
            waiting = db.scalar(select(students).where(Handin.aufgabe == aufgabe, Handin.state.in_(("queued", "running"))))
            total = db.scalar(select(students).where(Handin.aufgabe == aufgabe, Handin.state != "error"))
    finally:
        opened.engine.dispose()
    assignment = assignments.load(aufgabe)
    with claim(Path(out), aufgabe):
        run = RunResult(
            aufgabe=aufgabe,
            title=assignment.title,
            threshold=assignment.threshold,
            submissions=submissions,
            sandbox=submissions[0].sandbox if submissions else "",
            complete=not waiting,
            total=total or 0,
            lang=lang,
            release_hidden=release_hidden,
        )
        # The service's overrides join those already set on this export with `grader override` (the service's win).
        kept = {**overrides.load(Path(out)), **changed}
        if kept:
            write_json_atomic(Path(out) / FILE, {sid: asdict(o) for sid, o in sorted(kept.items())})
        overrides.apply(run, kept)
        _copy_figures(run, figures_root(Path(data), aufgabe), Path(out) / "reports" / "figures")
        report.write_all(run, assignment, Path(out), lang=lang, release_hidden=release_hidden)
        write_json_atomic(Path(out) / "results.json", run.to_json())
    return run


def _copy_figures(run: RunResult, source: Path, target: Path) -> None:
    """The figures the counted results name, where the batch's report pages look for them."""
    for submission in run.submissions:
        for case in submission.cases:
            for name in (*case.figures, *case.expected_figures, *case.difference_figures):
                if (source / name).is_file():
                    (target / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source / name, target / name)
