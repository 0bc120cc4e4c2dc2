"""LTI 1.3 against a platform no one here wrote (``lti1p3platform`` on 127.0.0.1, tests/service/lti_platform.py):
launch as a student and as an instructor, refused launches, scores in the platform's gradebook, the roster.

The service runs as ``grader serve`` (waitress, process sandbox); the launch is
driven with ``requests`` as a browser would: the platform's redirects, its
auto-submitted form, the tool's cookies.
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from html import unescape

import pytest
import requests
from sqlalchemy import select

from grader.common.results import CaseResult, SubmissionResult
from grader.service import queue
from grader.service.lti import register, tool_keys
from grader.service.models import LtiAccount, LtiScore, Student, now

from .helpers import REFERENCE, hand_in, student_id
from .lti_platform import CONTEXT, Platform
from .server import Server
from .test_browser import driver  # noqa: F401 (the real browser, for the launch below)

LAUNCH_FORM = re.compile(r'<form method="post" id="launch" action="([^"]+)">.*?name="id_token" value="([^"]+)">.*?name="state" value="([^"]+)"', re.S)


@pytest.fixture
def platform(sqlite_course):
    made = Platform(tool="").start()
    with sqlite_course.opened.session() as db, db.begin():
        register(db, made.registration_fields())
    made.tool_jwks = tool_keys(sqlite_course.data).jwks()
    yield made
    made.stop()


@pytest.fixture
def tool(sqlite_course, platform, tmp_path):
    server = Server(sqlite_course.data, tmp_path / "server.log", "--insecure-cookies", "--jobs", "1")
    platform.tool = server.url
    server.start()
    yield server
    server.stop()


def launch_form(platform: Platform, browser: requests.Session, **knobs) -> tuple[str, dict]:
    """Open the activity's link in the platform: its redirects through the tool's login end at the auto-posting form."""
    page = browser.get(platform.start_url(**knobs), timeout=30)
    assert page.status_code == 200, page.text
    found = LAUNCH_FORM.search(page.text)
    assert found, page.text
    action, id_token, state = (unescape(v) for v in found.groups())
    return action, {"id_token": id_token, "state": state}


def launch(platform: Platform, browser: requests.Session | None = None, headers: dict | None = None, **knobs) -> requests.Response:
    browser = browser or requests.Session()
    action, form = launch_form(platform, browser, **knobs)
    return browser.post(action, data=form, headers=headers or {}, timeout=30)


def test_a_student_launches_into_their_aufgabe_and_the_score_reaches_the_gradebook(sqlite_course, platform, tool):
    browser = requests.Session()
    page = launch(platform, browser)
    assert page.status_code == 200 and page.url.startswith(f"{tool.url}/aufgaben"), page.text
    assert "Anna Müller" in page.text and 'id="aufgabe-1"' in page.text
    with sqlite_course.opened.session() as db:  # the roster's Anna (matched by e-mail), not a new row
        account = db.scalar(select(LtiAccount).where(LtiAccount.sub == "u-anna"))
        assert account is not None and account.student_id == student_id(sqlite_course, "1001") and not account.instructor
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    handed = browser.post(f"{tool.url}/aufgaben/1/abgeben", data={"csrf_token": csrf}, files={"file": ("perceptron.py", REFERENCE)}, timeout=30)
    assert handed.status_code == 200 and "Quittung" in handed.text
    deadline = time.monotonic() + 180
    while not platform.scores and time.monotonic() < deadline:
        time.sleep(0.5)
    assert platform.scores, tool.log()
    score = platform.scores[-1]
    assert score["userId"] == "u-anna" and score["lineitem"] == "link-1"
    assert score["scoreGiven"] == score["scoreMaximum"] > 0
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert "Testat bestanden" in score["comment"]


def test_an_instructor_launches_into_the_class_and_pulls_the_roster(sqlite_course, platform, tool):
    browser = requests.Session()
    page = launch(platform, browser, user="u-teacher", name="Prof. Klein", email="klein@example.org", role="instructor")
    assert page.status_code == 200 and page.url == f"{tool.url}/lehrende/", page.text
    assert "Studierende × Aufgaben" in page.text
    platform.members = [
        {"user_id": "u-anna", "name": "Anna Müller", "email": "anna@example.org", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]},
        {"user_id": "u-tom", "name": "Tom Neu", "email": "tom@example.org", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]},
        {"user_id": "u-gone", "name": "Eva Weg", "email": "eva@example.org", "status": "Inactive", "roles": ["Learner"]},
        {"user_id": "u-teacher", "name": "Prof. Klein", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]},
    ]
    lti_page = browser.get(f"{tool.url}/lehrende/lti/", timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', lti_page.text).group(1)
    pulled = browser.post(f"{tool.url}/lehrende/lti/teilnehmende", data={"csrf_token": csrf}, timeout=30)
    assert pulled.status_code == 200 and "2 Studierende, davon 1 neu" in pulled.text, pulled.text
    assert "Tom Neu" in pulled.text and "Eva Weg" not in pulled.text
    assert re.search(r"Aufgabe 1 noch nicht abgegeben: [^<]*Tom Neu", pulled.text)
    # the instructor's launch gave instructor rights only: the student pages send them to the class
    assert browser.get(f"{tool.url}/aufgaben", timeout=30).url == f"{tool.url}/lehrende/"


REFUSED = {
    "a token signed by another key": ({"sign_with_other_key": True}, "Signatur"),
    "a wrong audience": ({"audience": "another-tool"}, "Client-ID"),
    "a token for another party as well (azp)": ({"also_for": "another-tool"}, "Client-ID"),
    "an expired token": ({"lifetime": -120}, "abgelaufen"),
    "a deployment not registered": ({"deployment": "999"}, "Deployment-ID"),
    "another Moodle course": ({"context": "77", "role": "instructor"}, "nicht mit diesem Testat-Dienst verbunden"),
    "a system administrator without a role in the course": ({"role": "admin"}, "Rolle"),
    "an Aufgabe the course does not have": ({"aufgabe": "9"}, "die es in diesem Kurs nicht gibt"),
}


@pytest.mark.parametrize("what", list(REFUSED))
def test_a_launch_is_refused_with_a_german_page_and_no_login(platform, tool, what):
    knobs, said = REFUSED[what]
    browser = requests.Session()
    page = launch(platform, browser, **knobs)
    assert 400 <= page.status_code < 500, page.text
    assert "Start aus Moodle abgelehnt" in page.text and said in page.text, page.text
    assert "Traceback" not in page.text
    assert browser.get(f"{tool.url}/aufgaben", timeout=30).url == f"{tool.url}/anmelden"


def test_a_replayed_launch_is_refused(platform, tool):
    browser = requests.Session()
    action, form = launch_form(platform, browser)
    assert browser.post(action, data=form, timeout=30).url.startswith(f"{tool.url}/aufgaben")
    again = requests.Session()
    again.cookies.update(browser.cookies)  # the same browser, the same signed token, a second time
    again.cookies.pop("session", None)
    replay = again.post(action, data=form, timeout=30)
    assert replay.status_code == 400 and "schon einmal verwendet" in replay.text
    assert again.get(f"{tool.url}/aufgaben", timeout=30).url == f"{tool.url}/anmelden"


def test_inside_moodles_frame_the_launch_offers_a_new_window_that_logs_in_once(platform, tool):
    browser = requests.Session()
    page = launch(platform, browser, headers={"Sec-Fetch-Dest": "iframe"})
    assert page.status_code == 200 and "Im neuen Fenster öffnen" in page.text
    assert f"frame-ancestors {platform.url}" in page.headers["Content-Security-Policy"] and "X-Frame-Options" not in page.headers
    link = re.search(r'href="(/lti/weiter/[^"]+)"', page.text).group(1)
    window = requests.Session()
    assert window.get(f"{tool.url}{link}", timeout=30).url.startswith(f"{tool.url}/aufgaben")
    assert requests.get(f"{tool.url}{link}", timeout=30).status_code == 400


def graded_result(course, key: str, score: float) -> None:
    """A hand-in of ``key`` graded with ``score`` of 10 points (stored as the worker stores it)."""
    hand_in(course, key)
    result = SubmissionResult(id=key, status="graded", score=score, max_score=10.0, passed=score >= 8, cases=[
        CaseResult(name="train", visibility="hidden", status="passed" if score else "failed", score=score, max_score=10.0, message=""),
    ])
    with course.opened.session() as db:
        lease = queue.take(db, "test", 60)
        assert lease is not None and queue.finish(db, lease, json.dumps(result.to_json()))


def learner_account(course, platform_url: str, key: str, sub: str) -> None:
    from grader.service.lti_people import account_student, remember_link
    from grader.service.models import LtiPlatform

    with course.opened.session() as db, db.begin():
        row = db.scalar(select(LtiPlatform))
        student = db.scalar(select(Student).where(Student.key == key))
        account_student(db, row, {"sub": sub, "email": student.email}, instructor=False)
        ags = {"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": f"{platform_url}/ags/{CONTEXT}/lineitems/link-1/lineitem",
        }}
        remember_link(db, row, {"id": "link-1"}, 1, ags)


@pytest.fixture
def offline_platform(platform):
    """No tool server: the platform checks the tool's client assertion with the key set given."""
    assert not platform.tool and platform.tool_jwks
    return platform


def test_before_the_deadline_the_gradebook_says_pending_and_after_it_the_score(sqlite_course, offline_platform):
    from grader.service.lti_sync import sync_scores
    from grader.service.models import Aufgabe

    platform = offline_platform
    deadline = now() + timedelta(days=1)
    with sqlite_course.opened.session() as db, db.begin():
        db.get(Aufgabe, 1).deadline = deadline
    learner_account(sqlite_course, platform.url, "1001", "u-anna")
    graded_result(sqlite_course, "1001", 7.0)
    assert sync_scores(sqlite_course.opened).sent == 1
    pending = platform.scores[-1]
    assert (pending["gradingProgress"], pending["activityProgress"]) == ("Pending", "Submitted") and "scoreGiven" not in pending
    assert sync_scores(sqlite_course.opened).unchanged == 1 and len(platform.scores) == 1  # nothing new: nothing sent
    after = sync_scores(sqlite_course.opened, at=deadline + timedelta(seconds=1))
    assert after.sent == 1
    final = platform.scores[-1]
    assert (final["scoreGiven"], final["scoreMaximum"], final["gradingProgress"]) == (7.0, 10.0, "FullyGraded")
    assert "nicht bestanden" in final["comment"]


def test_a_gradebook_that_is_down_loses_no_score(sqlite_course, offline_platform):
    from grader.service.lti_sync import sync_scores

    platform = offline_platform
    learner_account(sqlite_course, platform.url, "1002", "u-jonas")
    graded_result(sqlite_course, "1002", 10.0)
    platform.gradebook_down = True
    said: list[str] = []
    assert sync_scores(sqlite_course.opened, log=said.append).failed == 1
    assert said and "nicht gesendet" in said[0]
    with sqlite_course.opened.session() as db:
        row = db.scalar(select(LtiScore))
        assert row.failures == 1 and "503" in row.error and row.next_try > now()
    platform.gradebook_down = False
    assert sync_scores(sqlite_course.opened).failed == 1 and not platform.scores  # waits for its backoff
    later = sync_scores(sqlite_course.opened, at=now() + timedelta(hours=1))
    assert later.sent == 1 and platform.scores[-1]["scoreGiven"] == 10.0
    with sqlite_course.opened.session() as db:
        row = db.scalar(select(LtiScore))
        assert row.failures == 0 and row.error == "" and row.sent


def test_the_registration_page_shows_what_to_enter_in_moodle_and_takes_moodles_details(sqlite_course, platform, tool):
    browser = requests.Session()
    launch(platform, browser, user="u-teacher", role="instructor")
    page = browser.get(f"{tool.url}/lehrende/lti/", timeout=30)
    assert f"{tool.url}/lti/login" in page.text and f"{tool.url}/lti/jwks.json" in page.text and "Neues Fenster" in page.text
    jwks = requests.get(f"{tool.url}/lti/jwks.json", timeout=30).json()
    assert jwks == platform.tool_jwks and "d" not in jwks["keys"][0]  # the public half only
    fields = {**platform.registration_fields(), "issuer": "https://moodle.example.org", "client_id": "abc"}
    refused = browser.post(f"{tool.url}/lehrende/lti/", data=fields, timeout=30)
    assert refused.status_code == 400 and "Formular" in refused.text  # no CSRF token
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = browser.post(f"{tool.url}/lehrende/lti/", data={**fields, "csrf_token": csrf}, timeout=30)
    assert saved.status_code == 200 and "https://moodle.example.org" in saved.text
    bad = browser.post(f"{tool.url}/lehrende/lti/", data={**fields, "key_set_url": "", "csrf_token": csrf}, timeout=30)
    assert bad.status_code == 400 and "Es fehlt: URL des öffentlichen Schlüsselsatzes" in bad.text
    student = requests.Session()
    launch(platform, student)
    assert student.get(f"{tool.url}/lehrende/lti/", timeout=30).status_code == 403


def test_the_platform_is_registered_from_the_command_line_and_a_roster_without_moodle_says_what_to_do(sqlite_course):
    from click.testing import CliRunner

    from grader.cli import main

    sqlite_course.opened.engine.dispose()
    data = str(sqlite_course.data)
    fields = ["--issuer", "https://moodle.example.org", "--client-id", "abc", "--deployment-id", "3", "--auth-login-url",
              "https://moodle.example.org/mod/lti/auth.php", "--auth-token-url", "https://moodle.example.org/mod/lti/token.php",
              "--context-id", "42"]
    bad = CliRunner().invoke(main, ["service", "lti", data, *fields, "--key-set-url", "moodle.example.org/certs.php"])
    assert bad.exit_code == 2 and "https://" in bad.output
    good = CliRunner().invoke(main, ["service", "lti", data, *fields, "--key-set-url", "https://moodle.example.org/mod/lti/certs.php", "--url", "https://grader.example.org"])
    assert good.exit_code == 0, good.output
    assert "https://grader.example.org/lti/login" in good.output and "https://grader.example.org/lti/jwks.json" in good.output
    with sqlite_course.reopen().session() as db:
        from grader.service.models import LtiPlatform

        platform = db.scalar(select(LtiPlatform))
        assert (platform.issuer, platform.client_id, platform.deployment_ids, platform.context_id) == ("https://moodle.example.org", "abc", "3", "42")
    roster = CliRunner().invoke(main, ["service", "roster", data])
    assert roster.exit_code != 0 and "als Lehrende aus Moodle" in roster.output and "Traceback" not in roster.output


def test_in_a_browser_the_moodle_link_opens_the_students_aufgabe(driver, platform, tool):  # noqa: F811 (driver: test_browser's)
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(platform.start_url())  # the platform's auto-posting form is submitted by the browser's script
    WebDriverWait(driver, 30).until(lambda d: "/aufgaben" in d.current_url)
    assert driver.current_url == f"{tool.url}/aufgaben#aufgabe-1"
    assert "Anna Müller" in driver.page_source and "perceptron.py" in driver.page_source
    driver.get(f"{tool.url}/lehrende/")  # a learner's launch: no instructor page
    assert "Dafür fehlt die Berechtigung" in driver.page_source


def test_an_override_sends_the_changed_score_to_the_gradebook(sqlite_course, offline_platform):
    from grader.service.lti_sync import sync_scores
    from grader.service.models import Override

    platform = offline_platform
    learner_account(sqlite_course, platform.url, "1003", "u-lena")
    graded_result(sqlite_course, "1003", 6.0)
    assert sync_scores(sqlite_course.opened).sent == 1 and platform.scores[-1]["scoreGiven"] == 6.0
    with sqlite_course.opened.session() as db, db.begin():
        db.add(Override(student_id=student_id(sqlite_course, "1003"), aufgabe=1, points=9.0, note="im Gespräch erklärt"))
    assert sync_scores(sqlite_course.opened).sent == 1
    assert (platform.scores[-1]["scoreGiven"], platform.scores[-1]["gradingProgress"]) == (9.0, "FullyGraded")
    assert "Testat bestanden" in platform.scores[-1]["comment"]


def test_scores_and_the_launch_store_work_on_both_databases(course):
    """SQLite and PostgreSQL: a used nonce is gone for the second taker; scores are sent once and kept."""
    from grader.service.lti import DatabaseStorage
    from grader.service.lti_sync import sync_scores

    made = Platform(tool="").start()
    try:
        with course.opened.session() as db, db.begin():
            register(db, made.registration_fields())
        made.tool_jwks = tool_keys(course.data).jwks()
        storage = DatabaseStorage(course.opened)
        storage.set_value("lti1p3-nonce-abc", True, 60)
        assert storage.check_value("lti1p3-nonce-abc")
        assert storage.consume("lti1p3-nonce-abc") and not storage.consume("lti1p3-nonce-abc")
        storage.set_value("lti1p3-gone", True, -1)
        assert storage.get_value("lti1p3-gone") is None  # expired
        learner_account(course, made.url, "1001", "u-anna")
        graded_result(course, "1001", 10.0)
        assert sync_scores(course.opened).sent == 1 and sync_scores(course.opened).unchanged == 1
        assert [s["scoreGiven"] for s in made.scores] == [10.0]
    finally:
        made.stop()
