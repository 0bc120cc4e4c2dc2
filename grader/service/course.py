"""A course folder: ``grader service init`` makes it, ``grader service tokens`` hands out its tokens.

``DATA/course.toml`` holds the policies (``grader.service.policy``); the
database (``DATA/service.db`` unless ``course.toml`` names another) holds the
students, the Aufgaben as ``course.toml`` had them at the last start, the
hand-ins and their gradings; ``DATA/files`` holds the handed-in files.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from grader.cases import assignment as assignments
from grader.common.errors import EXIT_OUTPUT, EXIT_USAGE, GraderError
from grader.course import roster
from grader.service import policy
from grader.service.database import default_url, make_engine, migrate, sessions
from grader.service.models import Aufgabe, Student
from grader.service.tokens import new_token, token_hash

INSTRUCTOR_KEY = "lehrende"


class CourseError(GraderError):
    """The course folder cannot be made or used; the message says why (German)."""

    exit_code = EXIT_USAGE

    def __init__(self, text: str, hint: str, exit_code: int = EXIT_USAGE):
        super().__init__(text)
        self.what_to_do, self.exit_code = hint, exit_code

    def hint(self, options) -> str:
        return self.what_to_do


@functools.cache
def module_and_title(number: int) -> tuple[str, str]:
    """The module file's name and the title of Aufgabe ``number`` (loading one runs its cases.py: once)."""
    assignment = assignments.load(number)
    return assignment.module, assignment.title


@functools.cache
def threshold(number: int) -> float:
    """The share of the points that passes Aufgabe ``number``."""
    return assignments.load(number).threshold


@dataclass
class Opened:
    """An open course folder."""

    data: Path
    course: policy.Course
    engine: Engine

    @property
    def files(self) -> Path:
        return self.data / "files"

    def session(self) -> Session:
        return sessions(self.engine)()


def init(
    *, data: Path, roster_paths: Sequence[Path], aufgaben: Sequence[int] | None = None, database: str = ""
) -> str:
    """Make the course folder ``data`` with ``course.toml`` and its database; the instructor's token."""
    data = Path(data)
    if (data / "course.toml").exists():
        raise CourseError(f"In {data} liegt schon ein Kurs (course.toml).", "einen anderen, leeren Ordner angeben.", EXIT_OUTPUT)
    numbers = list(aufgaben or assignments.available())
    for number in numbers:
        assignments.load(number)  # an unknown Aufgabe ends here, with its message
    contacts = roster.contacts(roster_paths)
    if not contacts:
        raise CourseError(
            "In der Teilnehmerliste steht niemand mit Namen und E-Mail-Adresse oder ID-Nummer.",
            "Moodles Teilnehmerliste als CSV exportieren und mit --roster angeben.",
        )
    keys = [c.person.key for c in contacts]
    doubled = sorted({k for k in keys if keys.count(k) > 1})
    if doubled:
        raise CourseError(f"Mehrfach in der Teilnehmerliste: {', '.join(doubled)}.", "jede Person nur einmal aufführen.")
    data.mkdir(parents=True, exist_ok=True)
    course = policy.Course(policies={n: policy.default_policy(n) for n in numbers}, database=database)
    opened = Opened(data, course, make_engine(database or default_url(data)))
    token = new_token()
    try:
        migrate(opened.engine)
        with opened.session() as session, session.begin():
            session.add(Student(name="Lehrende", key=INSTRUCTOR_KEY, token_hash=token_hash(token), instructor=True))
            for c in contacts:
                session.add(Student(name=c.person.name, key=c.person.key, email=c.email, id_number=c.id_number))
            sync_aufgaben(session, course)
    finally:
        opened.engine.dispose()
    policy.write(data / "course.toml", course)
    from grader.service.lti import tool_keys

    tool_keys(data)  # the LTI key pair, made once; its private half never leaves DATA/lti
    return token


def open_course(data: Path) -> Opened:
    """The course in ``data``, its schema migrated and its Aufgaben as ``course.toml`` says now."""
    data = Path(data)
    if not (data / "course.toml").is_file():
        raise CourseError(f"{data} ist kein Kursordner (course.toml fehlt).", "zuerst `grader service init DATA --roster …`.", EXIT_OUTPUT)
    try:
        course = policy.read(data / "course.toml")
    except policy.CourseFileError as exc:
        raise CourseError(str(exc), "course.toml korrigieren.") from None
    opened = Opened(data, course, make_engine(course.database or default_url(data)))
    migrate(opened.engine)
    with opened.session() as session, session.begin():
        sync_aufgaben(session, course)
    return opened


def sync_aufgaben(session: Session, course: policy.Course) -> None:
    """The Aufgaben's rows as ``course`` has them (an Aufgabe left out of it keeps its row and hand-ins)."""
    for number, p in course.policies.items():
        row = session.get(Aufgabe, number) or Aufgabe(number=number)
        row.opens, row.deadline, row.late, row.attempts = p.opens, p.deadline, p.late, p.attempts
        row.cooldown_minutes, row.hidden_before_deadline, row.counts = p.cooldown_minutes, p.hidden_before_deadline, p.counts
        session.add(row)


def write_tokens(*, data: Path, out: Path, url: str = "http://127.0.0.1:8000") -> int:
    """A new token for every student (the old ones stop working) into the CSV ``out``; how many.

    Tokens are stored hashed, so an old one cannot be written again: this hands out new ones.
    """
    opened = open_course(data)
    try:
        rows = _new_tokens(opened, url)
    finally:
        opened.engine.dispose()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow(["name", "email", "id_number", "token", "link"])
        writer.writerows(rows)
    return len(rows)


def _new_tokens(opened: Opened, url: str) -> list[list[str]]:
    rows = []
    with opened.session() as session, session.begin():
        for student in session.scalars(select(Student).where(Student.instructor.is_(False)).order_by(Student.name)):
            token = new_token()
            student.token_hash = token_hash(token)
            rows.append([student.name, student.email, student.id_number, token, f"{url.rstrip('/')}/anmelden#{token}"])
    return rows
