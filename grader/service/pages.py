"""The students' pages (German): log in with the token, the Aufgaben, hand in, the receipt and report.

Every form carries the session's CSRF token; the report page asks
``/api/v1/submissions/ID`` (with the session cookie) until the grading is
done and then shows itself anew (``static/poll.js``: no inline script).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)

from grader.service import reads
from grader.service.api import upload
from grader.service.handins import moment
from grader.service.models import Student, now
from grader.service.security import check_csrf, current_student, student_by_token

blueprint = Blueprint("pages", __name__)
blueprint.add_app_template_filter(moment, "moment")


def logged_in(db) -> Student:
    student = current_student(db) if "student_id" in session else None
    if student is None:
        abort(redirect(url_for("pages.login")))
    assert student is not None
    return student


@blueprint.get("/")
def home():
    return redirect(url_for("pages.aufgaben" if "student_id" in session else "pages.login"))


@blueprint.route("/anmelden", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("anmelden.html")
    check_csrf()
    if not current_app.extensions["limits"]["login"].allow(f"ip:{request.remote_addr}"):
        g.refusal = "Zu viele Anmeldeversuche; bitte eine Minute warten."
        abort(429)
    with current_app.extensions["course"].session() as db:
        student = student_by_token(db, request.form.get("token", "").strip())
    if student is None:
        return render_template("anmelden.html", error="Dieser Token ist unbekannt. Bitte den Link aus der E-Mail verwenden."), 401
    session.clear()
    session["student_id"] = student.id
    return redirect(url_for("instructor.overview" if student.instructor else "pages.aufgaben"))


@blueprint.post("/abmelden")
def logout():
    check_csrf()
    session.clear()
    return redirect(url_for("pages.login"))


@blueprint.get("/aufgaben")
def aufgaben():
    with current_app.extensions["course"].session() as db:
        student = logged_in(db)
        if student.instructor:
            return redirect(url_for("instructor.overview"))
        views = reads.aufgaben_of(db, student, now())
    return render_template("aufgaben.html", student=student, aufgaben=views)


@blueprint.post("/aufgaben/<int:number>/abgeben")
def hand_in(number: int):
    check_csrf()
    with current_app.extensions["course"].session() as db:
        student = logged_in(db)
    receipt = upload(student, str(number), request.files.get("file"))
    flash("Abgabe angenommen.")
    return redirect(url_for("pages.handin", handin_id=receipt["id"]))


@blueprint.get("/abgaben/<int:handin_id>")
def handin(handin_id: int):
    with current_app.extensions["course"].session() as db:
        student = logged_in(db)
        found = reads.own_handin(db, student, handin_id, now())
    if found is None:
        abort(404)
    return render_template("abgabe.html", student=student, handin=found)


@blueprint.get("/abgaben/<int:handin_id>/abbildungen/<path:name>")
def figure(handin_id: int, name: str):
    """A figure of a public case of the hand-in, to whom its report shows it (the student, the instructor)."""
    from grader.service.instructor import instructor_view
    from grader.service.worker import figures_root

    with current_app.extensions["course"].session() as db:
        student = logged_in(db)
        view = instructor_view(db, handin_id) if student.instructor else reads.own_handin(db, student, handin_id, now())
    if view is None:
        abort(404)
    listed = {n for case in view["cases"] for key in FIGURE_FIELDS for n in case.get(key, [])}
    if name not in listed:
        abort(404)
    return send_from_directory(figures_root(current_app.extensions["course"].data, view["aufgabe"]), name, mimetype="image/png")


FIGURE_FIELDS = ("figures", "expected_figures", "difference_figures")
