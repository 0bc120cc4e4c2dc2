"""Bubblewrap around each harness of the process sandbox.

Where the kernel allows unprivileged namespaces, every harness runs in its own
user, pid, ipc, mount, network, uts and cgroup namespaces made by bubblewrap
(Debian's ``bubblewrap``, as Flatpak uses it): it sees ``/usr``, the Python
it runs on and the harness read-only, its own submission (read-only), scratch
and matplotlib folders, a private ``/tmp``, ``/dev`` and ``/proc``, and
nothing else of the machine: not the grader's cache, not ``--out``, not the
other sandboxes. Of that Python's packages it sees only what the sandbox
image has (``packages_view``): a submission that imports torch fails here as
it does in docker. It cannot signal a process outside, and it dies with its
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
import site
import subprocess
import sys
import sysconfig
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from grader.common import pins

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
    runtime = _runtime(harness)
    for folder in runtime:
        args += ["--ro-bind", folder, folder]
    args += packages_view(runtime, harness)
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
        if not _within(path, kept):
            kept.append(path)
    return kept


def packages_view(runtime: list[str], harness: str) -> list[str]:
    """Options that empty each site-packages folder within ``runtime`` but for the sandbox
    image's distributions and what they need (and the harness, where it is installed)."""
    args = []
    for folder, entries in _image_entries().items():
        if not _within(folder, runtime):
            continue  # not in the sandbox at all
        if folder == os.path.realpath(harness):
            entries = entries | {"harness"}
        args += ["--tmpfs", folder]
        for entry in sorted(entries):
            # "-try": a RECORD may name what is gone; that one entry must not stop the sandbox.
            args += ["--ro-bind-try", os.path.join(folder, entry), os.path.join(folder, entry)]
        args += ["--remount-ro", folder]
    return args


@functools.cache
def _image_entries() -> dict[str, frozenset[str]]:
    """Site-packages folder (of this Python and its base) -> its entries that belong to
    the image's distributions (``sandbox/image/requirements.txt``) and what they require."""
    folders = site.getsitepackages() + site.getsitepackages([sys.base_prefix])
    entries: dict[str, set[str]] = {os.path.realpath(f): set() for f in folders if os.path.isdir(f)}
    for dist in _image_distributions():
        folder = os.path.realpath(str(dist.locate_file("")))
        if folder in entries:
            entries[folder] |= _top_level(dist, folder)
    return {folder: frozenset(names) for folder, names in entries.items()}


def _image_distributions() -> list[metadata.Distribution]:
    todo, found = list(pins.image_requirements()), {}
    while todo:
        name = canonicalize_name(todo.pop())
        if name in found:
            continue
        try:
            found[name] = dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # the pins' warning tells a Python without them
        for line in dist.requires or []:
            required = Requirement(line)
            if required.marker is None or required.marker.evaluate({"extra": ""}):
                todo.append(required.name)
    return list(found.values())


def _top_level(dist: metadata.Distribution, folder: str) -> set[str]:
    """The names in ``folder`` that ``dist`` installed (its packages, modules, libraries, metadata)."""
    if dist.files is not None:
        return {f.parts[0] for f in dist.files if f.parts[0] not in ("..", "__pycache__")}
    # Without a RECORD (a distribution's package, e.g. Debian's): its top-level names.
    names = (dist.read_text("top_level.txt") or "").split()
    return {e for e in os.listdir(folder) if any(e == n or e.startswith(n + ".") for n in names)}


def _within(path: str, folders: list[str]) -> bool:
    return any(path == k or path.startswith(k + "/") for k in folders)


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
