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


class LtiPlatform(Base):
    """The Moodle (an LTI 1.3 platform) this course is registered with: what Moodle's tool page shows."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    """Moodle's "Platform ID" (its address)."""
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_ids: Mapped[str] = mapped_column(Text, default="")
    """One per line; a launch from another deployment is refused."""
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    context_id: Mapped[str] = mapped_column(String(255))
    """The Moodle course whose launches this course takes; roles from any other context count for nothing."""
    memberships_url: Mapped[str] = mapped_column(String(500), default="")
    """Names and Role Provisioning of that course, as the last launch named it."""


class LtiAccount(Base):
    """A Moodle user (``sub``) in one role, and the student row they are here."""

    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("platform_id", "sub", "instructor", name="uq_lti_accounts_platform_sub_role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id"))
    sub: Mapped[str] = mapped_column(String(255))
    instructor: Mapped[bool] = mapped_column(Boolean, default=False)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)


class LtiLink(Base):
    """A Moodle activity (resource link) that opens an Aufgabe, with its gradebook column (line item)."""

    __tablename__ = "lti_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id", name="uq_lti_links_platform_link"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    aufgabe: Mapped[int] = mapped_column(ForeignKey("aufgaben.number"))
    title: Mapped[str] = mapped_column(String(255), default="")
    lineitem: Mapped[str] = mapped_column(String(500), default="")
    lineitems: Mapped[str] = mapped_column(String(500), default="")
    scopes: Mapped[str] = mapped_column(Text, default="")
    """The Assignment and Grade Services scopes granted, one per line."""


class LtiScore(Base):
    """What Moodle's gradebook holds of one student in one activity, and what is still to send there.

    ``sent`` is the last score Moodle accepted (without its timestamp); the
    sender compares it with the score now due and sends again when they differ,
    after ``next_try`` when an earlier sending failed.
    """

    __tablename__ = "lti_scores"
    __table_args__ = (UniqueConstraint("account_id", "link_id", name="uq_lti_scores_account_link"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("lti_accounts.id"))
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_links.id"))
    sent: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_try: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")


class LtiValue(Base):
    """Short-lived values of the LTI launches: login state and nonces, the platform's key set (cached)."""

    __tablename__ = "lti_values"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Override(Base):
    """The instructor's word on one student's counted attempt of one Aufgabe (as ``grader override``)."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("student_id", "aufgabe", name="uq_overrides_student_aufgabe"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    aufgabe: Mapped[int] = mapped_column(ForeignKey("aufgaben.number"))
    points: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
