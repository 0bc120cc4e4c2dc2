"""What a worker sends back is read like a sandbox's output: validated on the instructor's host."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grader.backends.base import Job
from grader.backends.session import JobRun
from grader.cluster.client import Cluster
from grader.cluster.wire import decode_run, encode_run
from harness import protocol

JOB = Job(Path("unused"), "perceptron", "", {"a": 1.0, "b": 1.0, "c": 1.0})


def _frame(name: str, array: np.ndarray) -> bytes:
    npz = io.BytesIO()
    np.savez(npz, a0=array)
    header = {"type": "case", "name": name, "status": "finished",
              "result": {"status": "ok", "data": {"value": {"$array": "a0"}, "figures": []}}}
    return protocol.encode(header, [npz.getvalue()])


def test_a_workers_answer_passes_the_same_validation_as_a_sandboxs():
    answer = {
        "sandbox": "docker",
        "versions": {"numpy": "2.4.6"},
        "frames": [_frame("a", np.arange(3.0)), _frame("b", np.array([object()], dtype=object)), b"GNN1\xff"],
    }
    job_run = decode_run(answer, JOB)
    assert job_run.cases["a"].status == "ok" and job_run.cases["a"].value.tolist() == [0.0, 1.0, 2.0]
    # An array that needs pickle is never unpickled here.
    assert job_run.cases["b"].status == "invalid" and "nicht lesbar" in job_run.cases["b"].message
    # A frame that is no frame, or a case the worker left out, is the sandbox's failure, not a pass.
    assert job_run.cases["c"].status == "sandbox"
    assert job_run.versions == {"numpy": "2.4.6"}


def test_an_answer_that_is_no_answer_fails_every_case():
    for answer in (None, {"frames": "nope"}, {"frames": [_frame("zz", np.zeros(1))]}):
        assert {run.status for run in decode_run(answer, JOB).cases.values()} == {"sandbox"}


def test_text_from_a_worker_is_made_encodable_and_an_ended_case_keeps_its_status():
    ended = protocol.encode({"type": "case", "name": "a", "status": "ended", "message": "kaputt \ud800",
                             "stderr": "\udcff"}, [])
    answer = {"versions": {"numpy\ud800": "2.4.6\udcff"}, "frames": [ended]}
    job_run = decode_run(answer, JOB)
    run = job_run.cases["a"]
    assert run.status == "ended" and run.message == "kaputt \ufffd" and run.stderr == "\ufffd"
    assert job_run.versions == {"numpy\ufffd": "2.4.6\ufffd"}
    for text in (run.message, run.stderr, *job_run.versions, *job_run.versions.values()):
        text.encode("utf-8")


def test_what_the_workers_harness_said_of_its_network_comes_back_checked():
    job_run = decode_run(encode_run(JobRun({}, {}, network="shared"), "docker"), JOB)
    assert job_run.network == "shared"
    assert decode_run({"network": "nothing to see", "frames": []}, JOB).network == ""


class NoClient:
    """A scheduler's client that no task may reach."""

    def scatter(self, data, broadcast=False):
        return data

    def submit(self, *args, **kwargs):
        pytest.fail("a hand-in that cannot be sent was sent")


def test_a_file_name_that_is_not_utf8_is_a_german_verdict_not_a_crash(tmp_path):
    folder = tmp_path / "abgabe"
    folder.mkdir()
    (folder / "perceptron.py").write_text("def f(x):\n    return x\n")
    (folder / os.fsdecode(b"\xdcbung.txt")).write_text("latin-1, wie ein altes tar sie schreibt")
    job_run = Cluster(NoClient(), "process (bubblewrap)", 1, "SANDBOX-0").execute(replace(JOB, submission=folder))
    assert set(job_run.cases) == set(JOB.timeouts)
    for run in job_run.cases.values():
        assert run.status != "sandbox"  # the hand-in's verdict, kept like one
        assert "'\ufffdbung.txt'" in run.message and "UTF-8" in run.message, run.message
        run.message.encode("utf-8")


def test_where_a_case_ran_out_of_time_comes_back_from_a_worker():
    from grader.common.status import CaseRun, RunStatus

    limits = dict(zip(JOB.timeouts, ["cpu", "wall", "cpu"], strict=True))
    runs = {
        name: CaseRun(name, RunStatus.TIMEOUT, seconds=1.0, stage="import", cpu_seconds=0.75, limit=limits[name])
        for name in JOB.timeouts
    }
    back = decode_run(encode_run(JobRun(runs, {}), "docker"), JOB)
    assert [(r.status, r.stage) for r in back.cases.values()] == [("timeout", "import")] * 3
    # Which limit ended it reaches the host as from a local sandbox: the message names it.
    assert [(r.limit, r.cpu_seconds) for r in back.cases.values()] == [(limits[n], 0.75) for n in JOB.timeouts]


def test_a_name_the_worker_would_not_unpack_is_a_german_verdict_before_it_is_sent(tmp_path):
    folder = tmp_path / "abgabe"
    folder.mkdir()
    (folder / "perceptron.py").write_text("def f(x):\n    return x\n")
    (folder / "Notizen 10:30.txt").write_text("passt lokal, aber nicht in ein Archiv")
    job_run = Cluster(NoClient(), "process (bubblewrap)", 1, "SANDBOX-0").execute(replace(JOB, submission=folder))
    for run in job_run.cases.values():
        assert run.status == "refused" and "'Notizen 10:30.txt'" in run.message and "umbenennen" in run.message
