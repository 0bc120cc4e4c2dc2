"""Find the submissions in a folder and unpack archives safely, on the host.

A submission is a folder or an archive (zip, tar.gz) per student holding the
contract's file at its top level or inside one single nesting folder.
Archives are unpacked only through ``grader.archives``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import archives
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
        if entry.is_dir() or archives.stem(entry):
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
            submission.id = readable(submission.origin.name)
    return found


def open_submission(entry: Path, module: str, workdir: Path) -> Submission:
    """One submission from a folder, an archive or the module file itself."""
    if entry.is_file() and not archives.stem(entry):
        if entry.name == f"{module}.py":
            return Submission(readable(entry.parent.name), entry, folder=entry.parent)
        # Its folder is not the submission: a file of the right name beside it was not handed in.
        return Submission(readable(entry.parent.name), entry, error=_not_found(module, [readable(entry.name)]))
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
    submission.folder = locate(folder, module)
    inner = [p for p in folder.iterdir() if p.is_file() and archives.stem(p)] if entry.is_dir() else []
    if submission.folder is None and len(inner) == 1:
        # Moodle keeps a student's uploaded archive as it is, inside the student's folder.
        unpacked = open_submission(inner[0], module, workdir)
        submission.folder, submission.error = unpacked.folder, unpacked.error
        return submission
    if submission.folder is None:
        names = sorted(readable(p.name) for p in folder.iterdir() if p.name not in IGNORED)[:10]
        submission.error = _not_found(module, names, "; gesucht auf oberster Ebene und in einem einzelnen Unterordner")
    return submission


def _not_found(module: str, names: list[str], where: str = "") -> str:
    return f"Die Datei {module}.py wurde nicht gefunden{where}. Vorhanden: {', '.join(names) or 'nichts'}."


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
