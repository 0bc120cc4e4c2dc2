"""Issue 23, item 5: a real worker judges the hand-ins that test the rule of a value
(``harness.plain``) as a local run does: a forged value 20 deep is failed on both, a
dict with a key of the protocol is the student's error on both."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("distributed")

from clustertools import verdicts, wait_for_workers

from grader.engine.batch import run
from tests.core.value_attacks import HAND_INS


def test_a_worker_judges_these_values_as_a_local_run(processes, tmp_path: Path):
    root = tmp_path / "class"
    for name, source in HAND_INS.items():
        (root / name).mkdir(parents=True)
        (root / name / "perceptron.py").write_text(source)
    local = run(aufgabe=1, submissions=root, out=tmp_path / "local", sandbox="process", jobs=1, log=lambda m: None)
    address = processes.scheduler()
    processes.worker(address)
    wait_for_workers(address, 1)
    remote = run(aufgabe=1, submissions=root, out=tmp_path / "cluster", sandbox="process", cluster=address, log=lambda m: None)
    assert verdicts(remote) == verdicts(local)
    by_id = {s.id: s for s in remote.submissions}
    assert not any(s.sandbox_failed for s in remote.submissions)
    assert {c.status for c in by_id["forged-deep"].cases if c.name.startswith("output/")} == {"failed"}
    assert {c.status for c in by_id["figure-key"].cases if c.name.startswith("output/")} == {"error"}
