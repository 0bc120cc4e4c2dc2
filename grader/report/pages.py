"""Render the feedback reports, the overview and the gradebook of a run.

Templates live in ``reports/`` (Jinja2, autoescape on: what a student's code
printed appears as text, never as markup). A report is one HTML file that
opens from disk without network: CSS inline, figures as data URIs.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import zip_longest
from pathlib import Path

import jinja2

from grader import PROJECT
from grader.cases.assignment import Assignment
from grader.cases.source import case_code, without_notes
from grader.common import pins
from grader.common.german import sentence
from grader.common.results import CaseResult, RunResult, SubmissionResult, typical_mistakes
from grader.common.status import CaseStatus, SubmissionStatus
from grader.intake.filenames import file_stem
from grader.judging import disclosure
from grader.report import grades, i18n
from grader.report.formatting import cap, only_figure

TEMPLATES = PROJECT / "reports"
STREAM_CHARS = 4000
"""Characters of a case's stdout/stderr shown in a report (the harness keeps 16 KiB)."""

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["points"] = lambda x: f"{x:g}"
_environment.filters["cap"] = lambda text: cap(text, STREAM_CHARS)
_environment.filters["sentence"] = sentence
_environment.globals["version_warning"] = pins.mismatch


def render(name: str, **context) -> str:
    """Render the template ``reports/<name>`` with ``context``."""
    return _environment.get_template(name).render(**context)


def report_name(submission_id: str) -> str:
    """The report's path in the output folder: unique per id and short (see ``grader.intake.filenames``)."""
    return f"reports/{file_stem(submission_id)}.html"


@dataclass
class CaseView:
    """What the template needs of one case, decided here rather than in the template."""

    result: CaseResult
    level: str
    """How much of the case a student may see (``grader.judging.disclosure.LEVELS``)."""
    details: bool
    """Show message, code, values, output, traceback and figures."""
    code: str = ""
    values: bool = False
    """Show expected and got; not when both are only a figure, which is shown as such."""
    figures: list[tuple[str, str]] = field(default_factory=list)
    """(student's, reference's) data URIs side by side; "" where one side has none."""
    differences: list[str] = field(default_factory=list)
    """Data URIs of pictures of what differs."""
    figures_as: tuple[str, int] | None = None
    """(name, number) of an earlier case that showed the very same figures, which are then not shown again."""


def case_views(
    result: SubmissionResult,
    assignment: Assignment,
    figures_dir: Path,
    *,
    release_hidden: bool = False,
    today: date | None = None,
) -> list[CaseView]:
    today = today or datetime.now(UTC).date()
    sources = case_code(assignment.cases_source)
    views = []
    shown: dict[tuple[tuple[str, str], ...], tuple[str, int]] = {}
    for number, case in enumerate(result.cases, start=1):
        level = disclosure.level(case, release_hidden=release_hidden, today=today)
        view = CaseView(case, level, details=disclosure.shows_details(level))
        if view.details:
            source = sources.get(case.name)
            view.code = without_notes("\n\n".join(filter(None, [source.helpers, source.code]))) if source else ""
            texts = [case.expected_text, case.got_text]
            view.values = any(texts) and not all(only_figure(t) for t in texts if t)
            mine = [_data_uri(figures_dir / f) for f in case.figures]
            theirs = [_data_uri(figures_dir / f) for f in case.expected_figures]
            view.figures = list(zip_longest(mine, theirs, fillvalue=""))
            # Cases that check one drawing from several sides (Aufgabe 5's plot) show it once.
            if view.figures:
                view.figures_as = shown.setdefault(tuple(view.figures), (case.name, number))
                if view.figures_as[1] == number:
                    view.figures_as = None
                else:
                    view.figures = []
            view.differences = [uri for f in case.difference_figures if (uri := _data_uri(figures_dir / f))]
        views.append(view)
    return views


def _data_uri(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""  # the template says the figure is missing
    return "data:image/png;base64," + base64.b64encode(data).decode()


def submission_html(
    result: SubmissionResult,
    assignment: Assignment,
    figures_dir: Path,
    *,
    lang: str = "de",
    release_hidden: bool = False,
    today: date | None = None,
) -> str:
    return render(
        "submission.html.j2",
        s=result,
        cases=case_views(result, assignment, figures_dir, release_hidden=release_hidden, today=today),
        aufgabe=assignment.number,
        title=assignment.title,
        threshold=assignment.threshold,
        lang=lang,
        t=i18n.translator(lang),
        when=i18n.format_time(result.graded_at, lang),
        date=lambda iso: i18n.format_date(iso, lang),
    )


def case_statistics(run: RunResult) -> list[dict]:
    """Per case: how many graded submissions passed it and the mean points, worst first."""
    graded = [s for s in run.submissions if s.status == SubmissionStatus.GRADED]
    rows: dict[str, dict] = {}
    for submission in graded:
        for case in submission.cases:
            row = rows.setdefault(
                case.name,
                {"name": case.name, "visibility": case.visibility, "passed": 0, "total": 0,
                 "points": 0.0, "max_score": case.max_score},
            )
            row["total"] += 1
            row["passed"] += case.status == CaseStatus.PASSED
            row["points"] += case.score
    for row in rows.values():
        row["share"] = row["passed"] / max(row["total"], 1)
        row["mean"] = row["points"] / max(row["total"], 1)
    return sorted(rows.values(), key=lambda r: (r["share"], r["name"]))


def gradebook_csv(run: RunResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # The column of hand overrides appears only where there are any, so scripts reading the
    # gradebook of an ordinary run see the columns they always saw.
    overridden = any(s.override for s in run.submissions)
    writer.writerow(["id", "aufgabe", "status", "score", "max_score", "passed"] + ["override"] * overridden)
    for s in run.submissions:
        row = [s.id, run.aufgabe, s.status, f"{s.score:g}", f"{s.max_score:g}", "ja" if s.passed else "nein"]
        writer.writerow(row + [s.override.get("note", "")] * overridden)
    return buffer.getvalue()


WHY_CHARS = 160
"""Characters of a message shown in the index's "why" column; the report has all of it."""


def explain(submission: SubmissionResult, t) -> str:
    """Why ``submission`` was not graded, or what went wrong beyond wrong values, in one line."""
    reasons = [t("why_override", note=sentence(submission.override["note"]))] if submission.override else []
    if submission.status == SubmissionStatus.ERROR:
        again = [t("why_sandbox")] if submission.sandbox_failed else []
        return " ".join([*reasons, cap(submission.message, WHY_CHARS), *again])
    if submission.missing_required:
        reasons.append(t("required_short", cases=", ".join(submission.missing_required)))
    if submission.sandbox_failed:
        reasons.append(t("why_sandbox"))
    timeouts = [c.name for c in submission.cases if c.status == CaseStatus.TIMEOUT]
    if timeouts:
        reasons.append(t("why_timeout", cases=", ".join(timeouts)))
    errors = [c for c in submission.cases if c.status == CaseStatus.ERROR]
    if errors:
        first = errors[0]
        reasons.append(t("why_error", case=first.name, message=cap(first.message, WHY_CHARS)))
        if len(errors) > 1:
            reasons.append(t("why_more", n=len(errors) - 1))
    return " ".join(reasons)


def index_html(run: RunResult, *, lang: str = "de", similar: dict | None = None) -> str:
    """The overview of one run; ``similar`` is what ``grader.course.similarity`` stored, if anything."""
    ids = {s.id for s in run.submissions}
    pairs = [p for p in (similar or {}).get("pairs", []) if p["a"] in ids and p["b"] in ids]
    return render(
        "index.html.j2",
        run=run,
        statistics=case_statistics(run),
        mistakes=typical_mistakes(run),  # issue 18
        similar=similar,
        pairs=pairs,
        lang=lang,
        t=i18n.translator(lang),
        when=lambda iso: i18n.format_time(iso, lang),
        explain=lambda s: explain(s, i18n.translator(lang)),
    )


def write_index(run: RunResult, out: Path, *, lang: str = "de") -> None:
    """``index.html`` of ``out``, listing the similar pairs that ``grader similarity`` found there."""
    stored = out / "similarity.json"
    similar = json.loads(stored.read_text(encoding="utf-8")) if stored.is_file() else None
    (out / "index.html").write_text(index_html(run, lang=lang, similar=similar), encoding="utf-8")


def write_similarity_index(assignment: Assignment, out: Path, similar: dict, *, lang: str = "de") -> None:
    """``index.html`` of an ``out`` that holds no run, only what ``grader similarity`` found there."""
    html = render("similarity.html.j2", aufgabe=assignment.number, title=assignment.title, similar=similar,
                  pairs=similar["pairs"], compared=similar.get("compared", 0), lang=lang, t=i18n.translator(lang))
    (out / "index.html").write_text(html, encoding="utf-8")


def write_all(
    run: RunResult, assignment: Assignment, out: Path, *, lang: str = "de", release_hidden: bool = False
) -> None:
    """Reports, ``index.html`` and the grade exports (CSV, JSON, Moodle worksheet) in ``out``."""
    figures_dir = out / "reports" / "figures"
    for result in run.submissions:
        result.report = report_name(result.id)
        path = out / result.report
        path.parent.mkdir(parents=True, exist_ok=True)
        html = submission_html(result, assignment, figures_dir, lang=lang, release_hidden=release_hidden)
        path.write_text(html, encoding="utf-8")
    write_index(run, out, lang=lang)
    (out / "grades.csv").write_text(gradebook_csv(run), encoding="utf-8")
    grades.write_exports(run, out)
