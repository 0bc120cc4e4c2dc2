"""Hand overrides: the instructor's points or verdict after the Testat conversation, with a reason.

Kept in ``OUT/overrides.json`` apart from the graded results, so that a rerun
or ``--regrade`` grades afresh and the override still applies on top.
An overridden result carries ``override`` (the note, when, and what the
grader had given) into results.json, and from there into the report, the
index, the gradebooks and Moodle's files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader import assignment as assignments
from grader.errors import EXIT_USAGE, GraderError
from grader.outdir import claim, load_results
from grader.report import pages as report
from grader.results import RunResult, SubmissionResult, write_json_atomic

FILE = "overrides.json"


class OverrideError(GraderError, ValueError):
    """The override cannot be made; the message says why (German)."""

    exit_code = EXIT_USAGE

    def hint(self, options) -> str:
        return "siehe `grader override -h`; die Kennung steht in index.html."


@dataclass
class Override:
    note: str
    at: str
    points: float | None = None
    passed: bool | None = None


def load(out: Path) -> dict[str, Override]:
    """The overrides kept in ``out``, by submission id."""
    path = Path(out) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = {sid: Override(**entry) for sid, entry in data.items()}
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, AttributeError):
        found = None
    # A file edited by hand must fail here, before grading, not when it is applied after it.
    if found is None or not all(
        isinstance(o.note, str) and isinstance(o.at, str)
        and (o.points is None or type(o.points) in (int, float))
        and (o.passed is None or type(o.passed) is bool)
        for o in found.values()
    ):
        raise OverrideError(
            f"{path} ist beschädigt (je Kennung: note, at, points als Zahl oder null, passed als true, "
            "false oder null); bitte reparieren oder löschen."
        )
    return found


def apply(run: RunResult, overrides: dict[str, Override]) -> None:
    """Put ``overrides`` on the results of ``run``, on top of what the grader gave."""
    for submission in run.submissions:
        if submission.override:
            submission.score = submission.override["graded_score"]
            submission.passed = submission.override["graded_passed"]
            submission.override = {}
        change = overrides.get(submission.id)
        if change is None:
            continue
        submission.override = {**asdict(change), "graded_score": submission.score, "graded_passed": submission.passed}
        if change.points is not None:
            submission.score = change.points
            # The instructor's word after the Testat conversation: points decide by the threshold
            # alone, a missing required case included; --passed sets the verdict itself.
            submission.passed = change.points >= run.threshold * submission.max_score - 1e-9
        if change.passed is not None:
            submission.passed = change.passed


def override(
    *, out: Path, submission_id: str, note: str = "", points: float | None = None, passed: bool | None = None,
    remove: bool = False,
) -> SubmissionResult:
    """Set (or ``remove``) the override of one submission in ``out``; results and pages follow at once.

    Setting one needs ``points`` or ``passed`` and a ``note`` saying why; removing needs neither.
    """
    out = Path(out)
    if not remove and (points is None and passed is None or not note.strip()):
        raise OverrideError("Eine Änderung braucht --points oder --passed und eine Begründung (--note).")
    with claim(out, None):
        run = load_results(out, allow_incomplete=True)
        by_id = {s.id: s for s in run.submissions}
        submission = by_id.get(submission_id)
        if submission is None:
            known = ", ".join(sorted(by_id)[:10])
            raise OverrideError(f"In {out} gibt es keine Abgabe {submission_id!r}; vorhanden: {known}.")
        if points is not None and not 0 <= points <= submission.max_score:
            raise OverrideError(f"Punkte müssen zwischen 0 und {submission.max_score:g} liegen, nicht {points:g}.")
        overrides = load(out)
        if remove:
            overrides.pop(submission_id, None)
        else:
            at = datetime.now(UTC).isoformat(timespec="seconds")
            overrides[submission_id] = Override(note=note.strip(), at=at, points=points, passed=passed)
        write_json_atomic(out / FILE, {sid: asdict(o) for sid, o in sorted(overrides.items())})
        apply(run, overrides)
        assignment = assignments.load(run.aufgabe)
        report.write_all(run, assignment, out, lang=run.lang, release_hidden=run.release_hidden)
        write_json_atomic(out / "results.json", run.to_json())
        return submission
