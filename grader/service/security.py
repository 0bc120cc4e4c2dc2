"""What every request passes: who is asking, CSRF tokens on forms, rate limits, security headers."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from flask import Response, abort, g, request, session
from sqlalchemy import select

from grader.service.models import Student
from grader.service.tokens import same, token_hash

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""No inline script or style anywhere: what a student's code printed can never run in a page."""


def headers(response: Response) -> Response:
    framer = g.get("frame_ancestors")  # the LTI launch's page inside Moodle's frame: that Moodle only
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {framer}") if framer else CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not framer:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def student_by_token(db, token: str) -> Student | None:
    if not token:
        return None
    return db.scalar(select(Student).where(Student.token_hash == token_hash(token)))


def current_student(db) -> Student | None:
    """The student of the request: by ``Authorization: Bearer`` (API, scripts) or the session cookie."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return student_by_token(db, header.removeprefix("Bearer ").strip())
    student_id = session.get("student_id")
    return db.get(Student, student_id) if isinstance(student_id, int) else None


def csrf_token() -> str:
    """The session's CSRF token, for every form (made with the session)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """A form's POST must carry the session's token; a forged one from another site cannot."""
    sent = request.form.get("csrf_token", "")
    if not sent or "csrf" not in session or not same(sent, session["csrf"]):
        g.refusal = "Das Formular ist abgelaufen oder stammt nicht von dieser Seite. Bitte die Seite neu laden und erneut senden."
        abort(400)


class RateLimit:
    """At most ``count`` events per ``seconds`` and key (in this process: a server has one)."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        at = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= at - self.seconds:
                events.popleft()
            if len(events) >= self.count:
                return False
            events.append(at)
            return True
