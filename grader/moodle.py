"""Moodle's names: the student folders of "download all submissions" and the ids made from them.

Moodle names each student's folder ``<Full name>_<participant>_assignsubmission_file_``
(the participant number is Moodle's id of the student within that
assignment). A submission's id keeps name and number, ``<Full name> (<participant>)``,
so reports stay readable and the grades find their way back; the brackets
keep a plain folder such as ``student_2`` from passing for a Moodle one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FOLDER = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assign(?:submission|feedback)_[a-z]+_?$")
_ID = re.compile(r"^(?P<name>.+) \((?P<participant>\d+)\)$")


@dataclass(frozen=True)
class MoodleStudent:
    name: str
    participant: str


def submission_id(folder_name: str) -> str:
    """The id of a submission handed in as ``folder_name``: Moodle's suffix dropped."""
    match = FOLDER.match(folder_name)
    return f"{match['name']} ({match['participant']})" if match else folder_name


def moodle_student(submission: str) -> MoodleStudent | None:
    """Name and participant number of a Moodle submission id (see ``submission_id``)."""
    match = _ID.match(submission)
    return MoodleStudent(match["name"], match["participant"]) if match else None


def student_key(submission: str) -> str:
    """Who handed in ``submission``, the same across Aufgaben.

    Moodle's participant numbers differ between assignments, so a Moodle
    submission is keyed by the student's name; any other by its id.
    """
    student = moodle_student(submission)
    return student.name if student else submission
