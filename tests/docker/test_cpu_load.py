"""A correct submission graded in containers while the machine is busy passes in full (issue 24.7).

The same submission and load as ``tests/core/test_cpu_limits.py``, in the docker sandbox:
its cases are limited by their CPU time, which the busy loops beside them do not change.
"""

from grader.backends.session import run_job
from tests.core.test_cpu_limits import WORKING, WORKING_CASES, assert_graded_in_full, job_for, loaded_machine


def test_a_correct_submission_passes_in_full_in_docker_on_a_busy_machine(backend, tmp_path):
    job = job_for(tmp_path, WORKING, WORKING_CASES)
    with loaded_machine():
        result = run_job(backend, job)
    assert_graded_in_full(result)
