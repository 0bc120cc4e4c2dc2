"""Nothing lost: results stored as graded, reruns resume, Ctrl-C and SIGKILL of the grader."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.backends.process import ProcessBackend
from grader.cases import assignment as assignments
from grader.engine.batch import run

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
SLOW = REFERENCE.replace("def train(", "def _train(") + (
    "\nimport time\n\ndef train(X, T, w0, max_epochs=100):\n    if len(X) == 2:\n"
    "        open('slow-running', 'w').close()  # in the case's own folder: its cwd names it\n"
    "        time.sleep(2)\n    return _train(X, T, w0, max_epochs)\n"
)


def make_class(root: Path, slow: int = 0, good: int = 3) -> Path:
    for i in range(good):
        (root / f"good{i}").mkdir(parents=True)
        (root / f"good{i}" / "perceptron.py").write_text(REFERENCE)
    for i in range(slow):
        (root / f"slow{i}").mkdir(parents=True)
        (root / f"slow{i}" / "perceptron.py").write_text(SLOW)
    return root


def comparable(out: Path) -> list:
    data = json.loads((out / "results.json").read_text())
    return sorted(
        (s["id"], s["status"], s["score"], s["passed"], tuple((c["name"], c["status"], c["message"]) for c in s["cases"]))
        for s in data["submissions"]
    )


def test_rerun_skips_unchanged_and_regrades_changed(tmp_path):
    subs = make_class(tmp_path / "subs")
    out = tmp_path / "out"
    messages = []
    first = run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=messages.append)
    (subs / "good1" / "perceptron.py").write_text(REFERENCE.replace("w = w + (", "w = w - ("))
    second = run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=messages.append)
    assert any("2 Abgaben unverändert" in m for m in messages), messages
    by_id = {s.id: s for s in second.submissions}
    assert by_id["good0"].graded_at == first.submissions[0].graded_at
    assert by_id["good1"].score < by_id["good0"].score
    third = run(aufgabe=1, submissions=subs, out=out, sandbox="process", regrade=True, log=messages.append)
    assert all(s.graded_at >= by_id["good0"].graded_at for s in third.submissions)



KILLS_ITS_SANDBOX = REFERENCE.replace("def train(", "def _train(") + (
    "\nimport os, signal\n\ndef train(X, T, w0, max_epochs=100):\n    if len(X) == 2:\n"
    "        os.kill(os.getppid(), signal.SIGKILL)  # the harness: as if the sandbox failed\n"
    "    return _train(X, T, w0, max_epochs)\n"
)


class HarnessOutOfReach(ProcessBackend):
    """As in docker, a harness that no case can end: when it ends, the sandbox failed.
    (Where a case can end it, that is the case's verdict: tests/core/test_attacks_round2.py.)"""

    cases_reach_harness = False


def test_a_result_whose_sandbox_failed_is_reported_but_graded_again_by_the_next_run(tmp_path):
    subs = make_class(tmp_path / "subs", good=1)
    (subs / "lost").mkdir()
    (subs / "lost" / "perceptron.py").write_text(KILLS_ITS_SANDBOX)
    out = tmp_path / "out"
    messages = []
    first = {s.id: s for s in run(aufgabe=1, submissions=subs, out=out, sandbox=HarnessOutOfReach(), log=messages.append).submissions}
    assert first["lost"].sandbox_failed and not first["good0"].sandbox_failed
    assert any(c.status == "error" for c in first["lost"].cases)
    assert any(m.startswith("lost: die Sandbox fiel aus") for m in messages), messages
    stored = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
    assert stored["lost"]["sandbox_failed"] is True and stored["good0"]["sandbox_failed"] is False
    messages.clear()
    second = {s.id: s for s in run(aufgabe=1, submissions=subs, out=out, sandbox=HarnessOutOfReach(), log=messages.append).submissions}
    assert any("1 Abgabe unverändert" in m for m in messages), messages
    assert second["good0"].graded_at == first["good0"].graded_at
    assert any(m.startswith("lost: die Sandbox fiel aus") for m in messages), messages

def test_corrupt_stored_result_is_graded_again(tmp_path):
    subs = make_class(tmp_path / "subs", good=1)
    out = tmp_path / "out"
    run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=lambda m: None)
    (out / "submissions" / "good0.json").write_text("{ not json")
    result = run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=lambda m: None)
    assert result.submissions[0].passed


def grader_process(subs: Path, out: Path, tmp: Path | None = None) -> subprocess.Popen:
    """``grader run`` as a process; its sandboxes live under ``tmp`` (to find leftovers)."""
    env = dict(os.environ)
    if tmp is not None:
        tmp.mkdir()
        env["TMPDIR"] = str(tmp)
    return subprocess.Popen(
        [sys.executable, "-m", "grader.cli", "run", "--aufgabe", "1", str(subs), "--out", str(out), "--sandbox", "process", "--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of ``pid``; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root``: pid -> start time (so that a reused pid is not taken for it)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        found = _stat(int(entry.name))
        if found is not None:
            children.setdefault(found[0], []).append((int(entry.name), found[1]))
    below, todo = {}, [root]
    while todo:
        for pid, start in children.get(todo.pop(), []):
            below[pid] = start
            todo.append(pid)
    return below


def in_a_case(pid: int) -> bool:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd")).name.startswith("case-")
    except OSError:
        return False


def alive(processes: dict[int, str]) -> list[int]:
    return [pid for pid, start in processes.items() if (found := _stat(pid)) is not None and found[1] == start]


def wait_for_results(out: Path, count: int, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if len(list((out / "submissions").glob("*.json"))) >= count:
            return
        time.sleep(0.05)
    raise AssertionError("the grader stored nothing in time")


def test_sigkill_mid_batch_then_rerun_equals_an_uninterrupted_run(tmp_path):
    subs = make_class(tmp_path / "subs", slow=2, good=2)
    clean = tmp_path / "clean"
    run(aufgabe=1, submissions=subs, out=clean, sandbox="process", log=lambda m: None)
    out = tmp_path / "out"
    process = grader_process(subs, out)
    wait_for_results(out, 1)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    stored = len(list((out / "submissions").glob("*.json")))
    assert 1 <= stored < 4
    run(aufgabe=1, submissions=subs, out=out, sandbox="process", log=lambda m: None)
    assert comparable(out) == comparable(clean)


def test_ctrl_c_keeps_what_was_graded_and_leaves_no_process(tmp_path):
    subs = make_class(tmp_path / "subs", slow=3, good=1)
    out = tmp_path / "out"
    process = grader_process(subs, out, tmp_path / "tmp")
    wait_for_results(out, 1)  # good0 is graded: with --jobs 1 every case running from now on is a slow one's
    deadline = time.monotonic() + 60
    # The sandbox's folders are its own (a tmpfs in its mount namespace): a case is seen by its cwd.
    while not (running := {pid: start for pid, start in descendants(process.pid).items() if in_a_case(pid)}):
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "no slow submission started"
        time.sleep(0.05)
    started = descendants(process.pid)  # the sandboxes and the case running in one
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr.decode()
    assert "Abgebrochen" in stderr.decode()
    # A sandbox's holder (pid 1 of its namespace) ends a moment after its bubblewrap was killed.
    deadline = time.monotonic() + 5
    while alive(started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running and not alive(started), "a process of the grader outlived Ctrl-C"
    assert not list((tmp_path / "tmp").glob("gnn-sandbox-*")), "a sandbox folder was left behind"
    data = json.loads((out / "results.json").read_text())
    assert 1 <= len(data["submissions"]) < 4
    assert all(s["status"] == "graded" and s["passed"] == (s["id"].startswith("good")) or s["id"].startswith("slow") for s in data["submissions"])
