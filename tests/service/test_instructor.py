"""The instructor's pages: the class live, any hand-in's whole report, a regrade with history; not for students."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grader.backends import make_backend
from grader.engine import Local
from grader.service.app import create_app
from grader.service.models import Grading

from .helpers import REFERENCE, WRONG, hand_in
from .test_pages import browser, csrf, log_in
from .test_worker import drain


def test_the_instructor_sees_the_class_and_regrades_with_history_kept(sqlite_course):
    course = sqlite_course
    right = hand_in(course, "1001", REFERENCE)
    wrong = hand_in(course, "1002", WRONG)
    drain(course, Local(make_backend("process")))
    app = create_app(course.opened)
    client = browser(app)
    assert log_in(client, course.instructor).headers["Location"].endswith("/lehrende/")
    page = client.get("/lehrende/").get_data(as_text=True)
    assert re.search(r"Anna Müller</td>\s*<td><a [^>]*>\d+/\d+ bestanden", page), page
    assert re.search(r"Jonas Schmidt</td>\s*<td><a [^>]*>\d+/\d+ nicht bestanden", page)
    assert "Aufgabe 1 noch nicht abgegeben: Lena Weber." in page and "Warteschlange: 0" in page
    detail = client.get(f"/lehrende/abgaben/{wrong.id}").get_data(as_text=True)
    assert "Jonas Schmidt: Aufgabe 1, Versuch 1" in detail and "(verdeckt)" in detail
    answer = client.post(f"/lehrende/abgaben/{right.id}/neu-bewerten", data={"csrf_token": csrf(detail)})
    assert answer.status_code == 302
    drain(course, Local(make_backend("process")))
    with course.opened.session() as db:
        assert db.scalars(select(Grading.state).where(Grading.handin_id == right.id)).all() == ["done", "done"]

    student = browser(app)
    log_in(student, course.tokens["1001"])
    assert student.get("/lehrende/").status_code == 403
    assert student.post(f"/lehrende/abgaben/{right.id}/neu-bewerten", data={"csrf_token": csrf(student.get("/aufgaben").get_data(as_text=True))}).status_code == 403
    assert client.post(f"/lehrende/abgaben/{right.id}/neu-bewerten").status_code == 400  # no CSRF token


def test_an_extension_lets_one_student_hand_in_after_the_deadline(sqlite_course):
    from datetime import timedelta

    from sqlalchemy import update

    from grader.service.handins import Refused
    from grader.service.models import Aufgabe, now

    course = sqlite_course
    with course.opened.session() as db, db.begin():
        db.execute(update(Aufgabe).values(deadline=now() - timedelta(hours=1)))
    client = browser(create_app(course.opened))
    log_in(client, course.instructor)
    form = client.get("/lehrende/").get_data(as_text=True)
    # The form stands once, in the page; the title is only the page's name.
    assert form.count('id="ext-student"') == 1 and "<title>Kurs — Grundlagen Neuronale Netze</title>" in form
    later = (now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post("/lehrende/verlaengerungen", data={"csrf_token": csrf(form), "student": "1001", "aufgabe": "1", "deadline": later})
    assert refused.status_code == 400 and "Begründung" in refused.get_data(as_text=True)
    granted = client.post("/lehrende/verlaengerungen", data={"csrf_token": csrf(form), "student": "1001", "aufgabe": "1", "deadline": later, "note": "krank"})
    assert granted.status_code == 302
    assert "Anna Müller, Aufgabe 1: bis" in client.get("/lehrende/").get_data(as_text=True)
    assert hand_in(course, "1001").late is False
    with pytest.raises(Refused, match="Abgabefrist"):
        hand_in(course, "1002")


def test_an_override_with_a_note_changes_the_counted_result_everywhere_and_can_be_taken_back(sqlite_course, tmp_path):
    import json

    from click.testing import CliRunner

    from grader.cli import main

    course = sqlite_course
    wrong = hand_in(course, "1002", WRONG)
    drain(course, Local(make_backend("process")))
    changes: list[int] = []
    app = create_app(course.opened, on_change=lambda: changes.append(1))
    client = browser(app)
    log_in(client, course.instructor)
    page = client.get(f"/lehrende/abgaben/{wrong.id}").get_data(as_text=True)
    graded = re.search(r"Zählender Versuch: (\d+) von (\d+) Punkten, nicht bestanden", page)
    assert graded, page
    maximum = graded.group(2)
    url = f"/lehrende/abgaben/{wrong.id}/aendern"
    too_many = client.post(url, data={"csrf_token": csrf(page), "points": "99", "note": "x"})
    assert too_many.status_code == 400 and f"zwischen 0 und {maximum}" in too_many.get_data(as_text=True)
    no_note = client.post(url, data={"csrf_token": csrf(page), "points": maximum, "note": " "})
    assert no_note.status_code == 400 and "Begründung" in no_note.get_data(as_text=True)
    assert client.post(url, data={"points": maximum, "note": "x"}).status_code == 400  # no CSRF token
    assert not changes
    done = client.post(url, data={"csrf_token": csrf(page), "points": maximum, "note": "im Testat-Gespräch erklärt"})
    assert done.status_code == 302 and changes == [1]
    page = client.get(f"/lehrende/abgaben/{wrong.id}").get_data(as_text=True)
    assert f"Zählender Versuch: {maximum} von {maximum} Punkten, bestanden — von Hand geändert" in page
    assert f"der Grader gab {graded.group(1)} Punkte" in page
    api = client.get("/api/v1/results?aufgabe=1", headers={"Authorization": f"Bearer {course.instructor}"}).get_json()
    (jonas,) = api["submissions"]
    assert jonas["passed"] is True and jonas["score"] == float(maximum) and jonas["override"]["note"] == "im Testat-Gespräch erklärt"
    student = browser(app)
    log_in(student, course.tokens["1002"])
    assert "Von den Lehrenden geändert: " + maximum + " Punkte — im Testat-Gespräch erklärt" in student.get("/aufgaben").get_data(as_text=True)

    out = tmp_path / "export"
    assert CliRunner().invoke(main, ["service", "export", str(course.data), "--aufgabe", "1", "--out", str(out)]).exit_code == 0
    exported = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert exported["submissions"][0]["passed"] is True
    assert json.loads((out / "overrides.json").read_text(encoding="utf-8"))["Jonas Schmidt (1002)"]["note"] == "im Testat-Gespräch erklärt"

    back = client.post(url, data={"csrf_token": csrf(page), "remove": "1"})
    assert back.status_code == 302 and changes == [1, 1]
    assert "nicht bestanden" in client.get(f"/lehrende/abgaben/{wrong.id}").get_data(as_text=True).split("Zählender Versuch:")[1][:80]
