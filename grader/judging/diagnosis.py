"""Name the mistake: a failed case whose output is what a typical mistake gives.

Each Aufgabe keeps a catalogue of typical mistakes (``grader.cases.mistakes``):
the reference with one change each, with a German title and hint. Every mistake
is graded once per assignment version on the host, in the same sandbox as
the reference (``grader.cases.expected``); the outputs of the cases it fails are
cached beside the expected values. A student's failed case whose output
passes that case's check against a mistake's output fits that mistake; the
mistake is named when its signature holds on every case it predicts, and
named as possible where it holds on some (``diagnose``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.cases.assignment import Assignment
from grader.cases.expected import Expected, cache_dir, expected_for, load, store
from grader.cases.mistakes import Mistake, catalogue
from grader.cases.on_host import run_on_host
from grader.common.results import CaseResult
from grader.common.status import CaseRun, CaseStatus, RunStatus
from grader.judging import disclosure
from grader.judging.compare import judge
from grader.judging.verdicts import verdict
from harness.checks import Trajectory


@dataclass
class Catalogue:
    mistakes: dict[str, Mistake]
    outputs: dict[str, Expected]
    """Mistake id -> its values and figures, for exactly the cases it fails with a value."""


_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
_memo: dict[str, Catalogue] = {}
_memo_lock = threading.Lock()


def catalogue_for(assignment: Assignment) -> Catalogue:
    """The catalogue with its outputs, computed once per assignment version (disk and memory)."""
    # This module decides what is kept: a change of it must not read an older cache.
    key = f"aufgabe{assignment.number}-{assignment.fingerprint()}-{_CODE}"
    # One lock for all: the graders' threads would otherwise compute the same outputs side by side.
    with _memo_lock:
        if key not in _memo:
            mistakes = {m.id: m for m in catalogue(assignment)}
            _memo[key] = Catalogue(mistakes, _outputs(assignment, list(mistakes.values()), cache_dir() / "mistakes" / key))
        return _memo[key]


def _outputs(assignment: Assignment, mistakes: list[Mistake], folder: Path) -> dict[str, Expected]:
    missing = [m for m in mistakes if not (folder / m.id / "values.json").is_file()]
    if missing:
        expected = expected_for(assignment)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            computed = list(pool.map(lambda m: compute(assignment, expected, m), missing))
        folder.mkdir(parents=True, exist_ok=True)
        for mistake, outputs in zip(missing, computed, strict=True):
            store(folder / mistake.id, outputs)
    return {m.id: load(folder / m.id) for m in mistakes}


def compute(assignment: Assignment, expected: Expected, mistake: Mistake) -> Expected:
    """Grade ``mistake`` like the reference; keep the outputs of the cases it fails with a value.

    The cases it fails run a second time: an output that changes from run to
    run (a mistake that draws from an unseeded generator) can name nothing.
    """
    first = _run(assignment, mistake, [c.name for c in assignment.cases])
    failed = [
        case.name
        for case in assignment.cases
        if verdict(case, first[case.name], assignment, expected.values[case.name], expected.figures[case.name])[0]
        == CaseStatus.FAILED
        # A check that the reference's output passes against the mistake's cannot tell the two
        # apart (a property such as "learns XOR"): a correct submission must never be named.
        and not _passes(assignment, case.name, first[case.name].value, first[case.name].figures,
                        expected.values[case.name], expected.figures[case.name])
    ]
    second = _run(assignment, mistake, failed) if failed else {}
    kept = [
        name for name in failed
        if second[name].status == RunStatus.OK
        and _passes(assignment, name, first[name].value, first[name].figures, second[name].value, second[name].figures)
    ]
    return Expected(
        values={name: first[name].value for name in kept},
        figures={name: first[name].figures for name in kept},
    )


def _run(assignment: Assignment, mistake: Mistake, cases: list[str]) -> dict[str, CaseRun]:
    return run_on_host(assignment, mistake.folder, {name: assignment.case(name).timeout for name in cases})


def _passes(assignment: Assignment, case_name: str, value, figures: list, got, got_figures: list) -> bool:
    """Whether ``got`` passes the case's check with a mistake's ``value`` in the place of the expected value."""
    case = assignment.case(case_name)
    try:
        # The very same trajectory passes at once: comparing the attractors of a chaotic map is
        # most of what a diagnosis costs (bench/mistakes.py), and equal arrays need none of it.
        if isinstance(case.check, Trajectory) and np.array_equal(np.asarray(value), np.asarray(got)):
            return True
        return judge(
            case.check, value, got, reveal=False, properties=assignment.properties, expected_figures=figures, figures=got_figures,
        ).passed
    except Exception:  # a check that cannot compare these outputs matches nothing
        return False


def matches(assignment: Assignment, catalogue: Catalogue, case_name: str, run: CaseRun) -> set[str]:
    """Ids of the mistakes whose output ``run`` passes the case's check against."""
    return {
        mistake_id
        for mistake_id, outputs in catalogue.outputs.items()
        if case_name in outputs.values
        and _passes(assignment, case_name, outputs.values[case_name], outputs.figures[case_name], run.value, run.figures)
    }


def diagnose(
    assignment: Assignment, cases: list[CaseResult], runs: dict[str, CaseRun], known: Catalogue | None = None
) -> None:
    """Set ``mistake`` on every failed case of one submission that a typical mistake explains.

    A mistake predicts its signature: the outputs of the cases it fails with a
    value (``Catalogue.outputs``), and the loss of every case it ``loses``. Of
    the cases this submission ran, the mistake is named with certainty
    (``"certain": True``) when the submission failed each of its signature's
    cases with that very output and passed none of the cases it loses. Where
    the output fits on two or more of those cases but not on all, it is named
    as possible (``"certain": False``, "könnte … sein"). One fitting case
    among several predicted ones is a coincidence (a shuffled training that
    happens to end one epoch off) and names nothing.

    Of several mistakes named for a case, a certain one comes before a
    possible one, then the one that explains the most failed cases of this
    submission (ties: the first id). ``known`` is the Aufgabe's catalogue
    (``catalogue_for``) unless given.
    """
    failed = [c for c in cases if c.status == CaseStatus.FAILED and runs[c.name].status == RunStatus.OK]
    if not failed:
        return
    known = known or catalogue_for(assignment)
    found = {c.name: matches(assignment, known, c.name, runs[c.name]) for c in failed}
    strength = {m: s for m in set().union(*found.values()) if (s := _strength(known, m, cases, found)) is not None}
    for case in failed:
        named = [m for m in found[case.name] if m in strength]
        if named:
            best = min(named, key=lambda m: (not strength[m][0], -strength[m][1], m))
            mistake = known.mistakes[best]
            # A hidden case names the mistake only: its hint could point at what the case tries.
            hint = mistake.hint if disclosure.keeps_details(case) else ""
            case.mistake = {"id": mistake.id, "title": mistake.title, "hint": hint, "certain": strength[best][0]}


def _strength(
    known: Catalogue, mistake_id: str, cases: list[CaseResult], found: dict[str, set[str]]
) -> tuple[bool, int] | None:
    """(certain, fitting cases) of one mistake for one submission, or None where it names nothing."""
    predicted = [c.name for c in cases if c.name in known.outputs[mistake_id].values]
    fitting = sum(mistake_id in found.get(name, ()) for name in predicted)
    lost = known.mistakes[mistake_id].loses
    contradicted = any(c.status == CaseStatus.PASSED for c in cases if c.name in lost)
    if fitting == len(predicted) and not contradicted:
        return True, fitting
    return (False, fitting) if fitting >= 2 else None
