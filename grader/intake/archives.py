"""Unpack a student's archive on the host, safely, or refuse with a reason.

Zip and tar (also gzip/bzip2/xz compressed) are accepted. Nothing but
regular files and folders is written: no symbolic or hard links, no device
files, no absolute names and no ``..``. Member count, unpacked size and the
compression ratio are capped, and the size is counted while writing, since
the sizes an archive declares may lie. Names that are not valid UTF-8 are
kept as the bytes they are (Linux allows that).
"""

from __future__ import annotations

import binascii
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from grader.intake.filenames import fit_component
from grader.intake.handin import MAX_BYTES as MAX_TOTAL
from grader.intake.handin import MAX_DEPTH
from grader.intake.handin import MAX_FILES as MAX_MEMBERS
from harness.reaper import remove_tree

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


def unpack(archive: Path, target: Path) -> dict[str, str]:
    """Unpack ``archive`` into a fresh ``target``; UnsafeArchive or BrokenArchive otherwise.

    Returns the names that were too long for the file system, as written
    (see ``grader.intake.filenames.fit_component``), with the names they stand for.
    """
    remove_tree(target)
    target.mkdir(parents=True)
    try:
        if archive.name.lower().endswith(".zip"):
            return _write(target, _zip_members(archive), archive.stat().st_size)
        return _write(target, _tar_members(archive), archive.stat().st_size)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        remove_tree(target)
        raise BrokenArchive(str(exc)) from None
    except UnsafeArchive:
        remove_tree(target)
        raise


Member = tuple[str, IO[bytes] | None]
"""(name, stream to read a file from; None for a folder)."""


def check_name(name: str) -> PurePosixPath:
    """``name`` as a path, when a member of that name may be unpacked; UnsafeArchive otherwise."""
    path = PurePosixPath(name)
    if not name or name.startswith(("/", "\\")) or path.is_absolute():
        raise UnsafeArchive(f"absoluter Pfad {name!r}")
    if "\\" in name or ":" in name:
        # A Windows drive ("C:") or separator; some Windows programs pack folders so.
        raise UnsafeArchive(
            f"der Name {name!r} enthält '\\' oder ':' (bitte die Datei umbenennen oder, bei einem Archiv "
            "aus Windows, es mit dem Explorer neu packen)"
        )
    if ".." in path.parts:
        raise UnsafeArchive(f"Pfad mit '..' ({name!r})")
    # Deeper trees than any hand-in needs would only exhaust recursion and path limits later.
    if len(path.parts) > MAX_DEPTH + 1:
        raise UnsafeArchive(f"mehr als {MAX_DEPTH} Ordnerebenen")
    return path


def _check_count(files: int, folders: int) -> None:
    # Files and folders counted apart, as ``handin.walk`` counts them: what passes there
    # (a hand-in packed for a cluster worker) passes here.
    if files > MAX_MEMBERS:
        raise UnsafeArchive(f"mehr als {MAX_MEMBERS} Einträge")
    if folders > MAX_MEMBERS:
        raise UnsafeArchive(f"mehr als {MAX_MEMBERS} Ordner")


def _zip_members(archive: Path) -> Iterator[Member]:
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        folders = sum(m.is_dir() for m in members)
        _check_count(len(members) - folders, folders)
        declared = sum(m.file_size for m in members)
        if declared > MAX_TOTAL:
            raise UnsafeArchive(f"entpackt größer als {MAX_TOTAL >> 20} MB")
        for member in members:
            kind = stat.S_IFMT(member.external_attr >> 16)
            if kind == stat.S_IFLNK:
                raise UnsafeArchive(f"symbolischer Link {member.filename!r}")
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise UnsafeArchive(f"besondere Datei {member.filename!r}")
            check_name(_zip_name(member))
        for member in members:
            if member.is_dir():
                yield _zip_name(member), None
            else:
                with zf.open(member) as stream:
                    yield _zip_name(member), stream


_UTF8_FLAG = 0x800
_UNICODE_PATH = 0x7075
_NTFS = 0x000A
_WINDOWS_HOSTS = (0, 11)
"""MS-DOS/FAT and NTFS in a member's "version made by"."""


def _zip_name(member: zipfile.ZipInfo) -> str:
    """A member's name as Moodle reads it when the zip's UTF-8 flag is not set.

    zipfile decodes such names as cp437, so the UTF-8 names that macOS'
    Archive Utility and Info-ZIP write without the flag become
    "J├╝rgen". Moodle (``zip_archive::init_namelookup``) takes Info-ZIP's
    Unicode path field, then UTF-8, then its language's old charset: for
    German cp850 from Windows archivers, else ISO-8859-1.
    """
    if member.flag_bits & _UTF8_FLAG:
        return member.filename
    raw = member.filename.encode("cp437")
    extras = dict(_extra_fields(member.extra))
    unicode_path = extras.get(_UNICODE_PATH, b"")
    if len(unicode_path) > 5 and int.from_bytes(unicode_path[1:5], "little") == binascii.crc32(raw):
        return unicode_path[5:].decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        windows = member.create_system in _WINDOWS_HOSTS or not extras or _NTFS in extras
        return raw.decode("cp850" if windows else "latin-1")


def _extra_fields(extra: bytes) -> Iterator[tuple[int, bytes]]:
    while len(extra) >= 4:
        kind, size = int.from_bytes(extra[:2], "little"), int.from_bytes(extra[2:4], "little")
        yield kind, extra[4 : 4 + size]
        extra = extra[4 + size :]


def _tar_members(archive: Path) -> Iterator[Member]:
    with tarfile.open(archive, "r:*") as tf:
        files = folders = 0
        for member in tf:
            folders += member.isdir()
            files += not member.isdir()
            _check_count(files, folders)
            if member.issym() or member.islnk():
                raise UnsafeArchive(f"Link {member.name!r}")
            if not (member.isfile() or member.isdir()):
                raise UnsafeArchive(f"besondere Datei {member.name!r}")
            check_name(member.name)
            if member.isdir():
                yield member.name, None
            else:
                yield member.name, tf.extractfile(member)


def _write(target: Path, members: Iterator[Member], packed: int) -> dict[str, str]:
    written = 0
    shortened: dict[str, str] = {}
    for name, stream in members:
        parts = PurePosixPath(name).parts
        fitting = [fit_component(part) for part in parts]
        shortened.update((short, part) for short, part in zip(fitting, parts, strict=True) if short != part)
        destination = target.joinpath(*fitting)
        if stream is None:
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
    return shortened
