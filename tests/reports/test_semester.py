"""A semester's ``grader run``: names that collide or are too long, Moodle's two submission types."""

import csv
import hashlib
import io
import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.backends import docker_engine
from grader.cases import assignment as assignments
from grader.cli import main
from grader.common import results
from grader.common.results import CaseResult, RunResult, SubmissionResult, write_json_atomic
from grader.course import overview
from grader.engine.batch import run
from grader.engine.outdir import OutputOfAnotherAufgabe, claim
from grader.intake.submissions import ONLINE_TEXT_IGNORED
from grader.report import grades
from grader.report import pages as report

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
    assert [(r["Identifier"], r["Grade"]) for r in rows] == [("Participant 12353", f"{mia.max_score:g}")]


def make_class(root: Path, count: int = 3) -> Path:
    for i in range(count):
        (root / f"student{i}").mkdir(parents=True)
        (root / f"student{i}" / "perceptron.py").write_text(REFERENCE if i % 2 == 0 else WRONG)
    return root


def grader(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="grader")


def test_default_out_is_one_folder_per_aufgabe(tmp_path, monkeypatch):
    subs = make_class(tmp_path / "subs", count=1)
    monkeypatch.chdir(tmp_path)
    done = grader("run", "--aufgabe", "1", subs, "--sandbox", "process")
    assert done.exit_code == 0, done.output
    assert json.loads((tmp_path / "out" / "aufgabe1" / "results.json").read_text())["aufgabe"] == 1
    assert not (tmp_path / "out" / "results.json").exists()


def test_an_out_holding_another_aufgabes_results_is_refused(tmp_path):
    subs = make_class(tmp_path / "subs", count=1)
    out = tmp_path / "out"
    run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=quiet)
    before = (out / "results.json").read_bytes()
    with pytest.raises(OutputOfAnotherAufgabe):
        run(aufgabe=4, submissions=subs, out=out, sandbox="process", log=quiet)
    done = grader("run", "--aufgabe", "4", subs, "--out", out, "--sandbox", "process")
    assert done.exit_code == 7 and "Ergebnisse von Aufgabe 1" in done.output and "Hinweis" in done.output
    assert (out / "results.json").read_bytes() == before


def test_a_second_grader_on_the_same_out_stops_with_a_message(tmp_path):
    subs = make_class(tmp_path / "subs", count=1)
    out = tmp_path / "out"
    with claim(out, 1):  # as a first grader run holds it
        done = grader("run", "--aufgabe", "1", subs, "--out", out, "--sandbox", "process")
        assert done.exit_code == 7 and "anderer Lauf" in done.output, done.output
        assert not (out / "results.json").exists()
    done = grader("run", "--aufgabe", "1", subs, "--out", out, "--sandbox", "process")
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """A run stopped by Ctrl-C after its first result, as ``grader run`` leaves it."""
    root = tmp_path_factory.mktemp("interrupted")
    subs = make_class(root / "subs")

    def ctrl_c(result, done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(aufgabe=1, submissions=subs, out=root / "out", jobs=1, sandbox="process", progress=ctrl_c, log=quiet)
    return root


def test_an_interrupted_run_says_it_is_incomplete(interrupted):
    out = interrupted / "out"
    data = json.loads((out / "results.json").read_text())
    assert data["complete"] is False and data["total"] == 3 and len(data["submissions"]) == 1
    assert "unvollständig: 1 von 3 bewertet" in (out / "index.html").read_text()


@pytest.mark.parametrize("command", ["overview", "publish", "moodle-grades"])
def test_course_commands_refuse_an_incomplete_run_unless_allowed(interrupted, tmp_path, command):
    out = interrupted / "out"
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade\nParticipant 1,X,\n", encoding="utf-8")
    args = {
        "overview": ["overview", out, "--out", tmp_path / "course"],
        "publish": ["publish", out, "--to", tmp_path / "bundle"],
        "moodle-grades": ["moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv"],
    }[command]
    done = grader(*args)
    assert done.exit_code == 9 and "unvollständig: 1 von 3 Abgaben bewertet" in done.output, done.output
    assert "--allow-incomplete" in done.output
    done = grader(*args, "--allow-incomplete")
    assert done.exit_code in (0, 10), done.output  # 10: this worksheet matches no submission
    if command == "overview":
        assert "unvollständig: 1 von 3 bewertet" in (tmp_path / "course" / "overview.html").read_text()


def test_the_rerun_after_an_interruption_is_complete(interrupted, tmp_path):
    shutil.copytree(interrupted, tmp_path / "copy")
    messages = []
    result = run(aufgabe=1, submissions=tmp_path / "copy" / "subs", out=tmp_path / "copy" / "out", sandbox="process",
                 log=messages.append)
    assert result.complete and len(result.submissions) == 3 and any("1 Abgabe unverändert" in m for m in messages)
    assert json.loads((tmp_path / "copy" / "out" / "results.json").read_text())["complete"] is True


@pytest.mark.parametrize("where", ["inside", "around"])
def test_publish_refuses_a_target_inside_the_run_or_around_it(interrupted, where):
    out = interrupted / "out"
    target = out / "pub" if where == "inside" else interrupted
    index = (out / "index.html").read_bytes()
    done = grader("publish", out, "--to", target, "--allow-incomplete")
    assert done.exit_code == 7 and "ineinander" in done.output, done.output
    assert (out / "index.html").read_bytes() == index and not (out / "pub").exists()


@pytest.mark.parametrize("command", ["moodle-grades", "moodle-zip"])
def test_no_course_command_writes_into_the_runs_own_files(tmp_path, command):
    out = results_of(tmp_path / "sem" / "a1", [moodle_result("Anna Müller (101)", 18)])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade\nParticipant 101,Anna Müller,\n", encoding="utf-8")
    before = (out / "results.json").read_bytes()
    args = {
        "moodle-grades": ["moodle-grades", out, "--worksheet", sheet, "--to", out / "results.json"],
        "moodle-zip": ["publish", out, "--to", tmp_path / "bundle", "--moodle-zip", out / "results.json"],
    }[command]
    done = grader(*args)
    assert done.exit_code == 7 and "Ausgabeordner des Laufs" in done.output and "außerhalb" in done.output, done.output
    assert (out / "results.json").read_bytes() == before
    assert grader("override", out, "--id", "Anna Müller (101)", "--points", "20", "--note", "Gespräch").exit_code == 0


def results_of(folder: Path, submissions: list[SubmissionResult]) -> Path:
    outcome = RunResult(aufgabe=1, title="t", threshold=0.8, submissions=submissions, sandbox="process", total=len(submissions))
    write_json_atomic(folder / "results.json", outcome.to_json())
    return folder


def moodle_result(sid: str, score: float) -> SubmissionResult:
    return SubmissionResult(id=sid, status="graded", score=score, max_score=24.0, passed=score >= 19.2, cases=[])


def test_points_are_scaled_to_the_worksheets_maximum_grade(tmp_path):
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18), moodle_result("Ben Maier (102)", 24)])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade,Maximum Grade\nParticipant 101,Anna Müller,,100.00\n"
                     "Participant 102,Ben Maier,,100.00\n", encoding="utf-8")
    done = grader("moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "filled.csv").read_text(encoding="utf-8-sig"))))
    assert [r["Grade"] for r in rows] == ["75.00", "100.00"]


def test_a_worksheet_of_another_assignment_is_refused(tmp_path):
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18)])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade\nParticipant 555,Anna Müller,\nParticipant 556,Ben Maier,\n")
    done = grader("moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv")
    assert done.exit_code == 10 and "keine zeile passt" in done.output.lower() and "falsche Aufgabe?" in done.output
    assert not (tmp_path / "filled.csv").exists()


def test_rows_submitted_in_moodle_without_a_submission_in_the_run_are_warned_about(tmp_path):
    # Another assignment's worksheet whose participant numbers happen to match one of this run's.
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18)])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Status,Grade\nParticipant 101,Anna Müller,Submitted for grading,\n"
                     "Participant 102,Ben Maier,Submitted for grading - Graded,\n"
                     "Participant 103,Carla Neu,Submitted for grading,\nParticipant 104,Dora Alt,No submission,\n")
    done = grader("moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv")
    assert done.exit_code == 0, done.output
    assert "Warnung: 2 Zeilen sind in Moodle „Zur Bewertung abgegeben“" in done.output
    assert "Participant 102, Participant 103)" in done.output and "Participant 104" not in done.output
    sheet.write_text("Identifier,Full name,Status,Grade\nParticipant 101,Anna Müller,Submitted for grading,\n"
                     "Participant 104,Dora Alt,No submission,\n")
    assert "Warnung" not in grader("moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv").output


def test_rejected_hand_ins_go_to_moodle_without_a_grade_and_open_the_index(tmp_path):
    rejected = [
        SubmissionResult(id=sid, status="error", score=0, max_score=24, passed=False, cases=[],
                         message=f"Die Datei perceptron.py wurde nicht gefunden. Vorhanden: {name}.")
        for sid, name in (("Ben Maier (102)", "Perzeptron.py"), ("Carla Neu (103)", "pooling (1).py"))
    ]
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18), *rejected])
    run_result = results.load(out / "results.json")
    report.write_all(run_result, assignments.load(1), out)
    written = {r["Identifier"]: r for r in csv.DictReader(io.StringIO((out / "moodle-grades.csv").read_text()))}
    assert [written[f"Participant {n}"]["Grade"] for n in (101, 102, 103)] == ["18", "", ""]
    assert written["Participant 103"]["Feedback comments"].startswith("Nicht bewertbar: Die Datei")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade,Maximum Grade\nParticipant 101,Anna Müller,,100.00\n"
                     "Participant 102,Ben Maier,,100.00\nParticipant 103,Carla Neu,,100.00\n", encoding="utf-8")
    assert grader("moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv").exit_code == 0
    filled = list(csv.DictReader(io.StringIO((tmp_path / "filled.csv").read_text(encoding="utf-8-sig"))))
    assert [r["Grade"] for r in filled] == ["75.00", "", ""]
    index = (out / "index.html").read_text()
    head = index[:index.index("<h2>")]
    assert "Nicht bewertbar, bitte ansehen (2;" in head and "Ben Maier (102)" in head and "Carla Neu (103)" in head
    assert "Anna Müller" not in head


def test_a_worksheet_saved_by_german_excel_is_read_and_written_for_excel(tmp_path):
    out = results_of(tmp_path / "out", [moodle_result("Jürgen Groß (101)", 18)])
    sheet = tmp_path / "sheet.csv"
    # Excel's "CSV (Trennzeichen-getrennt)" with German settings: semicolons, cp1252, decimal comma.
    sheet.write_bytes("ID;Vollständiger Name;Bewertung;Bestwertung;Feedback als Kommentar\r\n"
                      "Teilnehmer/in 101;Jürgen Groß;;100,00;\r\n".encode("cp1252"))
    done = grader("moodle-grades", out, "--worksheet", sheet, "--to", tmp_path / "filled.csv")
    assert done.exit_code == 0, done.output
    data = (tmp_path / "filled.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1] == "Vollständiger Name" and rows[1][1] == "Jürgen Groß" and rows[1][2] == "75,00"
    assert rows[1][4].startswith("Testat nicht bestanden")


def no_traceback(done: Result, code: int, *words: str) -> None:
    assert done.exit_code == code, done.output
    assert "Traceback" not in done.output and not isinstance(done.exception, (TypeError, AttributeError))
    for word in words:
        assert word in done.output, done.output


@pytest.mark.parametrize("command", ["kit", "publish", "moodle-grades", "overview"])
def test_an_unwritable_target_ends_with_a_german_message_and_exit_7(tmp_path, command):
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18)])
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Identifier,Full name,Grade\nParticipant 101,Anna Müller,\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "target"  # its parent is a file: unwritable even for root
    args = {
        "kit": ["kit", "--aufgabe", "1", "--out", target],
        "publish": ["publish", out, "--to", target],
        "moodle-grades": ["moodle-grades", out, "--worksheet", sheet, "--to", target],
        "overview": ["overview", out, "--out", target],
    }[command]
    done = grader(*args)
    no_traceback(done, 7, "Fehler: Zugriff auf", "Hinweis:")
    assert "a-file" in done.output and "kein Ordner" in done.output


def test_an_unwritable_out_of_a_run_is_said_in_german(tmp_path):
    subs = make_class(tmp_path / "subs", count=1)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = grader("run", "--aufgabe", "1", subs, "--out", blocker / "out", "--sandbox", "process")
    no_traceback(done, 7, "ein Teil des Pfads ist kein Ordner", "einen anderen Ordner mit --out")
    assert "Not a directory" not in done.output


def test_an_override_while_another_grader_writes_says_to_wait_not_to_choose_another_out(tmp_path):
    """OUT of `override` is the run it changes; the command has no --out."""
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18)])
    with claim(out, None):
        done = grader("override", out, "--id", "Anna Müller (101)", "--passed", "yes", "--note", "x")
    no_traceback(done, 7, "schreibt gerade ein anderer Lauf", "warten, bis er fertig ist")
    assert "--out" not in done.output


def test_without_an_engine_only_a_command_with_sandbox_choice_hints_at_it(tmp_path, monkeypatch):
    monkeypatch.setattr(docker_engine, "docker_unavailable_reason", lambda: "Keine Docker-Engine gefunden.")
    no_traceback(grader("check", "--aufgabe", "1", tmp_path, "--sandbox", "docker"), 5, "oder --sandbox process wählen")
    done = grader("sandbox", "prune")
    no_traceback(done, 5, "Docker-Engine starten")
    assert "--sandbox" not in done.output


def test_similarity_on_a_file_that_is_no_zip_ends_with_exit_4(tmp_path):
    fake = tmp_path / "abgaben.zip"
    fake.write_text("kein zip")
    no_traceback(grader("similarity", "--aufgabe", "1", fake, "--out", tmp_path / "out"), 4, "Fehler:", "Hinweis:")
    no_traceback(grader("similarity", "--aufgabe", "1", sheet_file(tmp_path), "--out", tmp_path / "out"), 4, "keine Abgabe")


def sheet_file(folder: Path) -> Path:
    path = folder / "notizen.txt"
    path.write_text("x")
    return path


def test_click_speaks_german_for_a_missing_path_help_and_version(tmp_path):
    no_traceback(grader("check", "--aufgabe", "1", tmp_path / "fehlt"), 2, "Fehler:", "gibt es nicht", "Hilfe:")
    no_traceback(grader("-h"), 0, "Aufruf:", "Optionen", "Befehle")
    no_traceback(grader("run", "-h"), 0, "Aufruf: grader run", "Ausgabeordner (Standard: out/aufgabeN)")
    no_traceback(grader("--version"), 0, "grader, Version")


def two_anna_schmidts(tmp_path: Path) -> tuple[Path, Path]:
    first = results_of(tmp_path / "a1", [moodle_result("Anna Schmidt (101)", 24), moodle_result("Anna Schmidt (102)", 3)])
    second = tmp_path / "a4"
    outcome = RunResult(aufgabe=4, title="t", threshold=0.8, submissions=[moodle_result("Anna Schmidt (977)", 24)],
                        sandbox="process", total=1)
    write_json_atomic(second / "results.json", outcome.to_json())
    return first, second


def test_two_students_of_the_same_name_are_never_merged_without_a_roster(tmp_path):
    first, second = two_anna_schmidts(tmp_path)
    done = grader("overview", first, second, "--out", tmp_path / "course")
    no_traceback(done, 11, "Anna Schmidt (101) und Anna Schmidt (102)", "--roster")
    assert not (tmp_path / "course" / "overview.csv").exists()


def test_a_roster_of_worksheets_keys_students_across_aufgaben(tmp_path):
    first, second = two_anna_schmidts(tmp_path)
    sheet1 = tmp_path / "sheet1.csv"
    sheet1.write_text("Identifier,Full name,Email address,Grade\nParticipant 101,Anna Schmidt,a.schmidt@uni.de,\n"
                      "Participant 102,Anna Schmidt,anna.schmidt2@uni.de,\n")
    sheet4 = tmp_path / "sheet4.csv"
    sheet4.write_text("Identifier,Full name,Email address,Grade\nParticipant 977,Anna Schmidt,a.schmidt@uni.de,\n")
    done = grader("overview", first, second, "--out", tmp_path / "course", "--roster", sheet1, "--roster", sheet4)
    assert done.exit_code == 0, done.output
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((tmp_path / "course" / "overview.csv").read_text()))}
    assert rows["Anna Schmidt (a.schmidt@uni.de)"]["bestanden"] == "2"
    assert rows["Anna Schmidt (anna.schmidt2@uni.de)"]["aufgabe1"] == "nein"


def test_with_a_roster_who_never_handed_in_has_a_row_too(tmp_path):
    first = results_of(tmp_path / "a1", [moodle_result("Anna Müller (101)", 24)])
    sheet = tmp_path / "sheet1.csv"
    sheet.write_text("Identifier,Full name,Email address,Status,Grade\n"
                     "Participant 101,Anna Müller,am@uni.de,Submitted for grading,\n"
                     "Participant 102,Carla Neu,cn@uni.de,No submission,\n", encoding="utf-8")
    done = grader("overview", first, "--out", tmp_path / "course", "--roster", sheet)
    assert done.exit_code == 0 and "2 Studierende" in done.output, done.output
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO((tmp_path / "course" / "overview.csv").read_text()))}
    assert rows["Carla Neu (cn@uni.de)"]["aufgabe1"] == "" and rows["Carla Neu (cn@uni.de)"]["bestanden"] == "0"
    page = (tmp_path / "course" / "overview.html").read_text()
    carla = page[page.index("Carla Neu"):].split("</tr>")[0]
    assert "–" in carla


def test_a_participants_list_with_one_of_each_name_keys_by_address(tmp_path):
    first = results_of(tmp_path / "a1", [moodle_result("Jürgen Groß (101)", 24)])
    participants = tmp_path / "participants.csv"
    participants.write_bytes("Vorname;Nachname;ID-Nummer;E-Mail-Adresse\r\nJürgen;Groß;4711;jg@uni.de\r\n".encode("cp1252"))
    done = grader("overview", first, "--out", tmp_path / "course", "--roster", participants)
    assert done.exit_code == 0, done.output
    assert "Jürgen Groß (4711)" in (tmp_path / "course" / "overview.csv").read_text()


@pytest.mark.parametrize("hand_ins", ["aufgabe4", "moodle_zips"])
def test_a_run_where_no_hand_in_holds_the_aufgabes_file_asks_for_the_right_aufgabe(tmp_path, hand_ins):
    subs = tmp_path / "subs"
    subs.mkdir()
    for n in range(3):
        if hand_ins == "aufgabe4":
            (subs / f"student{n}").mkdir()
            (subs / f"student{n}" / "pooling.py").write_text("x = 1\n")
        else:
            with zipfile.ZipFile(subs / f"A1-Gruppe{n}.zip", "w") as zf:
                zf.writestr(f"Anna Nr{n}_10{n}_assignsubmission_file_/perceptron.py", REFERENCE)
                zf.writestr(f"Ben Nr{n}_20{n}_assignsubmission_file_/perceptron.py", REFERENCE)
    out = tmp_path / "sem" / "a1"
    done = grader("run", "--aufgabe", "1", subs, "--out", out, "--sandbox", "process")
    no_traceback(done, 4, "Keine der 3 Abgaben enthält perceptron.py", "falsche Aufgabe?", "Hinweis:")
    assert ("pooling.py (3-mal)" if hand_ins == "aufgabe4" else "Ordner von Studierenden aus Moodle in 3 Abgaben") in done.output
    assert not (out / "results.json").exists()
    # The refusal left nothing behind that would keep the right Aufgabe out of the folder.
    (subs / "student0").mkdir(exist_ok=True)
    (subs / "student0" / "pooling.py").write_text("x = 1\n")
    assert grader("run", "--aufgabe", "4", subs, "--out", out, "--sandbox", "process").exit_code in (0, 4)
    assert "Ergebnisse von Aufgabe 1" not in grader("run", "--aufgabe", "4", subs, "--out", out, "--sandbox", "process").output


def test_an_ungradeable_submission_says_why_once_and_the_index_says_it_too(tmp_path):
    subs = make_class(tmp_path / "subs", count=1)
    (subs / "leer").mkdir()
    (subs / "leer" / "notizen.txt").write_text("x")
    out = tmp_path / "out"
    graded = {s.id: s for s in run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=quiet).submissions}
    message = graded["leer"].message
    assert "perceptron.py wurde nicht gefunden" in message and len(graded["leer"].cases) > 10
    assert (out / graded["leer"].report).read_text().count("wurde nicht gefunden") == 1
    index = (out / "index.html").read_text()
    assert "wurde nicht gefunden" in index


def test_the_index_and_the_course_overview_say_which_cases_timed_out_or_failed(tmp_path):
    cases = [CaseResult("train/and", "public", "timeout", 0, 2, "Zeitlimit von 10 s überschritten."),
             CaseResult("train/or", "public", "error", 0, 2, "ZeroDivisionError: division by zero"),
             CaseResult("output/single", "public", "passed", 1, 1, "Richtig.")]
    slow = SubmissionResult(id="lena", status="graded", score=1, max_score=5, passed=False, cases=cases, seconds=31.0)
    out = results_of(tmp_path / "out", [slow])
    index = report.index_html(results.load(out / "results.json"))
    assert "Zeitlimit in: train/and" in index and "Fehler in train/or: ZeroDivisionError" in index
    overview.overview(results_paths=[out], out=tmp_path / "course")
    assert "Zeitlimit in: train/and" in (tmp_path / "course" / "overview.html").read_text()


def test_a_hand_override_shows_everywhere_and_survives_a_regrade(tmp_path):
    subs = tmp_path / "subs"
    for folder, code in (("Anna Müller_101_assignsubmission_file_", REFERENCE), ("Ben Maier_102_assignsubmission_file_", WRONG)):
        (subs / folder).mkdir(parents=True)
        (subs / folder / "perceptron.py").write_text(code)
    out = tmp_path / "out"
    first = {s.id: s for s in run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=quiet).submissions}
    ben = first["Ben Maier (102)"]
    assert not ben.passed and ben.score < 20
    done = grader("override", out, "--id", "Ben Maier (102)", "--points", "20", "--note", "Im Testat-Gespräch erklärt")
    assert done.exit_code == 0 and f"20 von {ben.max_score:g} Punkten, Testat bestanden" in done.output, done.output

    def everywhere() -> None:
        data = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
        changed = data["Ben Maier (102)"]
        assert changed["score"] == 20 and changed["passed"] and changed["override"]["graded_score"] == ben.score
        assert (out / changed["report"]).read_text().count("Im Testat-Gespräch erklärt") == 1
        assert "Von Hand geändert: Im Testat-Gespräch erklärt" in (out / "index.html").read_text()
        gradebook = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
        assert gradebook["Ben Maier (102)"]["score"] == "20" and gradebook["Ben Maier (102)"]["override"]
        grades = {g["id"]: g for g in json.loads((out / "grades.json").read_text())["grades"]}
        assert grades["Ben Maier (102)"]["override"] == "Im Testat-Gespräch erklärt"
        sheet = {r["Identifier"]: r for r in csv.DictReader(io.StringIO((out / "moodle-grades.csv").read_text()))}
        assert sheet["Participant 102"]["Grade"] == "20" and "Von Hand geändert" in sheet["Participant 102"]["Feedback comments"]
        assert not data["Anna Müller (101)"]["override"]

    everywhere()
    run(aufgabe=1, submissions=subs, out=out, sandbox="process", regrade=True, log=quiet)
    everywhere()
    done = grader("override", out, "--id", "Ben Maier (102)", "--remove")
    assert done.exit_code == 0, done.output
    data = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
    assert data["Ben Maier (102)"]["score"] == ben.score and not data["Ben Maier (102)"]["override"]


def test_an_overridden_ungradeable_hand_in_tells_one_story_in_sentences(tmp_path):
    cases = [CaseResult(name, "public", "error", 0, 1, "Nicht bewertbar.") for name in ("output/single", "train/and")]
    ben = SubmissionResult(id="Ben Maier (102)", status="error", score=0, max_score=2, passed=False, cases=cases,
                           message="Die Datei perceptron.py wurde nicht gefunden. Vorhanden: Perzeptron.py.")
    out = results_of(tmp_path / "out", [ben])
    done = grader("override", out, "--id", "Ben Maier (102)", "--points", "2", "--note", "Testat-Gespräch: Lösung korrekt")
    assert done.exit_code == 0, done.output
    comment = next(csv.DictReader(io.StringIO((out / "moodle-grades.csv").read_text())))["Feedback comments"]
    assert comment.startswith("Testat bestanden: 2 von 2 Punkten. Von Hand geändert: Testat-Gespräch: Lösung korrekt. ")
    assert "Nicht bestanden:" not in comment and "Der Grader konnte die Abgabe nicht bewerten: Die Datei" in comment
    index = (out / "index.html").read_text()
    assert "Lösung korrekt. Die Datei" in index
    report_html = (out / report.report_name("Ben Maier (102)")).read_text()
    assert "Lösung korrekt. Der Grader konnte die Abgabe nicht bewerten: Die Datei" in " ".join(report_html.split())
    # Green "bestanden" above, and no red "could not be graded" beneath it.
    assert "Testat bestanden" in report_html and 'class="problem"' not in report_html
    assert "konnte nicht bewertet werden" not in report_html


def test_an_override_needs_a_known_id_and_a_reason(tmp_path):
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18)])
    no_traceback(grader("override", out, "--id", "Niemand", "--passed", "yes", "--note", "x"), 2, "keine Abgabe 'Niemand'")
    no_traceback(grader("override", out, "--id", "Anna Müller (101)", "--passed", "yes"), 2, "Begründung")
    no_traceback(grader("override", out, "--id", "Anna Müller (101)", "--points", "30", "--note", "x"), 2, "zwischen 0 und 24")


def test_each_refused_override_hints_at_what_it_got_wrong(tmp_path):
    out = results_of(tmp_path / "out", [moodle_result("Anna Müller (101)", 18)])
    points = grader("override", out, "--id", "Anna Müller (101)", "--points", "30", "--note", "x").output
    assert "Hinweis: --points mit einer Zahl von 0 bis 24" in points and "Kennung" not in points, points
    reason = grader("override", out, "--id", "Anna Müller (101)", "--passed", "yes").output
    assert "--note" in reason.split("Hinweis:")[1] and "Kennung" not in reason, reason
    unknown = grader("override", out, "--id", "Niemand", "--passed", "yes", "--note", "x").output
    assert "die Kennung steht in index.html" in unknown


def test_a_run_logs_counts_and_time_left_also_where_stderr_is_no_terminal(tmp_path, monkeypatch):
    from grader.cli import progress

    monkeypatch.setattr(progress, "INTERVAL", 0.05)
    subs = make_class(tmp_path / "subs", count=2)
    done = CliRunner().invoke(main, ["run", "--aufgabe", "1", str(subs), "--out", str(tmp_path / "out"),
                                     "--sandbox", "process", "--jobs", "1"], prog_name="grader")
    assert done.exit_code == 0, done.output
    assert "Aufgabe 1: 2 von 2 Abgaben bewertet" in done.stderr, done.stderr
    assert "vergangen" in done.stderr and done.stderr.count("Aufgabe 1:") >= 2


def test_the_progress_line_says_time_left_at_the_pace_of_what_is_graded_now():
    from grader.cli.progress import Progress

    now = [100.0]
    line = Progress("Aufgabe 3", stream=io.StringIO(), clock=lambda: now[0])
    assert line.line() == "Aufgabe 3: noch keine Abgabe bewertet, 0:00 vergangen."
    now[0] = 130.0
    line.update(11, 40)  # ten kept from an earlier run, one graded in 30 s
    line.update(12, 40)
    assert line.line() == "Aufgabe 3: 12 von 40 Abgaben bewertet, 0:30 vergangen, noch etwa 7:00."


def test_a_second_grader_process_stops_while_the_first_writes_and_the_first_ends_with_130(tmp_path):
    subs = make_class(tmp_path / "subs", count=1)
    slow = REFERENCE.replace("def train(", "def _train(") + (
        "\nimport time\n\ndef train(X, T, w0, max_epochs=100):\n    time.sleep(3)\n    return _train(X, T, w0, max_epochs)\n")
    (subs / "zz-slow").mkdir()
    (subs / "zz-slow" / "perceptron.py").write_text(slow)
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "run", "--aufgabe", "1", str(subs), "--out", str(out), "--sandbox", "process",
         "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    end = time.monotonic() + 60
    while not list((out / "submissions").glob("*.json")) and time.monotonic() < end:
        time.sleep(0.05)
    second = grader("run", "--aufgabe", "1", subs, "--out", out, "--sandbox", "process")
    no_traceback(second, 7, "schreibt gerade ein anderer Lauf")
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 130 and "unvollständig: 1 von 2 bewertet" in stderr.decode(), stderr.decode()
    assert json.loads((out / "results.json").read_text())["complete"] is False


def test_an_incomplete_run_leaves_no_moodle_worksheet_to_upload(tmp_path):
    out = tmp_path / "out"
    complete = RunResult(aufgabe=1, title="t", threshold=0.8, submissions=[moodle_result("Anna Müller (101)", 18)], total=1)
    grades.write_exports(complete, out)
    assert (out / "moodle-grades.csv").is_file()
    incomplete = RunResult(aufgabe=1, title="t", threshold=0.8, submissions=[moodle_result("Anna Müller (101)", 18)],
                           complete=False, total=2)
    grades.write_exports(incomplete, out)
    assert not (out / "moodle-grades.csv").exists()
    assert json.loads((out / "grades.json").read_text())["complete"] is False
