"""Grades out of a run: ``grades.json`` for every submission, Moodle's grading worksheet.

``grades.json`` lists every submission; for Moodle submissions
``moodle-grades.csv`` is an offline grading worksheet with Moodle's English
column names. Moodle matches rows by the "Identifier" column
(``Participant <number>``) in the language of the person who uploads; an
instructor who uses Moodle in German fills the worksheet they downloaded
instead (``fill_worksheet``), which keeps Moodle's own column names.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from grader.common.errors import EXIT_WORKSHEET, GraderError
from grader.common.german import sentence
from grader.common.results import RunResult, SubmissionResult, write_json_atomic
from grader.common.status import CaseStatus, SubmissionStatus
from grader.intake.moodle import MoodleStudent, moodle_student, student_key

# Moodle's importer needs "Identifier", "Grade" and "Last modified (grade)"; it reads
# the number at the end of the identifier and feedback from the columns named
# like the feedback plugins ("Feedback comments").
WORKSHEET_COLUMNS = ["Identifier", "Full name", "Status", "Grade", "Maximum Grade", "Grade can be changed",
                     "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


class WorksheetError(GraderError, ValueError):
    """The grading worksheet cannot be filled; the message says why (German)."""

    exit_code = EXIT_WORKSHEET

    def hint(self, options) -> str:
        return "die Tabelle in Moodle bei genau dieser Aufgabe über „Bewertungstabelle herunterladen“ holen."


def feedback_comment(submission: SubmissionResult) -> str:
    """One German paragraph for the LMS's feedback field."""
    error = submission.status == SubmissionStatus.ERROR
    if error and not submission.override:
        return f"Nicht bewertbar: {sentence(submission.message)}"
    verdict = "bestanden" if submission.passed else "nicht bestanden"
    text = f"Testat {verdict}: {submission.score:g} von {submission.max_score:g} Punkten."
    if submission.override:
        # The instructor's verdict is the story; what the grader had given is said once, as what was.
        was = (f"Der Grader konnte die Abgabe nicht bewerten: {sentence(submission.message)}" if error
               else f"Der Grader hatte {submission.override['graded_score']:g} Punkte gegeben.")
        text += f" Von Hand geändert: {sentence(submission.override['note'])} {was}"
    else:
        missed = [c.name for c in submission.cases if c.status != CaseStatus.PASSED]
        if missed:
            text += " Nicht bestanden: " + ", ".join(missed) + "."
    return text + " Einzelheiten im Feedback-Bericht."


def moodle_grade(submission: SubmissionResult, grade: str) -> str:
    """``grade``, or "" for a hand-in that could not be graded: Moodle then shows it as still to be graded,
    where 0.00 would pass for a verdict. An override is a verdict and goes as one."""
    return "" if submission.status == SubmissionStatus.ERROR and not submission.override else grade


def grades_json(run: RunResult) -> dict:
    """Every submission's grade, for scripts and other LMSs."""
    return {
        "aufgabe": run.aufgabe,
        "title": run.title,
        "threshold": run.threshold,
        "complete": run.complete,
        "grades": [
            {
                "id": s.id,
                "student": student_key(s.id),
                "participant": (moodle_student(s.id) or MoodleStudent("", "")).participant or None,
                "status": s.status,
                "score": s.score,
                "max_score": s.max_score,
                "passed": s.passed,
                "report": s.report,
                "feedback": feedback_comment(s),
                "override": s.override.get("note") or None,
            }
            for s in run.submissions
        ],
    }


def worksheet_csv(run: RunResult) -> str:
    """Moodle's offline grading worksheet (English column names) for the Moodle submissions of ``run``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(WORKSHEET_COLUMNS)
    for s in run.submissions:
        student = moodle_student(s.id)
        if student is None:
            continue
        writer.writerow([f"Participant {student.participant}", student.name, "", moodle_grade(s, f"{s.score:g}"),
                         f"{s.max_score:g}", "Yes", "-", "-", feedback_comment(s)])
    return buffer.getvalue()


def read_worksheet(data: bytes) -> str:
    """The text of a worksheet: Moodle's download is UTF-8; Excel saves UTF-8 with BOM or cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def csv_separator(text: str) -> str:
    """The separator of a CSV table that Moodle or Excel wrote: comma or semicolon, whichever its header uses."""
    header_line = text.split("\n", 1)[0]
    return ";" if header_line.count(";") > header_line.count(",") else ","


def fill_worksheet(worksheet: str, run: RunResult, *, excel: bool = False) -> tuple[str, list[str]]:
    """The instructor's downloaded worksheet with grade and feedback filled in.

    The identifier column is the first one (Moodle's "Identifier"/"ID"), the
    grade column the one Moodle names "Grade"/"Bewertung", the feedback column
    "Feedback comments"/"Feedback als Kommentar". Where the worksheet has a
    maximum grade ("Maximum Grade"/"Bestwertung"), points are scaled to it:
    18 of 24 points become 75,00 of 100,00. The separator (comma, or Excel's
    semicolon) and the decimal sign are kept as found; ``excel`` writes
    semicolons. Returns the CSV and the identifiers of rows that had no
    submission (left unchanged); a worksheet where no row matches is refused.
    """
    separator = csv_separator(worksheet)
    rows = [row for row in csv.reader(io.StringIO(worksheet), delimiter=separator) if row]
    if not rows:
        raise WorksheetError("Die Bewertungstabelle ist leer.")
    header = rows[0]
    grade = _column(header, ("Grade", "Bewertung"))
    if grade is None:
        raise WorksheetError("Die Bewertungstabelle hat keine Spalte 'Grade' bzw. 'Bewertung'.")
    feedback = _column(header, ("Feedback comments", "Feedback als Kommentar"))
    maximum = _column(header, ("Maximum Grade", "Bestwertung", "Höchstbewertung"))
    by_participant = {}
    for s in run.submissions:
        student = moodle_student(s.id)
        if student:
            by_participant[student.participant] = s
    unmatched = []
    for row in rows[1:]:
        submission = by_participant.get(_participant(row[0]))
        if submission is None or len(row) <= grade:
            unmatched.append(row[0])
            continue
        top = row[maximum] if maximum is not None and maximum < len(row) else ""
        row[grade] = moodle_grade(submission, _scaled(submission, top))
        if feedback is not None and feedback < len(row):
            row[feedback] = feedback_comment(submission)
    if len(unmatched) == len(rows) - 1:
        raise WorksheetError(
            f"In der Bewertungstabelle: keine Zeile passt zu einer Abgabe dieses Laufs (Aufgabe {run.aufgabe}) "
            "– falsche Aufgabe?"
        )
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";" if excel else separator, lineterminator="\r\n" if excel else "\n").writerows(rows)
    return buffer.getvalue(), unmatched


_SUBMITTED = ("submitted for grading", "zur bewertung abgegeben")
"""Moodle's status of a row whose student handed in (English, German), also followed by "- Graded"."""


def submitted(worksheet: str) -> list[str]:
    """The identifiers of the worksheet's rows that Moodle marks as handed in ("Submitted for grading")."""
    rows = list(csv.reader(io.StringIO(worksheet), delimiter=csv_separator(worksheet)))
    status = _column(rows[0], ("Status",)) if rows else None
    if status is None:
        return []
    return [row[0] for row in rows[1:] if len(row) > status and row[status].strip().casefold().startswith(_SUBMITTED)]


def _scaled(submission: SubmissionResult, maximum: str) -> str:
    """The grade of ``submission`` on the worksheet's scale, written with the worksheet's decimal sign."""
    try:
        top = float(maximum.strip().replace(",", "."))
    except ValueError:
        return f"{submission.score:g}"
    if submission.max_score <= 0:
        return f"{submission.score:g}"
    text = f"{submission.score / submission.max_score * top:.2f}"
    if not any(sign in maximum for sign in ".,"):
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if "," in maximum else text


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for index, title in enumerate(header):
        if title.strip() in names:
            return index
    return None


def _participant(identifier: str) -> str:
    """The participant number of "Participant 101", "Teilnehmer/in 101" or any other language's."""
    match = _TRAILING_NUMBER.search(identifier)
    return match.group(1) if match else ""


def write_exports(run: RunResult, out: Path) -> None:
    """``grades.json`` always; ``moodle-grades.csv`` when submissions came from Moodle and the run is complete.

    An incomplete run's worksheet would be uploaded as if it were the class's grades: it is not
    written, and one of an earlier run is removed (``grader moodle-grades --allow-incomplete`` can).
    """
    write_json_atomic(out / "grades.json", grades_json(run))
    if not run.complete:
        (out / "moodle-grades.csv").unlink(missing_ok=True)
    elif any(moodle_student(s.id) for s in run.submissions):
        (out / "moodle-grades.csv").write_text(worksheet_csv(run), encoding="utf-8")
