"""Make sure nothing a case started outlives it.

The harness parent declares itself a child subreaper (Linux ``prctl``), so a
process that a case double-forks or detaches with ``setsid`` is re-parented to
the harness instead of escaping to init. After every case the harness finds
all its descendants in ``/proc`` and SIGKILLs them until none is left.
"""

from __future__ import annotations

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
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_descendants(rounds: int = 200) -> None:
    """SIGKILL every descendant of this process and reap them, until none is left."""
    me = os.getpid()
    for _ in range(rounds):
        pids = descendants(me)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
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


def remove_tree(path: Path) -> None:
    """Delete a file or directory that a case may have made read-only."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
            return
        for entry in path.iterdir():
            remove_tree(entry)
        path.rmdir()
    except PermissionError:
        try:
            os.chmod(path, stat.S_IRWXU)
            if path.is_dir():
                for entry in path.iterdir():
                    remove_tree(entry)
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass
    except OSError:
        pass
