"""Extensions: the instructor gives one student a later deadline in one Aufgabe.

The later deadline counts for that student everywhere the deadline counts:
whether a hand-in is accepted or late, and until when hidden cases show as the
policy says before the deadline.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.service.models import Extension, now


def extended(db: Session, student_id: int, aufgabe: int) -> datetime | None:
    """The student's own deadline in ``aufgabe``, None without an extension."""
    return db.scalar(select(Extension.deadline).where(Extension.student_id == student_id, Extension.aufgabe == aufgabe))


def grant(db: Session, *, student_id: int, aufgabe: int, deadline: datetime, note: str) -> None:
    """Give (or change) the student's deadline in ``aufgabe``; the note says why."""
    with db.begin():
        found = db.scalar(select(Extension).where(Extension.student_id == student_id, Extension.aufgabe == aufgabe))
        if found is None:
            db.add(Extension(student_id=student_id, aufgabe=aufgabe, deadline=deadline, note=note, granted_at=now()))
        else:
            found.deadline, found.note, found.granted_at = deadline, note, now()


def all_extensions(db: Session) -> list[Extension]:
    return list(db.scalars(select(Extension).order_by(Extension.aufgabe, Extension.student_id)))
