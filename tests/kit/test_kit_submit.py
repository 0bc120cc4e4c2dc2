"""``python -m gnn_kit submit``: the kit runs its public cases, hands in to the service and prints the
feedback the service lets the student see, where the grader cannot be imported."""

from __future__ import annotations

from sqlalchemy import func, select
from test_kit import student_python, unpack

from grader.service.models import Handin
from tests.service.conftest import make_course
from tests.service.helpers import REFERENCE, WRONG
from tests.service.server import Server


def test_the_kit_checks_then_hands_in_and_shows_the_feedback(tmp_path):
    (tmp_path / "kurs").mkdir()
    course = make_course(tmp_path / "kurs")
    course.opened.engine.dispose()
    server = Server(course.data, tmp_path / "server.log", "--insecure-cookies").start()
    try:
        folder = unpack(1, tmp_path)
        submit = ("-m", "gnn_kit", "submit", "--server", server.url)
        (folder / "perceptron.py").write_bytes(WRONG)
        refused = student_python(folder, *submit, "--token", course.tokens["1001"])
        assert refused.returncode == 1 and "Nicht abgegeben" in refused.stderr and "✗" in refused.stdout, refused.stdout + refused.stderr
        (folder / "perceptron.py").write_bytes(REFERENCE)
        unknown = student_python(folder, *submit, "--token", "kein-token")
        assert unknown.returncode == 1 and "Die Abgabe ging nicht: Anmeldung fehlt oder der Token ist ungültig" in unknown.stderr
        done = student_python(folder, *submit, "--token", course.tokens["1001"])
        assert done.returncode == 0, done.stdout + done.stderr + server.log()
        assert "öffentlichen Fällen bestanden (geprüft: perceptron.py)" in done.stdout
        assert "Abgegeben: perceptron.py, Versuch 1" in done.stdout and "Punkten — Testat bestanden." in done.stdout
        assert f"Bericht: {server.url}/abgaben/" in done.stdout
        opened = course.reopen()
        with opened.session() as db:
            assert db.scalar(select(func.count()).select_from(Handin)) == 1  # the refused ones were never sent
    finally:
        server.stop()
        course.opened.engine.dispose()
