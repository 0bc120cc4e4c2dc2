"""Hand-ins for the service's tests: the reference, a wrong one, and students by their key."""

from __future__ import annotations

from sqlalchemy import select

from grader.service.handins import Receipt, accept
from grader.service.models import Student

from .conftest import ROOT

REFERENCE = (ROOT / "reference" / "aufgabe1" / "perceptron.py").read_bytes()
WRONG = REFERENCE.replace(b"(phi > 0)", b"(phi >= 0)")
assert WRONG != REFERENCE


def student_id(course, key: str) -> int:
    with course.opened.session() as db:
        found = db.scalar(select(Student.id).where(Student.key == key))
    assert found is not None
    return found


def hand_in(course, key: str = "1001", content: bytes = REFERENCE, filename: str = "perceptron.py", **kwargs) -> Receipt:
    return accept(course.opened, student_id=student_id(course, key), aufgabe=1, filename=filename, content=content, **kwargs)
