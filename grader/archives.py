"""Unpack a student's archive on the host, safely, or refuse with a reason.

Zip and tar (also gzip/bzip2/xz compressed) are accepted. Nothing but
regular files and folders is written: no symbolic or hard links, no device
files, no absolute names and no ``..``. Member count, unpacked size and the
compression ratio are capped, and the size is counted while writing, since
the sizes an archive declares may lie. Names that are not valid UTF-8 are
kept as the bytes they are (Linux allows that).
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Iterator

from .handin import MAX_BYTES as MAX_TOTAL
from .handin import MAX_DEPTH
from .handin import MAX_FILES as MAX_MEMBERS
from .handin import remove

MAX_NAME = 255
"""Bytes in one part of a member's name: what Linux file systems allow."""
MAX_RATIO = 200
SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")


class UnsafeArchive(Exception):
    """The archive was refused; the message (German) says why."""


class BrokenArchive(Exception):
    """The archive cannot be read at all."""


def stem(path: Path) -> str | None:
    """The name without its archive suffix, or None when ``path`` is no archive."""
    lower = path.name.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return path.name[: -len(suffix)]
    return None


def unpack(archive: Path, target: Path) -> None:
    """Unpack ``archive`` into a fresh ``target``; UnsafeArchive or BrokenArchive otherwise."""
    remove(target)
    target.mkdir(parents=True)
    try:
        if archive.name.lower().endswith(".zip"):
            _write(target, _zip_members(archive), archive.stat().st_size)
        else:
            _write(target, _tar_members(archive), archive.stat().st_size)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        remove(target)
        raise BrokenArchive(str(exc)) from None
    except UnsafeArchive:
        remove(target)
        raise


Member = tuple[str, str, int, IO[bytes] | None]
"""(name, kind "file" or "dir", declared size, stream to read a file from)."""


def _check_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name or path.is_absolute():
        raise UnsafeArchive(f"absoluter Pfad {name!r}")
    if ".." in path.parts:
        raise UnsafeArchive(f"Pfad mit '..' ({name!r})")
    # Deeper trees than any hand-in needs would only exhaust recursion and path limits later.
    if len(path.parts) > MAX_DEPTH + 1:
        raise UnsafeArchive(f"mehr als {MAX_DEPTH} Ordnerebenen")
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME for part in path.parts):
        raise UnsafeArchive(f"ein Name ist länger als {MAX_NAME} Bytes")
    return path


def _zip_members(archive: Path) -> Iterator[Member]:
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsafeArchive(f"mehr als {MAX_MEMBERS} Einträge")
        declared = sum(m.file_size for m in members)
        if declared > MAX_TOTAL:
            raise UnsafeArchive(f"entpackt größer als {MAX_TOTAL >> 20} MB")
        for member in members:
            kind = stat.S_IFMT(member.external_attr >> 16)
            if kind == stat.S_IFLNK:
                raise UnsafeArchive(f"symbolischer Link {member.filename!r}")
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise UnsafeArchive(f"besondere Datei {member.filename!r}")
            _check_name(member.filename)
        for member in members:
            if member.is_dir():
                yield member.filename, "dir", 0, None
            else:
                with zf.open(member) as stream:
                    yield member.filename, "file", member.file_size, stream


def _tar_members(archive: Path) -> Iterator[Member]:
    with tarfile.open(archive, "r:*") as tf:
        for count, member in enumerate(tf, start=1):
            if count > MAX_MEMBERS:
                raise UnsafeArchive(f"mehr als {MAX_MEMBERS} Einträge")
            if member.issym() or member.islnk():
                raise UnsafeArchive(f"Link {member.name!r}")
            if not (member.isfile() or member.isdir()):
                raise UnsafeArchive(f"besondere Datei {member.name!r}")
            _check_name(member.name)
            if member.isdir():
                yield member.name, "dir", 0, None
            else:
                yield member.name, "file", member.size, tf.extractfile(member)


def _write(target: Path, members: Iterator[Member], packed: int) -> None:
    written = 0
    for name, kind, _, stream in members:
        destination = target.joinpath(*PurePosixPath(name).parts)
        if kind == "dir":
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        with open(destination, "wb") as sink:
            while chunk := stream.read(1 << 16):
                written += len(chunk)
                if written > MAX_TOTAL:
                    raise UnsafeArchive(f"entpackt größer als {MAX_TOTAL >> 20} MB")
                if written > 1 << 20 and written > MAX_RATIO * max(packed, 1):
                    raise UnsafeArchive("verdächtig hohe Kompressionsrate (Zip-Bombe?)")
                sink.write(chunk)
