"""Find the submissions in a folder and unpack archives safely, on the host.

A submission is a folder or an archive (zip, tar.gz) per student holding the
contract's file at its top level or inside one single nesting folder.
Archives are unpacked only through ``grader.intake.archives``.

Every entry of the folder ends somewhere the instructor sees it; none is
passed over in silence (``survey``):

- a folder or an archive is a submission, whatever its name: one that begins
  with a dot (``.alice``, ``..x``) too, since a name is no reason to lose a
  hand-in; one that cannot be opened or holds no contract file is a
  submission with its error;
- a symbolic link is a submission with its error (never followed);
- two hand-ins of one id are both submissions with an error (never merged);
- the files of a Moodle download without folders are gathered per student;
- skipped, each with its reason (``Skipped``), which the run logs and writes to
  ``results.json``: leftovers of tools that are never a student's hand-in
  (``LEFTOVERS``: ``__MACOSX``, ``.DS_Store``, ``.git`` ...); any other file,
  which is no submission by the contract (``notes.txt``, ``alice.rar``, a
  loose ``perceptron.py``); what is neither file nor folder (a pipe); the
  online text of a student who also uploaded a file (the file is graded, its
  report says so); and the leftovers beside the single top folder of a
  download archive that ``grader.intake.download`` steps into.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader.common.errors import EXIT_NO_SUBMISSIONS, GraderError, os_reason
from grader.intake import archives, handin, moodle, notebooks
from grader.intake.filenames import fit_component, readable
from grader.intake.moodle import submission_id

LEFTOVERS = {
    "__MACOSX", ".DS_Store", "__pycache__", ".ipynb_checkpoints", "Thumbs.db", "desktop.ini", ".git", ".svn", ".hg",
}
"""Names that tools leave beside the hand-ins (and inside them); never a student's hand-in."""
LEFTOVER = "von einem Werkzeug angelegt (z. B. macOS, git), keine Abgabe"


class NoSubmissions(GraderError, LookupError):
    """The folder holds nothing that looks like a submission."""

    exit_code = EXIT_NO_SUBMISSIONS

    def message(self) -> str:
        return f"In {self} liegt keine Abgabe."

    def hint(self, options) -> str:
        return (
            "erwartet wird je Studierendem ein Ordner oder eine .zip-Datei mit der Datei der Aufgabe "
            "(oder Moodles Download aller Abgaben)."
        )


class WrongAufgabe(GraderError, LookupError):
    """Not one hand-in holds the Aufgabe's file: another Aufgabe's hand-ins, or a folder of downloads."""

    exit_code = EXIT_NO_SUBMISSIONS

    def __init__(self, found: list[Submission], module: str):
        super().__init__(found, module)
        self.found, self.module = found, module

    def message(self) -> str:
        names: Counter[str] = Counter()
        downloads = 0
        for submission in self.found:
            present = set(submission.present)
            downloads += any(moodle.FOLDER.match(name) for name in present)
            names.update(name for name in present if not moodle.FOLDER.match(name))
        shown = ", ".join(f"{name} ({n}-mal)" if n > 1 else name for name, n in names.most_common(6))
        if downloads:
            # A folder of several "download all submissions" zips: each one is taken for a student's hand-in.
            shown = ", ".join(filter(None, [
                f"Ordner von Studierenden aus Moodle in {downloads} Abgaben (ist jede ein Download aller Abgaben?)",
                shown,
            ]))
        return (f"Keine der {len(self.found)} Abgaben enthält {self.module}.py – falsche Aufgabe? "
                f"Gefunden: {shown or 'nichts Lesbares'}.")

    def hint(self, options) -> str:
        return ("--aufgabe prüfen (`grader list` nennt die Datei jeder Aufgabe); je Person ein Ordner oder eine "
                ".zip, oder ein einziger Download aller Abgaben aus Moodle.")


def module_somewhere(found: list[Submission], module: str) -> None:
    """Refuse hand-ins of which not one holds ``module``.py (or a notebook): grading them would only say so for each."""
    if found and all(s.folder is None and not s.notebook_file for s in found):
        raise WrongAufgabe(found, module)


@dataclass(frozen=True)
class Skipped:
    """An entry of the submissions folder that is no submission, and why (German)."""

    name: str
    why: str


@dataclass
class Submission:
    id: str
    origin: Path
    """The folder or archive as handed in."""
    folder: Path | None = None
    """Folder holding the module file; None when it could not be found."""
    error: str = ""
    """Why the submission cannot be graded (German)."""
    handed_in: str = ""
    """The folder's or archive's name as handed in (before any shortening)."""
    plugin: str = ""
    """Moodle's submission type (``file``, ``onlinetext``); "" outside Moodle."""
    notes: list[str] = field(default_factory=list)
    """What the report should say about the hand-in besides the cases (German)."""
    notebook: notebooks.Converted | None = None
    """The notebook graded in place of the module file: ``folder`` holds the module made of its
    code cells, and it tells the cell of each line of that module."""
    notebook_file: str = ""
    """The name of the notebook found in place of the module file, also where it could not be read."""
    present: list[str] = field(default_factory=list)
    """What the hand-in holds where the Aufgabe's file was not found (up to ten names)."""


@dataclass
class Found:
    """What a submissions folder holds: the submissions and the entries skipped."""

    submissions: list[Submission]
    skipped: list[Skipped] = field(default_factory=list)


def discover(root: Path, module: str, workdir: Path, names: dict[str, str] | None = None) -> list[Submission]:
    """The submissions of ``survey``."""
    return survey(root, module, workdir, names).submissions


def survey(root: Path, module: str, workdir: Path, names: dict[str, str] | None = None) -> Found:
    """Every submission in ``root``, sorted by id, archives unpacked into ``workdir``;
    and every entry that is none, with why (see the module's docstring).

    ``names`` maps entries whose names were shortened when unpacked (see
    ``grader.intake.archives.unpack``) to the names they were handed in under.
    """
    names = names or {}
    found = []
    skipped = []
    flat: dict[str, list[tuple[Path, str]]] = {}
    for entry in sorted(root.iterdir()):
        mode = os.lstat(entry).st_mode
        name = names.get(entry.name, entry.name)
        if entry.name in LEFTOVERS or entry.name.startswith("._"):
            skipped.append(Skipped(readable(name), LEFTOVER))
            continue
        if stat.S_ISLNK(mode):
            # Never followed: it could lead to another student's folder or the grader's files.
            found.append(Submission(_id(name), entry, error=(
                f"{readable(name)} ist ein symbolischer Link; Links werden nicht verfolgt. "
                "Bitte die Abgabe selbst in den Ordner legen."
            ), handed_in=readable(name)))
            continue
        loose = moodle.flat_file(name) if stat.S_ISREG(mode) else None
        if loose:
            flat.setdefault(loose[0], []).append((entry, loose[1]))
        elif stat.S_ISDIR(mode) or (stat.S_ISREG(mode) and archives.stem(entry)):
            found.append(_opened(entry, module, workdir, name))
        elif stat.S_ISREG(mode):
            skipped.append(Skipped(readable(name), (
                "eine Datei, weder Ordner noch Archiv (" + ", ".join(archives.SUFFIXES) + "); "
                "eine Abgabe ist ein Ordner oder ein Archiv je Person"
            )))
        else:
            skipped.append(Skipped(readable(name), "weder Datei noch Ordner (z. B. eine Pipe), keine Abgabe"))
    for folder_name, files in sorted(flat.items()):
        folder = workdir / "flat" / fit_component(folder_name)
        folder.mkdir(parents=True)
        for entry, file_name in files:
            shutil.copyfile(entry, folder / fit_component(file_name))
        found.append(_opened(folder, module, workdir, folder_name))
    kept = _prefer_files(found, module)
    skipped += [Skipped(s.handed_in, ONLINE_TEXT_SKIPPED) for s in found if not any(s is k for k in kept)]
    return Found(sorted(_separate_duplicates(kept), key=lambda s: s.id), skipped)


def _opened(entry: Path, module: str, workdir: Path, name: str) -> Submission:
    try:
        return open_submission(entry, module, workdir, name=name)
    except OSError as exc:  # one hand-in never stops finding the others
        why = f"ließ sich nicht öffnen: {os_reason(exc)}."
    except Exception as exc:  # what open_submission does not foresee is our bug, never the student's
        why = f"ließ sich nicht öffnen (interner Fehler: {type(exc).__name__}). Bitte den Lehrenden melden."
    return Submission(_id(name), entry, error=f"Die Abgabe {readable(name)} {why}", handed_in=readable(name))


ONLINE_TEXT_IGNORED = "Der Online-Text dieser Abgabe wurde nicht bewertet; bewertet wird nur die hochgeladene Datei."
ONLINE_TEXT_SKIPPED = "Online-Text einer Person, die auch eine Datei hochgeladen hat; bewertet wird die Datei"


def _prefer_files(found: list[Submission], module: str) -> list[Submission]:
    """A student who used both of Moodle's submission types has a folder for each: the file is graded."""
    kept = []
    for submission in found:
        siblings = [s for s in found if s.id == submission.id and s is not submission]
        if submission.plugin != "onlinetext":
            if any(s.plugin == "onlinetext" for s in siblings):
                submission.notes.append(ONLINE_TEXT_IGNORED)
            kept.append(submission)
        elif not any(s.plugin != "onlinetext" for s in siblings):
            submission.error = (
                f"Es wurde nur ein Online-Text abgegeben; bewertet wird die hochgeladene Datei {module}.py "
                "oder ein Notebook (.ipynb), allein oder in einer .zip-Datei."
            )
            kept.append(submission)
    return kept


def _separate_duplicates(found: list[Submission]) -> list[Submission]:
    """Two hand-ins of one student (``alice/`` and ``alice.zip``) are reported, never merged."""
    ids = [s.id for s in found]
    for submission in found:
        if ids.count(submission.id) > 1:
            others = [s.handed_in for s in found if s.id == submission.id and s is not submission]
            submission.error = (
                f"Mehrere Abgaben mit der Kennung {submission.id!r} ({submission.handed_in} und "
                f"{', '.join(others)}); keine wurde bewertet. Bitte genau eine Abgabe behalten."
            )
            submission.id = submission.handed_in
    return found


def open_submission(entry: Path, module: str, workdir: Path, name: str = "") -> Submission:
    """One submission from a folder, an archive or the module file itself, handed in as ``name``."""
    # ``grader check .`` or ``grader check perceptron.py``: the id and the messages need the folder's name.
    entry = Path(os.path.abspath(entry))
    if entry.is_file() and not archives.stem(entry):
        submission = Submission(_id(entry.parent.name), entry, handed_in=readable(entry.name))
        is_notebook = entry.suffix.lower() == notebooks.SUFFIX
        if entry.name != f"{module}.py" and not is_notebook:
            # Its folder is not the submission: a file of the right name beside it was not handed in.
            submission.present = [readable(entry.name)]
            submission.error = _not_found(module, submission.present)
            return submission
        submission.error = _unsafe(entry.parent, f"Der Ordner von {readable(entry.name)}")
        if is_notebook and not submission.error:
            _from_notebook(submission, entry, module, workdir)
        elif not submission.error:
            submission.folder = entry.parent
        return submission
    name = name or entry.name
    submission = Submission(_id(name), entry, handed_in=readable(name), plugin=moodle.plugin(_folder_name(name)))
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
    submission.error = _unsafe(folder, f"Die Abgabe {readable(entry.name)}")
    if submission.error:
        return submission
    submission.folder = locate(folder, module)
    if submission.folder is None:
        try:
            notebook = _notebook(folder, module)
        except notebooks.NotebookError as exc:
            submission.error = str(exc)
            return submission
        if notebook is not None:
            _from_notebook(submission, notebook, module, workdir)
            return submission
    inner = [p for p in folder.iterdir() if p.is_file() and archives.stem(p)] if entry.is_dir() else []
    if submission.folder is None and len(inner) == 1:
        # Moodle keeps a student's uploaded archive as it is, inside the student's folder.
        unpacked = open_submission(inner[0], module, workdir)
        submission.folder, submission.error, submission.present = unpacked.folder, unpacked.error, unpacked.present
        return submission
    if submission.folder is None:
        submission.present = sorted(readable(p.name) for p in folder.iterdir() if p.name not in LEFTOVERS)[:10]
        where = "; gesucht auf oberster Ebene und in einem einzelnen Unterordner"
        submission.error = _not_found(module, submission.present, where)
    return submission


def _folder_name(name: str) -> str:
    """The student's folder of an entry handed in as ``name``: an archive's name without its suffix."""
    return archives.stem(Path(name)) or name


def _id(name: str) -> str:
    """The id of the submission handed in as ``name``, whether it opens or not."""
    return submission_id(readable(_folder_name(name)))


def _unsafe(folder: Path, shown: str) -> str:
    """Why ``folder`` cannot be copied into a sandbox (``grader.intake.handin``), or ""."""
    try:
        handin.check(folder)
    except handin.UnsafeHandIn as exc:
        return f"{shown} wurde nicht bewertet: {exc}."
    except OSError as exc:
        return f"{shown} ist nicht lesbar ({os_reason(exc)})."
    return ""


def _not_found(module: str, names: list[str], where: str = "") -> str:
    return (
        f"Die Datei {module}.py wurde nicht gefunden, auch kein Notebook (.ipynb){where}. "
        f"Vorhanden: {', '.join(names) or 'nichts'}."
    )


def _notebook(folder: Path, module: str) -> Path | None:
    """The notebook graded where ``folder`` has no module file: in it, else in its single nesting folder."""
    found = notebooks.find(folder, module)
    inner = [p for p in folder.iterdir() if p.is_dir() and p.name not in LEFTOVERS]
    if found is None and len(inner) == 1:
        found = notebooks.find(inner[0], module)
    return found


def _from_notebook(submission: Submission, notebook: Path, module: str, workdir: Path) -> None:
    """Grade ``notebook``: a folder in ``workdir`` with the module made of its code cells and the
    files beside it, but no notebook (nothing of its outputs or metadata reaches a sandbox)."""
    submission.notebook_file = readable(notebook.name)
    try:
        converted = notebooks.read(notebook, submission.notebook_file)
    except notebooks.NotebookError as exc:
        submission.error = str(exc)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    folder = workdir / f"{len(list(workdir.iterdir())):04d}"
    folder.mkdir()
    own = Path(f"{module}.py")
    handin.copy(notebook.parent, folder, lambda p: p != own and p.suffix.lower() != notebooks.SUFFIX)
    (folder / own).write_text(converted.source, encoding="utf-8")
    (folder / own).chmod(0o444)
    submission.folder, submission.notebook = folder, converted
    submission.notes += converted.notes()


def locate(folder: Path, module: str) -> Path | None:
    """``folder`` or its single nesting folder, whichever holds ``module.py``."""
    if (folder / f"{module}.py").is_file():
        return folder
    inner = [p for p in folder.iterdir() if p.is_dir() and p.name not in LEFTOVERS]
    if len(inner) == 1 and (inner[0] / f"{module}.py").is_file():
        return inner[0]
    return None
