"""The worker's side of a task, without a scheduler: its temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from grader.backends import tempdirs

WORKER = textwrap.dedent(
    """
    import sys, time, types
    from pathlib import Path
    from grader.backends.base import Job
    from grader.cluster import wire, worker

    worker.get_worker = lambda: types.SimpleNamespace(state=types.SimpleNamespace(nthreads=1))
    worker._backend = types.SimpleNamespace(reserve=lambda count: None)

    def run_job(backend, job):
        print(job.submission.parent, flush=True)
        time.sleep(600)

    worker.run_job = run_job
    worker.run_remote(Job(None, "perceptron", "", {}), wire.pack_handin(Path(sys.argv[1])))
    """
)


def test_what_a_killed_worker_unpacked_is_swept_by_the_next_grader(tmp_path):
    handin = tmp_path / "abgabe"
    handin.mkdir()
    (handin / "perceptron.py").write_text("def f(x):\n    return x\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(handin)], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, TMPDIR=str(tmp)),
    )
    work = Path(worker.stdout.readline().strip())
    worker.stdout.close()
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert work.parent == tmp and (work / "submission" / "perceptron.py").is_file()
    assert work.stat().st_mode & 0o077 == 0  # students' work: the grader's user alone
    assert tempdirs.sweep(tmp) == [work]
    assert not work.exists()
