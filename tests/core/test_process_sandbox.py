"""The process sandbox and the session, driven by submissions that misbehave."""

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from grader.backends import session
from grader.backends.base import ExitInfo, Job, Limits
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job
from harness import protocol
from harness.api import latest_end, wall_limit

CASES = textwrap.dedent(
    """
    from harness.api import case

    @case("f/first", timeout=3)
    def first(m, ctx):
        return {"y": m.f(1)}

    @case("f/second", timeout=3)
    def second(m, ctx):
        return {"y": m.f(2)}
    """
)
QUICK_CASES = CASES.replace("timeout=3", "timeout=1")


def run(tmp_path: Path, source: str, cases: str = CASES, **limits):
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "student.py").write_text(textwrap.dedent(source))
    import types

    from harness.api import collect

    module = types.ModuleType("c")
    exec(cases, module.__dict__)
    job = Job(folder, "student", cases, {c.name: c.timeout for c in collect(module)}, limits=Limits(**limits))
    return run_job(ProcessBackend(), job)


def test_good_submission_returns_values_and_output(tmp_path):
    result = run(tmp_path, "def f(x):\n    print('hallo', x)\n    return x * 2\n")
    first, second = result.cases.values()
    assert (first.status, first.value, first.stdout) == ("ok", {"y": 2}, "hallo 1\n")
    assert second.value == {"y": 4}
    assert result.versions["numpy"]


def test_syntax_error_is_an_exception_at_import(tmp_path):
    result = run(tmp_path, "def f(x)\n    return x\n")
    for case in result.cases.values():
        assert (case.status, case.exception, case.stage) == ("exception", "SyntaxError", "import")
        assert "student.py" in case.traceback


def test_sys_exit_and_keyboard_interrupt_are_caught(tmp_path):
    result = run(tmp_path, "import sys\ndef f(x):\n    if x == 1:\n        sys.exit(0)\n    raise KeyboardInterrupt\n")
    first, second = result.cases.values()
    assert (first.status, first.exception, first.stage) == ("exception", "SystemExit", "case")
    assert (second.status, second.exception) == ("exception", "KeyboardInterrupt")


def test_os_exit_at_import_gives_no_result_with_exit_code(tmp_path):
    result = run(tmp_path, "import os\nos._exit(0)\n")
    for case in result.cases.values():
        assert (case.status, case.exit_code) == ("no-result", 0)


def test_endless_loop_times_out_and_the_next_case_still_runs(tmp_path):
    start = time.monotonic()
    result = run(tmp_path, "def f(x):\n    while x == 1:\n        pass\n    return x\n")
    first, second = result.cases.values()
    # Its CPU time ended it; on a busy machine the wall clock shows more, and a second run confirms it.
    assert (first.status, first.limit) == ("timeout", "cpu") and 3 <= first.cpu_seconds < 3.5
    assert (second.status, second.value) == ("ok", {"y": 2})
    assert time.monotonic() - start < (latest_end(wall_limit(3)) + 5) * (1 + len(result.rerun))


def test_sleep_is_a_timeout_too(tmp_path):
    result = run(tmp_path, "import time\ndef f(x):\n    time.sleep(60 * (x == 1))\n    return x\n", QUICK_CASES)
    first, second = result.cases.values()
    assert (first.status, first.limit, second.status) == ("timeout", "wall", "ok")


def test_child_ignoring_sigterm_does_not_outlive_its_case(tmp_path):
    # The first case leaves a detached grandchild that ignores SIGTERM and says it runs;
    # the second case, which starts only after the first one's clean-up, looks for it.
    name = f"gnn-{os.urandom(4).hex()}"
    source = f"""
    import ctypes, os, signal, time
    NAME = {name!r}

    def named():
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{{pid}}/comm") as comm:
                    if comm.read().strip() == NAME:
                        found.append(int(pid))
            except OSError:
                pass
        return found

    def f(x):
        if x == 2:
            return len(named())
        up, say_up = os.pipe()
        if os.fork() == 0:
            os.setsid()
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, NAME.encode(), 0, 0, 0)  # PR_SET_NAME
                os.write(say_up, b"up")
                end = time.monotonic() + 60  # bounded, should the sandbox fail to end it
                while time.monotonic() < end:
                    time.sleep(0.05)
            os._exit(0)
        os.close(say_up)
        return os.read(up, 2).decode() + str(len(named()))
    """
    result = run(tmp_path, source)
    first, second = result.cases.values()
    assert (first.status, first.value) == ("ok", {"y": "up1"}), first  # it ran, and the look finds it
    assert (second.status, second.value) == ("ok", {"y": 0}), "a process of the first case is still running"


def test_flood_of_stdout_is_read_to_the_end_and_only_its_ends_kept(tmp_path):
    source = "import sys\ndef f(x):\n    for _ in range(512):\n        sys.stdout.write('x' * 65535 + '.')\n    print('ende')\n    return x\n"
    result = run(tmp_path, source)
    first = result.cases["f/first"]
    assert (first.status, first.value) == ("ok", {"y": 1})
    assert len(first.stdout) <= 21 * 1024 and first.stdout.endswith(".ende\n")
    # Every byte was counted: all but the 20 KiB kept are said to be left out.
    assert f"\n… {(32 << 20) + 5 - 20 * 1024} Bytes Ausgabe ausgelassen …\n" in first.stdout


def test_memory_bomb_is_stopped(tmp_path):
    result = run(tmp_path, "def f(x):\n    return len(bytearray(2 << 30))\n", memory=256 << 20)
    first = result.cases["f/first"]
    assert (first.status, first.exception) == ("exception", "MemoryError")


def test_files_written_in_one_case_are_gone_in_the_next(tmp_path):
    source = """
    import os
    def f(x):
        if x == 1:
            open(os.path.join(os.environ["HOME"], "note"), "w").write("secret")
            open("../left-behind", "w").write("secret")
            return 0
        return int(os.path.exists(os.path.join(os.environ["HOME"], "note")) or os.path.exists("../left-behind"))
    """
    result = run(tmp_path, source)
    assert result.cases["f/second"].value == {"y": 0}


def test_submission_copy_is_read_only_and_original_untouched(tmp_path):
    source = """
    import os
    def f(x):
        try:
            open(__file__, "w").write("overwritten")
            return 1
        except OSError:
            return 0
    """
    result = run(tmp_path, source)
    assert os.geteuid() == 0 or result.cases["f/first"].value == {"y": 0}
    assert (tmp_path / "submission" / "student.py").read_text() == textwrap.dedent(source)


def test_monkeypatching_numpy_in_one_case_does_not_reach_the_next(tmp_path):
    source = """
    import numpy as np
    def f(x):
        if x == 1:
            np.sum = lambda *a, **k: 42
            return 0
        return int(np.sum([1, 2]))
    """
    assert run(tmp_path, source).cases["f/second"].value == {"y": 3}


def test_network_is_isolated_where_the_kernel_allows(tmp_path):
    source = """
    import socket
    def f(x):
        s = socket.socket()
        s.settimeout(1)
        try:
            s.connect(("127.0.0.1", 22 if x == 1 else 80))
            return "connected"
        except OSError as exc:
            return type(exc).__name__
    """
    result = run(tmp_path, source)
    for case in result.cases.values():
        assert case.value["y"] != "connected"


def test_killing_the_harness_costs_only_that_case(tmp_path):
    source = """
    import os, signal
    def f(x):
        if x == 1:
            os.kill(os.getppid(), signal.SIGKILL)
        return x
    """
    result = run(tmp_path, source)
    first, second = result.cases.values()
    assert first.status == "ended"  # the case's own doing: its verdict, not a sandbox failure
    assert "die Verbindung brach ab" in first.message and "Error" not in first.message  # German, no class name
    assert (second.status, second.value) == ("ok", {"y": 2})
    assert result.restarts == 1


@pytest.mark.parametrize("by_the_case", [True, False])
def test_a_garbled_answer_is_said_in_german(by_the_case):
    died = session._died("f/first", ExitInfo(exit_code=1), protocol.ProtocolError("bad frame"), by_the_case)
    assert "die Antwort war unlesbar" in died.message and "Error" not in died.message


FORGE = """
import fcntl, io, os, pickle
import numpy as np
from harness import protocol
from harness.api import latest_end, wall_limit

def _channels():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") \\
                    and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                yield fd
        except OSError:
            pass

def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()

def _forge(data):
    for fd in _channels():
        os.write(fd, data)
    os._exit(0)

def f(x):
    ok = {"status": "ok", "data": {"value": {"y": {"$array": "a0"}}, "figures": []}}
    payloads = {
        "garbage": b"this is not a frame",
        "pickle": pickle.dumps({"evil": 1}),
        "object-array": protocol.encode(ok, [_npz(a0=np.array([{"x": 1}], dtype=object))]),
        "int-dtype": protocol.encode(ok, [_npz(a0=np.arange(3))]),
        "billion": protocol.encode(ok, [_npz(a0=np.zeros(3)).replace(b"(3,)", b"(1000000000,)")]),
        "nan": protocol.encode(ok, [_npz(a0=np.array([np.nan, 1.0]))]),
    }
    _forge(payloads[KIND])
"""


@pytest.mark.parametrize(
    "kind, status",
    [("garbage", "no-result"), ("pickle", "no-result"), ("object-array", "invalid"),
     ("int-dtype", "invalid"), ("billion", "invalid"), ("nan", "ok")],
)
def test_forged_results_in_the_result_channel_are_refused_or_plain(tmp_path, kind, status):
    result = run(tmp_path, FORGE.replace("KIND", repr(kind)))
    first = result.cases["f/first"]
    assert first.status == status, (first.status, first.message)
    if status == "ok":
        assert np.isnan(first.value["y"][0]) and type(first.value["y"]) is np.ndarray



def test_a_hang_at_import_is_one_message_not_a_timeout_per_case(tmp_path):
    import types

    from grader.judging.verdicts import import_failure

    result = run(tmp_path, "while True:\n    pass\n\ndef f(x):\n    return x\n", QUICK_CASES)
    assert [(c.status, c.stage) for c in result.cases.values()] == [("timeout", "import")] * 2
    message = import_failure(list(result.cases.values()), types.SimpleNamespace(module="student"))
    assert message.startswith("Der Import von student.py kam nicht zum Ende") and '__name__ == "__main__"' in message


def test_a_case_that_hangs_after_the_import_stays_the_cases_timeout(tmp_path):
    import types

    from grader.judging.verdicts import import_failure

    result = run(tmp_path, "import numpy\n\ndef f(x):\n    while True:\n        pass\n", QUICK_CASES)
    assert [(c.status, c.stage) for c in result.cases.values()] == [("timeout", "case")] * 2
    assert import_failure(list(result.cases.values()), types.SimpleNamespace(module="student")) == ""
