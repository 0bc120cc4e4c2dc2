"""``grader run`` end to end for what issue 5 added: values in the report, languages, Moodle in and out."""

import csv
import io
import json
import zipfile

import pytest

from grader.cases import assignment as assignments
from grader.engine.batch import run

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
WRONG = REFERENCE.replace("def train(", "def _train(") + (
    "\n\ndef train(X, T, w0, max_epochs=100):\n    print('<script>x</script>')\n"
    "    w, epochs = _train(X, T, w0, max_epochs)\n    return w, epochs + 1 if epochs else 0\n"
)


@pytest.fixture(scope="module")
def moodle_out(tmp_path_factory):
    """Moodle's download as one zip: a folder with the file, and one with the student's own zip in it."""
    root = tmp_path_factory.mktemp("moodle")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("abgabe/perceptron.py", WRONG)
    download = root / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("Anna Müller_101_assignsubmission_file_/perceptron.py", REFERENCE)
        zf.writestr("Ben Maier_102_assignsubmission_file_/meine_abgabe.zip", inner.getvalue())
    out = root / "out"
    result = run(aufgabe=1, submissions=download, out=out, jobs=2, sandbox="process", lang="en", log=lambda m: None)
    return out, {s.id: s for s in result.submissions}


def test_moodle_ids_and_nested_zip(moodle_out):
    _, graded = moodle_out
    assert sorted(graded) == ["Anna Müller (101)", "Ben Maier (102)"]
    assert graded["Anna Müller (101)"].passed
    assert graded["Ben Maier (102)"].status == "graded" and not graded["Ben Maier (102)"].passed


def test_moodle_worksheet_and_grades_json_are_written(moodle_out):
    out, graded = moodle_out
    rows = list(csv.DictReader(io.StringIO((out / "moodle-grades.csv").read_text())))
    wrong, full = graded["Ben Maier (102)"].score, graded["Anna Müller (101)"].max_score
    assert 0 < wrong < full
    assert [(r["Identifier"], r["Grade"]) for r in rows] == [("Participant 101", f"{full:g}"), ("Participant 102", f"{wrong:g}")]
    grades = json.loads((out / "grades.json").read_text())["grades"]
    assert [g["passed"] for g in grades] == [True, False]


def test_public_cases_keep_short_values_hidden_cases_none(moodle_out):
    _, graded = moodle_out
    cases = {c.name: c for c in graded["Ben Maier (102)"].cases}
    assert "epochs: 6" in cases["train/and"].expected_text and "epochs: 7" in cases["train/and"].got_text
    hidden = [c for c in cases.values() if c.visibility == "hidden"]
    assert hidden and all(not (c.expected_text or c.got_text or c.stdout) for c in hidden)


def test_english_report_shows_values_and_escapes_output(moodle_out):
    out, graded = moodle_out
    html = (out / graded["Ben Maier (102)"].report).read_text()
    assert '<html lang="en">' in html and "Your result" in html and "epochs: 7" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
