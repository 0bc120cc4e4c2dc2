"""No container outlives its grader: timeouts, exceptions, Ctrl-C, SIGTERM, SIGKILL."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import pytest
from dockertools import leftover_containers, make_job

from grader.backends import session
from grader.backends.docker import WORKDIR_LABEL, DockerBackend
from grader.backends.session import run_job

GRADER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from grader.backends.base import Job
    from grader.backends.docker import WORKDIR_LABEL, DockerBackend
    from grader.backends.session import run_job

    cases = '''
    from harness.api import case

    @case("f/first", timeout=120)
    def first(m, ctx):
        return m.f(1)
    '''
    job = Job(Path(sys.argv[1]), "student", cases, {"f/first": 120.0})
    run_job(DockerBackend(image=sys.argv[2]), job)
    """
)


def containers_of(client, pid: int) -> list[str]:
    return leftover_containers(client, f"{socket.gethostname()}:{pid}")


def start_grader(tmp_path, sandbox_image, client):
    """A grader process busy with an endless loop, once its container runs."""
    job = make_job(tmp_path, "endless_loop")
    process = subprocess.Popen(
        [sys.executable, "-c", GRADER, str(job.submission), sandbox_image],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    wait_for_container(process, client)
    return process


def wait_for_container(process, client) -> None:
    deadline = time.monotonic() + 60
    while not containers_of(client, process.pid):
        assert process.poll() is None, "the grader ended before it started a container"
        assert time.monotonic() < deadline, "no container appeared"
        time.sleep(0.1)


def wait_for_import(process, client) -> None:
    """Until a case in a container of ``process`` imports the submission (its marker
    ``importing`` is in the case's folder): the grader waits on that container."""
    deadline = time.monotonic() + 60
    while not any(_importing(client, container) for container in containers_of(client, process.pid)):
        assert process.poll() is None, "the grader ended before the submission ran"
        assert time.monotonic() < deadline, "no case imported the submission"
        time.sleep(0.1)


def _importing(client, container: str) -> bool:
    try:
        return client.containers.get(container).exec_run(["sh", "-c", "ls /tmp/case-*/importing"]).exit_code == 0
    except docker.errors.APIError:  # the container ended meanwhile
        return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_end_the_grader_and_remove_the_container(client, sandbox_image, tmp_path, signum):
    (tmp_path / "perceptron.py").write_text("open('importing', 'w').close()\nwhile True:\n    pass\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "check", "--aufgabe", "1", str(tmp_path), "--sandbox", "docker"],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    wait_for_import(process, client)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and "Abgebrochen" in stderr.decode(), stderr.decode()
    assert containers_of(client, process.pid) == []


def test_after_sigkill_the_next_grader_removes_the_orphan(client, sandbox_image, tmp_path):
    process = start_grader(tmp_path, sandbox_image, client)
    process.kill()
    process.wait()
    orphans = containers_of(client, process.pid)
    assert orphans != []  # SIGKILL cannot clean up
    workdir = Path(client.api.inspect_container(orphans[0])["Config"]["Labels"][WORKDIR_LABEL])
    assert workdir.is_dir()
    DockerBackend(client, sandbox_image).close()
    assert containers_of(client, process.pid) == []
    assert not workdir.exists()


def test_exception_in_the_grader_removes_the_container(backend, client, tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("bug in the grader")

    monkeypatch.setattr(session.validate, "case_run", broken)
    with pytest.raises(RuntimeError):
        run_job(backend, make_job(tmp_path, "good"))
    assert leftover_containers(client) == []


def test_parallel_jobs_do_not_disturb_each_other(backend, client, tmp_path):
    attacks = ["memory_bomb", "fork_bomb", "good", "stdout_flood"]
    jobs = [make_job(tmp_path, name, memory=256 << 20, pids=32) for name in attacks]
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: run_job(backend, job), jobs))
    first = [r.cases["f/first"].status for r in results]
    assert first == ["oom", "pids", "ok", "ok"]
    assert all(r.cases["f/second"].value == {"y": 4} for r in results)


def test_closing_the_backend_ends_running_jobs_at_once(client, sandbox_image, tmp_path):
    """What the CLI does on Ctrl-C with --jobs: workers stop instead of starting new containers."""
    backend = DockerBackend(client, sandbox_image)
    jobs = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        jobs.append(make_job(tmp_path / str(i), "sleep"))
    for job in jobs:
        job.timeouts = {name: 120.0 for name in job.timeouts}
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(run_job, backend, job) for job in jobs]
        deadline = time.monotonic() + 30
        while len(leftover_containers(client)) < len(jobs):
            assert time.monotonic() < deadline, "the containers did not start"
            time.sleep(0.1)
        started = time.monotonic()
        backend.close()
        results = [future.result(timeout=30) for future in futures]
    assert time.monotonic() - started < 10
    for result in results:
        assert [case.status for case in result.cases.values()] == ["sandbox", "sandbox"]
    assert leftover_containers(client) == []
