"""The process sandbox (bubblewrap) against cases that try to leave it, as root too.

Each case tries an attack and returns what it observed. The grader runs as
whoever runs the tests: in CI that is root, where bubblewrap used to keep
uid 0 inside. Every test states a property that holds for any user (only the
uid the harness becomes differs); to run them as an ordinary user where the
grader's Python lives below /root (0700), use a venv of /usr/bin/python3 and
``setpriv --reuid=N --regid=N --clear-groups``. Under CI a machine where
bubblewrap cannot run fails these tests instead of skipping them."""

import dataclasses
import os
import signal
import textwrap
import time
import types
from pathlib import Path

import pytest

from grader.backends import bwrap, process
from grader.backends.base import Job, Limits
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job
from grader.cases import assignment
from grader.judging.verdicts import exception_message
from harness import reaper
from harness.api import collect

MIB = 1 << 20


@pytest.fixture(autouse=True)
def bubblewrap_runs():
    why = bwrap.unavailable_reason(process.HARNESS_PARENT)
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"bubblewrap must run in CI: {why}")
        pytest.skip(why)


def grade(tmp_path: Path, source: str, names=("f/first",), limits: Limits | None = None) -> dict:
    """Case name -> CaseRun; each case ``f/<name>`` returns ``m.<name>(ctx)``."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "student.py").write_text(textwrap.dedent(source))
    cases = "from harness.api import case\n" + "".join(
        f"\n@case({name!r}, timeout=30)\ndef c{i}(m, ctx):\n    return m.{name[2:]}(ctx)\n"
        for i, name in enumerate(names)
    )
    module = types.ModuleType("cases")
    exec(cases, module.__dict__)
    job = Job(folder, "student", cases, {c.name: c.timeout for c in collect(module)}, limits=limits or Limits())
    backend = ProcessBackend(isolate_network=False, bubblewrap=True)
    try:
        return run_job(backend, job).cases
    finally:
        backend.close()


def value(run) -> dict:
    assert run.status == "ok", run
    return run.value


def test_the_harness_is_not_the_hosts_root():
    # What the host sees: inside, bubblewrap's user namespaces may rename any uid.
    backend = ProcessBackend(isolate_network=False, bubblewrap=True)
    spare = backend._start((Limits(), False))
    try:
        below: list[int] = []
        for _ in range(500):  # until the relay has forked the harness inside
            below = reaper.descendants(spare.channel.popen.pid)
            if below:
                break
            time.sleep(0.01)
        status = dict(line.split(":", 1) for line in Path(f"/proc/{below[0]}/status").read_text().splitlines())
    finally:
        spare.channel.close()
        backend.close()
    uids = {int(uid) for uid in status["Uid"].split()}
    assert 0 not in uids
    assert uids == {bwrap.SANDBOX_UID if os.geteuid() == 0 else os.getuid()}
    if os.geteuid() == 0:
        assert status["Groups"].strip() == ""  # not even root's groups


WRITABLE = """
    import os

    def writable(top):
        found = []
        for folder, dirs, files in os.walk(top):
            if folder == "/proc":  # the processes: see the ptrace test
                dirs[:] = [d for d in dirs if not d.isdigit() and d not in ("self", "thread-self")]
            for name in files:
                path = os.path.join(folder, name)
                try:
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # opened, never written
                    found.append(path)
                except OSError:
                    pass
        return found

    def first(ctx):
        return {"writable": "\\n".join(writable("/proc") + writable("/sys"))}
"""


def test_no_host_wide_setting_is_writable(tmp_path):
    # /proc/sys (kernel.core_pattern, vm.swappiness, ...), /proc/sysrq-trigger, /sys:
    # every file there that opens for writing could change the host.
    got = value(grade(tmp_path, WRITABLE)["f/first"])
    assert got["writable"] == ""


PROCESSES = """
    import ctypes, os, signal, time

    libc = ctypes.CDLL(None, use_errno=True)
    PTRACE_ATTACH, PTRACE_DETACH = 16, 17

    def others():
        # Every process but this case's own: the holder, bubblewrap's, the harness.
        own = {os.getpid()}
        return sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in own)

    def reach(pid):
        how = []
        if libc.ptrace(PTRACE_ATTACH, pid, 0, 0) == 0:
            libc.ptrace(PTRACE_DETACH, pid, 0, 0)
            how.append("ptrace")
        for mode in (os.O_RDONLY, os.O_RDWR):
            try:
                os.close(os.open(f"/proc/{pid}/mem", mode))
                how.append(f"mem{mode}")
            except OSError:
                pass
        return how

    def first(ctx):
        found = {pid: reach(pid) for pid in others()}
        return {"pids": len(found), "reached": repr({p: h for p, h in found.items() if h})}

    def second(ctx):
        harness = os.getppid()
        victims = [p for p in others() if p != harness]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.3)
        return {"victims": len(victims), "alive": sum(os.path.exists(f"/proc/{p}") for p in victims)}
"""


def test_no_process_outside_the_case_can_be_traced_or_its_memory_opened(tmp_path):
    got = value(grade(tmp_path, PROCESSES)["f/first"])
    assert got["pids"] >= 2  # the holder and the harness at least
    assert got["reached"] == "{}"


def test_the_holder_survives_the_signals_of_a_case(tmp_path):
    runs = grade(tmp_path, PROCESSES, names=("f/second", "f/first"))
    got = value(runs["f/second"])
    assert got["victims"] >= 1 and got["alive"] == got["victims"]
    assert runs["f/first"].status == "ok"


def test_a_case_cannot_make_namespaces(tmp_path):
    got = value(grade(tmp_path, """
        import ctypes, os

        libc = ctypes.CDLL(None, use_errno=True)
        FLAGS = {"user": 0x10000000, "mount": 0x00020000, "pid": 0x20000000, "net": 0x40000000}

        def attempt(flag):
            child = os.fork()
            if child == 0:
                os._exit(0 if libc.unshare(flag) == 0 else 1)
            return os.waitpid(child, 0)[1] == 0

        def first(ctx):
            made = [name for name, flag in FLAGS.items() if attempt(flag)]
            return {"made": ",".join(made), "max": open("/proc/sys/user/max_user_namespaces").read().strip()}
    """)["f/first"])
    assert got["made"] == ""


def test_a_case_leaves_nothing_in_a_keyring(tmp_path):
    # A keyring belongs to a uid: as root, every sandbox is the same nobody.
    got = value(grade(tmp_path, """
        import ctypes, os, platform

        ADD_KEY, KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}[platform.machine()]
        USER_KEYRING, KEYCTL_UNLINK = -4, 9
        libc = ctypes.CDLL(None, use_errno=True)

        def first(ctx):
            key = libc.syscall(ADD_KEY, b"user", b"gnn-test", b"x", 1, USER_KEYRING)
            if key >= 0:
                libc.syscall(KEYCTL, KEYCTL_UNLINK, key, USER_KEYRING)
            return {"added": int(key >= 0)}
    """)["f/first"])
    assert got["added"] == 0


def test_a_holder_that_ignores_its_end_is_killed_with_its_harness(tmp_path, monkeypatch):
    # A hijacked holder no longer ends when its stdin closes: the sandbox must end anyway.
    marker = "3171"
    monkeypatch.setattr(bwrap, "HOLD", [*bwrap.HOLD[:-1], f"echo; exec sleep {marker}"])
    try:
        assert value(grade(tmp_path, "def first(ctx):\n    return {'y': 1}\n")["f/first"]) == {"y": 1}
        deadline = time.monotonic() + 5
        while _sleepers(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _sleepers(marker) == []
    finally:
        for pid in _sleepers(marker):
            os.kill(pid, signal.SIGKILL)


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "cmdline").read_bytes() == b"sleep\0" + marker.encode() + b"\0":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


FILL = """
    import errno, os

    def fill(folder, cap):
        written, error = 0, ""
        try:
            os.makedirs(folder, exist_ok=True)
            for i in range(cap // (4 << 20) + 8):  # files of 4 MiB: no file reaches RLIMIT_FSIZE
                with open(os.path.join(folder, f"fill-{i}"), "wb") as out:
                    for _ in range(4):
                        out.write(b"x" * (1 << 20))
                        out.flush()
                        written += 1 << 20
        except OSError as exc:
            error = errno.errorcode.get(exc.errno, str(exc.errno))
        return {"written": written, "error": error}

    def first(ctx):
        cap = 24 << 20
        got = {}
        for name, folder in [("tmp", "/tmp/t"), ("shm", "/dev/shm"), ("scratch", "."),
                             ("home", os.environ["HOME"]), ("mpl", os.environ["MPLCONFIGDIR"]),
                             ("root", "/"), ("dev", "/dev"), ("submission", "/submission")]:
            one = fill(folder, cap)
            got[name + "_written"], got[name + "_error"] = one["written"], one["error"]
            for entry in os.listdir(folder) if os.path.isdir(folder) else []:
                if entry.startswith("fill-"):
                    os.unlink(os.path.join(folder, entry))
        return got
"""


def test_memory_and_disk_folders_are_capped_as_in_docker(tmp_path):
    scratch = 24 * MIB  # the job's Limits.scratch: /tmp, scratch, HOME and matplotlib's folder
    got = value(grade(tmp_path, FILL, limits=Limits(scratch=scratch))["f/first"])
    for name in ("tmp", "scratch", "home", "mpl"):
        assert got[f"{name}_written"] <= scratch and got[f"{name}_error"] == "ENOSPC", (name, got)
    assert got["shm_written"] <= bwrap.SHM_BYTES and got["shm_error"] == "ENOSPC", got
    for name in ("root", "dev", "submission"):
        assert got[f"{name}_written"] == 0 and got[f"{name}_error"] in ("EROFS", "EACCES"), (name, got)


def test_what_passes_the_cap_is_the_cases_own_error(tmp_path):
    runs = grade(tmp_path, """
        def first(ctx):
            for i in range(64):
                with open(f"/tmp/big-{i}", "wb") as out:
                    out.write(b"x" * (1 << 20))
            return {"y": 1}
    """, limits=Limits(scratch=8 * MIB))
    got = runs["f/first"]
    assert got.status == "exception" and got.exception == "OSError", got
    assert "No space left on device" in got.traceback
    said = exception_message(got, "student.py", dataclasses.replace(assignment.load(1), limits=Limits(scratch=8 * MIB)))
    assert said.startswith("Kein Platz mehr für Dateien") and "8 MB" in said, said


def test_every_writable_folder_is_emptied_between_cases(tmp_path):
    runs = grade(tmp_path, """
        import os

        FOLDERS = ["/tmp", "/dev/shm", "/dev/mqueue", os.environ["HOME"], os.environ["MPLCONFIGDIR"], "."]

        def first(ctx):
            for i, folder in enumerate(FOLDERS):
                if folder != "/dev/mqueue":
                    with open(os.path.join(folder, f"left-{i}"), "w") as out:
                        out.write("from the first case")
            return {"y": 1}

        def second(ctx):
            left = [os.path.join(f, e) for f in FOLDERS if os.path.isdir(f) for e in os.listdir(f)
                    if e.startswith("left-")]
            return {"left": ",".join(left)}
    """, names=("f/first", "f/second"))
    assert value(runs["f/first"]) == {"y": 1}
    assert value(runs["f/second"])["left"] == ""


def test_without_a_zygote_the_harness_is_not_root_either(tmp_path, monkeypatch):
    def broken(warm_pyplot):
        raise OSError("no zygote")

    monkeypatch.setattr(process, "zygote_for", broken)
    got = value(grade(tmp_path, """
        import os

        def first(ctx):
            status = open("/proc/self/status").read()
            return {"uid": os.geteuid(), "capabilities": int(status.split("CapEff:")[1].split()[0], 16),
                    "parent": os.getppid()}
    """)["f/first"])
    assert got["capabilities"] == 0
    if os.geteuid() == 0:  # without root, bubblewrap's user namespace names the uid
        assert got["uid"] != 0
        assert got["uid"] == bwrap.SANDBOX_UID
    assert got["parent"] == 1  # the harness is pid 1: no bubblewrap process inside


def test_without_bubblewrap_the_grader_as_root_refuses_the_process_sandbox(tmp_path, monkeypatch):
    # That bubblewrap cannot run is an error path this machine cannot make real: it is told so.
    from click.testing import CliRunner

    from grader.cli import main
    from grader.common.errors import EXIT_NO_SANDBOX

    monkeypatch.setattr(bwrap, "unavailable_reason", lambda parent: "bwrap fehlt")
    (tmp_path / "perceptron.py").write_text((assignment.REFERENCE / "aufgabe1" / "perceptron.py").read_text())
    done = CliRunner().invoke(main, ["check", "--aufgabe", "1", str(tmp_path), "--sandbox", "process"])
    if os.geteuid() == 0:
        assert done.exit_code == EXIT_NO_SANDBOX, done.output
        assert "Als root bewertet die process-Sandbox nur mit bubblewrap" in done.output
        assert "apt-get install bubblewrap" in done.output and "--sandbox docker" in done.output
    else:  # a normal user may grade in the weak sandbox, said out loud
        assert done.exit_code == 0, done.output
        assert "schwach" in done.output
