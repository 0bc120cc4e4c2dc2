"""The course overview: who has passed which Testat, across the runs of several Aufgaben.

``grader overview OUT1 OUT2 ...`` reads each run's ``results.json`` and
writes a student × Aufgabe matrix as HTML (with links to the reports) and as
CSV. Students are matched across runs by ``grader.course.roster.identify``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.common.results import RunResult, SubmissionResult
from grader.course import roster
from grader.engine.outdir import load_results, results_path
from grader.report import i18n
from grader.report.pages import explain, render


@dataclass
class Cell:
    submission: SubmissionResult
    link: str
    """The report, relative to the overview's folder."""


@dataclass
class Matrix:
    aufgaben: list[int]
    students: list[str]
    cells: dict[tuple[str, int], Cell]
    incomplete: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Per Aufgabe whose run is incomplete: (graded, found)."""

    def passed(self, student: str) -> int:
        return sum(1 for a in self.aufgaben if (c := self.cells.get((student, a))) and c.submission.passed)


def build(runs: list[tuple[RunResult, Path]], out: Path, people: list[roster.Person] | None = None) -> Matrix:
    """The matrix of ``runs`` (each with the folder its reports lie in); students keyed by ``grader.course.roster``.

    Should one student appear twice for an Aufgabe (two runs of it), the
    better result counts: a passed Testat, else more points. With ``people``
    (a roster) everyone in it has a row, also who never handed anything in.
    """
    students = roster.identify([[s.id for s in run.submissions] for run, _ in runs], people)
    cells: dict[tuple[str, int], Cell] = {}
    for run, folder in runs:
        for submission in run.submissions:
            key = (students[submission.id], run.aufgabe)
            link = os.path.relpath(folder / submission.report, out) if submission.report else ""
            cell = Cell(submission, link.replace(os.sep, "/"))
            known = cells.get(key)
            if known is None or _rank(submission) > _rank(known.submission):
                cells[key] = cell
    return Matrix(
        aufgaben=sorted({run.aufgabe for run, _ in runs}),
        students=sorted({student for student, _ in cells} | {p.label for p in people or []}, key=str.casefold),
        cells=cells,
        incomplete={run.aufgabe: (len(run.submissions), run.total) for run, _ in runs if not run.complete},
    )


def _rank(submission: SubmissionResult) -> tuple[bool, float]:
    return submission.passed, submission.score


def matrix_csv(matrix: Matrix) -> str:
    """One row per student: per Aufgabe ``ja``/``nein`` (empty: no submission), then the count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(f"aufgabe{a}" for a in matrix.aufgaben), *(f"punkte{a}" for a in matrix.aufgaben), "bestanden"])
    for student in matrix.students:
        cells = [matrix.cells.get((student, a)) for a in matrix.aufgaben]
        verdicts = ["" if c is None else ("ja" if c.submission.passed else "nein") for c in cells]
        points = ["" if c is None else f"{c.submission.score:g}" for c in cells]
        writer.writerow([student, *verdicts, *points, matrix.passed(student)])
    return buffer.getvalue()


def overview(
    *, results_paths: Sequence[Path], out: Path = Path("out"), lang: str = "de", allow_incomplete: bool = False,
    roster_paths: Sequence[Path] = (),
) -> Matrix:
    """Write ``out/overview.html`` and ``out/overview.csv`` for the given runs (complete ones unless allowed).

    ``roster_paths``: Moodle exports that key students by e-mail or ID number (see ``grader.course.roster``).
    """
    out = Path(out)
    runs = []
    for path in results_paths:
        runs.append((load_results(path, allow_incomplete=allow_incomplete), results_path(Path(path)).parent))
    out.mkdir(parents=True, exist_ok=True)
    matrix = build(runs, out, roster.load(roster_paths) if roster_paths else None)
    titles = {run.aufgabe: run.title for run, _ in runs}
    t = i18n.translator(lang)
    html = render("overview.html.j2", matrix=matrix, titles=titles, lang=lang, t=t, explain=lambda s: explain(s, t))
    (out / "overview.html").write_text(html, encoding="utf-8")
    (out / "overview.csv").write_text(matrix_csv(matrix), encoding="utf-8")
    return matrix
