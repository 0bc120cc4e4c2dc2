"""The web application: ``create_app(opened)`` builds it, so every test makes its own.

Errors end as a German sentence, JSON under ``/api/`` and a page elsewhere;
never a traceback.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from grader.service import api, instructor, lti_admin, lti_launch, pages, security
from grader.service.course import Opened

MESSAGES = {
    400: "Die Anfrage ist unvollständig oder ungültig.",
    401: "Anmeldung fehlt oder der Token ist ungültig.",
    403: "Dafür fehlt die Berechtigung.",
    404: "Nicht gefunden.",
    405: "Diese Methode ist hier nicht erlaubt.",
    413: "Die Datei ist zu groß.",
    429: "Zu viele Anfragen; bitte einen Moment warten.",
    500: "Ein interner Fehler ist aufgetreten; die Lehrenden sind informiert.",
}


def secret_key(data: Path) -> str:
    """The key that signs session cookies, made once per course folder and readable only by its owner."""
    path = Path(data) / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def create_app(
    opened: Opened,
    *,
    secure_cookies: bool = True,
    login_limit: tuple[int, float] = (10, 60.0),
    upload_limit: tuple[int, float] = (20, 60.0),
    on_change: Callable[[], None] = lambda: None,
) -> Flask:
    """``on_change``: called when the instructor changed a counted result (override, regrade): scores to Moodle."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(opened.data),
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The file plus the form's other fields; the file's own limit is checked with its message.
        MAX_CONTENT_LENGTH=opened.course.max_upload_bytes + 64_000,
        MAX_FORM_PARTS=20,
        PREFERRED_URL_SCHEME="https" if secure_cookies else "http",
    )
    app.extensions["course"] = opened
    app.extensions["on_change"] = on_change
    app.extensions["limits"] = {"login": security.RateLimit(*login_limit), "upload": security.RateLimit(*upload_limit)}
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(instructor.blueprint)
    app.register_blueprint(lti_launch.blueprint)
    app.register_blueprint(lti_admin.blueprint)
    app.after_request(security.headers)
    app.jinja_env.globals["csrf_token"] = security.csrf_token

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        text = getattr(g, "refusal", "") or MESSAGES.get(code, "Die Anfrage ging nicht.")
        if code == 413:
            text = f"Die Datei ist zu groß (höchstens {opened.course.max_upload_bytes // 1000} kB)."
        if request.path.startswith("/api/"):
            return jsonify(error=text), code
        return render_template("fehler.html", message=text), code

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        logging.getLogger("grader.service").exception("request %s failed", request.path)
        if request.path.startswith("/api/"):
            return jsonify(error=MESSAGES[500]), 500
        return render_template("fehler.html", message=MESSAGES[500]), 500

    return app
