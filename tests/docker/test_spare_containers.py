"""Containers started ahead (spares): used for the next submission, removed at the end."""

import os
import textwrap
import time

from dockertools import leftover_containers, make_job

from grader.backends.session import run_job

CASES = textwrap.dedent(
    """
    from harness.api import case

    @case("f/first", timeout=10)
    def first(m, ctx):
        # When the harness (PID 1 of the container) started, in clock ticks since boot.
        with open("/proc/1/stat") as stat:
            started = int(stat.read().rsplit(")", 1)[1].split()[19])
        return {"y": m.f(1), "started": started}
    """
)


def uptime_ticks() -> int:
    with open("/proc/uptime") as uptime:
        return int(float(uptime.read().split()[0]) * os.sysconf("SC_CLK_TCK"))


def wait_for_spares(backend, count: int) -> list:
    deadline = time.monotonic() + 60
    while len(backend.spares.waiting()) < count:
        assert time.monotonic() < deadline, "no spare became ready"
        time.sleep(0.05)
    return backend.spares.waiting()


def first_case(backend, job):
    run = run_job(backend, job).cases["f/first"]
    assert run.status == "ok", run
    return run.value


def test_a_spare_container_grades_the_next_submission(backend, client, tmp_path):
    backend.reserve(1)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first_case(backend, make_job(tmp_path / "a", "good", CASES))
    (spare,) = wait_for_spares(backend, 1)
    assert list(spare.submission.iterdir()) == []  # no submission has been in it
    time.sleep(0.2)
    before = uptime_ticks()
    value = first_case(backend, make_job(tmp_path / "b", "good", CASES))
    assert value["y"] == 2  # the submission copied in after the start is the one graded
    assert value["started"] < before  # by a harness started before the job came


def test_used_containers_go_in_the_background_and_close_removes_spares(client, sandbox_image, tmp_path):
    from grader.backends.docker import DockerBackend

    backend = DockerBackend(client, sandbox_image)
    try:
        backend.reserve(2)
        first_case(backend, make_job(tmp_path, "good", CASES))
        spares = wait_for_spares(backend, 2)
        deadline = time.monotonic() + 30
        # The graded container is removed without the job waiting for it.
        while len(leftover_containers(client)) > 2:
            assert time.monotonic() < deadline, "the used container stayed"
            time.sleep(0.1)
        assert sorted(leftover_containers(client)) == sorted(s.channel.container.id for s in spares)
    finally:
        backend.close()
    assert leftover_containers(client) == []
    assert not any(s.submission.exists() for s in spares)
