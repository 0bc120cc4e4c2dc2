"""Grading on a Dask cluster: a real scheduler and two real `grader worker` processes
(process sandbox) on 127.0.0.1 against a local run of the same submissions."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from clustertools import ROOT, verdicts, wait_for_workers, wait_until_processing
from distributed import Client

from grader.backends import SandboxLost
from grader.backends.base import Job
from grader.cluster import client as cluster
from grader.cluster import wire as cluster_wire
from grader.engine.batch import run

EXAMPLES = ROOT / "examples" / "submissions" / "aufgabe1"
TRIVIAL = """
from harness.api import case

@case("f/trivial", timeout=10)
def trivial(m, ctx):
    return {"y": m.f(1.0)}
"""


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The local run every cluster run must equal."""
    return verdicts(run(aufgabe=1, submissions=EXAMPLES, out=tmp_path_factory.mktemp("local"), sandbox="process", jobs=2, log=lambda m: None))


def test_cluster_verdicts_equal_a_local_run(processes, tmp_path, local):
    address = processes.scheduler()
    processes.worker(address)
    processes.worker(address)
    wait_for_workers(address, 2)
    said = []
    outcome = run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "out", sandbox="process", cluster=address, log=said.append)
    assert verdicts(outcome) == local
    assert outcome.sandbox.startswith("process (")  # named with its strength, as a local run
    assert any("2 Sandboxen (process)" in line for line in said), said
    # Passed and failed Testate both: equal verdicts are not equal by being all the same.
    assert {s[2] for s in local.values()} == {True, False}
    assert "" not in {s[4] for s in local.values() if s[0] == "graded"}  # known, and the cluster sent back the same (above)


def _class(tmp_path: Path, copies: int) -> Path:
    """``copies`` hand-ins: the examples over and over under new names."""
    folder = tmp_path / "class"
    folder.mkdir()
    examples = sorted(EXAMPLES.iterdir())
    for index in range(copies):
        source = examples[index % len(examples)]
        target = folder / f"s{index:03d}-{source.name}"
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    return folder


def _example_of(submission_id: str) -> str:
    return submission_id.split("-", 1)[1].removesuffix(".zip")


def test_a_killed_worker_loses_nothing_and_nothing_counts_twice(processes, tmp_path, local):
    address = processes.scheduler()
    processes.worker(address)
    processes.worker(address)
    workers = wait_for_workers(address, 2)
    victim = sorted(workers)[0]
    submissions = _class(tmp_path, 16)
    seen: list[str] = []
    killed = threading.Event()
    watcher = Client(address, timeout="30s")
    pid = watcher.run(os.getpid, workers=[victim])[victim]

    def kill_when_busy(result, done, total):
        seen.append(result.id)
        if killed.is_set():
            return
        # SIGKILL while the victim runs a submission, so that Dask must run it elsewhere.
        wait_until_processing(watcher, victim)
        os.kill(pid, signal.SIGKILL)
        killed.set()

    try:
        outcome = run(aufgabe=1, submissions=submissions, out=tmp_path / "out", sandbox="process", cluster=address, progress=kill_when_busy, log=lambda m: None)
    finally:
        watcher.close()
    assert killed.is_set()
    assert Counter(seen) == Counter(s.name.removesuffix(".zip") for s in submissions.iterdir())
    stored = sorted(p.stem for p in (tmp_path / "out" / "submissions").glob("*.json"))
    assert stored == sorted(seen)
    for result_id, verdict in verdicts(outcome).items():
        expected = local[_example_of(result_id)]
        assert verdict[1:] == expected[1:], result_id
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert len(results["submissions"]) == 16


def test_a_worker_of_another_version_gets_no_submission(processes, tmp_path, local):
    address = processes.scheduler()
    processes.worker(address, env={"GRADER_TEST_WORKER_VERSION": "0.0.1+other"})
    processes.worker(address)
    workers = wait_for_workers(address, 2)
    said = []
    outcome = run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "out", sandbox="process", cluster=address, log=said.append)
    assert verdicts(outcome) == local
    refused = [line for line in said if "abgelehnt" in line]
    assert len(refused) == 1 and "Grader-Version 0.0.1+other statt" in refused[0], said
    with Client(address, timeout="30s") as client:
        resources = {a: w["resources"] for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
    slots = sorted(n for r in resources.values() for name, n in r.items() if name.startswith("SANDBOX-"))
    assert slots == [0, 1], resources  # one admission: one resource per worker, granted or not
    assert len(workers) == 2


def test_only_refused_workers_is_a_readable_error(processes, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "ADMISSION_SECONDS", 2.0)
    address = processes.scheduler()
    processes.worker(address)  # a process sandbox, but the client wants docker
    wait_for_workers(address, 1)
    with pytest.raises(cluster.ClusterUnavailable, match="Sandbox process statt docker"):
        run(aufgabe=1, submissions=EXAMPLES, out=tmp_path / "out", sandbox="docker", cluster=address, log=lambda m: None)


def test_a_grader_of_another_version_on_the_same_scheduler_leaves_this_ones_workers_alone(processes, tmp_path, monkeypatch):
    address = processes.scheduler()
    processes.worker(address)
    wait_for_workers(address, 1)
    this = cluster.connect(address, sandbox="process", log=lambda m: None)
    try:
        # Another grader's version comes, admits no worker and goes; its admission stays registered.
        monkeypatch.setattr(cluster, "ADMISSION_SECONDS", 2.0)
        monkeypatch.setattr(cluster_wire, "grader_version", lambda: "0.0.1+other")
        with pytest.raises(cluster.ClusterUnavailable, match="Grader-Version"):
            cluster.connect(address, sandbox="process", log=lambda m: None)
        monkeypatch.undo()
        (tmp_path / "student").mkdir()
        (tmp_path / "student" / "student.py").write_text("def f(x):\n    return 2 * x\n")
        job = Job(tmp_path / "student", "student", TRIVIAL, {"f/trivial": 10.0})
        started = time.monotonic()
        run = this.execute(job).cases["f/trivial"]
        assert run.status == "ok" and run.value == {"y": 2.0}, run
        assert time.monotonic() - started < 30  # a worker took it, not the client's timeout
    finally:
        this.close()


def test_a_task_cancelled_while_the_scheduler_stays_is_sent_again_not_a_stopped_run(processes, tmp_path):
    # A client that reconnects under load finds its tasks cancelled although nothing is lost;
    # another client's cancel is the same event on demand.
    from distributed import Future

    address = processes.scheduler()
    processes.worker(address)
    wait_for_workers(address, 1)
    this = cluster.connect(address, sandbox="process", log=lambda m: None)
    watcher = Client(address, timeout="30s")
    cancelled: list[str] = []

    def cancel_the_first_task():
        deadline = time.monotonic() + 30  # then the assertion below says that nothing was cancelled
        while not cancelled and time.monotonic() < deadline:
            for keys in watcher.processing().values():
                for key in keys:
                    watcher.cancel([Future(key, watcher)], force=True)
                    cancelled.append(key)
            time.sleep(0.05)

    canceller = threading.Thread(target=cancel_the_first_task, daemon=True)
    try:
        (tmp_path / "student").mkdir()
        (tmp_path / "student" / "student.py").write_text("import time\n\ndef f(x):\n    time.sleep(1.5)\n    return 2 * x\n")
        canceller.start()
        run = this.execute(Job(tmp_path / "student", "student", TRIVIAL, {"f/trivial": 10.0})).cases["f/trivial"]
        assert cancelled, "no task was seen running, so none was cancelled"
        assert run.status == "ok" and run.value == {"y": 2.0}, run
    finally:
        canceller.join(timeout=5)
        watcher.close()
        this.close()


def test_a_submission_that_outlives_its_allowed_failures_is_an_error_verdict(processes, tmp_path, local):
    # No failure allowed: the submissions on the worker that dies are given up at once.
    address = processes.scheduler(env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    processes.worker(address)
    processes.worker(address)
    victim = sorted(wait_for_workers(address, 2))[0]
    submissions = _class(tmp_path, 8)
    watcher = Client(address, timeout="30s")
    pid = watcher.run(os.getpid, workers=[victim])[victim]
    seen: list[str] = []

    def kill_when_busy(result, done, total):
        seen.append(result.id)
        if done == 1:
            wait_until_processing(watcher, victim)
            os.kill(pid, signal.SIGKILL)

    try:
        outcome = run(aufgabe=1, submissions=submissions, out=tmp_path / "out", sandbox="process", cluster=address, progress=kill_when_busy, log=lambda m: None)
    finally:
        watcher.close()
    assert sorted(seen) == sorted(s.id for s in outcome.submissions) and len(seen) == 8
    given_up = [s for s in outcome.submissions if "fielen wiederholt Worker" in s.cases[0].message]
    assert given_up, verdicts(outcome)
    for submission in given_up:
        assert {c.status for c in submission.cases} == {"error"} and submission.score == 0
    for submission in outcome.submissions:
        if submission not in given_up:
            assert verdicts(outcome)[submission.id][1:] == local[_example_of(submission.id)][1:]


def test_losing_the_scheduler_stops_the_run_and_a_rerun_grades_only_the_rest(processes, tmp_path, local):
    address = processes.scheduler()
    processes.worker(address)
    processes.worker(address)
    wait_for_workers(address, 2)
    submissions = _class(tmp_path, 12)
    scheduler = processes.started[0]

    def kill_scheduler(result, done, total):
        if done == 3:
            os.killpg(scheduler.pid, signal.SIGKILL)

    with pytest.raises(SandboxLost, match="Dask-Scheduler"):
        run(aufgabe=1, submissions=submissions, out=tmp_path / "out", sandbox="process", cluster=address, progress=kill_scheduler, log=lambda m: None)
    stored = len(list((tmp_path / "out" / "submissions").glob("*.json")))
    assert 3 <= stored < 12
    said, regraded = [], []
    outcome = run(aufgabe=1, submissions=submissions, out=tmp_path / "out", sandbox="process", jobs=2,
                  progress=lambda result, done, total: regraded.append(result.id), log=said.append)
    assert f"{stored} Abgaben unverändert seit dem letzten Lauf, übernommen (--regrade bewertet neu)." in said
    assert len(regraded) == 12 - stored
    for result_id, verdict in verdicts(outcome).items():
        assert verdict[1:] == local[_example_of(result_id)][1:], result_id
