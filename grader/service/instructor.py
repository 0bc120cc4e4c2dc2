"""The instructor's pages (German): the class live, any hand-in with its whole report, a regrade.

The instructor logs in with their token on the same page as the students.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from grader.service import queue, reads
from grader.service.extensions import all_extensions, grant
from grader.service.models import Aufgabe, Grading, Handin, Override, Student, now
from grader.service.security import check_csrf, current_student
from grader.service.visible import shown

blueprint = Blueprint("instructor", __name__, url_prefix="/lehrende")


def instructor(db) -> Student:
    student = current_student(db) if "student_id" in session else None
    if student is None:
        abort(redirect(url_for("pages.login")))
    assert student is not None
    if not student.instructor:
        abort(403)
    return student


@blueprint.get("/")
def overview():
    with current_app.extensions["course"].session() as db:
        me = instructor(db)
        students, aufgaben, cells = reads.class_overview(db)
        waiting = queue.depth(db)
        errors = db.scalars(select(Handin).where(Handin.state == "error")).all()
        granted = all_extensions(db)
    missing = {a.number: [s.name for s in students if (s.id, a.number) not in cells] for a in aufgaben}
    names = {s.id: s.name for s in students}
    return render_template(
        "lehrende.html", student=me, students=students, aufgaben=aufgaben, cells=cells, waiting=waiting,
        errors=errors, missing=missing, extensions=granted, names=names,
    )


@blueprint.post("/verlaengerungen")
def extend():
    """A later deadline for one student: the form's moment is read as UTC."""
    check_csrf()
    with current_app.extensions["course"].session() as db:
        instructor(db)
        student = db.scalar(select(Student).where(Student.key == request.form.get("student", ""), Student.instructor.is_(False)))
        number = request.form.get("aufgabe", "")
        aufgabe = db.get(Aufgabe, int(number)) if number.isdigit() else None
    try:
        deadline = datetime.fromisoformat(request.form.get("deadline", "")).replace(tzinfo=UTC)
    except ValueError:
        deadline = None
    note = request.form.get("note", "").strip()
    if student is None or aufgabe is None or deadline is None or not note:
        g.refusal = "Bitte Studierende, Aufgabe, neue Frist (UTC) und eine Begründung angeben."
        abort(400)
    with current_app.extensions["course"].session() as db:
        grant(db, student_id=student.id, aufgabe=aufgabe.number, deadline=deadline, note=note)
    flash(f"Frist von {student.name} für Aufgabe {aufgabe.number} verlängert.")
    return redirect(url_for("instructor.overview"))


def instructor_view(db, handin_id: int) -> dict | None:
    """The hand-in as the instructor's pages show it (hidden cases with verdict and message)."""
    found = db.get(Handin, handin_id)
    if found is None:
        return None
    aufgabe = db.get(Aufgabe, found.aufgabe)
    return shown(found, aufgabe, reads.latest_grading(db, found.id), now(), level="report")


@blueprint.get("/abgaben/<int:handin_id>")
def handin(handin_id: int):
    with current_app.extensions["course"].session() as db:
        me = instructor(db)
        found = db.get(Handin, handin_id)
        if found is None:
            abort(404)
        aufgabe = db.get(Aufgabe, found.aufgabe)
        owner = db.get(Student, found.student_id)
        assert aufgabe is not None and owner is not None
        view = shown(found, aufgabe, reads.latest_grading(db, found.id), now(), level="report")
        history = db.scalars(select(Grading).where(Grading.handin_id == found.id).order_by(Grading.id)).all()
        counted = reads.counted_by_student(db, aufgabe).get(owner.id)
    return render_template("lehrende_abgabe.html", student=me, owner=owner, handin=view, history=history, counted=counted)


@blueprint.post("/abgaben/<int:handin_id>/neu-bewerten")
def regrade(handin_id: int):
    check_csrf()
    with current_app.extensions["course"].session() as db:
        instructor(db)
        if db.get(Handin, handin_id) is None:
            abort(404)
    with current_app.extensions["course"].session() as db:
        queue.regrade(db, handin_id)
    current_app.extensions.get("on_change", lambda: None)()
    flash("Neue Bewertung eingereiht; die bisherigen bleiben in der Geschichte.")
    return redirect(url_for("instructor.handin", handin_id=handin_id))


@blueprint.post("/abgaben/<int:handin_id>/aendern")
def change(handin_id: int):
    """Set or take back the override of the hand-in's student in its Aufgabe (points or verdict, with a note)."""
    check_csrf()
    with current_app.extensions["course"].session() as db:
        instructor(db)
        found = db.get(Handin, handin_id)
        if found is None:
            abort(404)
        counted = reads.counted_by_student(db, db.get(Aufgabe, found.aufgabe)).get(found.student_id)
    form = request.form
    try:
        set_override(found.student_id, found.aufgabe, counted, points=form.get("points", ""), passed=form.get("passed", ""),
                     note=form.get("note", ""), remove="remove" in form)
    except ValueError as exc:
        g.refusal = str(exc)
        abort(400)
    current_app.extensions.get("on_change", lambda: None)()
    flash("Änderung zurückgenommen." if "remove" in form else "Änderung von Hand gespeichert; sie gilt für den zählenden Versuch.")
    return redirect(url_for("instructor.handin", handin_id=handin_id))


def set_override(student_id: int, aufgabe: int, counted, *, points: str, passed: str, note: str, remove: bool) -> None:
    """Store the override (ValueError with the German reason when it cannot be)."""
    with current_app.extensions["course"].session() as db, db.begin():
        row = db.scalar(select(Override).where(Override.student_id == student_id, Override.aufgabe == aufgabe))
        if remove:
            if row is not None:
                db.delete(row)
            return
        if counted is None:
            raise ValueError("Für diese Aufgabe ist noch kein Versuch bewertet; geändert wird der zählende Versuch.")
        try:
            value = float(points.replace(",", ".")) if points.strip() else None
        except ValueError:
            raise ValueError(f"Punkte als Zahl angeben, nicht {points!r}.") from None
        verdict = {"ja": True, "nein": False}.get(passed)
        if value is None and verdict is None or not note.strip():
            raise ValueError("Eine Änderung braucht Punkte oder „bestanden ja/nein“ und eine Begründung.")
        if value is not None and not 0 <= value <= counted.max_score:
            raise ValueError(f"Punkte müssen zwischen 0 und {counted.max_score:g} liegen, nicht {value:g}.")
        row = row or Override(student_id=student_id, aufgabe=aufgabe)
        row.points, row.passed, row.note, row.at = value, verdict, note.strip(), now()
        db.add(row)
