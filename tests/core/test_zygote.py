"""The process sandbox's zygote: harnesses forked from one warm parent."""

import json
import os
import signal
import socket
import textwrap
import time
import types
from pathlib import Path

import pytest

from grader.backends import bwrap, process
from grader.backends.base import Job, Limits
from grader.backends.bwrap import unavailable_reason
from grader.backends.process import ProcessBackend, Zygote, zygote_for
from grader.backends.session import run_job
from harness import reaper
from harness.api import collect

CASES = textwrap.dedent(
    """
    import os
    from harness.api import case

    @case("f/one", timeout=10)
    def one(m, ctx):
        harness = os.getppid()
        with open(f"/proc/{harness}/stat") as stat:
            harness_parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        return {
            "y": m.f(2),
            "harness_parent": harness_parent,
            "environment": sorted(os.environ),
            "home": os.environ.get("HOME", ""),
        }
    """
)


def job(folder: Path, body: str = "def f(x):\n    return x * 3\n") -> Job:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "student.py").write_text(body)
    module = types.ModuleType("cases")
    exec(CASES, module.__dict__)
    return Job(folder, "student", CASES, {c.name: c.timeout for c in collect(module)})


def value(a_job: Job, bubblewrap: bool = False) -> dict:
    backend = ProcessBackend(isolate_network=False, bubblewrap=bubblewrap)
    try:
        run = run_job(backend, a_job).cases["f/one"]
    finally:
        backend.close()
    assert run.status == "ok", run
    return run.value


def test_a_harness_is_forked_from_the_zygote_with_its_own_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GNN_GRADER_SECRET", "not for students")
    got = value(job(tmp_path / "a"))
    assert got["y"] == 6
    assert got["harness_parent"] == zygote_for(False).popen.pid
    assert "GNN_GRADER_SECRET" not in got["environment"]
    assert "/gnn-sandbox-" in got["home"]  # the sandbox's own folder, not the zygote's


@pytest.mark.skipif(bool(unavailable_reason(process.HARNESS_PARENT)), reason="no bubblewrap here")
def test_a_harness_in_bubblewrap_is_forked_from_the_zygote_but_cannot_see_it(tmp_path):
    backend = ProcessBackend(isolate_network=False, bubblewrap=True)
    spare = backend._start((Limits(), False))
    with open(f"/proc/{spare.channel.popen.pid}/stat") as stat:
        assert int(stat.read().rsplit(")", 1)[1].split()[1]) == zygote_for(False).popen.pid
    spare.channel.close()
    backend.close()
    got = value(job(tmp_path / "a"), bubblewrap=True)
    assert got["y"] == 6
    assert got["harness_parent"] == 0  # outside the sandbox's pid namespace
    assert "GNN_GRADER_SECRET" not in got["environment"]


def test_the_exit_of_a_forked_harness_is_reported(tmp_path):
    backend = ProcessBackend(isolate_network=False)
    spare = backend._start((Limits(), False))
    assert isinstance(spare.channel.popen, process.ForkedHarness)
    info = spare.channel.close()
    assert info.exit_code == -signal.SIGKILL
    backend.close()


def test_a_killed_zygote_is_replaced_and_grading_goes_on(tmp_path):
    first = zygote_for(False)
    os.kill(first.popen.pid, signal.SIGKILL)
    first.popen.wait()
    got = value(job(tmp_path / "a"))
    assert got["y"] == 6
    second = zygote_for(False)
    assert second is not first and got["harness_parent"] == second.popen.pid


def test_without_a_zygote_the_harness_is_started_directly(tmp_path, monkeypatch):
    def broken(warm_pyplot):
        raise OSError("no zygote")

    monkeypatch.setattr(process, "zygote_for", broken)
    got = value(job(tmp_path / "a"))
    assert got["y"] == 6
    assert got["harness_parent"] == os.getpid()  # started by this process itself


@pytest.mark.skipif(bool(unavailable_reason(process.HARNESS_PARENT)), reason="no bubblewrap here")
def test_without_a_zygote_bubblewrap_starts_the_harness_itself(tmp_path, monkeypatch):
    def broken(warm_pyplot):
        raise OSError("no zygote")

    monkeypatch.setattr(process, "zygote_for", broken)
    got = value(job(tmp_path / "a"), bubblewrap=True)
    assert got["y"] == 6
    assert got["harness_parent"] == 0  # pid 1 of the sandbox: no bubblewrap inside to reach


def test_a_zygote_ends_when_its_socket_is_closed():
    zygote = Zygote(False)
    started = time.monotonic()
    zygote.stop()
    assert zygote.popen.returncode == 0
    assert time.monotonic() - started < 5


@pytest.mark.skipif(bool(unavailable_reason(process.HARNESS_PARENT)), reason="no bubblewrap here")
def test_a_harness_in_bubblewrap_killed_first_is_reported_as_killed(tmp_path):
    backend = ProcessBackend(isolate_network=False, bubblewrap=True)
    spare = backend._start((Limits(), False))
    harness = []
    for _ in range(500):  # until the relay has forked the harness inside
        harness = reaper.descendants(spare.channel.popen.pid)
        if harness:
            break
        time.sleep(0.01)
    os.kill(harness[0], signal.SIGKILL)
    info = spare.channel.close()
    backend.close()
    assert info.exit_code == -signal.SIGKILL  # the relay ends as its harness did


@pytest.mark.skipif(bool(unavailable_reason(process.HARNESS_PARENT)), reason="no bubblewrap here")
def test_a_fork_that_fails_after_bubblewrap_started_ends_that_bubblewrap(tmp_path, monkeypatch):
    from harness import namespaces, zygote

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(zygote.os, "fork", no_fork)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pipes = [os.pipe() for _ in range(3)]
    sandbox = bwrap.arguments(tmp_path, 1 << 20, [], process.HARNESS_PARENT)
    request = {"request": 1, "cwd": str(tmp_path), "env": {}, "options": [], "bwrap": [*sandbox, *bwrap.HOLD]}
    socket.send_fds(ours, [json.dumps(request).encode()], [pipes[0][0], pipes[1][1], pipes[2][1]])
    before = set(namespaces.started)
    try:
        assert zygote._serve(theirs, (-1, -1), {}) is True  # it goes on serving
        (holder,) = namespaces.started - before
        assert "error" in json.loads(ours.recv(1 << 16))
        for _ in range(500):  # its bubblewrap ends once released
            if os.waitpid(holder, os.WNOHANG)[0]:
                namespaces.started.discard(holder)
                break
            time.sleep(0.01)
        else:
            pytest.fail("the bubblewrap of the failed fork still runs")
    finally:
        for pid in namespaces.started - before:
            namespaces._end(pid)
        ours.close()
        theirs.close()
        for fd in sum(pipes, ()):
            os.close(fd)
