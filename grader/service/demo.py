"""``grader serve --demo``: a throw-away course with the bundled example hand-ins, to see the service at once.

The students are those of ``examples/submissions`` (one per name across the
Aufgaben); each example is handed in by its student when the course is made,
so the queue has work and the pages have reports as soon as the server runs.
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.cases import assignment as assignments
from grader.intake import archives
from grader.service.course import init, open_course, write_tokens
from grader.service.handins import accept
from grader.service.models import Student

EXAMPLES = assignments.PROJECT / "examples" / "submissions"


def _name(entry: Path) -> str:
    """``mueller_anna`` or ``mueller_anna.zip`` -> ``Anna Mueller``."""
    last, _, first = (archives.stem(entry) or entry.name).partition("_")
    return f"{first.title()} {last.title()}".strip()


def _handins() -> list[tuple[str, int, str, bytes]]:
    """(student, Aufgabe, file name, content) of every bundled example."""
    found = []
    for number in assignments.available():
        module = assignments.load(number).module
        folder = EXAMPLES / f"aufgabe{number}"
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            if entry.is_dir() and (entry / f"{module}.py").is_file():
                found.append((_name(entry), number, f"{module}.py", (entry / f"{module}.py").read_bytes()))
            elif entry.is_file() and archives.stem(entry):
                found.append((_name(entry), number, entry.name, entry.read_bytes()))
    return found


def make_demo(folder: Path, url: str) -> tuple[Path, str, dict[str, str]]:
    """The demo course in ``folder``: its data folder, the instructor's token, each student's login link."""
    handins = _handins()
    names = sorted({name for name, *_ in handins})
    roster = folder / "participants.csv"
    with roster.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Full name", "Email address"])
        writer.writerows([name, f"{name.lower().replace(' ', '.')}@demo.invalid"] for name in names)
    data = folder / "course"
    instructor = init(data=data, roster_paths=[roster], database="")
    write_tokens(data=data, out=folder / "tokens.csv", url=url)
    with (folder / "tokens.csv").open(encoding="utf-8-sig") as stream:
        links = {row["name"]: row["link"] for row in csv.DictReader(stream)}
    opened = open_course(data)
    try:
        with opened.session() as db:
            ids = {s.name: s.id for s in db.query(Student)}
        for name, number, filename, content in handins:
            accept(opened, student_id=ids[name], aufgabe=number, filename=filename, content=content)
    finally:
        opened.engine.dispose()
    return data, instructor, links
