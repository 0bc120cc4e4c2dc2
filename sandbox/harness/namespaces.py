"""Enter a sandbox that bubblewrap made, from a process forked by the zygote.

bubblewrap builds the namespaces and the mount tree and runs a holder in
them (``hold``). A harness forked by the zygote joins the holder's
namespaces (``enter``): its user namespace first (the grader's user owns
it, so that is allowed without privileges), then the others; it gives up
every capability the join gave it, and forks once more, because only
children enter a pid namespace. The forked child is the harness; the
process in between only relays its exit.

Where the grader runs as root, a process in bubblewrap's user namespace would
be the host's root for every check that compares uids (``/proc/sys``, files
of root, ptrace and signals to root's processes), so bubblewrap makes none,
and the harness joins the other namespaces and becomes ``uid`` (an
unprivileged host user, no supplementary groups) before it runs anything of a
submission: nsjail's ``--user``/``--group`` do the same when started as root.
The holder and bubblewrap stay root's, out of its reach.

The harness then installs ``harness.seccomp`` (no ptrace, no new namespaces).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import select
import signal
from dataclasses import dataclass

from . import reaper, seccomp

NAMESPACES = ("user", "mnt", "ipc", "net", "uts", "cgroup", "pid")
READY_SECONDS = 30.0
NS_GET_PARENT = 0xB702
"""ioctl on a namespace's descriptor: a descriptor of its parent (_IO(0xb7, 0x2))."""
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
_CAPABILITY_VERSION_3 = 0x20080522


started: set[int] = set()
"""Pids of the bubblewrap processes ``hold`` started that were not reaped yet."""


@dataclass
class Holder:
    release: int
    """Write end of the holder's stdin: closing it ends the sandbox."""
    inside: int
    """Pid (as the caller sees it) of the holder, whose namespaces a harness joins."""
    bwrap: int
    """Pid of bubblewrap itself (the caller's child)."""

    def end(self) -> None:
        """End the sandbox, whatever its holder does now: closing its stdin ends a holder
        that still is one, and bubblewrap's death (``--die-with-parent``) kills the rest."""
        os.close(self.release)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.bwrap, signal.SIGKILL)  # reaped by the caller, like every bubblewrap


def hold(argv: list[str]) -> Holder:
    """Start bubblewrap (``argv``, ending in a command that prints a line, then reads
    stdin to its end) and wait until its namespaces are complete."""
    stdin_read, release = os.pipe()
    ready_read, ready_write = os.pipe()
    try:
        pid = os.posix_spawn(
            argv[0],
            argv,
            {"PATH": "/usr/bin:/bin"},
            file_actions=[(os.POSIX_SPAWN_DUP2, stdin_read, 0), (os.POSIX_SPAWN_DUP2, ready_write, 1)],
        )
    except OSError:
        os.close(release)
        raise
    finally:
        os.close(stdin_read)
        os.close(ready_write)
    started.add(pid)
    try:
        ready, _, _ = select.select([ready_read], [], [], READY_SECONDS)
        below = reaper.descendants(pid) if ready and os.read(ready_read, 1) else []
    finally:
        os.close(ready_read)
    if not below:
        os.close(release)
        _end(pid)
        raise OSError("bubblewrap did not start its sandbox")
    return Holder(release, below[-1], pid)


def _end(pid: int) -> None:
    started.discard(pid)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def enter(holder: int, uid: int | None = None) -> None:  # pragma: no cover - runs in the forked harness
    """Join ``holder``'s namespaces (all but its user namespace when ``uid`` is given:
    then become ``uid``); returns in a child inside them, the caller stays behind as
    its relay and exits as it does. Raises OSError before forking."""
    libc = ctypes.CDLL(None, use_errno=True)
    opened = []
    try:
        for name in NAMESPACES[1:] if uid is not None else NAMESPACES:
            try:
                opened.append(os.open(f"/proc/{holder}/ns/{name}", os.O_RDONLY))
            except FileNotFoundError:
                if name != "cgroup":  # older kernels have none
                    raise
        if uid is None:
            users = _user_namespaces(opened[0])
            opened = users[:1] + opened[1:] + users[1:]
        for fd in opened:
            if libc.setns(fd, 0) != 0:
                raise OSError(ctypes.get_errno(), "setns")
    finally:
        for fd in opened:
            os.close(fd)
    _drop_capabilities(libc, uid)
    child = os.fork()
    if child:
        _relay(child)
    seccomp.confine()


def confine(uid: int | None) -> None:  # pragma: no cover - runs in a harness bubblewrap started
    """What ``enter`` does after joining, for a harness that bubblewrap started itself."""
    _drop_capabilities(ctypes.CDLL(None, use_errno=True), uid)
    seccomp.confine()


def _user_namespaces(user: int) -> list[int]:  # pragma: no cover
    """``user`` and the user namespaces between it and this process's, outermost first.

    Without root, bubblewrap nests its holder's user namespace in the one that
    owns the other namespaces whenever it must first be root there (``--dev``
    mounts a devpts as root): only from that outer one can the mount namespace
    be joined; the holder's own one is joined last."""
    own = os.stat("/proc/self/ns/user").st_ino
    chain = [user]
    while True:
        try:
            parent = fcntl.ioctl(chain[0], NS_GET_PARENT)
        except OSError:
            return chain
        if os.fstat(parent).st_ino == own:
            os.close(parent)
            return chain
        chain.insert(0, parent)


def _drop_capabilities(libc, uid: int | None) -> None:  # pragma: no cover
    """No capability (in the joined user namespace, or as ``uid``), none to be gained by exec."""
    cap = 0
    while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

    if libc.capset(ctypes.byref(Header(_CAPABILITY_VERSION_3, 0)), (Data * 2)()) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")


def _relay(child: int) -> None:  # pragma: no cover
    """Wait for the harness and end the way it ended (its exit code or its signal)."""
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        if -code != signal.SIGKILL:  # the one whose handler cannot be set
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code & 0xFF)
