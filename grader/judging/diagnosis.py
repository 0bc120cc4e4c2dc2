"""Name the mistake: a failed case whose output is what a typical mistake gives.

Each Aufgabe keeps a catalogue of typical mistakes (``grader.cases.mistakes``):
the reference with one change each, with a German title and hint. Every mistake
is graded once per assignment version on the host, in the same sandbox as
the reference (``grader.cases.expected``); what it does on each case it fails
is cached beside the expected values as its signature
(``grader.judging.compare.signs``: its output, the kind of failure a check
names, or the exception it raises). A student's failed case that shows a
mistake's sign fits that mistake; the mistake is named when its signature
holds on every case it predicts, and named as possible where it holds on some
(``diagnose``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.cases.assignment import Assignment
from grader.cases.expected import Expected, cache_dir, expected_for, load, store
from grader.cases.mistakes import Mistake, catalogue
from grader.cases.on_host import run_on_host
from grader.common.results import CaseResult
from grader.common.status import CaseRun, CaseStatus, RunStatus
from grader.judging import disclosure
from grader.judging.compare.signs import fits, kind_of, name_mistakes, passes
from grader.judging.verdicts import verdict


@dataclass
class Catalogue:
    mistakes: dict[str, Mistake]
    outputs: dict[str, Expected]
    """Mistake id -> its values and figures, for exactly the cases it fails with a value that
    tells it from the reference; ``signs`` for the cases it fails otherwise."""
    expected: Expected | None = None
    """The reference's outputs: a sign of kind ``kind`` is recognised against them."""

    def signature(self, mistake_id: str) -> dict[str, dict]:
        """Case name -> the mistake's sign there (``grader.judging.compare.signs``)."""
        outputs = self.outputs[mistake_id]
        signs = {name: {"value": value, "figures": outputs.figures[name]} for name, value in outputs.values.items()}
        return {**outputs.signs, **signs}


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
            outputs = _outputs(assignment, list(mistakes.values()), cache_dir() / "mistakes" / key)
            _memo[key] = Catalogue(mistakes, outputs, expected_for(assignment))
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
    """Grade ``mistake`` like the reference; keep its sign on each case it fails.

    Its output where the check tells it from the reference's; else the kind of
    failure the check names, or the exception its code raises. The cases it
    fails run a second time: a sign that changes from run to run (a mistake
    that draws from an unseeded generator) can name nothing.
    """
    first = _run(assignment, mistake, [c.name for c in assignment.cases])
    values, signs = [], {}
    for case in assignment.cases:
        run, want, want_figures = first[case.name], expected.values[case.name], expected.figures[case.name]
        status = verdict(case, run, assignment, want, want_figures)[0]
        if status == CaseStatus.FAILED and not _passes(assignment, case.name, run.value, run.figures, want, want_figures):
            values.append(case.name)
        elif status == CaseStatus.FAILED and (kind := kind_of(case.check, want, want_figures, run.value, run.figures,
                                                               assignment.properties)):
            signs[case.name] = {"kind": kind}
        elif status == CaseStatus.ERROR and run.status == RunStatus.EXCEPTION and run.exception:
            signs[case.name] = {"raises": run.exception}
        # A check that the reference's output passes against the mistake's cannot tell the two
        # apart (a property such as "learns XOR"): a correct submission must never be named.
    failed = values + list(signs)
    second = _run(assignment, mistake, failed) if failed else {}
    kept = [
        name for name in values
        if second[name].status == RunStatus.OK
        and _passes(assignment, name, first[name].value, first[name].figures, second[name].value, second[name].figures)
    ]
    kept_signs = {
        name: sign for name, sign in signs.items()
        if fits(sign, assignment.case(name).check, second[name].status, second[name].exception, second[name].value,
                second[name].figures, expected=expected.values[name], expected_figures=expected.figures[name],
                properties=assignment.properties)
    }
    return Expected(
        values={name: first[name].value for name in kept},
        figures={name: first[name].figures for name in kept},
        signs=kept_signs,
    )


def _run(assignment: Assignment, mistake: Mistake, cases: list[str]) -> dict[str, CaseRun]:
    return run_on_host(assignment, mistake.folder, {name: assignment.case(name).timeout for name in cases})


def _passes(assignment: Assignment, case_name: str, value, figures: list, got, got_figures: list) -> bool:
    """Whether ``got`` passes the case's check with a mistake's ``value`` in the place of the expected value."""
    return passes(assignment.case(case_name).check, value, figures, got, got_figures, assignment.properties)


def matches(assignment: Assignment, catalogue: Catalogue, case_name: str, run: CaseRun) -> set[str]:
    """Ids of the mistakes whose sign on this case ``run`` shows."""
    check = assignment.case(case_name).check
    expected = catalogue.expected or expected_for(assignment)
    return {
        mistake_id
        for mistake_id in catalogue.outputs
        if (sign := catalogue.signature(mistake_id).get(case_name)) is not None
        and fits(sign, check, run.status, run.exception, run.value, run.figures, expected=expected.values[case_name],
                 expected_figures=expected.figures[case_name], properties=assignment.properties)
    }


def diagnose(
    assignment: Assignment, cases: list[CaseResult], runs: dict[str, CaseRun], known: Catalogue | None = None
) -> None:
    """Set ``mistake`` on every failed case of one submission that a typical mistake explains.

    A mistake predicts its signature (``Catalogue.signature``) and the loss of
    every case it ``loses``. Of the cases this submission ran, the mistake is
    named with certainty (``"certain": True``) when the submission showed its
    sign on each case of its signature and passed none of the cases it loses.
    Where the sign shows on two or more of those cases, at least half, but not on
    all, it is named as possible (``"certain": False``, "könnte … sein"). One fitting case
    among several predicted ones is a coincidence (a shuffled training that
    happens to end one epoch off) and names nothing; an exception alone names a
    mistake only where the function works elsewhere as the mistake does
    (``grader.judging.compare.signs.strength``).

    Of several mistakes named for a case, a certain one comes before a
    possible one, then the one that explains the most failed cases of this
    submission (ties: the first id). ``known`` is the Aufgabe's catalogue
    (``catalogue_for``) unless given.
    """
    failed = [c for c in cases if _failed_by_the_code(c, runs[c.name])]
    if not failed:
        return
    known = known or catalogue_for(assignment)
    expected = known.expected or expected_for(assignment)
    named = name_mistakes(
        plain(known),
        {c.name: (runs[c.name].status, runs[c.name].exception, runs[c.name].value, runs[c.name].figures) for c in failed},
        {c.name: str(c.status) for c in cases},
        checks={c.name: assignment.case(c.name).check for c in failed},
        expected={c.name: (expected.values[c.name], expected.figures[c.name]) for c in failed},
        properties=assignment.properties,
    )
    for case in failed:
        if case.name in named:
            # A hidden case names the mistake only: its hint could point at what the case tries.
            hint = named[case.name]["hint"] if disclosure.keeps_details(case) else ""
            case.mistake = {**named[case.name], "hint": hint}


def plain(known: Catalogue, cases: set[str] | None = None) -> dict[str, dict]:
    """The catalogue as plain data (``grader.judging.compare.signs.name_mistakes``), its signatures
    and losses cut to ``cases`` where given (the kit carries the public cases' only)."""
    entries = {}
    for mistake_id, mistake in known.mistakes.items():
        signature = known.signature(mistake_id)
        if cases is not None:
            signature = {name: sign for name, sign in signature.items() if name in cases}
        if signature:
            loses = sorted(mistake.loses if cases is None else mistake.loses & cases)
            entries[mistake_id] = {"title": mistake.title, "hint": mistake.hint, "loses": loses, "signature": signature}
    return entries


def _failed_by_the_code(case: CaseResult, run: CaseRun) -> bool:
    """A case whose value was judged wrong, or whose code raised (not a limit, not the sandbox)."""
    if case.status == CaseStatus.FAILED:
        return run.status == RunStatus.OK
    return case.status == CaseStatus.ERROR and run.status == RunStatus.EXCEPTION
