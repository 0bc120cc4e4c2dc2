"""Issue 23, items 4 and 5, through real runs in the process sandbox: a value that breaks
the rule of ``harness.plain`` is the student's verdict, stored, never the grader's failure,
and a worker's answer gives the same verdict as the local run."""

from __future__ import annotations

import textwrap
import types
from pathlib import Path

import pytest

from grader.backends.base import Job
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job
from grader.cases import assignment as assignments
from grader.cluster.wire import decode_run, encode_run
from grader.engine.batch import run
from harness.api import collect
from tests.core.value_attacks import DEEP, FIGURE_KEY, FORGED_DEEP, HAND_INS


def grade_class(tmp_path: Path, hand_ins: dict[str, str]):
    root = tmp_path / "class"
    for name, source in hand_ins.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "perceptron.py").write_text(source)
    lines: list[str] = []
    outcome = run(aufgabe=1, submissions=root, out=tmp_path / "out", jobs=1, sandbox="process", log=lines.append)
    return {s.id: s for s in outcome.submissions}, lines


def test_a_returned_dict_with_a_key_of_the_protocol_is_the_students_error_and_stored(tmp_path):
    by_id, _ = grade_class(tmp_path, {"figure-key": FIGURE_KEY})
    result = by_id["figure-key"]
    assert result.status == "graded" and not result.sandbox_failed
    output = [c for c in result.cases if c.name.startswith("output/")]
    assert {c.status for c in output} == {"error"}
    assert all("vorbehalten" in c.message for c in output if c.visibility == "public"), [c.message for c in output]
    _, lines = grade_class(tmp_path, {"figure-key": FIGURE_KEY})
    assert any(line.startswith("1 Abgabe unverändert") for line in lines), lines


def test_a_forged_value_nested_deep_is_failed_and_stored(tmp_path):
    by_id, _ = grade_class(tmp_path, {"forged-deep": FORGED_DEEP})
    result = by_id["forged-deep"]
    assert not result.sandbox_failed
    assert {c.status for c in result.cases if c.name.startswith("output/")} == {"failed"}


@pytest.mark.parametrize("name", sorted(HAND_INS))
def test_a_workers_answer_for_these_hand_ins_equals_the_local_run(tmp_path, name):
    cases = assignments.load(1).cases_source
    module = types.ModuleType("cases")
    exec(cases, module.__dict__)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "perceptron.py").write_text(textwrap.dedent(HAND_INS[name]))
    job = Job(folder, "perceptron", cases, {c.name: c.timeout for c in collect(module)})
    backend = ProcessBackend()
    try:
        local = run_job(backend, job)
    finally:
        backend.close()
    # What a worker does with its sandbox's answer (grader.cluster.worker), and the host with the worker's.
    remote = decode_run(encode_run(local, backend.name), job)
    for case, here in local.cases.items():
        there = remote.cases[case]
        assert (there.status, there.message, repr(there.value)) == (here.status, here.message, repr(here.value))
    statuses = {c.status for n, c in local.cases.items() if n.startswith("output/")}
    assert statuses == ({"ok"} if name == "forged-deep" else {"not-plain"}), statuses
    assert DEEP > 8  # deeper than the wire's old limit
