"""Bubblewrap around each harness of the process sandbox.

Where the kernel allows unprivileged namespaces, every harness runs in its own
user, pid, ipc, mount, network, uts and cgroup namespaces made by bubblewrap
(Debian's ``bubblewrap``, as Flatpak uses it): it sees ``/usr``, the Python
it runs on and the harness read-only, its own submission (read-only), scratch
and matplotlib folders, a private ``/tmp``, ``/dev`` and ``/proc``, and
nothing else of the machine: not the grader's cache, not ``--out``, not the
other sandboxes. It cannot signal a process outside, and it dies with its
parent. Inside, it keeps the grader's uid (another uid would make bubblewrap
nest a second user namespace, which a joining harness cannot enter), without
any capability.

The zygote keeps the process sandbox fast: bubblewrap starts a process that
only holds the namespaces (``HOLD``), and the harness forked by the zygote
joins them (``harness.namespaces``), numpy already imported.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HOLD = ["/bin/sh", "-c", "echo; exec cat"]
"""What bubblewrap runs: says it is ready once the namespaces are complete, then
holds them until its stdin closes (the zygote closes it when the harness ends)."""
ROOT_LINKS = ("bin", "lib", "lib32", "lib64", "libx32", "sbin")


def arguments(workdir: Path, writable: list[Path], readonly: list[Path], harness: str) -> list[str]:
    """The ``bwrap`` command line up to (not including) ``--`` and the command."""
    found = shutil.which("bwrap")
    if found is None:
        raise FileNotFoundError("bwrap")
    args = [
        found,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--hostname", "sandbox",
        "--proc", "/proc",
        "--dev", "/dev",
        "--mqueue", "/dev/mqueue",
        "--tmpfs", "/tmp",
    ]
    for name in ROOT_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    for path in _runtime(harness):
        args += ["--ro-bind", path, path]
    for path in readonly:
        args += ["--ro-bind", str(path), str(path)]
    for path in writable:
        args += ["--bind", str(path), str(path)]
    return args + ["--chdir", str(workdir)]


def _runtime(harness: str) -> list[str]:
    """What the harness imports from: /usr, this Python (a venv too) and the harness."""
    paths = ["/usr", sys.base_prefix, sys.prefix, *sysconfig.get_paths().values(), harness]
    kept: list[str] = []
    for path in sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)}):
        if not any(path == k or path.startswith(k + "/") for k in kept):
            kept.append(path)
    return kept


@functools.cache
def unavailable_reason(harness: str) -> str | None:
    """Why bubblewrap cannot sandbox here (not installed, namespaces not allowed), or None."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) ist nicht installiert"
    with tempfile.TemporaryDirectory(prefix="gnn-bwrap-probe-") as folder:
        command = arguments(Path(folder), [Path(folder)], [], harness) + ["--", "/bin/true"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap startet nicht ({exc})"
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip() or f"Exit-Code {done.returncode}"
        return f"bubblewrap darf hier keine Namensräume anlegen ({why})"
    return None
