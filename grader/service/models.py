"""The service's tables: students, Aufgaben with their policies, hand-ins and their gradings.

A schema change is a migration (``grader/service/migrations``); these classes
and the migrations are held equal by a test.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

HANDIN_STATES = ("queued", "running", "graded", "error")
"""``error``: the grader (not the student's code) failed repeatedly; it uses up no attempt."""
GRADING_STATES = ("queued", "running", "done", "failed")


def now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A moment, kept as UTC without zone (SQLite has none) and read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Student(Base):
    __tablename__ = "students"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    id_number: Mapped[str] = mapped_column(String(100), default="")
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """ID number, else e-mail address (``grader.course.roster.Person.key``)."""
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    """SHA-256 of the personal token; the token itself is never stored."""
    instructor: Mapped[bool] = mapped_column(Boolean, default=False)


class Aufgabe(Base):
    __tablename__ = "aufgaben"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opens: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    late: Mapped[str] = mapped_column(String(16), default="refuse")
    attempts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cooldown_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    hidden_before_deadline: Mapped[str] = mapped_column(String(16), default="verdict")
    counts: Mapped[str] = mapped_column(String(16), default="last")


class Handin(Base):
    __tablename__ = "handins"
    __table_args__ = (UniqueConstraint("student_id", "aufgabe", "seq", name="uq_handins_student_aufgabe_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    aufgabe: Mapped[int] = mapped_column(ForeignKey("aufgaben.number"))
    seq: Mapped[int] = mapped_column(Integer)
    """1, 2, … per student and Aufgabe, every hand-in; unique, so two uploads at once cannot share one."""
    attempt: Mapped[int] = mapped_column(Integer)
    """The attempt it uses (hand-ins the grader failed on use none)."""
    sha256: Mapped[str] = mapped_column(String(64))
    """Name of the stored file: ``DATA/files/<sha256[:2]>/<sha256>``."""
    filename: Mapped[str] = mapped_column(String(100))
    """What the intake opens it as: ``<module>.py``, ``handin.zip`` or ``handin.tar.gz``."""
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="queued")


class Grading(Base):
    """One grading of a hand-in; the queue is the gradings in state ``queued`` or with an expired lease."""

    __tablename__ = "gradings"
    __table_args__ = (Index("ix_gradings_state", "state"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handin_id: Mapped[int] = mapped_column(ForeignKey("handins.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    """Leases taken; an interrupted grading or a failed sandbox takes another."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The ``SubmissionResult`` as JSON (``results.json``'s entry), unfiltered: pages filter it."""


class Extension(Base):
    """A later deadline for one student in one Aufgabe, granted by the instructor."""

    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("student_id", "aufgabe", name="uq_extensions_student_aufgabe"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    aufgabe: Mapped[int] = mapped_column(ForeignKey("aufgaben.number"))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
