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
parent. It has no capability.

The zygote keeps the process sandbox fast: bubblewrap starts a process that
only holds the namespaces (``HOLD``), and the harness forked by the zygote
joins them (``harness.namespaces``), numpy already imported.

The layout inside is docker's: the submission read-only at ``/submission``;
``/tmp`` a tmpfs of the job's ``Limits.scratch`` bytes that holds the cases'
scratch folders, HOME and matplotlib's config folder (the grader's font cache
bound into it read-only); ``/dev/shm`` a tmpfs of ``SHM_BYTES``; ``/``,
``/dev`` and ``/proc/sys`` read-only. What a case writes beyond that is its
own ENOSPC or EROFS, and the harness empties every writable folder after each
case. A tmpfs is memory outside the case's address space limit, hence capped.

As root, bubblewrap maps uid 0 inside to uid 0 outside (``/proc/self/uid_map``
reads ``0 0 1``) and keeps it: the sandbox would be the host's root for
every check that only compares uids (host-wide sysctls, root's processes).
So as root bubblewrap makes no user namespace (``ROOT_UNSHARE``), and the
harness joins the others and becomes ``SANDBOX_UID`` (see
``harness.namespaces``), the way nsjail runs as root with ``--user``/
``--group``; bubblewrap's own ``--uid`` would only rename root inside.
Without root, the harness keeps the grader's uid in bubblewrap's user
namespace, as Flatpak's sandboxes do.

Nothing outside its case is within a case's reach. The holder is pid 1
(``--as-pid-1``: no bubblewrap process inside to ptrace) and runs an
execute-only copy of ``cat``, which the kernel makes non-dumpable: no ptrace,
no ``/proc/1/mem``, and a pid 1 ignores the signals its namespace sends it.
The harness is non-dumpable as well (``harness.reaper``) and installs
``harness.seccomp``: no ptrace, no nested user namespace. Flatpak refuses
both with seccomp too. bubblewrap's ``--disable-userns`` (a limit of user
namespaces set inside the sandbox's own) cannot serve here: as root there is
no user namespace of the sandbox, and ``nobody``'s limit would be the host's.
When a harness ends, the zygote kills its bubblewrap, so no holder, however
hijacked, outlives it.
"""

from __future__ import annotations

import atexit
import functools
import os
import platform
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

from grader.backends import tempdirs
from grader.common import pins
from harness import seccomp

HOLDER = "/run/holder"
"""Where the sandbox sees the execute-only copy of ``cat`` (``holder_binary``)."""
HOLD = ["--as-pid-1", "--", "/bin/sh", "-c", "echo; exec " + HOLDER]
"""The end of a holding bubblewrap's command line: what it runs says it is ready once
the namespaces are complete, then holds them until its stdin closes (the zygote closes
it when the harness ends)."""
ROOT_CAPABILITIES = ["--cap-add", "CAP_SETPCAP", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETUID"]
"""What a harness that bubblewrap starts itself as root needs to become SANDBOX_UID."""
ROOT_UNSHARE = ("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try")
"""``--unshare-all`` but for the user namespace."""
ROOT_LINKS = ("bin", "lib", "lib32", "lib64", "libx32", "sbin")
SUBMISSION = "/submission"
SCRATCH = "/tmp"
"""The tmpfs of scratch folders, HOME and TMPDIR, emptied after each case (docker's)."""
MPLCONFIGDIR = SCRATCH + "/matplotlib"
SHM_BYTES = 16 << 20
"""docker's ``shm_size`` for the sandbox."""
SANDBOX_UID = 65534
"""Who a harness is on the host when the grader runs as root: ``nobody``, which
owns no file, and whose processes a harness cannot see (own pid namespace)."""
WIPE = ["/dev/shm", "/dev/mqueue"]
"""The writable places besides SCRATCH; the harness empties them after each case."""


def arguments(submission: Path, scratch_bytes: int, font_cache: list[Path], harness: str) -> list[str]:
    """The ``bwrap`` command line up to (not including) ``--`` and the command:
    ``submission`` read-only, ``font_cache`` files read-only in MPLCONFIGDIR."""
    found = shutil.which("bwrap")
    if found is None:
        raise FileNotFoundError("bwrap")
    # As root, no user namespace: bubblewrap's would map root to root, and what its
    # tmpfs folders hold must belong to a uid it maps (else EOVERFLOW for SANDBOX_UID).
    unshare = ["--unshare-all"] if os.geteuid() != 0 else [*ROOT_UNSHARE]
    args = [
        found,
        *unshare,
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--hostname", "sandbox",
        "--proc", "/proc",
        "--ro-bind", "/proc/sys", "/proc/sys",
        "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger",
        "--ro-bind-try", "/proc/pressure", "/proc/pressure",  # world-writable triggers
        "--dev", "/dev",
        "--perms", "1777", "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm",
        "--mqueue", "/dev/mqueue",
        "--perms", "1777", "--size", str(scratch_bytes), "--tmpfs", SCRATCH,
        "--perms", "1777", "--dir", MPLCONFIGDIR,
    ]
    for name in ROOT_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    runtime = _runtime(harness)
    # bubblewrap gives the folders it makes on the way the host's modes: /root (0700)
    # would lock SANDBOX_UID out of a Python installed below it.
    for folder in sorted({str(a) for f in runtime for a in Path(f).parents if not _within(str(a), runtime)} - {"/"}):
        args += ["--perms", "0755", "--dir", folder]
    for folder in runtime:
        args += ["--ro-bind", folder, folder]
    args += packages_view(runtime, harness)
    args += ["--ro-bind", str(submission), SUBMISSION]
    for cached in font_cache:
        args += ["--ro-bind", str(cached), f"{MPLCONFIGDIR}/{cached.name}"]
    args += ["--ro-bind", holder_binary(), HOLDER]
    return args + ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", SCRATCH]


@functools.cache
def holder_binary() -> str:
    """An execute-only copy of ``cat`` for this grader process. The kernel makes a
    process whose program it may not read non-dumpable (``would_dump`` in
    ``fs/exec.c``), so the holder cannot be ptraced or written through ``/proc``."""
    cat = shutil.which("cat", path="/usr/bin:/bin")
    if cat is None:
        raise FileNotFoundError("cat")
    folder = tempdirs.private_folder("gnn-sandbox-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = folder / "holder"
    shutil.copyfile(cat, copy)
    copy.chmod(0o111)
    return str(copy)


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
    if not seccomp.supported():
        return f"für diese Architektur ({platform.machine()}) fehlt der seccomp-Filter des Graders"
    with tempfile.TemporaryDirectory(prefix="gnn-bwrap-probe-") as folder:
        command = arguments(Path(folder), 1 << 20, [], harness) + ["--", "/bin/true"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap startet nicht ({exc})"
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip() or f"Exit-Code {done.returncode}"
        return f"bubblewrap darf hier keine Namensräume anlegen ({why})"
    return None
