"""The instructor's page "Moodle (LTI)": what to enter in Moodle, what Moodle gave back, the roster.

Moodle's "External tool" registration asks for the tool's URLs and key set
(shown here) and then shows its own details (Platform ID, Client ID,
Deployment ID, key set, token and authentication URLs), which are entered in
the form here, or with ``grader service lti DATA …``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from grader.service.instructor import instructor
from grader.service.lti import FIELDS, RegistrationError, deployments, register, tool_keys
from grader.service.lti_launch import launch_url, platforms
from grader.service.models import LtiLink, LtiScore
from grader.service.security import check_csrf

blueprint = Blueprint("lti_admin", __name__, url_prefix="/lehrende/lti")


def tool_urls() -> dict[str, str]:
    """The tool's side of the registration, named as Moodle's form names them."""
    return {
        "Tool-URL": launch_url(),
        "URL für Login-Initiierung": launch_url().replace("/lti/launch", "/lti/login"),
        "Umleitungs-URI(s)": launch_url(),
        "Öffentlicher Schlüsseltyp": "Schlüsselsatz-URL",
        "Schlüsselsatz-URL": launch_url().replace("/lti/launch", "/lti/jwks.json"),
    }


@blueprint.get("/")
def page():
    opened = current_app.extensions["course"]
    with opened.session() as db:
        me = instructor(db)
        known = platforms(db)
        links = list(db.scalars(select(LtiLink).order_by(LtiLink.aufgabe)))
        failing = list(db.scalars(select(LtiScore).where(LtiScore.failures > 0)))
    return render_template(
        "lti.html", student=me, tool=tool_urls(), jwks=tool_keys(opened.data).jwks(), fields=FIELDS, platforms=known,
        deployments=deployments, links=links, failing=failing,
    )


@blueprint.post("/")
def save():
    check_csrf()
    opened = current_app.extensions["course"]
    with opened.session() as db:
        instructor(db)
    try:
        with opened.session() as db, db.begin():
            register(db, {name: request.form.get(name, "") for name in FIELDS})
    except RegistrationError as exc:
        g.refusal = str(exc)
        raise BadRequest() from None
    flash("Moodle-Plattform eingetragen.")
    return redirect(url_for("lti_admin.page"))


@blueprint.post("/teilnehmende")
def roster():
    check_csrf()
    opened = current_app.extensions["course"]
    with opened.session() as db:
        instructor(db)
    from grader.service.lti_sync import pull_roster

    try:
        pulled = pull_roster(opened)
    except LookupError as exc:
        g.refusal = str(exc)
        raise BadRequest() from None
    except Exception as exc:  # Moodle away or refusing: said, nothing changed
        current_app.logger.warning("NRPS: %s", exc)
        g.refusal = f"Moodle hat die Teilnehmerliste nicht geliefert ({type(exc).__name__}). Später erneut versuchen."
        raise BadRequest() from None
    flash(f"Teilnehmerliste aus Moodle: {pulled.learners} Studierende, davon {pulled.new} neu.")
    return redirect(url_for("instructor.overview"))
