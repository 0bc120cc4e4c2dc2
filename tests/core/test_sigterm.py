"""SIGTERM (a job scheduler's stop, ``kill``) ends ``grader`` as Ctrl-C does, whatever its sandbox."""

import json
import signal
import subprocess
import sys
import time

from grader.cases import assignment as assignments

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
SLOW = REFERENCE.replace("def train(", "def _train(") + (
    "\nimport time\n\ndef train(X, T, w0, max_epochs=100):\n    time.sleep(3)\n    return _train(X, T, w0, max_epochs)\n"
)


def test_sigterm_ends_a_run_like_ctrl_c_with_what_was_graded_kept(tmp_path):
    subs = tmp_path / "subs"
    for name, code in (("aa-quick", REFERENCE), ("zz-slow", SLOW)):
        (subs / name).mkdir(parents=True)
        (subs / name / "perceptron.py").write_text(code)
    out = tmp_path / "out"
    grader = subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "run", "--aufgabe", "1", str(subs), "--out", str(out),
         "--sandbox", "process", "--jobs", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    end = time.monotonic() + 120
    while not list((out / "submissions").glob("*.json")) and time.monotonic() < end:
        time.sleep(0.05)
    grader.send_signal(signal.SIGTERM)
    _, stderr = grader.communicate(timeout=60)
    assert grader.returncode == 130, stderr.decode()
    assert "unvollständig: 1 von 2 bewertet" in stderr.decode(), stderr.decode()
    assert json.loads((out / "results.json").read_text())["complete"] is False
