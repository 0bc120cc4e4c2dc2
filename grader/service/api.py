"""The JSON API (``/api/v1/…``), stable for scripts, the kit's ``submit`` and the tests (README)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request

from grader.service import reads
from grader.service.handins import Refused, accept
from grader.service.models import Aufgabe, Student, now
from grader.service.security import current_student, student_by_token

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


def refuse(status: int, text: str):
    g.refusal = text
    abort(status)


def bearer_student(db) -> Student:
    """Changes need the token itself: a cookie could be sent by another site's form."""
    header = request.headers.get("Authorization", "")
    student = student_by_token(db, header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if student is None:
        refuse(401, "Anmeldung fehlt oder der Token ist ungültig (Authorization: Bearer TOKEN).")
    assert student is not None
    return student


def upload(student: Student, aufgabe_field: str | None, file) -> dict:
    """Accept ``file`` for the Aufgabe numbered ``aufgabe_field``: the receipt, or a refusal (abort)."""
    opened = current_app.extensions["course"]
    if not current_app.extensions["limits"]["upload"].allow(f"student:{student.id}"):
        refuse(429, "Zu viele Abgaben in kurzer Zeit; bitte eine Minute warten.")
    if not (aufgabe_field or "").strip().isdigit():
        refuse(400, "Das Feld „aufgabe“ muss die Nummer der Aufgabe sein.")
    if file is None or not file.filename:
        refuse(400, "Es wurde keine Datei hochgeladen (Feld „file“).")
    try:
        receipt = accept(opened, student_id=student.id, aufgabe=int(aufgabe_field or 0), filename=file.filename, content=file.read())
    except Refused as exc:
        refuse(exc.status, str(exc))
        raise
    return {"id": receipt.id, "received_at": receipt.received_at.isoformat(timespec="seconds"), "sha256": receipt.sha256, "attempt": receipt.attempt, "late": receipt.late}


@blueprint.post("/submissions")
def submit():
    with current_app.extensions["course"].session() as db:
        student = bearer_student(db)
    return jsonify(upload(student, request.form.get("aufgabe"), request.files.get("file"))), 201


@blueprint.get("/submissions/<int:handin_id>")
def submission(handin_id: int):
    with current_app.extensions["course"].session() as db:
        student = current_student(db)
        if student is None:
            refuse(401, "Anmeldung fehlt oder der Token ist ungültig.")
        assert student is not None
        found = reads.own_handin(db, student, handin_id, now())
    if found is None:
        refuse(404, "Diese Abgabe gibt es nicht (oder sie gehört jemand anderem).")
    return jsonify(found)


@blueprint.get("/results")
def results():
    with current_app.extensions["course"].session() as db:
        student = bearer_student(db)
        if not student.instructor:
            refuse(403, "Nur die Lehrenden sehen die Ergebnisse aller Studierenden.")
        number = request.args.get("aufgabe", "")
        aufgabe = db.get(Aufgabe, int(number)) if number.isdigit() else None
        if aufgabe is None:
            refuse(404, f"Aufgabe {number!r} gibt es in diesem Kurs nicht.")
        assert aufgabe is not None
        return jsonify(reads.results_json(db, aufgabe))
