"""What of a handed-in folder may reach a sandbox, and how it gets there.

A hand-in is walked without ever following a link and without recursion (a
student can nest folders deeper than Python's recursion limit): only regular
files and folders pass. A symbolic link, a device or a pipe refuses the whole
hand-in with a German reason, as inside archives (``grader.intake.archives``, which uses the same limits), since
following one could hand the student another student's work, the grader's
expected values or an endless file. Bytecode and compiled modules are never
the handed-in source (an unchecked-hash ``.pyc`` in ``__pycache__`` is imported
instead of the ``.py`` beside it), so they are left out of every copy.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from grader.intake.filenames import readable

MAX_DEPTH = 32
"""Folder levels below the hand-in; a real hand-in needs three or four."""
MAX_FILES = 2000
MAX_BYTES = 50 << 20
LEFT_OUT_FOLDERS = frozenset({"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints"})
LEFT_OUT_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")


class UnsafeHandIn(Exception):
    """The hand-in holds something that is never followed or copied; the message (German) says what."""


def _left_out(name: str, is_dir: bool) -> bool:
    return name in LEFT_OUT_FOLDERS if is_dir else name.lower().endswith(LEFT_OUT_SUFFIXES)


def walk(root: Path) -> Iterator[tuple[Path, bool]]:
    """(relative path, is a folder) of everything that passes, folders before their content.

    Raises UnsafeHandIn for a link, a special file, or a hand-in too deep, too
    large or with too many files. ``root`` itself must be a real folder.
    """
    if not stat.S_ISDIR(os.lstat(root).st_mode):
        raise UnsafeHandIn(f"{_shown(Path(root.name))} ist kein Ordner, sondern ein Link oder eine besondere Datei")
    pending = [Path()]
    files = folders = total = 0
    while pending:
        relative = pending.pop()
        with os.scandir(root / relative) as entries:
            found = sorted(entries, key=lambda e: e.name)
        for entry in found:
            path = relative / entry.name
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISLNK(mode):
                raise UnsafeHandIn(f"symbolischer Link {_shown(path)} (Links werden nicht verfolgt)")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise UnsafeHandIn(f"besondere Datei {_shown(path)}")
            is_dir = stat.S_ISDIR(mode)
            if _left_out(entry.name, is_dir):
                continue
            if is_dir:
                folders += 1
                if len(path.parts) > MAX_DEPTH:
                    raise UnsafeHandIn(f"mehr als {MAX_DEPTH} Ordnerebenen")
                if folders > MAX_FILES:
                    raise UnsafeHandIn(f"mehr als {MAX_FILES} Ordner")
                pending.append(path)
                yield path, True
                continue
            files += 1
            total += entry.stat(follow_symlinks=False).st_size
            if files > MAX_FILES:
                raise UnsafeHandIn(f"mehr als {MAX_FILES} Dateien")
            if total > MAX_BYTES:
                raise UnsafeHandIn(f"größer als {MAX_BYTES >> 20} MB")
            yield path, False


def check(root: Path) -> None:
    """Raise UnsafeHandIn when ``root`` could not be copied safely."""
    for _ in walk(root):
        pass


def copy(source: Path, target: Path, keep: Callable[[Path], bool] = lambda relative: True) -> None:
    """Copy what passes ``walk`` into the existing folder ``target``: files read-only for all,
    folders readable for all and writable for their owner (so that the grader can remove them).
    A file is opened without following links, so a link put in its place meanwhile is refused too.
    Files whose relative path ``keep`` refuses are left out."""
    for relative, is_dir in walk(source):
        destination = target / relative
        if is_dir:
            destination.mkdir(mode=0o755)
            continue
        if not keep(relative):
            continue
        flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
        reader = os.open(source / relative, flags)
        try:
            if not stat.S_ISREG(os.fstat(reader).st_mode):
                raise UnsafeHandIn(f"besondere Datei {_shown(relative)}")
            writer = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            try:
                copied = 0
                while chunk := os.read(reader, 1 << 16):
                    copied += len(chunk)
                    if copied > MAX_BYTES:
                        raise UnsafeHandIn(f"größer als {MAX_BYTES >> 20} MB")
                    os.write(writer, chunk)
            finally:
                os.close(writer)
        finally:
            os.close(reader)
    target.chmod(0o755)


def _shown(path: Path) -> str:
    return repr(readable(os.fsdecode(path)))
