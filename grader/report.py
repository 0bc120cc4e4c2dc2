"""Render the feedback reports, the overview and the gradebook of a run.

Templates live in ``reports/`` (Jinja2, autoescape on: what a student's code
printed appears as text, never as markup). A report is one HTML file that
opens from disk without network: CSS inline, figures as data URIs.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path

import jinja2

from .assignment import PROJECT, Assignment
from .results import RunResult, SubmissionResult

TEMPLATES = PROJECT / "reports"
STATUS_DE = {
    "passed": "bestanden",
    "failed": "nicht bestanden",
    "error": "Fehler",
    "timeout": "Zeitlimit",
    "graded": "bewertet",
}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["de"] = lambda status: STATUS_DE.get(status, status)
_environment.filters["points"] = lambda x: f"{x:g}"


def render(name: str, **context) -> str:
    """Render the template ``reports/<name>`` with ``context``."""
    return _environment.get_template(name).render(**context)


def report_name(submission_id: str) -> str:
    """A file name for the report that cannot escape the reports folder."""
    return "reports/" + (re.sub(r"[^A-Za-z0-9._-]", "_", submission_id).lstrip(".") or "_") + ".html"


def submission_html(result: SubmissionResult, assignment: Assignment, figures_dir: Path) -> str:
    def inline(relative: str) -> str:
        try:
            data = (figures_dir / relative).read_bytes()
        except OSError:
            return ""  # the alt text says what is missing
        return "data:image/png;base64," + base64.b64encode(data).decode()

    return render(
        "submission.html.j2",
        s=result,
        aufgabe=assignment.number,
        title=assignment.title,
        threshold=assignment.threshold,
        inline=inline,
    )


def case_statistics(run: RunResult) -> list[dict]:
    """Per case: how many graded submissions passed it, worst first."""
    graded = [s for s in run.submissions if s.status == "graded"]
    rows = {}
    for submission in graded:
        for case in submission.cases:
            row = rows.setdefault(
                case.name, {"name": case.name, "visibility": case.visibility, "passed": 0, "total": 0}
            )
            row["total"] += 1
            row["passed"] += case.status == "passed"
    return sorted(rows.values(), key=lambda r: (r["passed"] / max(r["total"], 1), r["name"]))


def gradebook_csv(run: RunResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "aufgabe", "status", "score", "max_score", "passed"])
    for s in run.submissions:
        writer.writerow([s.id, run.aufgabe, s.status, f"{s.score:g}", f"{s.max_score:g}", "ja" if s.passed else "nein"])
    return buffer.getvalue()


def write_all(run: RunResult, assignment: Assignment, out: Path) -> None:
    """One report per submission, ``index.html`` and ``grades.csv`` in ``out``."""
    figures_dir = out / "reports" / "figures"
    for result in run.submissions:
        result.report = report_name(result.id)
        path = out / result.report
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(submission_html(result, assignment, figures_dir), encoding="utf-8")
    (out / "index.html").write_text(
        render("index.html.j2", run=run, statistics=case_statistics(run)), encoding="utf-8"
    )
    (out / "grades.csv").write_text(gradebook_csv(run), encoding="utf-8")
