"""Who a Moodle user is here, which activity opens which Aufgabe, and the roster from Moodle.

A Moodle user (``sub``) becomes one student row per role: a learner is matched
to the roster's row with the same e-mail address or ID number (the first
launch links them), else gets a new row; an instructor always gets a row of
their own, so that rights never pass between roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.service.models import LtiAccount, LtiLink, LtiPlatform, Student

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _text(value, limit: int = 200) -> str:
    return str(value or "").strip()[:limit]


def account_student(db: Session, platform: LtiPlatform, person: dict, *, instructor: bool) -> Student:
    """The student row of the Moodle user ``person`` (a launch's claims, or an NRPS member as claims)."""
    sub = _text(person["sub"], 255)
    account = db.scalar(select(LtiAccount).where(
        LtiAccount.platform_id == platform.id, LtiAccount.sub == sub, LtiAccount.instructor.is_(instructor)
    ))
    email = _text(person.get("email"))
    id_number = _text((person.get(CLAIM + "lis") or {}).get("person_sourcedid"), 100)
    name = _text(person.get("name")) or " ".join(filter(None, [_text(person.get("given_name")), _text(person.get("family_name"))]))
    if account is not None:
        student = db.get(Student, account.student_id)
        assert student is not None
        student.name, student.email = name or student.name, email or student.email
        return student
    student = None if instructor else _roster_row(db, email, id_number)
    if student is None:
        key = id_number or email
        if instructor or not key or db.scalar(select(Student.id).where(Student.key == key)) is not None:
            key = f"lti-{platform.id}-{sub}" + ("-lehrende" if instructor else "")
        student = Student(name=name or f"Moodle-Nutzer {sub}", email=email, id_number=id_number, key=key, instructor=instructor)
        db.add(student)
        db.flush()
    db.add(LtiAccount(platform_id=platform.id, sub=sub, instructor=instructor, student_id=student.id))
    db.flush()
    return student


def _roster_row(db: Session, email: str, id_number: str) -> Student | None:
    """The roster's student with this e-mail address or ID number who has no Moodle user yet."""
    linked = select(LtiAccount.student_id)
    for column, value in ((Student.id_number, id_number), (func.lower(Student.email), email.lower())):
        if value:
            found = db.scalar(select(Student).where(
                column == value, Student.instructor.is_(False), Student.id.not_in(linked)
            ).limit(1))
            if found is not None:
                return found
    return None


def remember_link(db: Session, platform: LtiPlatform, resource_link: dict, aufgabe: int, body: dict) -> LtiLink | None:
    """The activity's row: which Aufgabe it opens and where its gradebook column is (AGS claim)."""
    link_id = _text(resource_link.get("id"), 255)
    if not link_id:
        return None
    link = db.scalar(select(LtiLink).where(LtiLink.platform_id == platform.id, LtiLink.resource_link_id == link_id))
    link = link or LtiLink(platform_id=platform.id, resource_link_id=link_id)
    endpoint = body.get(AGS_CLAIM) or {}
    link.aufgabe, link.title = aufgabe, _text(resource_link.get("title"), 255)
    link.lineitem, link.lineitems = _text(endpoint.get("lineitem"), 500), _text(endpoint.get("lineitems"), 500)
    scopes = endpoint.get("scope") or []
    link.scopes = "\n".join(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else ""
    db.add(link)
    db.flush()
    return link


@dataclass
class RosterPulled:
    learners: int
    new: int
    """Rows made for learners the roster did not have."""


LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def add_members(db: Session, platform: LtiPlatform, members: list[dict]) -> RosterPulled:
    """Every active learner of ``members`` (Names and Role Provisioning) as a student of the course."""
    learners = new = 0
    for member in members:
        roles = member.get("roles") or []
        if member.get("status", "Active") != "Active" or not any(r in (LEARNER, "Learner") or str(r).startswith(LEARNER) for r in roles):
            continue
        if not member.get("user_id"):
            continue
        before = db.scalar(select(func.count()).select_from(Student))
        person = {**member, "sub": member["user_id"], CLAIM + "lis": {"person_sourcedid": member.get("lis_person_sourcedid", "")}}
        account_student(db, platform, person, instructor=False)
        learners += 1
        new += db.scalar(select(func.count()).select_from(Student)) != before
    return RosterPulled(learners, new)
