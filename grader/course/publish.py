"""Publish the feedback reports of a run as a static bundle for a web server or an LMS.

``grader publish OUT --to DIR`` writes one folder per student, holding only
that student's report as ``index.html``. A folder's name is an HMAC of the
submission id under a key kept in ``OUT/publish.key`` (never in the bundle):
nobody can guess another student's folder from an id, and publishing again
(say after the release date, with ``--release-hidden``) keeps every link.
The instructor's index with all links lies in a folder of its own, named the
same way; ``DIR/index.html`` is an empty page so that a server listing the
folder shows nothing.

For Moodle, ``moodle_feedback_zip`` packs the reports as Moodle's "upload
multiple feedback files in a zip" expects them: one folder per student named
``<Full name>_<participant>_assignfeedback_file_``, which Moodle matches by the
participant number. Moodle cuts a folder's name at its underscores: up to 4.0
(``importziplib.php``) the whole path had to give five pieces, which only the
trailing underscore does; 4.1 and later take a name with or without it. An
underscore within a student's name would shift the pieces, so it becomes a space.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from grader.cases import assignment as assignments
from grader.common.errors import EXIT_OUTPUT, GraderError
from grader.engine.outdir import load_results, outside_run
from grader.intake.moodle import moodle_student
from grader.report import i18n
from grader.report.pages import render, submission_html

KEY_FILE = "publish.key"
INSTRUCTOR = "\0instructor"
"""Stands in for a submission id to name the instructor's folder; no folder or zip can be called so."""
MOODLE_ZIP_EXAMPLE = "--moodle-zip feedback.zip"


class PublishIntoRun(GraderError, ValueError):
    """The bundle's folder and the run's output folder lie inside each other."""

    exit_code = EXIT_OUTPUT

    def hint(self, options) -> str:
        return "ein Ziel außerhalb des Ausgabeordners wählen, z. B. --to bundle/."


@dataclass
class Published:
    id: str
    folder: str
    """The student's folder inside the bundle."""


def _key(out: Path) -> bytes:
    path = out / KEY_FILE
    if not path.is_file():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def folder_name(key: bytes, submission_id: str) -> str:
    """128 bits of HMAC-SHA256 of the id: fixed for a key, unguessable without it."""
    return hmac.new(key, submission_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def publish(
    *, out: Path, to: Path, lang: str = "de", release_hidden: bool = False, today: date | None = None,
    allow_incomplete: bool = False,
) -> tuple[list[Published], Path]:
    """Write the bundle of the run in ``out`` to ``to``; returns the students' folders and the instructor's index."""
    out, to = Path(out), Path(to)
    inside = to.resolve().is_relative_to(out.resolve()) or out.resolve().is_relative_to(to.resolve())
    if inside:
        # The bundle goes to students; the run's folder holds every student's results and publish.key.
        raise PublishIntoRun(f"Das Bündel ({to}) und der Ausgabeordner des Laufs ({out}) liegen ineinander.")
    run = load_results(out, allow_incomplete=allow_incomplete)
    assignment = assignments.load(run.aufgabe)
    key = _key(out)
    figures_dir = out / "reports" / "figures"
    published = []
    for submission in run.submissions:
        entry = Published(submission.id, folder_name(key, submission.id))
        page = to / entry.folder / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        html = submission_html(submission, assignment, figures_dir, lang=lang, release_hidden=release_hidden, today=today)
        page.write_text(html, encoding="utf-8")
        published.append(entry)
    instructor = to / folder_name(key, INSTRUCTOR)
    instructor.mkdir(parents=True, exist_ok=True)
    by_id = {s.id: s for s in run.submissions}
    rows = [(entry, by_id[entry.id]) for entry in published]
    (instructor / "index.html").write_text(
        render("published.html.j2", run=run, rows=rows, lang=lang, t=i18n.translator(lang)), encoding="utf-8"
    )
    (instructor / "links.csv").write_text(_links_csv(rows), encoding="utf-8")
    (to / "index.html").write_text(render("empty.html.j2", lang=lang), encoding="utf-8")
    (to / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    return published, instructor / "index.html"


def moodle_feedback_zip(
    *, out: Path, target: Path, lang: str = "de", release_hidden: bool = False, today: date | None = None,
    allow_incomplete: bool = False,
) -> int:
    """Write the reports of the Moodle submissions in ``out`` as Moodle's feedback-file zip; returns their number."""
    out = Path(out)
    outside_run(target, out, MOODLE_ZIP_EXAMPLE)
    run = load_results(out, allow_incomplete=allow_incomplete)
    assignment = assignments.load(run.aufgabe)
    figures_dir = out / "reports" / "figures"
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for submission in run.submissions:
            student = moodle_student(submission.id)
            if student is None:
                continue
            html = submission_html(submission, assignment, figures_dir, lang=lang, release_hidden=release_hidden, today=today)
            folder = f"{student.name.replace('_', ' ')}_{student.participant}_assignfeedback_file_"
            archive.writestr(f"{folder}/feedback-aufgabe{run.aufgabe}.html", html)
            count += 1
    return count


def _links_csv(rows) -> str:
    """id, folder: for mail merge or the LMS's feedback field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "folder", "score", "max_score", "passed"])
    for entry, submission in rows:
        writer.writerow([entry.id, f"{entry.folder}/", f"{submission.score:g}", f"{submission.max_score:g}",
                         "ja" if submission.passed else "nein"])
    return buffer.getvalue()
