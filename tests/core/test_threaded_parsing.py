"""The host parses Python in many threads at once without tripping CPython 3.11's AST bug.

gh-106905: two threads turning source into ``ast`` objects at the same time can
corrupt a shared depth counter, and one of them fails with ``SystemError: AST
constructor recursion depth mismatch`` — one correct hand-in in a hundred became
"nicht bewertbar". The race needs a thread switch in the middle of a conversion;
a garbage collection that sleeps makes one likely in every conversion, so these
tests fail on the unguarded code nearly every time, not one run in a hundred.
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import pytest

from grader.backends import base
from grader.backends.base import Job
from grader.cases import source as case_source
from grader.cases.assignment import available, load
from grader.course import kit, mutants

THREADS = 8


@pytest.fixture
def switching_threads():
    """Collect garbage every few allocations and give the other threads the GIL each time."""

    def yield_the_gil(phase, info):
        time.sleep(0.0001)

    threshold = gc.get_threshold()
    gc.callbacks.append(yield_the_gil)
    gc.set_threshold(50)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(yield_the_gil)


def _in_threads(work) -> list[BaseException]:
    """Run ``work(i)`` in THREADS threads started together; what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def body(i: int) -> None:
        start.wait()
        try:
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_jobs_of_many_aufgaben_cut_their_cases_in_parallel_threads(switching_threads):
    # Each thread its own case sources, as if each graded another Aufgabe: no cache is shared.
    sources = {n: load(n).cases_source for n in available()}
    expected = {}
    for n, source in sources.items():
        names = [c.name for c in load(n).cases]
        expected[n] = (names, Job(Path("."), "m", source, {}).phases(names))

    def work(i: int) -> None:
        for n, source in sources.items():
            names, want = expected[n]
            got = Job(Path("."), "m", f"{source}\n# thread {i}\n", {}).phases(names)
            assert [(p[0], p[2]) for p in got] == [(p[0], p[2]) for p in want]

    assert _in_threads(work) == []


def test_the_kit_and_the_mutants_parse_in_parallel_threads(switching_threads):
    assignment = load(2)
    reference = (load(1).reference / "perceptron.py").read_text(encoding="utf-8")
    properties = (assignment.folder / "properties.py").read_text(encoding="utf-8")

    def work(i: int) -> None:
        tail = f"\n# thread {i}\n"
        case_source.case_code(assignment.cases_source + tail)
        case_source.named_strings([assignment.cases_source + tail])
        kit.judged_at_hand_in(properties + tail)
        assert mutants.make_mutants(reference + tail)

    assert _in_threads(work) == []


def test_a_job_parses_nothing_that_is_the_same_for_every_submission(monkeypatch):
    source = load(2).cases_source + "\n# parsed once\n"
    names = [c.name for c in load(2).cases]
    Job(Path("."), "m", source, {}).phases(names)
    calls = []
    real = case_source.parse
    monkeypatch.setattr(case_source, "parse", lambda text: calls.append(1) or real(text))
    for _ in range(5):
        Job(Path("."), "m", source, {}).phases(names)
    assert calls == []
    base._public_part.cache_clear()
    Job(Path("."), "m", source, {}).phases(names)
    assert calls  # the count above could have seen a parse
