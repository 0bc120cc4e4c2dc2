"""The process sandbox against a determined student: what docker blocks, bubblewrap must too.

The attacks that could end the grader run against a grader in a child process
(``grade_elsewhere``), marked in its command line so that an attack can find it.
"""

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest

from grader.backends import bwrap, make_backend, process
from grader.backends.base import Job, Limits, RootWithoutBubblewrap
from grader.backends.process import ProcessBackend
from grader.backends.session import run_job
from harness.api import collect

needs_bwrap = pytest.mark.skipif(
    bool(bwrap.unavailable_reason(process.HARNESS_PARENT)), reason="bubblewrap cannot run here"
)
MARKER = "gnn-victim-grader"
CASES = textwrap.dedent(
    """
    from harness.api import case

    @case("f/first", timeout=20)
    def first(m, ctx):
        return {"y": m.f(1)}

    @case("f/second", timeout=20)
    def second(m, ctx):
        return {"y": m.f(2)}
    """
)
GRADER = textwrap.dedent(
    """
    import json, sys, types
    from pathlib import Path
    from grader.backends.base import Job
    from grader.backends.process import ProcessBackend
    from grader.backends.session import run_job
    from harness.api import collect

    folder, cases = Path(sys.argv[1]), Path(sys.argv[2]).read_text()
    module = types.ModuleType("cases")
    exec(cases, module.__dict__)
    job = Job(folder, "student", cases, {c.name: c.timeout for c in collect(module)})
    backend = ProcessBackend()
    try:
        run = run_job(backend, job)
    finally:
        backend.close()
    print(json.dumps({name: [c.status, c.value] for name, c in run.cases.items()}))
    """
)


def submission(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "student.py").write_text(textwrap.dedent(source))
    return folder


def start_grading(tmp_path: Path, source: str) -> subprocess.Popen:
    """Start grading ``source`` in a grader of its own, with its cache under ``tmp_path/home``."""
    folder = submission(tmp_path / "submission", source)
    cases = tmp_path / "cases.py"
    cases.write_text(CASES)
    home = tmp_path / "home"
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    env.pop("GRADER_CACHE", None)
    return subprocess.Popen(
        [sys.executable, "-c", GRADER, str(folder), str(cases), MARKER],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def finish(grading: subprocess.Popen, timeout: float = 120) -> subprocess.CompletedProcess:
    try:
        stdout, stderr = grading.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        grading.kill()
        grading.communicate()
        raise
    return subprocess.CompletedProcess(grading.args, grading.returncode, stdout, stderr)


def grade_elsewhere(tmp_path: Path, source: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return finish(start_grading(tmp_path, source), timeout)


def outcome(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def run(backend: ProcessBackend, folder: Path, cases: str = CASES):
    module = types.ModuleType("cases")
    exec(cases, module.__dict__)
    return run_job(backend, Job(folder, "student", cases, {c.name: c.timeout for c in collect(module)}))


@needs_bwrap
def test_a_case_cannot_kill_the_grader(tmp_path):
    done = grade_elsewhere(tmp_path, f"""
        import os, signal
        def f(x):
            killed = 0
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open(f"/proc/{{pid}}/cmdline", "rb") as cmdline:
                        if b"{MARKER}" in cmdline.read():
                            os.kill(int(pid), signal.SIGKILL)
                            killed += 1
                except OSError:
                    pass
            return killed
        """)
    got = outcome(done)
    assert got["f/first"] == ["ok", {"y": 0}]
    assert got["f/second"] == ["ok", {"y": 0}]


@needs_bwrap
def test_a_case_cannot_rewrite_the_cache_of_expected_values(tmp_path):
    cache = tmp_path / "home" / ".cache" / "gnn-grader"
    cache.mkdir(parents=True)
    (cache / "expected.json").write_text('{"y": 2}')
    done = grade_elsewhere(tmp_path, """
        import os
        from pathlib import Path
        def f(x):
            places = []
            config = Path(os.environ.get("MPLCONFIGDIR", "/nowhere"))
            places += [config.parent, config.parent / "gnn-grader"]
            for pid in filter(str.isdigit, os.listdir("/proc")):  # the grader's $HOME
                try:
                    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\\0")
                except OSError:
                    continue
                for entry in environ:
                    if entry.startswith(b"HOME="):
                        places.append(Path(entry[5:].decode()) / ".cache" / "gnn-grader")
            # Only the test's own cache (it holds expected.json at its top): should the attack
            # succeed, it must not spoil the real cache that the other tests use.
            found = {p for p in places if (p / "expected.json").is_file()}
            for place in found:
                for cached in place.rglob("*.json"):
                    cached.write_text('{"y": 999}')
                (place / "planted.txt").write_text("x")
            return len(found)
        """)
    got = outcome(done)
    assert got["f/first"][0] == "ok", got  # the attack ran
    assert (cache / "expected.json").read_text() == '{"y": 2}'
    assert not (cache / "planted.txt").exists()


@needs_bwrap
def test_a_case_cannot_plant_files_into_waiting_sandboxes(tmp_path):
    plant = """
        import os
        from pathlib import Path
        def f(x):
            planted = 0
            for root in {Path("/tmp"), Path(os.environ["HOME"]).parent.parent}:
                for folder in root.glob("gnn-sandbox-*/submission"):
                    try:
                        (folder / "planted.py").write_text("y = 999")
                        planted += 1
                    except OSError:
                        pass
            return planted
        """
    look = "def f(x):\n    return x\n"
    backend = ProcessBackend()
    try:
        backend.reserve(2)
        run(backend, submission(tmp_path / "warm", look))
        deadline = time.monotonic() + 30
        while len(backend.spares.waiting()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(backend.spares.waiting()) == 2
        attacker = run(backend, submission(tmp_path / "attacker", plant)).cases["f/first"]
        assert attacker.status == "ok", attacker  # the attack ran
        victim = submission(tmp_path / "victim", "import os\nfrom pathlib import Path\n"
                            "def f(x):\n    return sorted(p.name for p in Path(__file__).parent.iterdir())\n")
        got = run(backend, victim).cases["f/first"]
    finally:
        backend.close()
    assert got.status == "ok", got
    assert got.value == {"y": ["student.py"]}


SURVIVOR = """
import os, signal, sys, time
signal.signal(signal.SIGUSR1, lambda signum, frame: os.write(int(sys.argv[1]), b"seen"))
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])
end = time.monotonic() + 120  # bounded, should the sandbox fail to end it
while time.monotonic() < end:
    time.sleep(0.1)
"""


@needs_bwrap
def test_no_process_of_a_case_outlives_the_grader(tmp_path):
    # A detached process of the first case that the test has seen running on this machine
    # (the case ends its harness only then), so nobody cleans up after that case.
    token = f"gnn-survivor-{os.getpid()}-{os.urandom(4).hex()}"
    grading = start_grading(tmp_path, f"""
        import os, signal, sys
        def f(x):
            if x != 1:
                return 0
            seen, say_seen = os.pipe()
            child = os.fork()
            if child == 0:
                os.setsid()
                if os.fork() == 0:
                    os.set_inheritable(say_seen, True)
                    # blocked until the survivor's handler is in place (the test may signal at once)
                    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
                    os.execv(sys.executable, [sys.executable, "-c", {SURVIVOR!r}, str(say_seen), "{token}"])
                os._exit(0)
            os.waitpid(child, 0)
            os.close(say_seen)
            if os.read(seen, 4) != b"seen":
                return -1
            os.kill(os.getppid(), signal.SIGKILL)  # the harness
            return 1
        """)
    try:
        deadline = time.monotonic() + 60
        while not (found := _processes_with(token)):
            assert grading.poll() is None, grading.stderr.read()[-2000:]
            assert time.monotonic() < deadline, "the case's process did not start"
            time.sleep(0.02)
        (survivor,) = found
        ended = os.pidfd_open(survivor)
        try:
            os.kill(survivor, signal.SIGUSR1)
            got = outcome(finish(grading))
            assert got["f/first"][0] == "ended", got  # the case saw the signal and ended its harness
            assert got["f/second"] == ["ok", {"y": 0}]
            # A sandbox's pid namespace ends a moment after bubblewrap's init, which the grader
            # does not wait for; the survivor would run on for two minutes.
            assert select.select([ended], [], [], 5)[0], "a process of a case outlived the grader"
        finally:
            os.close(ended)
    finally:
        if grading.poll() is None:
            grading.kill()
            grading.communicate()
        for pid in _processes_with(token):
            os.kill(pid, signal.SIGKILL)


def _processes_with(token: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if token.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


SHM = """
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    KEY = {key}
    def f(x):
        found = libc.shmget(KEY, 0, 0) >= 0
        if x == 1:
            libc.shmget(KEY, 4096, 0o1000 | 0o600)  # IPC_CREAT
        return found
    """


@needs_bwrap
def test_sysv_shared_memory_carries_nothing_to_the_next_case_or_submission(tmp_path):
    key = 0x6E6E0000 + os.getpid() % 0xFFFF
    backend = ProcessBackend()
    try:
        first = run(backend, submission(tmp_path / "a", SHM.format(key=key)))
        second = run(backend, submission(tmp_path / "b", SHM.format(key=key)))
    finally:
        backend.close()
        libc = __import__("ctypes").CDLL(None)
        leaked = libc.shmget(key, 0, 0)
        if leaked >= 0:  # made on this host (a sandbox without its own IPC namespace)
            libc.shmctl(leaked, 0, None)
    assert [c.value for c in first.cases.values()] == [{"y": False}, {"y": False}]
    assert [c.value for c in second.cases.values()] == [{"y": False}, {"y": False}]
    assert leaked < 0


DEEP = """
    import os
    def f(x):
        fd = os.open(".", os.O_RDONLY)
        for _ in range(1500):
            os.mkdir("d" * 40, dir_fd=fd)
            deeper = os.open("d" * 40, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        os.fchmod(fd, 0o500)
        os.close(fd)
        return x
    """


@pytest.mark.parametrize("bubblewrap", [pytest.param(True, marks=needs_bwrap), False])
def test_a_deep_tree_in_scratch_is_removed_and_blames_nobody(tmp_path, bubblewrap, monkeypatch):
    backend = ProcessBackend(bubblewrap=bubblewrap)
    spare = backend._start((Limits(), False))
    workdir = spare.channel.workdir
    monkeypatch.setattr(backend.spares, "take", lambda key: spare)  # to know its folder
    try:
        got = run(backend, submission(tmp_path / "deep", DEEP))
    finally:
        backend.close()
    assert [(c.status, c.value) for c in got.cases.values()] == [("ok", {"y": 1}), ("ok", {"y": 2})]
    assert not workdir.exists()
    assert spare.channel.close() is spare.channel.close()


def test_the_grader_says_loudly_when_bubblewrap_cannot_run(monkeypatch):
    # A machine without namespaces for bubblewrap cannot be made here: its answer is.
    monkeypatch.setattr(bwrap, "unavailable_reason", lambda harness: "keine Namensräume")
    said = []
    if os.geteuid() == 0:  # the weak sandbox would run student code as root: refused, not warned
        with pytest.raises(RootWithoutBubblewrap, match="keine Namensräume"):
            make_backend("process", log=said.append)
        assert said == []
        return
    backend = make_backend("process", log=said.append)
    backend.close()
    assert backend.name == "process (schwach)"
    assert len(said) == 1 and "WARNUNG" in said[0] and "keine Namensräume" in said[0]


@needs_bwrap
def test_with_bubblewrap_the_report_names_it():
    backend = make_backend("process", log=pytest.fail)
    backend.close()
    assert backend.name == "process (bubblewrap)"


@needs_bwrap
def test_a_case_has_no_capability_and_sees_nothing_of_the_grader(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    source = f"""
        import os, socket
        from pathlib import Path
        def f(x):
            status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
            return {{
                "caps": [status[k].strip() for k in ("CapEff", "CapPrm", "CapBnd", "NoNewPrivs")],
                "processes": len([p for p in os.listdir("/proc") if p.isdigit()]),
                "hostname": socket.gethostname(),
                "interfaces": sorted(name for _, name in socket.if_nameindex()),
                "visible": [p for p in ("{out}", "{Path(__file__).resolve().parent}", "{Path.home()}/.cache")
                            if os.path.exists(p)],
            }}
        """
    backend = ProcessBackend(bubblewrap=True)
    try:
        got = run(backend, submission(tmp_path / "look", source)).cases["f/first"]
    finally:
        backend.close()
    assert got.status == "ok", got
    value = got.value["y"]
    assert value["caps"] == ["0000000000000000", "0000000000000000", "0000000000000000", "1"]
    assert value["processes"] <= 5  # bubblewrap's init, its holder, the harness, this case
    assert value["hostname"] == "sandbox" and value["interfaces"] == ["lo"]
    assert value["visible"] == []


IMAGE_ONLY = {"numpy": True, "matplotlib.pyplot": True, "PIL": True, "dateutil": True,
              "pytest": False, "dask": False, "docker": False, "jinja2": False, "torch": False, "grader": False}
"""What a case finds in the docker image (tests/docker/test_isolation.py), so in bubblewrap too."""


@needs_bwrap
def test_a_case_imports_only_what_the_docker_image_has(tmp_path):
    source = (Path(__file__).parents[1] / "docker" / "attacks" / "packages.py").read_text()
    backend = ProcessBackend(bubblewrap=True)
    try:
        got = run(backend, submission(tmp_path / "imports", source)).cases["f/first"]
    finally:
        backend.close()
    assert got.status == "ok", got
    assert got.value["y"] == IMAGE_ONLY


@needs_bwrap
def test_a_file_a_distribution_lists_but_lacks_does_not_stop_bubblewrap(tmp_path, monkeypatch):
    # A RECORD can name what is gone (removed by hand, by another package's uninstall).
    entries = bwrap._image_entries()
    folder = next(f for f, names in entries.items() if "numpy" in names)
    monkeypatch.setattr(bwrap, "_image_entries", lambda: {**entries, folder: entries[folder] | {"gone_4711"}})
    command = [*bwrap.arguments(tmp_path, 1 << 20, [], process.HARNESS_PARENT), "--", sys.executable, "-c", "import numpy"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
