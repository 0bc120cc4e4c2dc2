"""What goes to Moodle and comes from it: scores into the gradebook (AGS), the roster (NRPS).

The database says what Moodle's gradebook should hold: for each learner with
a Moodle user and each activity of an Aufgabe, the counted attempt's score
(``FullyGraded``), or ``Pending`` while hidden cases wait for the deadline.
``sync_scores`` sends what differs from what Moodle last accepted; a failed
sending is kept and tried again later (backoff up to an hour), so a Moodle
that is down loses nothing. A regrade changes the counted score, so it is
sent again by itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.common.results import SubmissionResult
from grader.service.course import Opened
from grader.service.extensions import extended
from grader.service.lti import register, tool_conf, tool_keys
from grader.service.lti_people import RosterPulled, add_members
from grader.service.models import Aufgabe, LtiAccount, LtiLink, LtiPlatform, LtiScore, now
from grader.service.reads import counted_by_student

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
MAX_BACKOFF = timedelta(hours=1)
MIN_GAP = 2.0
"""Seconds between two rounds of the sender at the least (each reads every counted result)."""


def backoff(failures: int) -> timedelta:
    return min(timedelta(seconds=10 * 2 ** min(failures - 1, 12)), MAX_BACKOFF)


def waits_for_deadline(aufgabe: Aufgabe, deadline: datetime | None, at: datetime) -> bool:
    """Whether the score is not final yet: hidden cases not fully shown until a deadline still ahead."""
    return deadline is not None and at <= deadline and aufgabe.hidden_before_deadline != "report"


def due(result: SubmissionResult, aufgabe: Aufgabe, deadline: datetime | None, sub: str, at: datetime) -> dict:
    """The score Moodle's gradebook should hold (AGS score, without its timestamp)."""
    if waits_for_deadline(aufgabe, deadline, at):
        return {
            "userId": sub, "activityProgress": "Submitted", "gradingProgress": "Pending",
            "comment": "Abgegeben; die Punkte stehen nach der Frist fest (verdeckte Testfälle).",
        }
    verdict = "Testat bestanden" if result.passed else "Testat nicht bestanden"
    return {
        "userId": sub, "scoreGiven": result.score, "scoreMaximum": result.max_score,
        "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        "comment": f"{verdict}: {result.score:g} von {result.max_score:g} Punkten.",
    }


@dataclass
class Due:
    account: LtiAccount
    link: LtiLink
    score: dict


def all_due(db: Session, at: datetime) -> list[Due]:
    found = []
    for link in db.scalars(select(LtiLink).order_by(LtiLink.id)):
        aufgabe = db.get(Aufgabe, link.aufgabe)
        if aufgabe is None or SCORE_SCOPE not in link.scopes.split():
            continue
        results = counted_by_student(db, aufgabe)
        accounts = db.scalars(select(LtiAccount).where(
            LtiAccount.platform_id == link.platform_id, LtiAccount.instructor.is_(False), LtiAccount.student_id.in_(results)
        ))
        for account in accounts:
            deadline = extended(db, account.student_id, aufgabe.number) or aufgabe.deadline
            found.append(Due(account, link, due(results[account.student_id], aufgabe, deadline, account.sub, at)))
    return found


class Connector(ServiceConnector):
    """PyLTI1p3's connector with its access tokens kept per platform and scopes, until shortly before they expire.

    (The library's Flask connector keeps them by scopes alone, in one dict for
    every platform.)
    """

    _tokens: dict[tuple[str, str, str], tuple[str, datetime]] = {}
    _lock = threading.Lock()

    def _key(self, scope_key: str) -> tuple[str, str, str]:
        return (self._registration.get_issuer() or "", self._registration.get_client_id() or "", scope_key)

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        with self._lock:
            token, until = self._tokens.get(self._key(scope_key), ("", now()))
        return token if until > now() else None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[self._key(scope_key)] = (access_token, now() + timedelta(seconds=max(0.0, expires_in - 30)))


def connectors(opened: Opened, db: Session) -> Callable[[int], ServiceConnector]:
    """A service connector per platform (it keeps its access token), made when first needed."""
    keys, made = tool_keys(opened.data), {}
    platforms = list(db.scalars(select(LtiPlatform)))
    conf = tool_conf(platforms, keys)

    def connector(platform_id: int) -> ServiceConnector:
        if platform_id not in made:
            platform = next(p for p in platforms if p.id == platform_id)
            registration = conf.find_registration_by_params(platform.issuer, platform.client_id)
            made[platform_id] = Connector(registration)
        return made[platform_id]

    return connector


def send(connector: ServiceConnector, link: LtiLink, score: dict, aufgabe_title: str) -> None:
    data: Any = {"scope": link.scopes.split(), "lineitem": link.lineitem or None, "lineitems": link.lineitems or None}
    service = AssignmentsGradesService(connector, data)
    grade = Grade().set_user_id(score["userId"]).set_activity_progress(score["activityProgress"])
    grade.set_grading_progress(score["gradingProgress"]).set_comment(score["comment"]).set_timestamp(now().isoformat(timespec="milliseconds"))
    if "scoreGiven" in score:
        grade.set_score_given(score["scoreGiven"]).set_score_maximum(score["scoreMaximum"])
    if link.lineitem:
        service.put_grade(grade)
        return
    if LINEITEM_SCOPE not in link.scopes.split():
        raise RuntimeError("Moodle hat für diese Aktivität keine Bewertungsspalte genannt und erlaubt keine neue.")
    column = LineItem().set_tag(f"aufgabe-{link.aufgabe}").set_label(aufgabe_title).set_resource_link_id(link.resource_link_id)
    service.put_grade(grade, column.set_score_maximum(score.get("scoreMaximum") or 1))


@dataclass
class Synced:
    sent: int = 0
    failed: int = 0
    unchanged: int = 0


def sync_scores(opened: Opened, at: datetime | None = None, log: Callable[[str], None] = print) -> Synced:
    """Send every score Moodle does not hold yet; failures wait for their next try."""
    from grader.service.course import module_and_title

    at, tally = at or now(), Synced()
    with opened.session() as db:
        connector = connectors(opened, db)
        for item in all_due(db, at):
            text = json.dumps(item.score, sort_keys=True)
            row = db.scalar(select(LtiScore).where(LtiScore.account_id == item.account.id, LtiScore.link_id == item.link.id))
            row = row or LtiScore(account_id=item.account.id, link_id=item.link.id, sent="", failures=0, error="")
            if row.sent == text:
                tally.unchanged += 1
                continue
            if row.next_try is not None and row.next_try > at:
                tally.failed += 1
                continue
            try:
                send(connector(item.link.platform_id), item.link, item.score, module_and_title(item.link.aufgabe)[1])
            except Exception as exc:  # Moodle away or refusing: kept, tried again after the backoff
                row.failures += 1
                row.next_try, row.error = at + backoff(row.failures), f"{type(exc).__name__}: {exc}"[:1000]
                tally.failed += 1
                log(f"Moodle: Punkte für Aufgabe {item.link.aufgabe} nicht gesendet ({row.error}); neuer Versuch um {row.next_try:%H:%M:%S} UTC.")
            else:
                row.sent, row.sent_at, row.failures, row.next_try, row.error = text, at, 0, None, ""
                tally.sent += 1
            db.add(row)
            db.commit()
    return tally


def pull_roster(opened: Opened) -> RosterPulled:
    """The learners of the course's Moodle course (Names and Role Provisioning) into the roster."""
    with opened.session() as db:
        platforms = [p for p in db.scalars(select(LtiPlatform)) if p.memberships_url]
        if not platforms:
            raise LookupError("Noch keine Teilnehmerliste aus Moodle erreichbar: zuerst einmal als Lehrende aus Moodle starten.")
        connector = connectors(opened, db)
        total = RosterPulled(0, 0)
        for platform in platforms:
            service = NamesRolesProvisioningService(connector(platform.id), {"context_memberships_url": platform.memberships_url})
            pulled = add_members(db, platform, [dict(m) for m in service.get_members()])
            total = RosterPulled(total.learners + pulled.learners, total.new + pulled.new)
        db.commit()
    return total


def register_platform(
    *, data: Path, issuer: str, client_id: str, deployment_ids: Sequence[str], auth_login_url: str, auth_token_url: str,
    key_set_url: str, context_id: str,
) -> None:
    """``grader service lti``: register the platform in the course folder ``data`` (RegistrationError: why not)."""
    from grader.service.course import open_course

    opened = open_course(data)
    try:
        with opened.session() as db, db.begin():
            register(db, {
                "issuer": issuer, "client_id": client_id, "deployment_ids": "\n".join(deployment_ids), "auth_login_url": auth_login_url,
                "auth_token_url": auth_token_url, "key_set_url": key_set_url, "context_id": context_id,
            })
    finally:
        opened.engine.dispose()
    tool_keys(data)


def roster(*, data: Path) -> RosterPulled:
    """``grader service roster``: pull the roster into the course folder ``data``."""
    from grader.service.course import CourseError, open_course

    opened = open_course(data)
    try:
        return pull_roster(opened)
    except LookupError as exc:
        raise CourseError(str(exc), "die Aufgabe einmal als Lehrende aus Moodle öffnen, dann erneut.") from None
    finally:
        opened.engine.dispose()


class ScoreSender:
    """A thread beside the worker: sends scores every ``interval`` seconds and when woken (a grading done)."""

    def __init__(self, opened: Opened, *, interval: float = 15.0, log: Callable[[str], None] = print):
        self.opened, self.interval, self.log = opened, interval, log
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lti-scores", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                sync_scores(self.opened, log=self.log)
            except Exception as exc:  # the database away for a moment: the next round tries again
                self.log(f"Moodle: Abgleich der Punkte ausgefallen ({type(exc).__name__}: {exc!r:.200}).")
            # In a deadline rush every grading wakes it: one round per MIN_GAP at most, the rest waits for it.
            self._stop.wait(MIN_GAP)
