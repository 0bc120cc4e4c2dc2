"""A case's limit counts its own CPU time; the wall clock is only a backstop (issue 24.7).

A correct submission graded while the machine is busy keeps its verdicts; a case that
computes too long ends at its CPU limit (``cpu``), one that waits at the wall-clock
backstop (``wall``); a timeout that a second run does not confirm is no timeout.
The docker variant of the busy machine is ``tests/docker/test_cpu_load.py``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest

from grader.backends import load
from grader.backends.base import Job
from grader.backends.process import ProcessBackend
from grader.backends.session import JobRun, run_job, to_confirm
from grader.cases import assignment as assignments
from grader.cases.expected import expected_for
from grader.common.status import CaseRun, RunStatus
from grader.engine import grade_submission
from grader.intake.submissions import open_submission
from grader.judging.verdicts import timeout_message
from harness import api

CASES = textwrap.dedent(
    """
    from harness.api import case

    @case("f/first", timeout=0.5)
    def first(m, ctx):
        return {"y": m.f(1)}

    @case("f/second", timeout=0.5)
    def second(m, ctx):
        return {"y": m.f(2)}
    """
)
SPIN_FIRST = "def f(x):\n    while x == 1:\n        pass\n    return x\n"

WORKING = textwrap.dedent(
    """
    import time

    def f(x):
        start = time.process_time()
        while time.process_time() - start < 0.7:  # 0.7 s of CPU time, whatever the machine's load
            pass
        return 2 * x
    """
)
"""A correct submission whose every case computes for 0.7 of its 1 s of CPU time."""
WORKING_CASES = CASES.replace("timeout=0.5", "timeout=1") + textwrap.dedent(
    """
    @case("f/third", timeout=1)
    def third(m, ctx):
        return {"y": m.f(3)}
    """
)


def cases_of(source: str) -> dict[str, api.Case]:
    module = types.ModuleType("cases")
    exec(source, module.__dict__)
    return {c.name: c for c in api.collect(module)}


def job_for(tmp_path: Path, source: str, cases: str = CASES) -> Job:
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "student.py").write_text(textwrap.dedent(source))
    return Job(folder, "student", cases, {name: c.timeout for name, c in cases_of(cases).items()})


def run(tmp_path: Path, source: str, cases: str = CASES, **backend_options) -> JobRun:
    backend = ProcessBackend(**backend_options)
    try:
        return run_job(backend, job_for(tmp_path, source, cases))
    finally:
        backend.close()


@contextlib.contextmanager
def loaded_machine(loops: int = 0, core: int | None = None):
    """Busy loops at this process's priority while the block runs, two per core or ``loops``,
    all on ``core`` if given; each is killed by its own pid afterwards."""
    pin = "" if core is None else f"import os; os.sched_setaffinity(0, {{{core}}})\n"
    started = [
        # Each in a session of its own, as the sandbox is (bwrap --new-session): with the kernel's
        # autogroups, loops sharing the test's session would share one session's CPU.
        subprocess.Popen([sys.executable, "-c", pin + "while True: pass"], start_new_session=True)
        for _ in range(loops or 2 * (os.cpu_count() or 1))
    ]
    try:
        time.sleep(0.5)  # all of them running before the grading starts
        yield
    finally:
        for loop in started:
            loop.kill()
        for loop in started:
            loop.wait()


def assert_graded_in_full(result: JobRun) -> None:
    """Every case of ``WORKING`` passed on the machine's load, and the load was real:
    a wall-clock limit of 1 s would have ended at least one of them."""
    assert [(c.status, c.value) for c in result.cases.values()] == [
        ("ok", {"y": 2 * x}) for x in (1, 2, 3)
    ], result.cases
    assert result.rerun == []
    assert all(0.7 <= c.cpu_seconds < 1.0 for c in result.cases.values())
    assert max(c.seconds for c in result.cases.values()) > 1.0, "the busy loops did not slow the cases down"


@pytest.fixture
def idle(monkeypatch):
    """The machine counts as idle, whatever the other tests here do to it."""
    monkeypatch.setattr(load, "busy", lambda: False)


@pytest.fixture
def busy(monkeypatch):
    monkeypatch.setattr(load, "busy", lambda: True)


def test_a_case_that_computes_past_its_cpu_limit_ends_there(tmp_path, idle):
    result = run(tmp_path, SPIN_FIRST)
    first, second = result.cases.values()
    assert (first.status, first.limit, first.stage) == ("timeout", "cpu", "case")
    assert 0.5 <= first.cpu_seconds < 1.0
    assert (second.status, second.value, second.limit) == ("ok", {"y": 2}, "")
    assert result.rerun == []  # an idle machine, and not every case timed out
    message = timeout_message(cases_of(CASES)["f/first"], first)
    assert message.startswith("Zeitlimit (CPU-Zeit 0.5 s) überschritten")


def test_cpu_time_spent_in_a_child_process_counts_too(tmp_path, idle):
    source = """
    import os
    def f(x):
        pid = os.fork()
        if pid == 0:
            while True:
                pass
        os.waitpid(pid, 0)  # the case process itself uses no CPU while it waits
    """
    result = run(tmp_path, source)
    for case in result.cases.values():
        assert (case.status, case.limit) == ("timeout", "cpu")
        assert case.seconds < api.wall_limit(0.5)


def test_a_case_that_waits_ends_at_the_wall_clock_backstop(tmp_path, idle, monkeypatch):
    monkeypatch.setattr(api, "WALL_SLACK", 0.5)  # 3 x 0.5 s + 0.5 s: a backstop of 2 s
    result = run(tmp_path, "import time\ndef f(x):\n    time.sleep(60 * (x == 1))\n    return x\n")
    first, second = result.cases.values()
    assert (first.status, first.limit) == ("timeout", "wall")
    assert 2.0 <= first.seconds < 4.0 and first.cpu_seconds < 0.5
    assert second.status == "ok"
    message = timeout_message(cases_of(CASES)["f/first"], first)
    assert message.startswith("Wanduhr-Limit von 2 s überschritten") and "0.5 s CPU-Zeit" in message


def test_a_correct_submission_passes_in_full_on_a_busy_machine(tmp_path):
    with loaded_machine():
        result = run(tmp_path, WORKING, WORKING_CASES)
    assert_graded_in_full(result)


def test_the_time_a_case_waits_for_a_cpu_does_not_count_on_the_wall_clock(tmp_path, idle, monkeypatch):
    # A backstop of 0.6 s for a CPU limit of 1 s; the case computes 0.3 s on one core that it
    # shares with four busy loops, so it takes about 1.1 s (measured: 0.9-1.2 s): only because
    # the time it waited for that core (``/proc/PID/schedstat``) does not count does it finish,
    # before the latest end of 1.8 s.
    monkeypatch.setattr(api, "WALL_FACTOR", 0.6)
    monkeypatch.setattr(api, "WALL_SLACK", 0.0)
    core = min(os.sched_getaffinity(0))
    source = f"import os\nos.sched_setaffinity(0, {{{core}}})\n" + WORKING.replace("< 0.7", "< 0.3")
    with loaded_machine(loops=4, core=core):
        result = run(tmp_path, source, WORKING_CASES)
    assert [c.status for c in result.cases.values()] == ["ok"] * 3, result.cases
    assert all(c.seconds > 0.6 for c in result.cases.values()), "the busy loops did not slow the cases down"


def test_a_timeout_that_the_second_run_does_not_confirm_is_no_timeout(tmp_path, busy):
    # The case spins only the first time: the marker is a file of the host, reachable
    # only from the process sandbox without bubblewrap.
    marker = tmp_path / "ran-once"
    source = f"""
    import os
    def f(x):
        if x == 1 and not os.path.exists({str(marker)!r}):
            open({str(marker)!r}, "w").close()
            while True:
                pass
        return x
    """
    result = run(tmp_path, source, bubblewrap=False)
    first, second = result.cases.values()
    assert marker.exists(), "the first run did not spin"
    assert (first.status, first.value, first.limit) == ("ok", {"y": 1}, "")
    assert second.value == {"y": 2}
    assert result.rerun == ["f/first"]


def test_a_timeout_confirmed_by_the_second_run_stands(tmp_path, busy):
    result = run(tmp_path, SPIN_FIRST)
    first, second = result.cases.values()
    assert (first.status, first.limit, second.status) == ("timeout", "cpu", "ok")
    assert result.rerun == ["f/first"]


def test_a_submission_whose_every_case_timed_out_is_run_again_even_on_an_idle_machine(tmp_path, idle):
    result = run(tmp_path, "def f(x):\n    while True:\n        pass\n")
    assert [(c.status, c.limit) for c in result.cases.values()] == [("timeout", "cpu")] * 2
    assert result.rerun == ["f/first", "f/second"]


def test_a_hang_at_import_is_confirmed_by_one_case_for_all(tmp_path, idle):
    result = run(tmp_path, "while True:\n    pass\n\ndef f(x):\n    return x\n")
    assert [(c.status, c.stage, c.limit) for c in result.cases.values()] == [("timeout", "import", "cpu")] * 2
    assert result.rerun == ["f/first"]


def test_an_import_that_ends_the_second_time_runs_every_case_again(tmp_path, idle):
    counter = tmp_path / "imports"
    source = f"""
    with open({str(counter)!r}, "a") as handle:
        handle.write("x")
    with open({str(counter)!r}) as handle:
        while len(handle.read()) <= 2:  # the first run of both cases hangs in the import
            pass
    def f(x):
        return x
    """
    result = run(tmp_path, source, bubblewrap=False)
    assert [(c.status, c.value) for c in result.cases.values()] == [("ok", {"y": 1}), ("ok", {"y": 2})]
    assert result.rerun == ["f/first", "f/second"]
    assert counter.read_text() == "xxxx"


def test_which_verdicts_a_second_run_must_confirm():
    def runs(*statuses: RunStatus) -> dict[str, CaseRun]:
        return {f"f/{i}": CaseRun(f"f/{i}", status) for i, status in enumerate(statuses)}

    mixed = runs(RunStatus.OK, RunStatus.TIMEOUT, RunStatus.EXCEPTION)
    assert to_confirm(mixed, busy=False) == []
    assert to_confirm(mixed, busy=True) == ["f/1"]
    assert to_confirm(runs(RunStatus.TIMEOUT, RunStatus.TIMEOUT), busy=False) == ["f/0", "f/1"]
    assert to_confirm(runs(RunStatus.OK, RunStatus.SANDBOX), busy=False) == ["f/1"]


def test_the_result_of_a_case_says_which_limit_ended_it(tmp_path):
    assignment = assignments.load(1)
    folder = tmp_path / "abgabe"
    folder.mkdir()
    (folder / "perceptron.py").write_text((assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text())

    class Ended:
        """Sandboxes whose first case ran out of CPU time and whose second waited too long."""

        name = "test"

        def execute(self, job: Job) -> JobRun:
            limits = iter(["cpu", "wall"])
            return JobRun(
                {name: CaseRun(name, RunStatus.TIMEOUT, stage="case", limit=next(limits, "cpu")) for name in job.timeouts},
                {},
            )

    submission = open_submission(folder, assignment.module, tmp_path / "work")
    result = grade_submission(assignment, expected_for(assignment), Ended(), submission)
    first, second = result.cases[:2]
    assert (first.status, first.limit, second.limit) == ("timeout", "cpu", "wall")
    assert first.message.startswith("Zeitlimit (CPU-Zeit") and second.message.startswith("Wanduhr-Limit")
    assert result.to_json()["cases"][1]["limit"] == "wall"
