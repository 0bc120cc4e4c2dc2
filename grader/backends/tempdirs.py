"""The grader's temporary folders: private to its user, and gone even after a kill.

Unpacked submissions and sandbox folders hold students' work, so only the
grader's user may enter them (0700). A grader killed with SIGKILL cannot
remove its folders; the next grader to make one does. A folder's name carries
its grader's token, and that grader holds an ``flock`` on its token's lock
file for as long as it lives: a lock that can be taken belongs to a grader
that is gone (pids can be reused, locks cannot), so two graders running at
once never remove each other's folders.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.reaper import remove_tree

PREFIXES = ("gnn-unpack-", "gnn-check-", "gnn-sandbox-", "gnn-docker-", "gnn-cluster-")
"""Every kind of folder that ``sweep`` may remove."""
_LOCK = "gnn-owner-{}.lock"
_FOLDER = re.compile("^(?:" + "|".join(map(re.escape, PREFIXES)) + r")([0-9a-f]{16})-")
_LOCK_NAME = re.compile(r"^gnn-owner-([0-9a-f]{16})\.lock$")

_lock = threading.Lock()
_tokens: dict[Path, tuple[str, int]] = {}
"""Temporary folder -> this grader's token there and the descriptor whose flock
marks its folders as in use (held until the process ends)."""


def private_folder(prefix: str) -> Path:
    """A new folder ``<tmp>/<prefix><token>-XXXX`` that only this user can enter.

    The first one of a grader removes the folders of graders that are gone."""
    assert prefix in PREFIXES, prefix
    root = Path(tempfile.gettempdir())
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{_owner(root)}-", dir=root))


@contextmanager
def private_temporary(prefix: str) -> Iterator[Path]:
    """``private_folder`` for a ``with`` block; removed afterwards, however deep."""
    folder = private_folder(prefix)
    try:
        yield folder
    finally:
        remove_tree(folder)


def _owner(root: Path) -> str:
    with _lock:
        if root not in _tokens:
            token = os.urandom(8).hex()
            # Locked before it gets its name: a sweeper never sees it unlocked.
            fd, name = tempfile.mkstemp(dir=root, prefix=".gnn-owner-")
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.rename(name, root / _LOCK.format(token))
            _tokens[root] = token, fd
            sweep(root, keep=token)
        return _tokens[root][0]


def sweep(root: Path, keep: str = "") -> list[Path]:
    """Remove this user's grader folders in ``root`` whose grader is gone; returns them."""
    owners: dict[str, list[Path]] = {}
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        match = _FOLDER.match(entry.name) or _LOCK_NAME.match(entry.name)
        if match and match.group(1) != keep and _mine(entry):
            folders = owners.setdefault(match.group(1), [])
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
    removed = []
    for token, folders in owners.items():
        lock = root / _LOCK.format(token)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
        except FileNotFoundError:
            fd = None  # its grader is gone, and another sweep took its lock file
        except OSError:
            continue
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its grader is still running
            for folder in folders:
                remove_tree(folder)
                removed.append(folder)
            if fd is not None:
                lock.unlink(missing_ok=True)
        finally:
            if fd is not None:
                os.close(fd)
    return removed


def _mine(entry: os.DirEntry) -> bool:
    try:
        return entry.stat(follow_symlinks=False).st_uid == os.geteuid()
    except OSError:
        return False
