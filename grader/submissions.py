"""Find the submissions in a folder and unpack archives safely, on the host.

A submission is a folder or a ``.zip`` per student holding the contract's
file at its top level or inside one single nesting folder. Archives are
unpacked only through ``safe_unzip``: no links, no absolute or ``..`` names,
caps on member count, unpacked size and compression ratio.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 2000
MAX_TOTAL = 50 << 20
MAX_RATIO = 200
IGNORED = {"__MACOSX", ".DS_Store", "__pycache__"}


@dataclass
class Submission:
    id: str
    origin: Path
    """The folder or archive as handed in."""
    folder: Path | None = None
    """Folder holding the module file; None when it could not be found."""
    error: str = ""
    """Why the submission cannot be graded (German)."""


class UnsafeArchive(Exception):
    pass


def discover(root: Path, module: str, workdir: Path) -> list[Submission]:
    """Every submission in ``root``, sorted by id; archives unpacked into ``workdir``."""
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        if entry.is_dir() or entry.suffix.lower() == ".zip":
            found.append(open_submission(entry, module, workdir))
    return _separate_duplicates(found)


def _separate_duplicates(found: list[Submission]) -> list[Submission]:
    """Two hand-ins of one student (``alice/`` and ``alice.zip``) are reported, never merged."""
    ids = [s.id for s in found]
    for submission in found:
        if ids.count(submission.id) > 1:
            others = [s.origin.name for s in found if s.id == submission.id and s is not submission]
            submission.error = (
                f"Mehrere Abgaben mit der Kennung {submission.id!r} ({submission.origin.name} und "
                f"{', '.join(others)}); keine wurde bewertet. Bitte genau eine Abgabe behalten."
            )
            submission.id = submission.origin.name
    return found


def open_submission(entry: Path, module: str, workdir: Path) -> Submission:
    """One submission from a folder, a ``.zip`` or the module file itself."""
    if entry.is_file() and entry.suffix == ".py":
        return Submission(entry.parent.name, entry, folder=entry.parent)
    sid = entry.stem if entry.suffix.lower() == ".zip" else entry.name
    submission = Submission(sid, entry)
    folder = entry
    if entry.is_file():
        folder = workdir / sid
        try:
            safe_unzip(entry, folder)
        except UnsafeArchive as exc:
            submission.error = f"Das Archiv {entry.name} wurde nicht entpackt: {exc}"
            return submission
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            submission.error = f"Das Archiv {entry.name} ist beschädigt und lässt sich nicht öffnen ({exc})."
            return submission
    submission.folder = locate(folder, module)
    if submission.folder is None:
        names = sorted(p.name for p in folder.iterdir() if p.name not in IGNORED)[:10]
        submission.error = (
            f"Die Datei {module}.py wurde nicht gefunden; gesucht auf oberster Ebene und in "
            f"einem einzelnen Unterordner. Vorhanden: {', '.join(names) or 'nichts'}."
        )
    return submission


def locate(folder: Path, module: str) -> Path | None:
    """``folder`` or its single nesting folder, whichever holds ``module.py``."""
    if (folder / f"{module}.py").is_file():
        return folder
    inner = [p for p in folder.iterdir() if p.is_dir() and p.name not in IGNORED]
    if len(inner) == 1 and (inner[0] / f"{module}.py").is_file():
        return inner[0]
    return None


def safe_unzip(archive: Path, target: Path) -> None:
    """Unpack ``archive`` into ``target`` or raise UnsafeArchive (German message)."""
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsafeArchive(f"mehr als {MAX_MEMBERS} Einträge")
        total = sum(m.file_size for m in members)
        if total > MAX_TOTAL:
            raise UnsafeArchive(f"entpackt größer als {MAX_TOTAL >> 20} MB")
        packed = sum(m.compress_size for m in members) or 1
        if total > 1 << 20 and total / packed > MAX_RATIO:
            raise UnsafeArchive("verdächtig hohe Kompressionsrate (Zip-Bombe?)")
        for member in members:
            _check_member(member)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        written = 0
        for member in members:
            destination = target.joinpath(*PurePosixPath(member.filename).parts)
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as source, open(destination, "wb") as sink:
                while chunk := source.read(1 << 16):
                    written += len(chunk)
                    if written > MAX_TOTAL:  # sizes in the header may lie
                        raise UnsafeArchive(f"entpackt größer als {MAX_TOTAL >> 20} MB")
                    sink.write(chunk)


def _check_member(member: zipfile.ZipInfo) -> None:
    name = member.filename
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or ":" in name or "\\" in name or path.is_absolute():
        raise UnsafeArchive(f"absoluter Pfad {name!r}")
    if ".." in path.parts:
        raise UnsafeArchive(f"Pfad mit '..' ({name!r})")
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeArchive(f"symbolischer Link {name!r}")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UnsafeArchive(f"besondere Datei {name!r}")
