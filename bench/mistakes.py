"""What naming mistakes and mutation testing cost (issue 18).

    .venv/bin/python bench/mistakes.py [--aufgabe 1 2 ...] [--no-mutants]

Per Aufgabe, in a fresh cache (``GRADER_CACHE`` is set to a temporary folder):

- the one-off cost of the catalogue: every typical mistake graded on the host
  (once per assignment version, like the expected values);
- the diagnosis cost per submission: every catalogue entry graded as a
  submission (process sandbox), the time spent in ``grader.judging.diagnosis.diagnose``
  against the whole grading time of that submission (goal: below 10 %);
- the wall time of ``grader mutants`` (all cores), its number of mutants and score.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.backends.process import ProcessBackend
from grader.cases.assignment import available, load
from grader.cases.expected import expected_for
from grader.cases.mistakes import catalogue
from grader.course import mutants
from grader.engine import Local, grade_submission
from grader.intake.submissions import Submission
from grader.judging import diagnosis


def diagnosis_share(number: int) -> tuple[int, float, float, float]:
    """(submissions, catalogue seconds, grading seconds per submission, diagnosis seconds per submission)."""
    assignment = load(number)
    expected = expected_for(assignment)
    started = time.monotonic()
    diagnosis.catalogue_for(assignment)
    catalogue_seconds = time.monotonic() - started
    spent = [0.0]
    diagnose = diagnosis.diagnose

    def timed(*args, **kwargs):
        begin = time.monotonic()
        try:
            return diagnose(*args, **kwargs)
        finally:
            spent[0] += time.monotonic() - begin

    diagnosis.diagnose = timed
    backend = ProcessBackend()
    entries = catalogue(assignment)
    try:
        started = time.monotonic()
        for mistake in entries:
            grade_submission(assignment, expected, Local(backend), Submission(id=mistake.id, origin=mistake.folder, folder=mistake.folder))
        grading = time.monotonic() - started
    finally:
        diagnosis.diagnose = diagnose
        backend.close()
    return len(entries), catalogue_seconds, grading / len(entries), spent[0] / len(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aufgabe", type=int, nargs="*", default=available())
    parser.add_argument("--no-mutants", action="store_true")
    args = parser.parse_args()
    os.environ["GRADER_CACHE"] = tempfile.mkdtemp(prefix="gnn-bench-cache-")
    print(f"{'Aufgabe':>7} {'mistakes':>8} {'catalogue s':>11} {'grading s/sub':>13} {'diagnosis ms/sub':>16} {'share':>6}")
    for number in args.aufgabe:
        count, catalogue_seconds, grading, spent = diagnosis_share(number)
        print(f"{number:>7} {count:>8} {catalogue_seconds:>11.1f} {grading:>13.2f} {spent * 1000:>16.1f} {spent / grading:>6.1%}")
    if args.no_mutants:
        return
    print(f"\n{'Aufgabe':>7} {'mutants':>7} {'every':>5} {'seconds':>8} {'score':>6}")
    for number in args.aufgabe:
        with tempfile.TemporaryDirectory(prefix="gnn-bench-mutants-") as out:
            started = time.monotonic()
            summary = mutants.run(aufgabe=number, out=Path(out))
            seconds = time.monotonic() - started
        print(f"{number:>7} {len(summary['mutants']):>7} {summary['every']:>5} {seconds:>8.1f} {summary['score']:>6.3f}")


if __name__ == "__main__":
    main()
