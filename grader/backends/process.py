"""The ``process`` sandbox: a harness in its own process group on this machine.

For machines without a Docker engine (a student's laptop, a quick demo). The
harness runs with a whitelisted environment in a private temporary folder
that holds a read-only copy of the submission; each case process gets
rlimits (address space, file size, open files, processes). Where bubblewrap
can make namespaces, each harness runs in a sandbox of its own (see
``bwrap``): ``process (bubblewrap)``, laid out as docker's (a capped tmpfs
at /tmp, the submission at /submission), and, where the grader is root, as
the unprivileged ``bwrap.SANDBOX_UID``. Elsewhere it only gives up the network
where the kernel allows that, runs as the grader's own user and can reach
what that user can: ``process (schwach)``, said in the run and in every report.

Harnesses are forked from a zygote (``harness.zygote``) that started Python and
imported numpy (and pyplot) once for the whole grader process; where no zygote
can run, each harness is started as its own Python process.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import harness
from grader.backends import bwrap, tempdirs
from grader.backends.base import Backend, Channel, Job, Limits
from grader.backends.process_channel import Harness, ProcessChannel
from grader.backends.spares import Spare, Spares, copy_submission

HARNESS_PARENT = str(Path(harness.__file__).resolve().parent.parent)
BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from harness.runner import main; main()"
)
CONFINED_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); from harness import namespaces; "
    "namespaces.confine(int(sys.argv[2]) if sys.argv[2] != '-' else None); "
    "from harness.runner import main; main(sys.argv[3:])"
)
"""BOOT for a harness that bubblewrap starts itself: becomes ``sys.argv[2]`` ('-': stays
who it is), then installs ``harness.seccomp``, as a harness that joins a holder does."""
ZYGOTE_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from harness.zygote import main; main(sys.argv[2:])"
)
SPAWN_SECONDS = 60.0
"""How long a zygote may take to answer a request (it imports numpy first)."""
EXIT_SECONDS = 30.0


class ForkedHarness:
    """A harness forked by a zygote, with what ProcessChannel uses of a Popen."""

    def __init__(self, zygote: Zygote, pid: int, stdin: int, stdout: int, stderr: int):
        self.zygote = zygote
        self.pid = pid
        self.stdin = os.fdopen(stdin, "wb")
        self.stdout = os.fdopen(stdout, "rb")
        self.stderr = os.fdopen(stderr, "rb")
        self.returncode: int | None = None

    def wait(self) -> int | None:
        """The exit code the zygote reports (None if the zygote itself is gone)."""
        if self.returncode is None:
            self.returncode = self.zygote.exit_code(self.pid)
        return self.returncode


class Zygote:
    """One warm parent of harnesses (``harness.zygote``), shared by the process backends
    of this grader process; see ``zygote_for``."""

    def __init__(self, warm_pyplot: bool):
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        options = ["--warm-pyplot"] if warm_pyplot else []
        scratch = Path(tempfile.gettempdir())
        self.popen = subprocess.Popen(
            [sys.executable, "-I", "-c", ZYGOTE_BOOT, HARNESS_PARENT, str(theirs.fileno()), *options],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment(scratch, _font_cache()),
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        self.lock = threading.Lock()
        self.condition = threading.Condition()
        self.requests = 0
        self.pids: dict[int, int] = {}
        """Request number -> pid of the harness forked for it."""
        self.exits: dict[int, int] = {}
        self.ended = False
        threading.Thread(target=self._listen, daemon=True, name="zygote").start()

    def _listen(self) -> None:
        while True:
            try:
                message = self.control.recv(1 << 16)
            except OSError:
                message = b""
            with self.condition:
                if not message:
                    self.ended = True
                else:
                    answer = json.loads(message)
                    if "request" in answer:
                        self.pids[answer["request"]] = answer.get("pid")
                    else:
                        self.exits[answer["exit"]] = answer["code"]
                self.condition.notify_all()
            if not message:
                return

    def spawn(
        self, cwd: Path, env: dict, options: list[str], sandbox: list[str] | None = None, uid: int | None = None
    ) -> ForkedHarness:
        """A fresh harness forked from the zygote, inside a bubblewrap started with
        ``sandbox`` (its command line up to ``--``) if given, as ``uid`` there if given
        (``harness.namespaces.enter``); raises OSError when it cannot."""
        pipes = [os.pipe() for _ in range(3)]
        theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]
        ours = [pipes[0][1], pipes[1][0], pipes[2][0]]
        try:
            with self.lock:  # one request at a time on the socket
                self.requests += 1
                number = self.requests
                request = {"request": number, "cwd": str(cwd), "env": env, "options": options}
                if sandbox is not None:
                    request["bwrap"] = [*sandbox, *bwrap.HOLD]
                    request["uid"] = uid
                socket.send_fds(self.control, [json.dumps(request).encode()], theirs)
            deadline = time.monotonic() + SPAWN_SECONDS
            with self.condition:
                while number not in self.pids:
                    left = deadline - time.monotonic()
                    if self.ended or left <= 0:
                        raise OSError("the zygote does not answer")
                    self.condition.wait(left)
                pid = self.pids.pop(number)
            if pid is None:
                raise OSError("the zygote could not start the sandbox")
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        return ForkedHarness(self, pid, *ours)

    def exit_code(self, pid: int) -> int | None:
        """``pid``'s exit code, once; None if the zygote ends or says nothing for
        EXIT_SECONDS (the caller killed ``pid`` before asking)."""
        deadline = time.monotonic() + EXIT_SECONDS
        with self.condition:
            while pid not in self.exits and not self.ended and time.monotonic() < deadline:
                self.condition.wait(1.0)
            return self.exits.pop(pid, None)

    def alive(self) -> bool:
        return not self.ended and self.popen.poll() is None

    def stop(self) -> None:
        # The zygote ends at the end of its socket. shutdown() first: close()
        # alone would neither wake the listening thread nor tell the zygote.
        with contextlib.suppress(OSError):  # the zygote closed it already
            self.control.shutdown(socket.SHUT_RDWR)
        self.control.close()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


_ZYGOTES: dict[bool, Zygote] = {}
_ZYGOTES_LOCK = threading.Lock()


def zygote_for(warm_pyplot: bool) -> Zygote:
    """The zygote of this grader process for ``warm_pyplot`` (started on first use)."""
    with _ZYGOTES_LOCK:
        zygote = _ZYGOTES.get(warm_pyplot)
        if zygote is None or not zygote.alive():
            if zygote is not None:
                zygote.stop()  # it died: free its socket
            zygote = _ZYGOTES[warm_pyplot] = Zygote(warm_pyplot)
        return zygote


@atexit.register
def _stop_zygotes() -> None:
    for zygote in list(_ZYGOTES.values()):
        zygote.stop()


class ProcessBackend(Backend):
    """``bubblewrap``: True demands it (RuntimeError where it cannot run), False
    refuses it, None (the default) takes it where it runs."""

    def __init__(self, isolate_network: bool = True, bubblewrap: bool | None = None):
        self.isolate_network = isolate_network
        self.weakness = "abgeschaltet" if bubblewrap is False else bwrap.unavailable_reason(HARNESS_PARENT)
        """Why the sandbox runs without bubblewrap (None: it runs with it)."""
        if bubblewrap and self.weakness:
            raise RuntimeError(self.weakness)
        self.name = "process (schwach)" if self.weakness else "process (bubblewrap)"
        self._channels: set[ProcessChannel] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.spares = Spares(self._start, lambda spare: spare.channel.close())

    def open(self, job: Job, cases: list[str]) -> tuple[Channel, dict]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox is shutting down")
        key = (job.limits, job.warm_pyplot)
        spare = self.spares.take(key) or self._start(key)
        copy_submission(job.submission, spare)
        if self.weakness:
            header = job.header(cases, str(spare.details["scratch"]), str(spare.submission), wipe=[])
        else:
            header = job.header(cases, bwrap.SCRATCH, bwrap.SUBMISSION, wipe=bwrap.WIPE)
        limits = header["limits"]
        limits["memory"] = job.limits.memory
        if os.geteuid() != 0:  # RLIMIT_NPROC counts all of a user's processes
            limits["nproc"] = _user_processes() + job.limits.pids
        return spare.channel, header

    def reserve(self, count: int) -> None:
        self.spares.reserve(count)

    def _start(self, key: tuple[Limits, bool]) -> Spare:
        """A harness that waits, warm, for its job; its submission folder is empty.
        ``key``: the job's limits (its scratch size) and whether to warm pyplot."""
        limits, warm_pyplot = key
        workdir = tempdirs.private_folder("gnn-sandbox-")
        submission = workdir / "submission"
        submission.mkdir()
        sandbox, uid, details = None, None, {}
        if self.weakness:
            scratch, mpl = workdir / "scratch", workdir / "matplotlib"
            for folder in (scratch, mpl):
                folder.mkdir()
            _seed_font_cache(mpl)
            env, cwd, details = environment(scratch, mpl), workdir, {"scratch": scratch}
            options = ["--isolate-network"] if self.isolate_network else []
        else:  # the sandbox has no network: the harness need not leave it
            font_cache = sorted(_font_cache().glob("fontlist-*.json"))
            sandbox = bwrap.arguments(submission, limits.scratch, font_cache, HARNESS_PARENT)
            env, cwd = environment(Path(bwrap.SCRATCH), Path(bwrap.MPLCONFIGDIR)), Path(bwrap.SCRATCH)
            options = []
            if os.geteuid() == 0:
                uid = bwrap.SANDBOX_UID
        popen: Harness
        try:
            popen = zygote_for(warm_pyplot).spawn(cwd, env, options, sandbox, uid)
        except OSError:  # no zygote here: start the harness itself
            options += ["--warm-pyplot"] if warm_pyplot else []
            command = [sys.executable, "-I", "-c", BOOT, HARNESS_PARENT, *options]
            if sandbox is not None:
                confined = [sys.executable, "-I", "-c", CONFINED_BOOT, HARNESS_PARENT, str(uid or "-"), *options]
                root = bwrap.ROOT_CAPABILITIES if uid is not None else []
                command = [*sandbox, *root, "--as-pid-1", "--", *confined]  # no bubblewrap inside
            popen = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=workdir,
                env=env,
                start_new_session=True,
            )
        channel = ProcessChannel(popen, workdir, on_close=self._forget)
        with self._lock:
            self._channels.add(channel)
            closed = self._closed
        if closed:  # close() ran while this harness started
            channel.kill()
        return Spare(channel, submission, details)

    def _forget(self, channel: ProcessChannel) -> None:
        with self._lock:
            self._channels.discard(channel)

    def close(self) -> None:
        """Kill every harness still running (Ctrl-C, an error of the grader)."""
        with self._lock:
            self._closed = True
            channels = list(self._channels)
        self.spares.close()
        for channel in channels:
            channel.kill()


def weak_warning(why: str) -> str:
    """What the run says when the process sandbox runs without bubblewrap."""
    return (
        "WARNUNG: Die process-Sandbox läuft OHNE bubblewrap (" + why + "): der Code der "
        "Studierenden läuft als Ihr Benutzer und kann den Grader beenden, seinen Cache und "
        "andere Abgaben erreichen. Für eine Bewertung Docker oder bubblewrap verwenden."
    )


def _font_cache() -> Path:
    """matplotlib's font cache for the zygote, apart from the grader's cache of expected values."""
    mpl = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gnn-grader-matplotlib"
    mpl.mkdir(parents=True, exist_ok=True)
    return mpl


def _seed_font_cache(mpl: Path) -> None:
    """A sandbox's own copy of the font cache: a harness that imports pyplot itself
    need not rebuild it, and nothing it writes there reaches another sandbox."""
    for cached in _font_cache().glob("fontlist-*.json"):
        with contextlib.suppress(OSError):  # matplotlib rebuilds it
            shutil.copyfile(cached, mpl / cached.name)


def environment(scratch: Path, mpl: Path) -> dict[str, str]:
    """Nothing of the grader's environment but what Python needs to run."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(mpl),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _user_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid == uid:
                count += 1
        except OSError:
            continue
    return count
