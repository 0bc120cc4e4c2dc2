"""What the API and the pages read: a student's own hand-ins, their Aufgaben, the class's results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.cases import assignment as assignments
from grader.common.results import CaseResult, RunResult, SubmissionResult
from grader.engine import outdir
from grader.service.course import module_and_title, threshold
from grader.service.extensions import extended
from grader.service.models import Aufgabe, Grading, Handin, Override, Student
from grader.service.visible import shown
from grader.service.worker import submission_id


def latest_grading(db: Session, handin_id: int) -> Grading | None:
    return db.scalar(select(Grading).where(Grading.handin_id == handin_id).order_by(Grading.id.desc()).limit(1))


def own_handin(db: Session, student: Student, handin_id: int, at: datetime) -> dict | None:
    """The hand-in as ``student`` sees it; None when it is not theirs (or does not exist): both 404."""
    handin = db.get(Handin, handin_id)
    if handin is None or handin.student_id != student.id:
        return None
    aufgabe = db.get(Aufgabe, handin.aufgabe)
    assert aufgabe is not None
    return shown(handin, aufgabe, latest_grading(db, handin.id), at, extended=extended(db, student.id, aufgabe.number))


@dataclass
class AufgabeView:
    number: int
    title: str
    module: str
    row: Aufgabe
    handins: list[dict]
    attempts_left: int | None
    """None: unlimited."""
    open: bool
    """Whether a hand-in is accepted now (opened, and the deadline not passed or late accepted)."""
    deadline: datetime | None
    """The student's deadline: the Aufgabe's, or a later one given to them."""
    override: outdir.Override | None = None
    """The instructor's change of the counted attempt, if any."""


def aufgaben_of(db: Session, student: Student, at: datetime) -> list[AufgabeView]:
    views = []
    for row in db.scalars(select(Aufgabe).order_by(Aufgabe.number)):
        module, title = module_and_title(row.number)
        handins = db.scalars(
            select(Handin).where(Handin.student_id == student.id, Handin.aufgabe == row.number).order_by(Handin.seq.desc())
        ).all()
        used = sum(h.state != "error" for h in handins)
        left = None if row.attempts is None else max(0, row.attempts - used)
        own = extended(db, student.id, row.number)
        deadline = own or row.deadline
        is_open = at >= row.opens and (deadline is None or at <= deadline or row.late == "accept")
        views.append(AufgabeView(
            row.number, title, module, row,
            [shown(h, row, latest_grading(db, h.id), at, extended=own) for h in handins], left, is_open and left != 0,
            deadline, overrides_of(db, row.number).get(student.id),
        ))
    return views


def counted(db: Session, aufgabe: Aufgabe) -> list[SubmissionResult]:
    """Each student's counted result of ``aufgabe`` (the last graded attempt, or the best)."""
    return sorted(counted_by_student(db, aufgabe).values(), key=lambda result: result.id)


def counted_by_student(db: Session, aufgabe: Aufgabe) -> dict[int, SubmissionResult]:
    """The counted result of ``aufgabe`` by student id."""
    best: dict[int, SubmissionResult] = {}
    rows = db.execute(
        select(Handin, Grading).join(Grading, Grading.handin_id == Handin.id)
        .where(Handin.aufgabe == aufgabe.number, Handin.state == "graded", Grading.state == "done")
        .order_by(Handin.seq, Grading.id)
    ).all()
    for handin, grading in rows:
        data = json.loads(grading.result or "{}")
        result = SubmissionResult(**{**data, "cases": [CaseResult(**c) for c in data["cases"]]})
        kept = best.get(handin.student_id)
        if kept is None or aufgabe.counts == "last" or result.score > kept.score:
            best[handin.student_id] = result
    _overridden(db, aufgabe, best)
    return best


def overrides_of(db: Session, aufgabe: int) -> dict[int, outdir.Override]:
    """The instructor's overrides of ``aufgabe`` by student id, as the batch keeps them."""
    return {
        row.student_id: outdir.Override(note=row.note, at=row.at.isoformat(timespec="seconds"), points=row.points, passed=row.passed)
        for row in db.scalars(select(Override).where(Override.aufgabe == aufgabe))
    }


def _overridden(db: Session, aufgabe: Aufgabe, best: dict[int, SubmissionResult]) -> None:
    """Put the instructor's overrides on the counted results (the batch's own rule, ``outdir.apply``)."""
    changes = overrides_of(db, aufgabe.number)
    if not changes:
        return
    chosen = [best[student] for student in changes if student in best]
    run = RunResult(aufgabe.number, "", threshold(aufgabe.number), chosen)
    outdir.apply(run, {result.id: changes[student] for student, result in best.items() if student in changes})


def results_json(db: Session, aufgabe: Aufgabe) -> dict:
    """``results.json`` of the counted attempts, as ``grader run`` writes it."""
    assignment = assignments.load(aufgabe.number)
    submissions = counted(db, aufgabe)
    run = RunResult(aufgabe.number, assignment.title, assignment.threshold, submissions, sandbox=submissions[0].sandbox if submissions else "")
    return run.to_json()


@dataclass
class Cell:
    """One student's standing in one Aufgabe, for the instructor's overview."""

    handins: int = 0
    state: str = ""
    """The latest hand-in's state; "" when there is none."""
    latest: int | None = None
    result: SubmissionResult | None = None
    """The counted result, None before one is graded."""


def class_overview(db: Session) -> tuple[list[Student], list[Aufgabe], dict[tuple[int, int], Cell]]:
    """Students × Aufgaben: each cell's hand-ins, latest state and counted result."""
    students = db.scalars(select(Student).where(Student.instructor.is_(False)).order_by(Student.name)).all()
    aufgaben = db.scalars(select(Aufgabe).order_by(Aufgabe.number)).all()
    cells: dict[tuple[int, int], Cell] = {}
    for handin in db.scalars(select(Handin).order_by(Handin.seq)):
        cell = cells.setdefault((handin.student_id, handin.aufgabe), Cell())
        cell.handins, cell.state, cell.latest = cell.handins + 1, handin.state, handin.id
    labels = {submission_id(s): s.id for s in students}
    for aufgabe in aufgaben:
        for result in counted(db, aufgabe):
            if result.id in labels:
                cells.setdefault((labels[result.id], aufgabe.number), Cell()).result = result
    return list(students), list(aufgaben), cells
