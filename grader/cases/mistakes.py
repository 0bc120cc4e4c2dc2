"""The catalogue of typical mistakes: each one is the reference with one change.

``assignments/aufgabeN/mistakes/<id>/mistake.toml`` holds a German ``title``,
a ``hint`` (what to look at, not the fix), the lecture ``concept`` it touches,
the cases it ``loses`` (``raises``: those of them in which its code raises;
``passes_testat``: whether it still passes), and one or more ``[[change]]``
tables: ``before``, text that occurs exactly once in the reference module,
``after``, what the mistake has in its place, and optionally ``why`` for a
reviewer. A reviewer reads the mistake, not a copy of the reference, and a
change of the reference reaches every mistake.

The module that makes the mistake is written into the cache, once per
reference and changes, so that it is graded like any submission folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader.cases.assignment import Assignment
from grader.cases.expected import cache_dir
from grader.common.errors import EXIT_REFERENCE, GraderError


class MistakeBroken(GraderError, ValueError):
    """A change of a catalogue mistake does not fit the reference: an instructor's problem."""

    exit_code = EXIT_REFERENCE

    def hint(self, options) -> str:
        return "das „before“ der Änderung so wählen, dass es genau einmal in der Referenz steht."


@dataclass(frozen=True)
class Change:
    before: str
    """Text that occurs exactly once in the reference module."""
    after: str
    """What the mistake has in its place."""
    why: str = ""
    """For a reviewer: what the change does wrong (English)."""


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    hint: str
    concept: str
    folder: Path
    """The submission that makes this mistake: the reference with ``changes``, written into the cache."""
    changes: tuple[Change, ...] = ()
    loses: frozenset[str] = field(default_factory=frozenset)
    """The cases that grading this mistake loses."""
    raises: frozenset[str] = field(default_factory=frozenset)
    """Of ``loses``, the cases in which its code raises (status "error"); the others are "failed"."""
    passes_testat: bool = False
    """Whether its losses still pass the Testat."""


def catalogue(assignment: Assignment) -> list[Mistake]:
    """The typical mistakes of ``assignment``, sorted by id (an empty list without a catalogue)."""
    root = assignment.folder / "mistakes"
    reference = (assignment.reference / f"{assignment.module}.py").read_text(encoding="utf-8")
    mistakes = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if (folder / "mistake.toml").is_file():
            spec = tomllib.loads((folder / "mistake.toml").read_text(encoding="utf-8"))
            changes = tuple(Change(c["before"], c["after"], c.get("why", "")) for c in spec.get("change", []))
            source = apply(reference, changes, f"{assignment.folder.name}/mistakes/{folder.name}")
            mistakes.append(Mistake(
                folder.name, spec["title"], spec["hint"], spec["concept"], materialise(assignment.module, source),
                changes, frozenset(spec.get("loses", [])), frozenset(spec.get("raises", [])),
                spec.get("passes_testat", False),
            ))
    return mistakes


def apply(reference: str, changes: tuple[Change, ...], name: str) -> str:
    """``reference`` with every change made in turn; ``name`` (the mistake) is what an error names."""
    source = reference
    for change in changes:
        found = source.count(change.before)
        if found != 1:
            where = "nicht" if found == 0 else f"{found}-mal statt einmal"
            raise MistakeBroken(
                f"{name}: das „before“ einer Änderung steht {where} in der Referenz (mit den Änderungen davor):\n"
                f"{change.before}"
            )
        source = source.replace(change.before, change.after, 1)
    return source


def materialise(module: str, source: str) -> Path:
    """A folder under the cache that holds ``source`` as ``<module>.py`` (written once, atomically)."""
    key = hashlib.sha256(f"{module}\0{source}".encode()).hexdigest()[:16]
    folder = cache_dir() / "mistake-sources" / key
    if not (folder / f"{module}.py").is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
        (work / f"{module}.py").write_text(source, encoding="utf-8")
        try:
            work.rename(folder)
        except OSError:  # another process wrote it first
            shutil.rmtree(work)
    return folder
