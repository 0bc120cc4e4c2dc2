"""Moodle's "download all submissions" (or any archive of a submissions folder), opened on the host.

The zip's student folders are named as ``grader.intake.moodle`` describes;
archives are unpacked only through ``grader.intake.archives``.
"""

from __future__ import annotations

from pathlib import Path

from grader.common.errors import EXIT_NO_SUBMISSIONS, GraderError
from grader.intake import archives
from grader.intake.filenames import readable
from grader.intake.moodle import FOLDER
from grader.intake.submissions import LEFTOVER, LEFTOVERS, Found, Skipped, Submission, survey


class BadDownload(GraderError, ValueError):
    """The archive of all submissions could not be unpacked; the message says why (German)."""

    exit_code = EXIT_NO_SUBMISSIONS

    def hint(self, options) -> str:
        return "das Archiv neu herunterladen oder entpackt als Ordner übergeben."


def find(path: Path, module: str, workdir: Path) -> Found:
    """The submissions in the folder or download archive ``path`` (see ``open_download``), and the
    entries skipped with why (``grader.intake.submissions.survey``)."""
    root, names = open_download(path, workdir)
    if not root.is_dir():
        return Found([])
    found = survey(root, module, workdir, names)
    if root.parent == workdir / "download":
        # Stepped into the archive's single top folder: what lay beside it are leftovers of tools.
        beside = sorted(p.name for p in root.parent.iterdir() if p != root)
        found.skipped[:0] = [Skipped(readable(names.get(name, name)), LEFTOVER) for name in beside]
    return found


def find_submissions(path: Path, module: str, workdir: Path) -> list[Submission]:
    """The submissions of ``find``."""
    return find(path, module, workdir).submissions


def open_download(path: Path, workdir: Path) -> tuple[Path, dict[str, str]]:
    """The folder of submissions at ``path``, and the names shortened while unpacking with their originals.

    The folder is ``path`` itself, or an archive of it unpacked into ``workdir``:
    Moodle's "download all submissions" (student folders at its top level) or
    any zip or tarball of a submissions folder; a single top folder that is not
    a Moodle student folder is stepped into.
    """
    if path.is_dir() or not archives.stem(path):
        return path, {}
    target = workdir / "download"
    try:
        names = archives.unpack(path, target)
    except (archives.UnsafeArchive, archives.BrokenArchive) as exc:
        raise BadDownload(f"Das Archiv {path.name} mit den Abgaben ließ sich nicht entpacken: {exc}") from None
    entries = [p for p in target.iterdir() if p.name not in LEFTOVERS]
    if len(entries) == 1 and entries[0].is_dir() and not FOLDER.match(names.get(entries[0].name, entries[0].name)):
        return entries[0], names
    return target, names
