"""Moodle opens the service: the LTI 1.3 login and launch, the tool's key set.

Moodle asks ``/lti/login`` (OIDC login initiation), the browser goes to
Moodle's authorization URL and comes back with a signed ``id_token`` to
``/lti/launch``. PyLTI1p3 checks state, nonce, registration, signature (the
platform's key set, cached ``KEY_SET_LIFETIME``), deployment and message;
here on top: ``aud``/``azp``, ``exp`` required, the nonce used once, the
course's own Moodle course (context), the roles. Every refusal is a German
page that says what to tell the instructor.

A launch gives what its roles give in the course's context: ``Learner`` a
student, ``Instructor`` (or the course's ``Administrator``) the instructor's
pages; system and institution roles give nothing, nor does any role from
another Moodle course.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException, ToolConfException
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.service.course import Opened
from grader.service.lti import KEY_SET_LIFETIME, LOGIN_LIFETIME, DatabaseStorage, tool_conf, tool_keys
from grader.service.lti_people import account_student, remember_link
from grader.service.models import Aufgabe, LtiPlatform

blueprint = Blueprint("lti", __name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR_ROLES = (f"{MEMBERSHIP}#Instructor", f"{MEMBERSHIP}#Administrator", f"{MEMBERSHIP}/Instructor#", "Instructor")
LEARNER_ROLES = (f"{MEMBERSHIP}#Learner", f"{MEMBERSHIP}/Learner#", "Learner")
REFUSALS = (LtiException, OIDCException, ToolConfException)
"""PyLTI1p3's ways of saying no (they share no base class)."""
AGAIN = "Bitte die Aufgabe in Moodle noch einmal öffnen."


class Refused(Exception):
    """A launch that is not let in: what happened, and what to do or tell the instructor (German)."""

    def __init__(self, text: str, advice: str, code: int = 403):
        super().__init__(text)
        self.text, self.advice, self.code = text, advice, code


def why(error: Exception) -> Refused:
    """PyLTI1p3's (English) refusal as the German sentence a student can pass on."""
    said = str(error).lower()
    if "state" in said:
        return Refused(
            "Die Anmeldung aus Moodle ist abgelaufen oder wurde in einem anderen Browserfenster begonnen.",
            f"{AGAIN} Geht es wieder nicht, den Lehrenden sagen: der Browser gibt das Cookie des Dienstes nicht zurück "
            "(in Moodle „Startcontainer: Neues Fenster“ einstellen).", 400)
    if "nonce" in said:
        return Refused("Dieser Start aus Moodle wurde schon einmal verwendet; jeder gilt nur einmal.", AGAIN, 400)
    if "expired" in said:
        return Refused(
            "Der Start aus Moodle ist abgelaufen.",
            f"{AGAIN} Geht es wieder nicht, den Lehrenden sagen: die Uhr von Moodle oder des Dienstes geht falsch.", 400)
    if "deployment" in said:
        return Refused(
            "Diese Einbindung des Dienstes in Moodle (Deployment-ID) ist hier nicht eingetragen.",
            "Den Lehrenden sagen: die Deployment-ID aus Moodle in die LTI-Registrierung des Dienstes eintragen.")
    if any(word in said for word in ("registration", "client id", "client_id", "issuer", "not found in settings")):
        return Refused(
            "Der Start kam von einer Moodle-Plattform oder für eine Client-ID, die hier nicht eingetragen ist.",
            "Den Lehrenden sagen: Plattform-ID und Client-ID in der LTI-Registrierung des Dienstes prüfen.")
    if "key" in said or "signature" in said or "kid" in said:
        return Refused(
            "Die Signatur des Starts passt zu keinem Schlüssel der eingetragenen Moodle-Plattform.",
            "Den Lehrenden sagen: die URL des öffentlichen Schlüsselsatzes in der LTI-Registrierung prüfen.")
    return Refused("Der Start aus Moodle ist ungültig.", f"{AGAIN} Geht es wieder nicht, den Lehrenden diese Meldung zeigen.", 400)


@blueprint.errorhandler(Refused)
def refused(error: Refused):
    current_app.logger.warning("LTI: %s", error.text)
    return render_template("lti_fehler.html", message=error.text, advice=error.advice), error.code


def opened() -> Opened:
    return current_app.extensions["course"]


def secure() -> bool:
    return bool(current_app.config["SESSION_COOKIE_SECURE"])


def launch_url() -> str:
    return url_for("lti.launch", _external=True, _scheme="https" if secure() else request.scheme)


def platforms(db: Session) -> list[LtiPlatform]:
    return list(db.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def lti_request() -> FlaskRequest:
    return FlaskRequest(request_is_secure=secure())


@blueprint.get("/lti/jwks.json")
def jwks():
    """The tool's public key set: Moodle checks the tool's signed service requests with it."""
    response = current_app.json.response(tool_keys(opened().data).jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.route("/lti/login", methods=["GET", "POST"])
def login():
    """OIDC login initiation: on to Moodle's authorization URL with a fresh state (cookie) and nonce."""
    with opened().session() as db:
        known = platforms(db)
    if not known:
        raise Refused("Der Dienst ist noch mit keiner Moodle-Plattform verbunden.", "Den Lehrenden sagen: die LTI-Registrierung auf der Seite „Moodle (LTI)“ ausfüllen.")
    storage = DatabaseStorage(opened())
    oidc = FlaskOIDCLogin(lti_request(), tool_conf(known, tool_keys(opened().data)), launch_data_storage=storage)
    oidc.set_launch_data_storage(storage).set_launch_data_lifetime(LOGIN_LIFETIME)
    try:
        return oidc.redirect(launch_url())
    except REFUSALS as exc:
        raise why(exc) from None


@dataclass
class Launch:
    body: dict
    platform: LtiPlatform

    def claim(self, name: str, default=None):
        return self.body.get(CLAIM + name, default)

    @property
    def instructor(self) -> bool:
        return any(role.startswith(INSTRUCTOR_ROLES) for role in self.roles)

    @property
    def learner(self) -> bool:
        return any(role.startswith(LEARNER_ROLES) for role in self.roles)

    @property
    def roles(self) -> list[str]:
        roles = self.claim("roles", [])
        return [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []


def validated(storage: DatabaseStorage) -> dict:
    """The launch's claims once PyLTI1p3 has checked them; a platform key unknown in the cached
    key set is looked up once more (the platform may have rotated its key)."""
    for attempt in (1, 2):
        with opened().session() as db:
            conf = tool_conf(platforms(db), tool_keys(opened().data))
        message = FlaskMessageLaunch(lti_request(), conf, launch_data_storage=storage)
        message.set_launch_data_lifetime(LOGIN_LIFETIME).set_public_key_caching(storage, KEY_SET_LIFETIME)
        message.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})  # aud: below, with azp
        try:
            return dict(message.get_launch_data())
        except REFUSALS as exc:
            if attempt == 1 and "public key" in str(exc).lower():
                storage.forget_key_sets()
                continue
            raise why(exc) from None
    raise AssertionError("unreachable")


def checked(body: dict, storage: DatabaseStorage) -> Launch:
    """What the service asks of a launch beyond PyLTI1p3: audience, the nonce once, the course, the roles."""
    audience = body.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    with opened().session() as db:
        platform = db.scalar(select(LtiPlatform).where(LtiPlatform.issuer == body.get("iss"), LtiPlatform.client_id == audiences[0]))
    if platform is None or (len(audiences) > 1 or "azp" in body) and body.get("azp") != platform.client_id:
        raise why(LtiException("client id not registered"))
    if not storage.consume(f"lti1p3-nonce-{body.get('nonce')}"):
        raise why(LtiException("Invalid Nonce"))
    launch = Launch(body, platform)
    if launch.claim("message_type") != "LtiResourceLinkRequest":
        raise Refused("Dieser Start aus Moodle ist kein Aufruf einer Aktivität (Deep Linking wird nicht unterstützt).",
                      "Den Lehrenden sagen: in der Aktivität den Parameter aufgabe=N eintragen, statt Inhalte auszuwählen.", 400)
    context = (launch.claim("context") or {}).get("id")
    if str(context) != platform.context_id:
        raise Refused("Dieser Moodle-Kurs ist nicht mit diesem Testat-Dienst verbunden.",
                      "Den Lehrenden sagen: die Kurs-ID in der LTI-Registrierung des Dienstes prüfen.")
    if not body.get("sub"):
        raise Refused("Moodle hat keinen Nutzer mitgeschickt (anonymer Start).", "Zuerst in Moodle anmelden, dann die Aufgabe öffnen.", 400)
    if not (launch.instructor or launch.learner):
        raise Refused("Ihre Rolle in diesem Moodle-Kurs gibt keinen Zugang zum Testat-Dienst.",
                      "Nur Teilnehmende und Lehrende des Kurses können ihn öffnen; ggf. die Lehrenden fragen.")
    return launch


def aufgabe_of(launch: Launch) -> int | None:
    """The Aufgabe the activity opens: Moodle's custom parameter ``aufgabe=N``; None when not set."""
    raw = str((launch.claim("custom") or {}).get("aufgabe", "")).strip()
    if not raw:
        return None
    with opened().session() as db:
        known = raw.isdigit() and db.get(Aufgabe, int(raw)) is not None
    if not known:
        raise Refused(f"Die Aktivität in Moodle nennt die Aufgabe {raw!r}, die es in diesem Kurs nicht gibt.",
                      "Den Lehrenden sagen: den Parameter aufgabe=N der Aktivität prüfen.", 400)
    return int(raw)


@blueprint.post("/lti/launch")
def launch():
    storage = DatabaseStorage(opened())
    launch = checked(validated(storage), storage)
    number = aufgabe_of(launch)
    with opened().session() as db, db.begin():
        platform = db.get(LtiPlatform, launch.platform.id)
        assert platform is not None
        members = launch.body.get("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice") or {}
        if launch.instructor and members.get("context_memberships_url"):
            platform.memberships_url = str(members["context_memberships_url"])
        student = account_student(db, platform, launch.body, instructor=launch.instructor)
        if number is not None:
            remember_link(db, platform, launch.claim("resource_link") or {}, number, launch.body)
        student_id = student.id
    target = url_for("instructor.overview") if launch.instructor else url_for("pages.aufgaben") + (f"#aufgabe-{number}" if number else "")
    if request.headers.get("Sec-Fetch-Dest") == "iframe":
        return framed(launch, student_id, target)
    enter(student_id)
    return redirect(target, 303)


def enter(student_id: int) -> None:
    session.clear()
    session["student_id"] = student_id


def framed(launch: Launch, student_id: int, target: str):
    """Inside Moodle's frame the browser keeps no cookie of ours: a page with a link that opens the
    service in a new window and logs in there once (within ``LOGIN_LIFETIME``)."""
    code = secrets.token_urlsafe(32)
    DatabaseStorage(opened()).set_value(f"weiter-{_digest(code)}", {"student": student_id, "target": target}, 120)
    origin = urlsplit(launch.platform.auth_login_url)
    g.frame_ancestors = f"{origin.scheme}://{origin.netloc}"
    return render_template("lti_fenster.html", link=url_for("lti.onward", code=code))


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@blueprint.get("/lti/weiter/<code>")
def onward(code: str):
    storage = DatabaseStorage(opened())
    key = f"weiter-{_digest(code)}"
    found = storage.get_value(key)
    if not found or not storage.consume(key):
        raise Refused("Dieser Link aus Moodle ist abgelaufen oder wurde schon verwendet.", AGAIN, 400)
    enter(int(found["student"]))
    return redirect(str(found["target"]), 303)

