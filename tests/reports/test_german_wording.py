"""What a student reads is German and shows only what helps: counts agree with their noun,
nothing is said twice or in parentheses inside parentheses, the shown case code has no
English notes and no machinery."""

import ast
import io
import re
import tokenize
from datetime import date

import pytest
from click.testing import CliRunner
from test_course import cli, moodle_run

from grader import cli as grader_cli
from grader.cases import assignment as assignments
from grader.cases.source import without_notes
from grader.common.results import CaseResult, RunResult, SubmissionResult, write_json_atomic
from grader.common.status import CaseRun, RunStatus
from grader.judging.verdicts import dropped_figures, exception_message
from grader.report import pages as report

ONE_WITH_PLURAL = re.compile(
    r"(?<![\d.,])1 (Abgaben|Testate|Abbildungen|Punkte|Zeilen|Fälle|Berichte|Paare|Schritte|Epochen|weitere)\b"
)
"""A count of one before a plural: "1 Zeilen", "1 Abgaben" ("1 von 3 Punkten" is right)."""
SHOWN_HELPER_LINES = 12
"""A helper shown with a case's call is about its inputs; longer ones are machinery (see README, "Writing cases")."""


def nested_parentheses(text: str) -> list[str]:
    """Each parenthesis opened inside another one, with what precedes it."""
    depth, found = 0, []
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > 1:
                found.append(text[max(0, index - 30) : index + 20])
        elif char == ")":
            depth = max(0, depth - 1)
    return found


@pytest.mark.parametrize("stage", ["case", "import"])
@pytest.mark.parametrize("exception", ["ValueError", "SystemExit", "KeyboardInterrupt", "MemoryError"])
def test_an_exception_names_the_students_code_once(stage, exception):
    run = CaseRun("f/x", RunStatus.EXCEPTION, exception=exception, message="kaputt", stage=stage)
    message = exception_message(run, "rnn.py", assignments.load(5))
    assert "Ihres Codes" not in message and message.count("Ihr Code") <= 1, message
    assert message.count("ufruf") + message.count("ufgerufen") <= 1, message


def test_dropped_figures_counted_in_the_right_form():
    one = dropped_figures(CaseRun("f/x", RunStatus.OK, figures_dropped=1))
    assert "1 Abbildung wurde verworfen" in one
    assert "2 Abbildungen wurden verworfen" in dropped_figures(CaseRun("f/x", RunStatus.OK, figures_dropped=2))


def _one_of_each(aufgabe1) -> RunResult:
    """One submission, one Testat passed, an override to one point, one error beyond the first."""
    cases = [
        CaseResult("f/a", "public", "error", 0.0, 1.0, "Fehler a."),
        CaseResult("f/b", "public", "error", 0.0, 1.0, "Fehler b."),
        CaseResult("f/c", "public", "passed", 1.0, 1.0, "Richtig."),
    ]
    submission = SubmissionResult(
        id="anna", status="graded", score=3.0, max_score=3.0, passed=True, cases=cases, sandbox="process (bubblewrap)",
        graded_at="2026-11-26T19:42:00+00:00",
        override={"note": "Nachgereicht", "at": "2026-11-27T10:00:00+00:00", "points": 3.0, "passed": True,
                  "graded_score": 1.0, "graded_passed": False},
    )
    return RunResult(aufgabe=1, title=aufgabe1.title, threshold=0.5, submissions=[submission], sandbox="process (bubblewrap)")


def test_pages_count_one_in_the_singular(aufgabe1, figures_dir):
    run = _one_of_each(aufgabe1)
    pages = {
        "index": report.index_html(run),
        "submission": report.submission_html(run.submissions[0], aufgabe1, figures_dir, today=date(2026, 11, 28)),
    }
    assert "1 Abgabe" in pages["index"] and "1 Testat bestanden" in pages["index"]
    assert "(und 1 weiterer)" in pages["index"]
    assert "Der Grader hatte 1 Punkt gegeben" in pages["submission"]
    for name, html in pages.items():
        assert not ONE_WITH_PLURAL.findall(html), name


def test_check_says_which_sandbox_without_parentheses_in_parentheses(tmp_path, monkeypatch):
    result = SubmissionResult(
        id="x", status="graded", score=1.0, max_score=1.0, passed=True, sandbox="process (bubblewrap)",
        cases=[CaseResult("f/a", "public", "passed", 1.0, 1.0, "Richtig.")],
    )
    monkeypatch.setattr(grader_cli, "grade_path", lambda **options: result)
    done = CliRunner().invoke(grader_cli.main, ["check", "--aufgabe", "1", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "process (bubblewrap)" in done.output
    assert not nested_parentheses(done.output), done.output


def test_moodle_worksheet_counts_one_unmatched_row_in_the_singular(tmp_path):
    out = tmp_path / "out"
    write_json_atomic(out / "results.json", moodle_run().to_json())
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "\ufeffIdentifier,Full name,Grade,Feedback comments\nParticipant 102,Ben Maier,,\nParticipant 103,Cem Kaya,,\n",
        encoding="utf-8",
    )
    done = CliRunner().invoke(cli(), ["moodle-grades", str(out), "--worksheet", str(sheet), "--to", str(tmp_path / "f.csv")])
    assert done.exit_code == 0, done.output
    assert "1 Zeile ohne Abgabe" in done.output and not ONE_WITH_PLURAL.findall(done.output)


def _shown_code(number: int, figures_dir) -> dict[str, str]:
    """Public case -> the code its report shows under „So wurde Ihr Code aufgerufen“."""
    assignment = assignments.load(number)
    public = [c for c in assignment.cases if c.visibility == "public"]
    submission = SubmissionResult(
        id="anna", status="graded", score=0.0, max_score=1.0, passed=False, sandbox="docker",
        cases=[CaseResult(c.name, "public", "failed", 0.0, c.points, "Falsch.") for c in public],
    )
    views = report.case_views(submission, assignment, figures_dir, today=date(2026, 11, 28))
    return {view.result.name: view.code for view in views}


@pytest.mark.parametrize("number", assignments.available())
def test_shown_case_code_has_no_notes_and_no_machinery(number, figures_dir):
    shown = _shown_code(number, figures_dir)
    assert shown and all(shown.values())  # every public case shows its call
    for name, code in shown.items():
        comments = [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT]
        assert not comments, (name, comments)
        tree = ast.parse(code)
        documented = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(n)]
        assert not documented, (name, documented)
        *helpers, _ = tree.body  # the case's own function comes last
        long = [getattr(h, "name", "") for h in helpers if h.end_lineno - h.lineno + 1 > SHOWN_HELPER_LINES]
        assert not long, (name, long)


def test_notes_are_left_out_and_the_code_kept_line_for_line():
    code = (
        "def f(m, ctx):  # why\n"
        '    """What it does,\n    in two lines."""\n'
        "    x = '#1'  # trailing\n"
        "    # a whole line\n"
        "    return m.g(x)\n\n"
        'def h(): """inline"""; return 1\n'
    )
    assert without_notes(code) == "def f(m, ctx):\n    x = '#1'\n    return m.g(x)\n\n" + 'def h(): """inline"""; return 1'
