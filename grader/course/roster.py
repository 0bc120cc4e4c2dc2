"""Who is who across Aufgaben: students keyed by a roster instead of their display name.

Moodle names a submission by the student's full name and a participant
number that differs between assignments, so the name is all that links a
student's Aufgaben; two students of the same name would become one. A
roster is any CSV Moodle exports with the students' e-mail address or ID
number: the participants list, the grades export, or an assignment's
grading worksheet (which also ties its participant numbers to addresses).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.common.errors import EXIT_AMBIGUOUS, GraderError
from grader.intake.moodle import moodle_student, student_key
from grader.report.grades import csv_separator, read_worksheet

_NAME = ("Full name", "Vollständiger Name", "Name")
_FIRST = ("First name", "Vorname")
_LAST = ("Last name", "Surname", "Nachname")
_EMAIL = ("Email address", "E-Mail-Adresse", "Email", "E-Mail")
_ID_NUMBER = ("ID number", "ID-Nummer", "Matrikelnummer")
_IDENTIFIER = ("Identifier", "ID")


class AmbiguousStudents(GraderError, ValueError):
    """Submissions that cannot be told apart by what is known; ``groups`` lists them."""

    exit_code = EXIT_AMBIGUOUS

    def __init__(self, groups: list[list[str]], with_roster: bool):
        super().__init__(groups)
        self.groups, self.with_roster = groups, with_roster

    def message(self) -> str:
        return f"Nicht eindeutig zuzuordnen: {'; '.join(' und '.join(group) for group in self.groups)}."

    def hint(self, options) -> str:
        if self.with_roster:
            return "die Bewertungstabellen der Aufgaben (mit E-Mail-Adressen) zusätzlich als --roster angeben."
        return "Moodles Teilnehmerliste oder Bewertungstabellen (mit E-Mail-Adresse oder ID-Nummer) als --roster angeben."


@dataclass(frozen=True)
class Person:
    name: str
    key: str
    """ID number, else e-mail address."""
    participant: str = ""
    """Participant number where the roster is an assignment's grading worksheet."""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.key})"


@dataclass(frozen=True)
class Contact:
    """One row of a roster as the service keeps it: who, and how to write to them."""

    person: Person
    email: str
    id_number: str


def load(paths: Sequence[Path]) -> list[Person]:
    """The people in the roster files ``paths`` (CSV, comma or semicolon, UTF-8 or cp1252)."""
    return [contact.person for contact in contacts(paths)]


def contacts(paths: Sequence[Path]) -> list[Contact]:
    """``load``, with each person's e-mail address and ID number as the roster gives them."""
    found = []
    for path in paths:
        text = read_worksheet(Path(path).read_bytes())
        for row in csv.DictReader(io.StringIO(text), delimiter=csv_separator(text)):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            key = _first(row, _ID_NUMBER) or _first(row, _EMAIL).casefold()
            name = _first(row, _NAME) or f"{_first(row, _FIRST)} {_first(row, _LAST)}".strip()
            if key and name:
                identifier = _first(row, _IDENTIFIER)
                participant = identifier.split()[-1] if identifier and identifier.split()[-1].isdigit() else ""
                found.append(Contact(Person(name, key, participant), _first(row, _EMAIL), _first(row, _ID_NUMBER)))
    return found


def _first(row: dict[str, str], names: tuple[str, ...]) -> str:
    return next((row[n] for n in names if row.get(n)), "")


def identify(ids_per_run: list[list[str]], people: list[Person] | None) -> dict[str, str]:
    """The student key of every submission id, the same for one student across runs.

    Without a roster a Moodle submission is keyed by the student's name, and
    two submissions of one run with the same name are refused. With one, by
    the person the participant number (from a worksheet) or, failing that,
    the name points to; a name that several people share is refused.
    """
    keys: dict[str, str] = {}
    ambiguous: list[list[str]] = []
    for ids in ids_per_run:
        run_keys: dict[str, list[str]] = {}
        for submission in ids:
            key = _key(submission, people) if people is not None else student_key(submission)
            if key is None:
                ambiguous.append([submission])
                continue
            keys[submission] = key
            run_keys.setdefault(key, []).append(submission)
        ambiguous += [group for group in run_keys.values() if len(group) > 1]
    if ambiguous:
        raise AmbiguousStudents(ambiguous, with_roster=people is not None)
    return keys


def _key(submission: str, people: list[Person]) -> str | None:
    student = moodle_student(submission)
    if student is None:
        return submission
    same_name = [p for p in people if p.name.casefold() == student.name.casefold()]
    by_number = {p.key for p in same_name if p.participant == student.participant}
    candidates = by_number or {p.key for p in same_name}
    if len(candidates) > 1:
        return None
    if not candidates:
        return student.name
    (key,) = candidates
    return next(p.label for p in same_name if p.key == key)
