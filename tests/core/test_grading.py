"""End to end: `grader run` / `grader check` on real Aufgaben, good and broken submissions."""

import dataclasses
import json
import os
import textwrap
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.backends.process import ProcessBackend
from grader.cases import assignment as assignments
from grader.cases.expected import expected_for
from grader.cli import main
from grader.common.status import CaseRun, RunStatus
from grader.engine import Local, grade_submission
from grader.engine.batch import grade_path, run
from grader.intake.submissions import open_submission
from grader.judging.verdicts import verdict

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:click")


@pytest.fixture(scope="module")
def broken_class(tmp_path_factory) -> Path:
    """A class of Aufgabe 1 submissions with every kind of breakage, and two good ones."""
    root = tmp_path_factory.mktemp("submissions")
    reference = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()

    def hand_in(name: str, source: str | None, file: str = "perceptron.py") -> None:
        (root / name).mkdir()
        if source is not None:
            (root / name / file).write_text(textwrap.dedent(source))

    hand_in("good", reference)
    hand_in("chatty", "print('Hallo aus perceptron.py')\n" + reference)
    hand_in("syntax", "def output(w, x)\n    return 0\n")
    hand_in("missing_file", "x = 1\n", file="perzeptron.py")
    hand_in("missing_function", reference.replace("def train(", "def trian("))
    hand_in("raises", "def output(w, x):\n    raise ValueError('kaputt')\ndef train(X, T, w0, max_epochs=100):\n    return [][0]\n")
    hand_in("exit_at_import", "import sys\nsys.exit(3)\n")
    # Hangs only when learning NOT (two patterns): one case, so the test stays short.
    hand_in("endless", reference.replace("def train(", "def _train(") + textwrap.dedent(
        """
        def train(X, T, w0, max_epochs=100):
            while len(X) == 2:
                pass
            return _train(X, T, w0, max_epochs)
        """))
    with zipfile.ZipFile(root / "zipped.zip", "w") as zf:
        zf.writestr("abgabe/perceptron.py", reference)
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    return root


@pytest.fixture(scope="module")
def graded(broken_class, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run(aufgabe=1, submissions=broken_class, out=out, jobs=2, sandbox="process", log=lambda m: None)
    return out, {s.id: s for s in result.submissions}


def statuses(submission) -> set[str]:
    return {c.status for c in submission.cases}


def test_every_submission_gets_an_entry_and_good_ones_full_marks(graded):
    _, by_id = graded
    assert set(by_id) == {"good", "chatty", "syntax", "missing_file", "missing_function", "raises", "exit_at_import", "endless", "zipped", "broken"}
    for sid in ("good", "chatty", "zipped"):
        assert by_id[sid].score == by_id[sid].max_score > 0 and by_id[sid].passed, by_id[sid].cases


def test_syntax_error_verdict(graded):
    s = graded[1]["syntax"]
    assert statuses(s) == {"error"} and not s.passed
    assert s.status == "error" and "Syntaxfehler" in s.message


def test_missing_file_and_broken_zip_are_submission_errors(graded):
    missing, broken = graded[1]["missing_file"], graded[1]["broken"]
    assert missing.status == "error" and "perceptron.py wurde nicht gefunden" in missing.message
    assert "perzeptron.py" in missing.message
    assert broken.status == "error" and "beschädigt" in broken.message
    assert statuses(missing) == statuses(broken) == {"error"}


def test_missing_function_loses_only_its_cases(graded):
    s = graded[1]["missing_function"]
    trains = [c for c in s.cases if c.name.startswith("train/")]
    others = [c for c in s.cases if not c.name.startswith("train/")]
    assert trains and others, [c.name for c in s.cases]
    for case in trains:
        assert case.status == "error" and "fehlt 'train'" in case.message, case
    for case in others:
        assert case.status == "passed", case


def test_exception_and_exit_at_import(graded):
    raises, exits = graded[1]["raises"], graded[1]["exit_at_import"]
    assert statuses(raises) == {"error"}
    assert any("ValueError: kaputt" in c.message for c in raises.cases)
    assert any("IndexError" in c.message for c in raises.cases)
    assert statuses(exits) == {"error"} and exits.status == "error" and "sys.exit()" in exits.message


def test_endless_loop_times_out_and_the_other_cases_are_graded(graded):
    s = graded[1]["endless"]
    verdicts = {c.name: c for c in s.cases}
    assert verdicts["train/not"].status == "timeout" and "Zeitlimit" in verdicts["train/not"].message
    assert all(c.status == "passed" for c in s.cases if c.name != "train/not")


def test_results_json_follows_the_contract(graded):
    out, _ = graded
    data = json.loads((out / "results.json").read_text())
    assert data["aufgabe"] == 1
    for entry in data["submissions"]:
        assert {"id", "status", "score", "max_score", "passed", "cases"} <= set(entry)
        assert entry["status"] in ("graded", "error")
        for case in entry["cases"]:
            assert {"name", "visibility", "status", "score", "max_score", "message"} <= set(case)
            assert case["status"] in ("passed", "failed", "error", "timeout")
            assert case["visibility"] in ("public", "hidden")
            assert case["name"].split("/")[0] in ("output", "train")


def test_reports_overview_and_gradebook_are_written(graded):
    out, by_id = graded
    index = (out / "index.html").read_text()
    for sid in by_id:
        assert sid in index
        report = (out / by_id[sid].report).read_text()
        assert "Testat" in report and sid in report
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0] == "id,aufgabe,status,score,max_score,passed" and len(lines) == len(by_id) + 1


def test_hidden_cases_show_no_output_in_reports(graded):
    out, by_id = graded
    chatty = by_id["chatty"]
    assert all("Hallo aus" in c.stdout for c in chatty.cases if c.visibility == "public")
    for submission in by_id.values():
        for case in submission.cases:
            if case.visibility == "hidden":
                assert case.stdout == case.stderr == case.traceback == ""
    assert (out / chatty.report).read_text().count("Hallo aus") == sum(c.visibility == "public" for c in chatty.cases)


def test_a_hidden_case_keeps_its_details_only_with_a_release_date(tmp_path):
    a = assignments.load(5)
    drawn = [a.case("plot/phase-diagram"), a.case("plot/axis-labels")]
    a = dataclasses.replace(a, cases=[
        dataclasses.replace(drawn[0], visibility="hidden"),
        dataclasses.replace(drawn[1], visibility="hidden", release="2020-01-01"),
    ], required=[])
    (tmp_path / "anna").mkdir()
    (tmp_path / "anna" / "rnn.py").write_text("print('Hallo aus rnn.py')\n" + (a.reference / "rnn.py").read_text())
    (tmp_path / "work").mkdir()
    backend = ProcessBackend()
    try:
        submission = open_submission(tmp_path / "anna", a.module, tmp_path / "work")
        result = grade_submission(a, expected_for(a), Local(backend), submission, figures_dir=tmp_path / "figures")
    finally:
        backend.close()
    hidden, released = result.cases
    assert hidden.status == released.status == "passed"
    assert not (hidden.stdout or hidden.expected_text or hidden.got_text or hidden.figures or hidden.expected_figures)
    assert not list((tmp_path / "figures").rglob("plot__phase-diagram-*"))
    assert "Hallo aus" in released.stdout and released.expected_text and released.got_text
    assert released.figures and released.expected_figures
    assert all((tmp_path / "figures" / name).is_file() for name in released.figures + released.expected_figures)


def test_an_import_failure_never_quotes_what_a_hidden_case_s_import_raised(tmp_path):
    # A hidden case's process holds the hidden cases' source while the module is
    # imported: the same exception everywhere must not let the hidden text through,
    # whichever case comes first.
    a = assignments.load(1)
    hidden = [c for c in a.cases if c.visibility == "hidden"]
    a = dataclasses.replace(a, cases=hidden + [c for c in a.cases if c.visibility == "public"], required=[])
    (tmp_path / "anna").mkdir()
    (tmp_path / "anna" / "perceptron.py").write_text(textwrap.dedent(
        f"""
        import sys
        frame = sys._getframe()
        while frame and "job" not in frame.f_locals:
            frame = frame.f_back
        source = frame.f_locals["job"].cases_source if frame else ""
        raise RuntimeError("HIDDEN-IN-REACH" if "{hidden[0].name}" in source else "public only")
        """
    ))
    (tmp_path / "work").mkdir()
    backend = ProcessBackend()
    try:
        submission = open_submission(tmp_path / "anna", a.module, tmp_path / "work")
        result = grade_submission(a, expected_for(a), Local(backend), submission, public_only=False)
    finally:
        backend.close()
    assert result.status == "error" and "RuntimeError" in result.message
    assert "HIDDEN-IN-REACH" not in result.message and "public only" in result.message
    only_hidden = dataclasses.replace(a, cases=hidden)
    (tmp_path / "work2").mkdir()
    backend = ProcessBackend()
    try:
        submission = open_submission(tmp_path / "anna", a.module, tmp_path / "work2")
        result = grade_submission(only_hidden, expected_for(only_hidden), Local(backend), submission, public_only=False)
    finally:
        backend.close()
    assert result.status == "error" and "RuntimeError" in result.message and "HIDDEN-IN-REACH" not in result.message


@pytest.mark.parametrize("run", [
    CaseRun("x", RunStatus.EXCEPTION, exception="ValueError", stage="case", message="SECRET 0.25"),
    CaseRun("x", RunStatus.EXCEPTION, exception="SecretError", stage="case", message="SECRET 0.25"),
    CaseRun("x", RunStatus.NOT_PLAIN, message="SECRET 0.25"),
    CaseRun("x", RunStatus.INVALID, message="SECRET 0.25"),
])
def test_a_hidden_case_s_message_quotes_nothing_its_code_chose(run):
    a = assignments.load(1)
    public = next(c for c in a.cases if c.visibility == "public")
    hidden = dataclasses.replace(public, visibility="hidden")
    assert "SECRET" in verdict(public, run, a, None, [])[1]
    status, message = verdict(hidden, run, a, None, [])
    assert status == "error" and "SECRET" not in message and "0.25" not in message
    assert "SecretError" not in message


def test_an_invalid_output_without_a_reason_ends_its_sentence():
    a = assignments.load(1)
    public = next(c for c in a.cases if c.visibility == "public")
    message = verdict(public, CaseRun("x", RunStatus.INVALID), a, None, [])[1]
    assert message == "Die Ausgabe des Falls ist ungültig und wurde verworfen."


def test_student_output_is_escaped_in_the_report(tmp_path):
    reference = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
    (tmp_path / "subs" / "xss").mkdir(parents=True)
    (tmp_path / "subs" / "xss" / "perceptron.py").write_text("print('<script>alert(1)</script>')\n" + reference)
    result = run(aufgabe=1, submissions=tmp_path / "subs", out=tmp_path / "out", sandbox="process", log=lambda m: None)
    html = (tmp_path / "out" / result.submissions[0].report).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


@pytest.mark.parametrize("number", assignments.available())
def test_reference_scores_full_marks(number):
    a = assignments.load(number)
    result = grade_path(aufgabe=number, path=a.reference, sandbox="process", public_only=False, log=lambda m: None)
    failing = [(c.name, c.message) for c in result.cases if c.status != "passed"]
    assert not failing and result.score == a.max_score and result.passed


def test_cli_check_passes_the_reference_and_fails_a_wrong_one(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", "--aufgabe", "1", str(assignments.REFERENCE / "aufgabe1"), "--sandbox", "process"])
    assert ok.exit_code == 0, ok.output
    assert "Alle öffentlichen Fälle bestanden" in ok.output
    (tmp_path / "perceptron.py").write_text("def output(w, x):\n    return 0\ndef train(X, T, w0, max_epochs=100):\n    return w0, 0\n")
    bad = runner.invoke(main, ["check", "--aufgabe", "1", str(tmp_path / "perceptron.py"), "--sandbox", "process"])
    assert bad.exit_code == 1 and "✗" in bad.output


def test_cli_errors_are_one_clear_line_with_fixed_codes(tmp_path):
    runner = CliRunner()
    unknown = runner.invoke(main, ["run", "--aufgabe", "9", str(tmp_path)])
    assert unknown.exit_code == 3 and "Aufgabe 9 gibt es nicht" in unknown.output and "Hinweis" in unknown.output
    empty = runner.invoke(main, ["run", "--aufgabe", "1", str(tmp_path), "--sandbox", "process"])
    assert empty.exit_code == 4 and "keine Abgabe" in empty.output


def test_jobs_never_oversubscribe_memory():
    from grader.engine import affordable_jobs

    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    notes = []
    assert affordable_jobs(4, 1 << 20, notes.append) == 4 and not notes
    assert affordable_jobs(64, total // 2, notes.append) == 1 and notes


def test_output_folder_not_writable_is_a_clear_error(tmp_path):
    (tmp_path / "subs" / "a").mkdir(parents=True)
    (tmp_path / "blocked").write_text("a file where the output folder should be")
    result = CliRunner().invoke(main, ["run", "--aufgabe", "1", str(tmp_path / "subs"), "--out", str(tmp_path / "blocked" / "out"), "--sandbox", "process"])
    assert result.exit_code == 7 and "Ausgabeordner" in result.output and "Traceback" not in result.output


def test_a_cluster_run_refuses_a_backend_of_this_process(tmp_path):
    """The workers start their own sandboxes: they can be told its kind, not handed a Backend
    (which reached them as the name of the sandbox they must run)."""
    (tmp_path / "subs" / "anna").mkdir(parents=True)
    (tmp_path / "subs" / "anna" / "perceptron.py").write_text("")
    backend = ProcessBackend(bubblewrap=False)
    try:
        with pytest.raises(ValueError, match="not a Backend"):
            run(aufgabe=1, submissions=tmp_path / "subs", out=tmp_path / "out", sandbox=backend,
                cluster="tcp://127.0.0.1:9", log=lambda m: None)
    finally:
        backend.close()
