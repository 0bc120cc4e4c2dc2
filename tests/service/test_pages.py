"""The students' pages: login by token, CSRF on every form, cookie flags, no inline script, own hand-ins only."""

from __future__ import annotations

import io
import re

import pytest

from grader.service.app import create_app
from grader.service.security import CONTENT_SECURITY_POLICY

from .helpers import REFERENCE


@pytest.fixture
def app(sqlite_course):
    return create_app(sqlite_course.opened, login_limit=(5, 60.0))


def browser(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def log_in(client, token: str):
    form = client.get("/anmelden").get_data(as_text=True)
    return client.post("/anmelden", data={"token": token, "csrf_token": csrf(form)})


def test_login_sets_a_secure_httponly_samesite_cookie_and_lists_the_aufgaben(app, sqlite_course):
    client = browser(app)
    answer = log_in(client, sqlite_course.tokens["1001"])
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/aufgaben")
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/aufgaben").get_data(as_text=True)
    assert "Aufgabe 1: Perzeptron-Lernregel" in page and "Verbleibende Versuche: unbegrenzt" in page
    assert "Frist: keine" in page and "Anna Müller" in page


def test_a_wrong_token_is_refused_and_guessing_is_rate_limited(app):
    client = browser(app)
    answers = [log_in(client, f"guess-{i}") for i in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert "Token ist unbekannt" in answers[0].get_data(as_text=True)
    assert "Zu viele Anmeldeversuche" in answers[5].get_data(as_text=True)


def test_a_form_without_or_with_a_forged_csrf_token_is_refused(app, sqlite_course):
    client = browser(app)
    client.get("/anmelden")
    assert client.post("/anmelden", data={"token": sqlite_course.tokens["1001"]}).status_code == 400
    log_in(client, sqlite_course.tokens["1001"])
    upload = {"file": (io.BytesIO(REFERENCE), "perceptron.py"), "csrf_token": "forged"}
    refused = client.post("/aufgaben/1/abgeben", data=upload, content_type="multipart/form-data")
    assert refused.status_code == 400 and "Formular ist abgelaufen" in refused.get_data(as_text=True)
    assert "Bisherige Abgaben" not in client.get("/aufgaben").get_data(as_text=True)


def test_hand_in_through_the_form_gives_the_receipt_page(app, sqlite_course):
    client = browser(app)
    log_in(client, sqlite_course.tokens["1001"])
    token = csrf(client.get("/aufgaben").get_data(as_text=True))
    upload = {"file": (io.BytesIO(REFERENCE), "perceptron.py"), "csrf_token": token}
    answer = client.post("/aufgaben/1/abgeben", data=upload, content_type="multipart/form-data", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Abgabe angenommen." in page and "Quittung" in page
    assert "wartet auf Bewertung" in page and '<script src="/static/poll.js" defer></script>' in page
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, "an inline script"
    handin_url = answer.request.path
    other = browser(app)
    log_in(other, sqlite_course.tokens["1002"])
    assert other.get(handin_url).status_code == 404
    assert browser(app).get(handin_url).status_code == 302  # not logged in: to the login page


def test_a_refused_upload_in_the_browser_is_a_german_page_without_traceback(app, sqlite_course):
    client = browser(app)
    log_in(client, sqlite_course.tokens["1001"])
    token = csrf(client.get("/aufgaben").get_data(as_text=True))
    upload = {"file": (io.BytesIO(b"print(1)"), "loesung.txt"), "csrf_token": token}
    answer = client.post("/aufgaben/1/abgeben", data=upload, content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Erwartet wird die Datei perceptron.py" in page
    assert "Traceback" not in page


def test_an_internal_failure_is_a_german_sentence_never_a_traceback(app, sqlite_course, monkeypatch):
    from grader.service import reads

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the grader")

    monkeypatch.setattr(reads, "aufgaben_of", broken)
    monkeypatch.setattr(reads, "own_handin", broken)
    client = browser(app)
    log_in(client, sqlite_course.tokens["1001"])
    page = client.get("/aufgaben")
    api = client.get("/api/v1/submissions/1", headers={"Authorization": f"Bearer {sqlite_course.tokens['1001']}"})
    assert page.status_code == 500 and "interner Fehler" in page.get_data(as_text=True)
    assert api.status_code == 500 and api.json == {"error": "Ein interner Fehler ist aufgetreten; die Lehrenden sind informiert."}
    for answer in (page, api):
        assert "secret detail" not in answer.get_data(as_text=True) and "Traceback" not in answer.get_data(as_text=True)
