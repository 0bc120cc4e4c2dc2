"""Moodle's names: the student folders of "download all submissions" and the ids made from them.

Moodle names each student's folder ``<Full name>_<participant>_assignsubmission_<plugin>_``
(the participant number is Moodle's id of the student within that
assignment; the plugin is ``file`` or ``onlinetext``, a folder for each the
student used). With "download submissions in folders" switched off, each
file is named ``<Full name>_<participant>_assignsubmission_<plugin>_<file name>``. A submission's id keeps name and number, ``<Full name> (<participant>)``,
so reports stay readable and the grades find their way back; the brackets
keep a plain folder such as ``student_2`` from passing for a Moodle one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FOLDER = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_?$")
_FLAT = re.compile(r"^(?P<folder>.+?_\d+_assignsubmission_[a-z]+_)(?P<file>.+)$")
_ID = re.compile(r"^(?P<name>.+) \((?P<participant>\d+)\)$")


@dataclass(frozen=True)
class MoodleStudent:
    name: str
    participant: str


def submission_id(folder_name: str) -> str:
    """The id of a submission handed in as ``folder_name``: Moodle's suffix dropped."""
    match = FOLDER.match(folder_name)
    return f"{match['name']} ({match['participant']})" if match else folder_name


def plugin(folder_name: str) -> str:
    """``file`` or ``onlinetext`` for a Moodle folder, "" for any other."""
    match = FOLDER.match(folder_name)
    return match["plugin"] if match else ""


def flat_file(file_name: str) -> tuple[str, str] | None:
    """(the student's folder name, the file's own name) of a file of a download without folders."""
    match = _FLAT.match(file_name)
    return (match["folder"], match["file"]) if match else None


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
