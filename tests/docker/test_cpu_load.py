"""A correct submission graded in containers while the machine is busy passes in full (issue 24.7).

The same submission as ``tests/core/test_cpu_limits.py``, in the docker sandbox: its cases are
limited by their CPU time, which the busy loops beside them do not change. The loads run in
containers too: the kernel shares CPU between cgroups first, so loops in the test's own cgroup
would leave the sandbox's container a whole core and slow nothing.
"""

import contextlib
import os

from grader.backends.session import run_job
from tests.core.test_cpu_limits import WORKING, WORKING_CASES, assert_graded_in_full, job_for


@contextlib.contextmanager
def loaded_containers(client, image: str):
    """Two busy containers per core, removed afterwards whatever happens."""
    started = []
    try:
        for _ in range(2 * (os.cpu_count() or 1)):
            started.append(client.containers.run(
                image, ["python3", "-c", "while True: pass"], detach=True, network_mode="none", labels={"gnn-test": "load"}
            ))
        yield
    finally:
        for container in started:
            container.remove(force=True)


def test_a_correct_submission_passes_in_full_in_docker_on_a_busy_machine(backend, client, sandbox_image, tmp_path):
    job = job_for(tmp_path, WORKING, WORKING_CASES)
    with loaded_containers(client, sandbox_image):
        result = run_job(backend, job)
    assert_graded_in_full(result)
