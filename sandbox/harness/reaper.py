"""Make sure nothing a case started outlives it.

The harness parent declares itself a child subreaper (Linux ``prctl``), so a
process that a case double-forks or detaches with ``setsid`` is re-parented to
the harness instead of escaping to init. After every case the harness finds
all its descendants in ``/proc`` and SIGKILLs them until none is left.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import stat
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """True when the kernel accepted; harmless where it does not exist."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


PR_SET_DUMPABLE = 4


def forbid_inspection() -> bool:
    """Make this process (and the cases it forks) non-dumpable.

    Cases run as the harness's own user, and with no Yama LSM the kernel lets
    a process ptrace, read the memory and reopen the descriptors
    (``/proc/1/fd/1``: the channel to the host) of any process of its user.
    Non-dumpable processes are out of that reach; forked children inherit it.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def leave_network() -> str:
    """Move this process into a new, empty network namespace.

    Root may do so directly; other users only inside a new user namespace,
    where the kernel allows that. Returns "isolated" or "shared".
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
            if libc.unshare(flags) == 0:
                return "isolated"
    except (OSError, AttributeError):
        pass
    return "shared"


def _children(pid: int) -> list[int] | None:
    """Direct children from /proc/PID/task/*/children; None where the kernel lacks it."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(x) for x in handle.read().split()]
        except FileNotFoundError:
            if not os.path.exists(f"/proc/{pid}/task/{task}"):
                continue  # the thread ended meanwhile
            return None
        except OSError:
            continue
    return found


def _all_parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after the last ')'.
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(root: int) -> list[int]:
    """Pids of every process below ``root`` (empty where there is no /proc)."""
    table = None
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        below = _children(pid) if table is None else table.get(pid, [])
        if below is None:  # no children files: scan the whole process table once
            table = _all_parents()
            below = table.get(pid, [])
        found += below
        todo += below
    return found


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_descendants(rounds: int = 200) -> None:
    """SIGKILL every descendant of this process and reap them, until none is left."""
    me = os.getpid()
    for _ in range(rounds):
        pids = descendants(me)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        _reap_all()
        if not pids:
            return


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def oom_kills() -> int:
    """How often the kernel's OOM killer struck in this cgroup (0 where unknown)."""
    # cgroup v2 counts in memory.events; v1 (e.g. Debian's docker.io on a v1
    # host) in memory.oom_control of the container's memory controller.
    return _cgroup_counter(
        ["/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"], "oom_kill"
    )


def fork_failures() -> int:
    """How often a fork failed on this cgroup's pids limit (0 where unknown)."""
    return _cgroup_counter(["/sys/fs/cgroup/pids.events", "/sys/fs/cgroup/pids/pids.events"], "max")


def _cgroup_counter(files: list[str], key: str) -> int:
    for name in files:
        try:
            for line in Path(name).read_text().splitlines():
                field, value = line.split()
                if field == key:
                    return int(value)
        except (OSError, ValueError):
            continue
    return 0


def virtual_size() -> int:
    """Bytes of address space this process uses now (0 where unknown)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


WALKS = 8
"""Walks from the top of a tree whose folders were moved while it was removed: a
process that keeps moving them holds its caller no longer than that."""


def remove_tree(path) -> None:
    """Delete a file or a directory tree that a case made, however deep or read-only.

    Walks with a list instead of recursion, and relative to open directory
    descriptors instead of full paths: a tree deeper than Python's recursion
    limit or than PATH_MAX goes as well, with at most three descriptors open.
    The way back up is ``..``, which a process still running could have moved
    elsewhere (by moving a folder out of the tree): each folder reached that way
    must be the one that was left, else the walk starts again at the top. So it
    never removes anything outside the tree it was given.
    Never raises: what cannot be removed stays (the caller's folder with it).
    """
    parent, name = os.path.split(os.path.abspath(path))
    try:
        top = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        for _ in range(WALKS):
            if not _remove_in(top, name):
                return
    finally:
        os.close(top)


def _remove_in(top: int, name: str) -> bool:
    """Remove ``name`` in ``top``; True when a folder was moved meanwhile and the
    walk stopped where it would have left the tree."""
    if _unlink(top, name, may_chmod=False):
        return False
    fd = _enter(top, name)
    if fd is None:
        return False
    frames = [(name, _identity(fd), _names(fd))]
    """(name in its parent, (st_dev, st_ino), entries still to remove) from ``name`` down to ``fd``."""
    while frames:
        entries = frames[-1][2]
        if entries:
            entry = entries.pop()
            if not _unlink(fd, entry, may_chmod=True):
                child = _enter(fd, entry)
                if child is not None:
                    os.close(fd)
                    fd = child
                    frames.append((entry, _identity(fd), _names(fd)))
            continue
        done, _, _ = frames.pop()
        try:
            up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd) if frames else top
        except OSError:
            up = None
        os.close(fd)
        if up is None:
            return False
        if frames and _identity(up) != frames[-1][1]:
            os.close(up)
            return True
        _rmdir(up, done, may_chmod=bool(frames))
        fd = up
    return False


def _identity(fd: int) -> tuple[int, int]:
    found = os.fstat(fd)
    return found.st_dev, found.st_ino


def _unlink(dir_fd: int, name: str, may_chmod: bool) -> bool:
    """Remove ``name`` unless it is a directory; True when it is gone (or stays for good)."""
    for attempt in range(2):
        try:
            os.unlink(name, dir_fd=dir_fd)
            return True
        except IsADirectoryError:
            return False
        except PermissionError:
            # EPERM is also what unlink says of a directory on some systems.
            if not may_chmod or attempt:
                return _is_file(dir_fd, name)
            _writable(dir_fd)
        except OSError:
            return True
    return True


def _is_file(dir_fd: int, name: str) -> bool:
    try:
        return not stat.S_ISDIR(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return True


def _enter(dir_fd: int, name: str) -> int | None:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except PermissionError:
        try:
            os.chmod(name, stat.S_IRWXU, dir_fd=dir_fd)
            return os.open(name, flags, dir_fd=dir_fd)
        except OSError:
            return None
    except OSError:
        return None


def _names(fd: int) -> list[str]:
    try:
        _writable(fd)
        with os.scandir(fd) as entries:
            return [entry.name for entry in entries]
    except OSError:
        return []


def _writable(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.chmod(fd, stat.S_IRWXU)


def _rmdir(dir_fd: int, name: str, may_chmod: bool) -> None:
    try:
        os.rmdir(name, dir_fd=dir_fd)
    except PermissionError:
        if may_chmod:
            _writable(dir_fd)
            with contextlib.suppress(OSError):
                os.rmdir(name, dir_fd=dir_fd)
    except OSError:
        pass


IPC_RMID = 0
_SYSV_TABLES = (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl"))


def remove_ipc() -> int:
    """Remove every System V shared memory segment, message queue and semaphore set
    visible here; returns how many went.

    Only for a harness in the sandbox's own IPC namespace (docker, bubblewrap):
    there, whatever is listed was made by a case, and a later case must not find
    it. The creator may remove its objects without any capability.
    """
    removed = 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return 0
    for table, control in _SYSV_TABLES:
        try:
            rows = Path(f"/proc/sysvipc/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            ident = int(row.split()[1])
            if table == "sem":
                done = libc.semctl(ident, 0, IPC_RMID, 0)
            else:
                done = getattr(libc, control)(ident, IPC_RMID, None)
            removed += done == 0
    return removed
