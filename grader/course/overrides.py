"""Hand overrides: the instructor's points or verdict after the Testat conversation, with a reason.

This is the ``grader override`` command; what an override is and how a run
puts it on its results (data the engine is given) lives in ``grader.engine.outdir``.

Kept in ``OUT/overrides.json`` apart from the graded results, so that a rerun
or ``--regrade`` grades afresh and the override still applies on top.
An overridden result carries ``override`` (the note, when, and what the
grader had given) into results.json, and from there into the report, the
index, the gradebooks and Moodle's files.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from grader.cases import assignment as assignments
from grader.common.results import SubmissionResult, write_json_atomic
from grader.engine.outdir import FILE, Override, OverrideError, apply, claim, load, load_results
from grader.report import pages as report


def override(
    *, out: Path, submission_id: str, note: str = "", points: float | None = None, passed: bool | None = None,
    remove: bool = False,
) -> SubmissionResult:
    """Set (or ``remove``) the override of one submission in ``out``; results and pages follow at once.

    Setting one needs ``points`` or ``passed`` and a ``note`` saying why; removing needs neither.
    """
    out = Path(out)
    if not remove and (points is None and passed is None or not note.strip()):
        raise OverrideError(
            "Eine Änderung braucht --points oder --passed und eine Begründung (--note).",
            "z. B. --points 20 --note \"im Testat-Gespräch erklärt\"; siehe `grader override -h`.",
        )
    with claim(out, None):
        run = load_results(out, allow_incomplete=True)
        by_id = {s.id: s for s in run.submissions}
        submission = by_id.get(submission_id)
        if submission is None:
            known = ", ".join(sorted(by_id)[:10])
            raise OverrideError(f"In {out} gibt es keine Abgabe {submission_id!r}; vorhanden: {known}.")
        if points is not None and not 0 <= points <= submission.max_score:
            raise OverrideError(
                f"Punkte müssen zwischen 0 und {submission.max_score:g} liegen, nicht {points:g}.",
                f"--points mit einer Zahl von 0 bis {submission.max_score:g} angeben (die Höchstpunktzahl der Aufgabe).",
            )
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
