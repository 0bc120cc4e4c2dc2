"""The JSON API: receipts after storing, refusals in German, a student reaches only their own hand-ins."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile

import pytest
from sqlalchemy import func, select, update

from grader.backends import make_backend
from grader.engine import Local
from grader.service.app import create_app
from grader.service.handins import blob_path
from grader.service.models import Aufgabe, Handin, now

from .helpers import REFERENCE
from .test_worker import drain


@pytest.fixture
def client(course):
    return create_app(course.opened).test_client()


def post(client, token: str, content: bytes = REFERENCE, filename: str = "perceptron.py", aufgabe: str = "1"):
    return client.post(
        "/api/v1/submissions",
        headers={"Authorization": f"Bearer {token}"},
        data={"aufgabe": aufgabe, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def handins(course) -> int:
    with course.opened.session() as db:
        return db.scalar(select(func.count()).select_from(Handin)) or 0


def set_policy(course, **values) -> None:
    with course.opened.session() as db, db.begin():
        db.execute(update(Aufgabe).values(**values))


def test_a_receipt_comes_after_the_file_and_its_row_are_stored(course, client):
    answer = post(client, course.tokens["1001"])
    assert answer.status_code == 201, answer.json
    receipt = answer.json
    assert set(receipt) >= {"id", "received_at", "sha256", "attempt"} and receipt["attempt"] == 1
    assert receipt["sha256"] == hashlib.sha256(REFERENCE).hexdigest()
    assert blob_path(course.opened.files, receipt["sha256"]).read_bytes() == REFERENCE
    own = client.get(f"/api/v1/submissions/{receipt['id']}", headers={"Authorization": f"Bearer {course.tokens['1001']}"})
    assert own.status_code == 200 and own.json["state"] == "queued" and own.json["aufgabe"] == 1
    assert post(client, course.tokens["1001"]).json["attempt"] == 2


def test_another_students_hand_in_is_not_found(course, client):
    mine = post(client, course.tokens["1001"]).json["id"]
    other = client.get(f"/api/v1/submissions/{mine}", headers={"Authorization": f"Bearer {course.tokens['1002']}"})
    assert other.status_code == 404 and "gibt es nicht" in other.json["error"]
    assert client.get(f"/api/v1/submissions/{mine}").status_code == 401
    assert post(client, "not-a-token").status_code == 401
    assert client.get("/api/v1/results?aufgabe=1", headers={"Authorization": f"Bearer {course.tokens['1001']}"}).status_code == 403


def _zip(*members: tuple[str, bytes], link: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(("content", "filename", "words"), [
    (REFERENCE, "solution.py", "Erwartet wird die Datei perceptron.py"),
    (_zip(("../perceptron.py", REFERENCE)), "abgabe.zip", "nicht entpackt"),
    (_zip(("perceptron.py", REFERENCE), link="helper.py"), "abgabe.zip", "nicht entpackt"),
    (_zip(("other.py", REFERENCE)), "abgabe.zip", "perceptron.py wurde nicht gefunden"),
    (b"PK\x03\x04 broken", "abgabe.zip", "beschädigt"),
    (_zip(("perceptron.py", REFERENCE), ("data.npy", bytes(60_000_000))), "abgabe.zip", "nicht entpackt"),
    (b"", "perceptron.py", "leer"),
])
def test_what_is_no_hand_in_of_the_aufgabe_is_refused_and_not_kept(course, client, content, filename, words):
    answer = post(client, course.tokens["1001"], content, filename)
    assert answer.status_code == 422 and words in answer.json["error"], answer.json
    assert handins(course) == 0


def test_an_oversized_upload_is_refused_in_german(course):
    course.opened.course.max_upload_bytes = 4000
    client = create_app(course.opened).test_client()
    within_form_limit = post(client, course.tokens["1001"], REFERENCE + b"#" * 6000)
    assert within_form_limit.status_code == 413 and "zu groß (höchstens 4 kB)" in within_form_limit.json["error"]
    huge = post(client, course.tokens["1001"], b"#" * 200_000)
    assert huge.status_code == 413 and "zu groß (höchstens 4 kB)" in huge.json["error"]
    assert handins(course) == 0


def test_after_the_deadline_a_hand_in_is_refused_or_marked_late(course, client):
    set_policy(course, deadline=now())
    refused = post(client, course.tokens["1001"])
    assert refused.status_code == 403 and "Abgabefrist" in refused.json["error"]
    set_policy(course, late="accept")
    accepted = post(client, course.tokens["1001"])
    assert accepted.status_code == 201 and accepted.json["late"] is True


def test_past_the_attempts_and_within_the_cooldown_a_hand_in_is_refused(course, client):
    set_policy(course, attempts=2)
    assert [post(client, course.tokens["1001"]).status_code for _ in range(2)] == [201, 201]
    last = post(client, course.tokens["1001"])
    assert last.status_code == 403 and "Alle 2 Versuche" in last.json["error"]
    assert post(client, course.tokens["1002"]).status_code == 201  # another student's attempts are their own
    set_policy(course, attempts=None, cooldown_minutes=10)
    waiting = post(client, course.tokens["1002"])
    assert waiting.status_code == 429 and "Minute" in waiting.json["error"]
    assert handins(course) == 3


def test_uploads_are_rate_limited_per_student(course):
    client = create_app(course.opened, upload_limit=(2, 60.0)).test_client()
    assert [post(client, course.tokens["1001"]).status_code for _ in range(3)] == [201, 201, 429]
    assert "Zu viele Abgaben" in post(client, course.tokens["1001"]).json["error"]
    assert post(client, course.tokens["1002"]).status_code == 201


def test_bad_fields_get_a_german_sentence(course, client):
    assert "Nummer der Aufgabe" in post(client, course.tokens["1001"], aufgabe="eins").json["error"]
    unknown = post(client, course.tokens["1001"], aufgabe="9")
    assert unknown.status_code == 404 and "Aufgabe 9 gibt es" in unknown.json["error"]
    assert client.get("/api/v1/nothing").json == {"error": "Nicht gefunden."}


def test_the_instructor_gets_results_json_of_the_counted_attempts(course, client):
    post(client, course.tokens["1001"], REFERENCE.replace(b"(phi > 0)", b"(phi >= 0)"))
    post(client, course.tokens["1001"])
    drain(course, Local(make_backend("process")))
    results = client.get("/api/v1/results?aufgabe=1", headers={"Authorization": f"Bearer {course.instructor}"})
    assert results.status_code == 200
    [only] = results.json["submissions"]
    assert only["id"] == "Anna Müller (1001)" and only["passed"] is True and results.json["aufgabe"] == 1


def test_a_notebook_is_a_hand_in_and_an_unreadable_one_is_refused_at_upload(sqlite_course):
    import nbformat

    from tests.core.notebook_files import notebook_of

    course = sqlite_course
    client = create_app(course.opened).test_client()
    refused = post(client, course.tokens["1001"], b'{"cells": [', "Aufgabe1.ipynb")
    assert refused.status_code == 422 and "kein gültiges JSON" in refused.json["error"], refused.json
    notebook = nbformat.writes(notebook_of(REFERENCE.decode(), before=("%matplotlib inline",))).encode()
    assert post(client, course.tokens["1001"], notebook, "Aufgabe1.ipynb").status_code == 201
    drain(course, Local(make_backend("process")))
    results = client.get("/api/v1/results?aufgabe=1", headers={"Authorization": f"Bearer {course.instructor}"})
    [only] = results.json["submissions"]
    assert only["passed"] is True and "%matplotlib inline" in " ".join(only["notes"])
