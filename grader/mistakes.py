"""Known mistakes: name the mistake when a failed case's output is exactly what it gives.

``assignments/aufgabeN/mistakes/<name>/<module>.py`` is a wrong variant of the
reference that the instructor wrote; the first paragraph of its docstring says
in German what it does wrong. Its outputs are computed like the expected values
(on the host, cached under the Aufgabe's fingerprint). When a student's output
of a failed case equals a variant's under the case's own check, the message
says which mistake gives exactly this result, where the numbers alone could
only say how many values differ.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass

from harness.checks import Close, Fields

from .assignment import Assignment
from .backends.base import Job
from .backends.process import ProcessBackend
from .backends.session import run_job
from .compare import judge
from .expected import Expected, _load, _store, cache_dir, expected_for


@dataclass(frozen=True)
class Mistake:
    sentence: str
    """German: what the variant does wrong."""
    values: dict
    """Case name -> the variant's output, for the cases where it differs from the reference's."""


_known: dict[tuple[int, str], list[Mistake]] = {}
_lock = threading.Lock()


def known_mistakes(assignment: Assignment) -> list[Mistake]:
    """The Aufgabe's known mistakes with their outputs; computed once per process and version."""
    key = (assignment.number, str(assignment.folder))
    with _lock:
        if key not in _known:
            _known[key] = _compute(assignment)
        return _known[key]


def diagnose(case, got, mistakes: list[Mistake]) -> str:
    """The sentence of the first known mistake whose output ``got`` equals, else ""."""
    if not isinstance(case.check, (Close, Fields)):
        return ""
    for mistake in mistakes:
        if case.name in mistake.values and judge(case.check, mistake.values[case.name], got, reveal=False).passed:
            return mistake.sentence
    return ""


def _compute(assignment: Assignment) -> list[Mistake]:
    folder = assignment.folder / "mistakes"
    variants = sorted(p for p in folder.glob("*") if (p / f"{assignment.module}.py").is_file())
    if not variants:
        return []
    fingerprint = assignment.fingerprint()
    reference = expected_for(assignment)
    mistakes = []
    for variant in variants:
        source = (variant / f"{assignment.module}.py").read_text(encoding="utf-8")
        sentence = " ".join((ast.get_docstring(ast.parse(source)) or "").split("\n\n")[0].split())
        cached = cache_dir() / "mistakes" / f"aufgabe{assignment.number}-{fingerprint}-{variant.name}"
        if (cached / "values.json").is_file():
            values = _load(cached).values
        else:
            values = _outputs(assignment, variant)
            _store(cached, Expected(values=values, figures={}))
        # Only where the variant's answer is wrong can it name a mistake.
        telling = {
            name: value
            for name, value in values.items()
            if not judge(assignment.case(name).check, reference.values[name], value, reveal=False).passed
        }
        mistakes.append(Mistake(sentence, telling))
    return mistakes


def _outputs(assignment: Assignment, variant) -> dict:
    cases = [c for c in assignment.cases if isinstance(c.check, (Close, Fields))]
    job = Job(
        submission=variant,
        module=assignment.module,
        cases_source=assignment.cases_source,
        timeouts={c.name: c.timeout for c in cases},
        resources=assignment.resources,
        limits=assignment.limits,
    )
    runs = run_job(ProcessBackend(isolate_network=False), job).cases
    return {name: run.value for name, run in runs.items() if run.status == "ok"}
