"""A semester's ``grader run``: names that collide or are too long, Moodle's two submission types."""

import csv
import hashlib
import io
import json
import zipfile

from grader import assignment as assignments
from grader.grading import run
from grader.submissions import ONLINE_TEXT_IGNORED

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
WRONG = REFERENCE.replace("w = w + (", "w = w - (")


def quiet(message: str) -> None:
    pass


def test_a_folder_named_like_anothers_report_gets_its_own_report(tmp_path):
    subs = tmp_path / "subs"
    twin = "Anna_M_ller-" + hashlib.sha256("Anna Müller".encode()).hexdigest()[:8]
    for name, code in (("Anna Müller", REFERENCE), (twin, WRONG)):
        (subs / name).mkdir(parents=True)
        (subs / name / "perceptron.py").write_text(code)
    out = tmp_path / "out"
    graded = {s.id: s for s in run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=quiet).submissions}
    assert graded["Anna Müller"].passed and not graded[twin].passed
    assert graded["Anna Müller"].report != graded[twin].report
    anna = (out / graded["Anna Müller"].report).read_text()
    assert "Testat bestanden" in anna and twin not in anna
    messages = []
    run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=messages.append)
    assert any("2 Abgaben unverändert" in m for m in messages), messages


def test_a_moodle_name_longer_than_the_file_system_allows_is_graded_under_its_full_id(tmp_path):
    student = "Maximiliane Theodora " + "Müller-Lüdenscheidt " * 12
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr(f"{student}_4711_assignsubmission_file_/perceptron.py", REFERENCE)
        zf.writestr("Ben Maier_12_assignsubmission_file_/perceptron.py", WRONG)
    out = tmp_path / "out"
    result = run(aufgabe=1, submissions=download, out=out, sandbox="process", log=quiet)
    data = json.loads((out / "results.json").read_text())
    assert [s["id"] for s in data["submissions"]] == ["Ben Maier (12)", f"{student} (4711)"]
    assert [s.passed for s in result.submissions] == [False, True]
    assert all((out / s.report).is_file() for s in result.submissions)
    rows = list(csv.DictReader(io.StringIO((out / "moodle-grades.csv").read_text())))
    assert [r["Identifier"] for r in rows] == ["Participant 12", "Participant 4711"]


def test_file_and_online_text_the_file_is_graded_and_the_report_says_so(tmp_path):
    subs = tmp_path / "subs"
    for plugin, name, data in (("file", "perceptron.py", REFERENCE), ("onlinetext", "onlinetext.html", "<p>Hallo</p>")):
        folder = subs / f"Mia Koch_12353_assignsubmission_{plugin}_"
        folder.mkdir(parents=True)
        (folder / name).write_text(data)
    out = tmp_path / "out"
    (mia,) = run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=quiet).submissions
    assert mia.id == "Mia Koch (12353)" and mia.passed and mia.notes == [ONLINE_TEXT_IGNORED]
    assert ONLINE_TEXT_IGNORED in (out / mia.report).read_text()
    rows = list(csv.DictReader(io.StringIO((out / "moodle-grades.csv").read_text())))
    assert [(r["Identifier"], r["Grade"]) for r in rows] == [("Participant 12353", "24")]
