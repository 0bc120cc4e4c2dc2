"""The course-level outputs: Testat matrix, published bundle, LMS exports, similar submissions."""

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grader.common.results import CaseResult, RunResult, SubmissionResult, write_json_atomic
from grader.course import overview, publish, similarity
from grader.course.cli import add_commands
from grader.intake import moodle
from grader.intake.download import BadDownload, open_download
from grader.report import grades
from grader.report import pages as report

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:click")


def graded(sid: str, score: float, passed: bool, max_score: float = 10.0) -> SubmissionResult:
    case = CaseResult("f/x", "public", "passed" if passed else "failed", score, max_score, "Richtig." if passed else "Falsch.")
    return SubmissionResult(id=sid, status="graded", score=score, max_score=max_score, passed=passed, cases=[case],
                            sandbox="docker", graded_at="2026-11-26T19:42:00+00:00")


def write_run(folder: Path, aufgabe: int, submissions: list[SubmissionResult]) -> Path:
    run = RunResult(aufgabe=aufgabe, title=f"Titel {aufgabe}", threshold=0.8, submissions=submissions, sandbox="docker")
    for s in submissions:
        s.report = report.report_name(s.id)
    write_json_atomic(folder / "results.json", run.to_json())
    return folder


def test_matrix_matches_moodle_students_across_aufgaben_by_name(tmp_path):
    # Moodle gives a student a different participant number in every assignment.
    first = write_run(tmp_path / "a1", 1, [graded("Anna Müller (101)", 10, True), graded("ben", 3, False)])
    second = write_run(tmp_path / "a4", 4, [graded("Anna Müller (977)", 9, True), graded("carla", 8, True)])
    matrix = overview.overview(results_paths=[first, second / "results.json"], out=tmp_path / "course")
    assert matrix.aufgaben == [1, 4]
    assert matrix.students == ["Anna Müller", "ben", "carla"]
    assert matrix.passed("Anna Müller") == 2 and matrix.passed("ben") == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "course" / "overview.csv").read_text())))
    assert rows[0] == {"student": "Anna Müller", "aufgabe1": "ja", "aufgabe4": "ja", "punkte1": "10", "punkte4": "9", "bestanden": "2"}
    assert rows[1]["aufgabe4"] == "" and rows[2]["aufgabe1"] == ""  # no submission
    html = (tmp_path / "course" / "overview.html").read_text()
    assert f'href="../a1/{report.report_name("Anna Müller (101)")}"' in html


def test_matrix_keeps_the_better_of_two_results(tmp_path):
    first = write_run(tmp_path / "x", 2, [graded("ben", 3, False)])
    second = write_run(tmp_path / "y", 2, [graded("ben", 9, True)])
    matrix = overview.overview(results_paths=[first, second], out=tmp_path / "course")
    assert matrix.cells[("ben", 2)].submission.score == 9


@pytest.fixture
def run_out(tmp_path, aufgabe1, submission):
    """A run's output folder as ``grader run`` leaves it, with two students."""
    out = tmp_path / "out"
    run = RunResult(aufgabe=1, title="Perzeptron-Lernregel", threshold=0.8,
                    submissions=[submission, graded("zoe-42", 20, True, 24)], sandbox="docker")
    report.write_all(run, aufgabe1, out)
    write_json_atomic(out / "results.json", run.to_json())
    return out


def test_publish_gives_each_student_an_unguessable_folder_with_only_their_report(run_out, tmp_path):
    bundle = tmp_path / "bundle"
    published, index = publish.publish(out=run_out, to=bundle)
    folders = {p.id: bundle / p.folder for p in published}
    assert set(folders) == {"anna", "zoe-42"}
    for sid, folder in folders.items():
        assert sid not in folder.name and len(folder.name) == 32
        assert [p.name for p in folder.iterdir()] == ["index.html"]
    anna = (folders["anna"] / "index.html").read_text()
    assert "<strong>anna</strong>" in anna and "zoe-42" not in anna
    assert not list(bundle.rglob(publish.KEY_FILE))  # the key stays with the instructor
    listing = index.read_text()
    assert all(f"../{p.folder}/" in listing for p in published)
    assert (bundle / "robots.txt").read_text().endswith("Disallow: /\n")
    again, _ = publish.publish(out=run_out, to=tmp_path / "again")
    assert [p.folder for p in again] == [p.folder for p in published]  # links survive a republish


def test_publish_after_the_release_date_shows_released_hidden_cases(run_out, tmp_path):
    published, _ = publish.publish(out=run_out, to=tmp_path / "b", release_hidden=True, today=date(2026, 12, 1))
    anna = (tmp_path / "b" / published[0].folder / "index.html").read_text()
    assert "GEHEIM-4711-train/and-from-w0" in anna and "GEHEIM-4711-train/nand" not in anna


def test_moodle_feedback_zip_has_a_folder_per_moodle_student(tmp_path):
    out = write_run(tmp_path / "out", 1, moodle_run().submissions)
    target = tmp_path / "feedback.zip"
    assert publish.moodle_feedback_zip(out=out, target=target) == 2
    names = zipfile.ZipFile(target).namelist()
    assert names == ["Anna Müller_101_assignfeedback_file_/feedback-aufgabe1.html",
                     "Ben Maier_102_assignfeedback_file_/feedback-aufgabe1.html"]
    assert "Ben Maier (102)" in zipfile.ZipFile(target).read(names[1]).decode()


def moodle_up_to_4_0(path: str) -> tuple[str, str] | None:
    """Participant and file name as Moodle 3.1-4.0 read an entry of the feedback zip (importziplib.php):
    the whole path, extracted under /import/, cut at the first four underscores."""
    info = f"/import/{path}".split("_", 4)
    return (info[1], info[4]) if len(info) == 5 and info[1].isdigit() and info[2:4] == ["assignfeedback", "file"] else None


def moodle_from_4_1(path: str) -> tuple[str, str] | None:
    """The same as Moodle 4.1 and later read it: each part of the path in turn, the last underscore optional."""
    parts = f"/import/{path}".split("/")
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) >= 4 and info[1].isdigit() and info[2:4] == ["assignfeedback", "file"]:
            return info[1], "/".join([info[4] if len(info) == 5 else "", *parts])
    return None


@pytest.mark.parametrize("moodle", [moodle_up_to_4_0, moodle_from_4_1])
def test_every_moodle_from_3_1_on_finds_each_student_in_the_feedback_zip(tmp_path, moodle):
    run = moodle_run()
    run.submissions[0].id = "Anna_Lena Müller (101)"  # an underscore in the name must not shift the pieces
    out = write_run(tmp_path / "out", 1, run.submissions)
    publish.moodle_feedback_zip(out=out, target=tmp_path / "feedback.zip")
    found = [moodle(name) for name in zipfile.ZipFile(tmp_path / "feedback.zip").namelist()]
    assert [f[0] if f else None for f in found] == ["101", "102"]
    assert all(f and f[1].endswith("feedback-aufgabe1.html") for f in found)


def test_the_readme_says_which_moodle_versions_import_the_feedback_zip():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    moodle_zip = readme[readme.index("`--moodle-zip` also packs"):].split("\n- ")[0]
    assert "_assignfeedback_file_/" in moodle_zip and "from 3.1 on" in moodle_zip


def test_moodle_folder_names_become_readable_ids():
    assert moodle.submission_id("Anna Müller_123456_assignsubmission_file_") == "Anna Müller (123456)"
    assert moodle.submission_id("mueller_anna") == "mueller_anna"
    assert moodle.submission_id("student_2") == "student_2"
    assert moodle.moodle_student("Anna Müller (123456)") == moodle.MoodleStudent("Anna Müller", "123456")
    assert moodle.moodle_student("student_2") is None
    assert moodle.student_key("Anna Müller (123456)") == "Anna Müller"


def test_moodle_download_zip_is_unpacked_as_the_submissions_folder(tmp_path):
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("Anna Müller_1_assignsubmission_file_/perceptron.py", "x = 1\n")
        zf.writestr("Ben Maier_2_assignsubmission_file_/abgabe.zip", b"PK")
    root = open_download(download, tmp_path / "work")[0]
    assert sorted(p.name for p in root.iterdir()) == ["Anna Müller_1_assignsubmission_file_", "Ben Maier_2_assignsubmission_file_"]
    assert open_download(tmp_path, tmp_path / "other")[0] == tmp_path


def test_unsafe_download_is_refused_with_a_reason(tmp_path):
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("../evil.py", "x = 1\n")
    with pytest.raises(BadDownload, match="download.zip"):
        open_download(download, tmp_path / "work")
    assert not (tmp_path / "evil.py").exists()


def moodle_run() -> RunResult:
    return RunResult(aufgabe=1, title="t", threshold=0.8, submissions=[
        graded("Anna Müller (101)", 10, True), graded("Ben Maier (102)", 4, False), graded("plain", 1, False)])


def test_worksheet_lists_moodle_submissions_with_grade_and_feedback():
    rows = list(csv.DictReader(io.StringIO(grades.worksheet_csv(moodle_run()))))
    assert [r["Identifier"] for r in rows] == ["Participant 101", "Participant 102"]
    assert rows[0]["Last modified (grade)"] == "-"  # Moodle refuses a worksheet without this column
    assert rows[1]["Grade"] == "4" and rows[1]["Maximum Grade"] == "10"
    assert rows[1]["Feedback comments"].startswith("Testat nicht bestanden: 4 von 10 Punkten. Nicht bestanden: f/x.")


def test_filling_a_downloaded_german_worksheet_keeps_its_columns():
    downloaded = (
        "ID,Vollständiger Name,E-Mail-Adresse,Status,Bewertung,Bestwertung,Bewertung kann geändert werden,"
        "Zuletzt geändert (Abgabe),Zuletzt geändert (Bewertung),Feedback als Kommentar\n"
        "Teilnehmer/in 101,Anna Müller,anna@example.org,Abgegeben,,10,Ja,-,-,\n"
        "Teilnehmer/in 103,Cem Arslan,cem@example.org,Keine Abgabe,,10,Ja,-,-,\n"
    )
    filled, unmatched = grades.fill_worksheet(downloaded, moodle_run())
    rows = list(csv.reader(io.StringIO(filled)))
    assert rows[0] == next(csv.reader(io.StringIO(downloaded)))
    assert rows[1][4] == "10" and rows[1][9].startswith("Testat bestanden")
    assert rows[2][4] == "" and unmatched == ["Teilnehmer/in 103"]
    with pytest.raises(ValueError):
        grades.fill_worksheet("ID,Name\n", moodle_run())


def test_grades_json_has_every_submission():
    rows = grades.grades_json(moodle_run())["grades"]
    assert [(g["student"], g["participant"], g["passed"]) for g in rows] == [
        ("Anna Müller", "101", True), ("Ben Maier", "102", False), ("plain", None, False)]


SKELETON = '''import numpy as np


def output(w, x):
    """Ausgabe eines Perzeptrons: 1, wo x @ w[:-1] + w[-1] > 0, sonst 0."""
    raise NotImplementedError


def train(X, T, w0, max_epochs=100):
    """Perzeptron-Lernregel, online, Lernrate 1."""
    raise NotImplementedError
'''
LOOPS = SKELETON.replace('''    """Ausgabe eines Perzeptrons: 1, wo x @ w[:-1] + w[-1] > 0, sonst 0."""
    raise NotImplementedError''', '''    """Ausgabe eines Perzeptrons: 1, wo x @ w[:-1] + w[-1] > 0, sonst 0."""
    total = w[-1]
    for i in range(len(x)):
        total = total + w[i] * x[i]
    if total > 0:
        return 1
    return 0''')
VECTORISED = SKELETON.replace('''    """Ausgabe eines Perzeptrons: 1, wo x @ w[:-1] + w[-1] > 0, sonst 0."""
    raise NotImplementedError''', '''    """Ausgabe eines Perzeptrons: 1, wo x @ w[:-1] + w[-1] > 0, sonst 0."""
    x = np.asarray(x, dtype=float)
    return (x @ np.asarray(w)[:-1] + w[-1] > 0).astype(int)''')
RENAMED = LOOPS.replace("total", "summe").replace("i in", "k in").replace("[i]", "[k]")


def test_renamed_copy_is_found_and_own_work_is_not():
    found = similarity.compare({"a": LOOPS, "b": VECTORISED, "c": RENAMED}, SKELETON, threshold=0.5)
    assert [(p.a, p.b) for p, _ in found] == [("a", "c")]
    assert found[0][0].score > 0.9


def test_skeleton_code_makes_nobody_similar():
    same_skeleton = {"a": LOOPS, "b": VECTORISED}
    with_skeleton = similarity.compare(same_skeleton, SKELETON, threshold=0.0)
    without = similarity.compare(same_skeleton, "", threshold=0.0)
    assert with_skeleton[0][0].score < without[0][0].score


def test_segments_mark_shared_code():
    assert similarity.segments("abcdef", ([1, 4], [3, 5])) == [("a", False), ("bc", True), ("d", False), ("e", True), ("f", False)]
    assert similarity.segments("abc", ([], [])) == [("abc", False)]


def test_similarity_writes_pairs_views_and_lists_them_in_the_overview(run_out, tmp_path):
    submissions = tmp_path / "subs"
    # carla was not graded in this run: her pairs would not be listed in its overview.
    for sid, code in {"anna": LOOPS, "zoe-42": RENAMED, "carla": VECTORISED}.items():
        (submissions / sid).mkdir(parents=True)
        (submissions / sid / "perceptron.py").write_text(code)
    pairs = similarity.similarity(aufgabe=1, submissions=submissions, out=run_out, threshold=0.5)
    assert [(p.a, p.b) for p in pairs] == [("anna", "zoe-42")]
    stored = json.loads((run_out / "similarity.json").read_text())
    assert stored["pairs"][0]["view"] == "similarity/pair-001.html"
    view = (run_out / "similarity" / "pair-001.html").read_text()
    assert "<mark>" in view and "summe" in view
    assert 'href="similarity/pair-001.html"' in (run_out / "index.html").read_text()


def test_similarity_into_a_folder_without_a_run_writes_an_index_the_pair_pages_link_to(tmp_path):
    submissions = tmp_path / "subs"
    for sid, code in {"anna": LOOPS, "zoe-42": RENAMED}.items():
        (submissions / sid).mkdir(parents=True)
        (submissions / sid / "perceptron.py").write_text(code)
    out = tmp_path / "sem" / "sim1"
    done = CliRunner().invoke(cli(), ["similarity", "--aufgabe", "1", str(submissions), "--out", str(out), "--threshold", "0.5"])
    assert done.exit_code == 0, done.output
    index = (out / "index.html").read_text()
    assert 'href="similarity/pair-001.html"' in index and "anna" in index and "2 Abgaben verglichen" in index
    view = out / "similarity" / "pair-001.html"
    assert 'href="../index.html"' in view.read_text() and (view.parent / "../index.html").resolve().is_file()


def cli() -> click.Group:
    group = click.Group()
    add_commands(group)
    return group


def test_cli_overview_publish_and_kit(run_out, tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli(), ["overview", str(run_out), "--out", str(tmp_path / "course")])
    assert done.exit_code == 0, done.output
    assert "2 Studierende, Aufgaben 1" in done.output
    done = runner.invoke(cli(), ["publish", str(run_out), "--to", str(tmp_path / "bundle"), "--lang", "en"])
    assert done.exit_code == 0 and "2 Berichte" in done.output
    done = runner.invoke(cli(), ["kit", "--aufgabe", "1", "--out", str(tmp_path / "kit.zip")])
    assert done.exit_code == 0 and zipfile.is_zipfile(tmp_path / "kit.zip")


def test_cli_errors_say_how_to_fix_them(tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli(), ["overview", str(tmp_path)])
    assert done.exit_code == 4 and "keine results.json" in done.output
    done = runner.invoke(cli(), ["kit", "--aufgabe", "99", "--out", str(tmp_path / "k.zip")])
    assert done.exit_code == 3 and "grader list" in done.output


def test_cli_fills_the_moodle_worksheet(tmp_path):
    out = tmp_path / "out"
    write_json_atomic(out / "results.json", moodle_run().to_json())
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("\ufeffIdentifier,Full name,Grade,Feedback comments\nParticipant 102,Ben Maier,,\n", encoding="utf-8")
    done = CliRunner().invoke(cli(), ["moodle-grades", str(out), "--worksheet", str(sheet), "--to", str(tmp_path / "filled.csv")])
    assert done.exit_code == 0, done.output
    assert "Participant 102,Ben Maier,4,Testat nicht bestanden" in (tmp_path / "filled.csv").read_text()
