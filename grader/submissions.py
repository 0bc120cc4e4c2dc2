"""Find the submissions in a folder and unpack archives safely, on the host.

A submission is a folder or an archive (zip, tar.gz) per student holding the
contract's file at its top level or inside one single nesting folder.
Archives are unpacked only through ``grader.archives``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from . import archives, handin
from .moodle import submission_id

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


def discover(root: Path, module: str, workdir: Path) -> list[Submission]:
    """Every submission in ``root``, sorted by id; archives unpacked into ``workdir``."""
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        mode = os.lstat(entry).st_mode
        if stat.S_ISLNK(mode):
            # Never followed: it could lead to another student's folder or the grader's files.
            name = archives.stem(entry) or entry.name
            found.append(Submission(submission_id(readable(name)), entry, error=(
                f"{readable(entry.name)} ist ein symbolischer Link; Links werden nicht verfolgt. "
                "Bitte die Abgabe selbst in den Ordner legen."
            )))
        elif stat.S_ISDIR(mode) or (stat.S_ISREG(mode) and archives.stem(entry)):
            try:
                found.append(open_submission(entry, module, workdir))
            except Exception as exc:  # noqa: BLE001 - one hand-in never stops finding the others
                name = archives.stem(entry) or entry.name
                found.append(Submission(submission_id(readable(name)), entry, error=(
                    f"Die Abgabe {readable(entry.name)} ließ sich nicht öffnen ({type(exc).__name__})."
                )))
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
            submission.id = readable(submission.origin.name)
    return found


def open_submission(entry: Path, module: str, workdir: Path) -> Submission:
    """One submission from a folder, an archive or the module file itself."""
    if entry.is_file() and entry.suffix == ".py":
        submission = Submission(readable(entry.parent.name), entry, folder=entry.parent)
        try:
            handin.check(entry.parent)
        except (handin.UnsafeHandIn, OSError) as exc:
            submission.folder, submission.error = None, f"Der Ordner von {readable(entry.name)} wurde nicht bewertet: {exc}."
        return submission
    name = archives.stem(entry) if entry.is_file() else entry.name
    submission = Submission(submission_id(readable(name or entry.name)), entry)
    folder = entry
    if entry.is_file():
        workdir.mkdir(parents=True, exist_ok=True)
        folder = workdir / f"{len(list(workdir.iterdir())):04d}"
        try:
            archives.unpack(entry, folder)
        except archives.UnsafeArchive as exc:
            submission.error = f"Das Archiv {readable(entry.name)} wurde nicht entpackt: {exc}"
            return submission
        except archives.BrokenArchive as exc:
            submission.error = (
                f"Das Archiv {readable(entry.name)} ist beschädigt und lässt sich nicht öffnen ({exc})."
            )
            return submission
    try:
        handin.check(folder)
    except handin.UnsafeHandIn as exc:
        submission.error = f"Die Abgabe {readable(entry.name)} wurde nicht bewertet: {exc}."
        return submission
    except OSError as exc:
        submission.error = f"Die Abgabe {readable(entry.name)} ist nicht lesbar ({exc.strerror or exc})."
        return submission
    submission.folder = locate(folder, module)
    inner = [p for p in folder.iterdir() if p.is_file() and archives.stem(p)] if entry.is_dir() else []
    if submission.folder is None and len(inner) == 1:
        # Moodle keeps a student's uploaded archive as it is, inside the student's folder.
        unpacked = open_submission(inner[0], module, workdir)
        submission.folder, submission.error = unpacked.folder, unpacked.error
        return submission
    if submission.folder is None:
        names = sorted(readable(p.name) for p in folder.iterdir() if p.name not in IGNORED)[:10]
        submission.error = (
            f"Die Datei {module}.py wurde nicht gefunden; gesucht auf oberster Ebene und in "
            f"einem einzelnen Unterordner. Vorhanden: {', '.join(names) or 'nichts'}."
        )
    return submission


def readable(name: str) -> str:
    """A file name that was not valid UTF-8, with the broken bytes replaced."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def locate(folder: Path, module: str) -> Path | None:
    """``folder`` or its single nesting folder, whichever holds ``module.py``."""
    if (folder / f"{module}.py").is_file():
        return folder
    inner = [p for p in folder.iterdir() if p.is_dir() and p.name not in IGNORED]
    if len(inner) == 1 and (inner[0] / f"{module}.py").is_file():
        return inner[0]
    return None
