"""The service's reports show a public case's figures (the student's, the reference's) as the batch report
does, only to whom the report belongs; an export carries them; a hidden case's never show."""

from __future__ import annotations

import re

from click.testing import CliRunner

from grader.backends import make_backend
from grader.cli import main
from grader.engine import Local
from grader.service.app import create_app
from grader.service.handins import accept
from grader.service.worker import figures_owner, figures_root

from .conftest import ROOT, make_course
from .helpers import student_id
from .test_pages import browser, log_in
from .test_worker import drain

RNN = (ROOT / "reference" / "aufgabe5" / "rnn.py").read_bytes()


def test_a_plot_case_shows_the_students_and_the_reference_figure_to_its_student_only(tmp_path):
    course = make_course(tmp_path, aufgaben=(5,))
    try:
        receipt = accept(course.opened, student_id=student_id(course, "1001"), aufgabe=5, filename="rnn.py", content=RNN)
        drain(course, Local(make_backend("process")))
        app = create_app(course.opened)
        anna = browser(app)
        log_in(anna, course.tokens["1001"])
        page = anna.get(f"/abgaben/{receipt.id}").get_data(as_text=True)
        pictures = re.findall(r'<img src="(/abgaben/\d+/abbildungen/[^"]+)" alt="([^"]+)"', page)
        assert any(alt.startswith("Ihre Abbildung") for _, alt in pictures) and any(alt.startswith("Referenz") for _, alt in pictures), page
        for url, _ in pictures:
            answer = anna.get(url)
            assert answer.status_code == 200 and answer.mimetype == "image/png" and answer.data.startswith(b"\x89PNG")
            answer.close()
        url = pictures[0][0]
        # A file beside them that no visible case names (as a hidden case's figure would be) is not served.
        unlisted = figures_root(course.data, 5) / figures_owner(receipt.id) / "simulate__zero-0.png"
        unlisted.write_bytes(b"\x89PNG hidden")
        assert anna.get(url.rsplit("/", 1)[0] + "/simulate__zero-0.png").status_code == 404
        assert anna.get(f"/abgaben/{receipt.id}/abbildungen/../../../course.toml").status_code == 404
        jonas = browser(app)
        log_in(jonas, course.tokens["1002"])
        assert jonas.get(url).status_code == 404
        teacher = browser(app)
        log_in(teacher, course.instructor)
        answer = teacher.get(url)
        assert answer.status_code == 200
        answer.close()

        out = tmp_path / "export"
        assert CliRunner().invoke(main, ["service", "export", str(course.data), "--aufgabe", "5", "--out", str(out)]).exit_code == 0
        report = next((out / "reports").glob("*.html")).read_text(encoding="utf-8")
        assert report.count('<img src="data:image/png;base64,') >= 2  # the batch's pages carry the pictures in themselves
    finally:
        course.opened.engine.dispose()
