"""Accepting a hand-in: the policy's refusals, the intake's checks, then file and row stored.

The receipt is given only after the file is on disk (fsynced, content-addressed)
and its row with a queued grading is committed: what was receipted is never lost.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grader.backends.tempdirs import private_temporary
from grader.intake import archives, notebooks
from grader.intake.submissions import open_submission
from grader.service.course import Opened, module_and_title
from grader.service.extensions import extended
from grader.service.models import Aufgabe, Grading, Handin, now


class Refused(Exception):
    """A hand-in that is not accepted; ``str`` is the German sentence for the student."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass
class Receipt:
    id: int
    received_at: datetime
    sha256: str
    attempt: int
    late: bool


def moment(value: datetime) -> str:
    """A moment as students read it, in UTC."""
    return value.strftime("%d.%m.%Y %H:%M UTC")


def stored_name(filename: str, module: str) -> str:
    """The name the intake opens an upload under, or Refused when it is no hand-in of the Aufgabe."""
    name = PurePath(filename.replace("\\", "/")).name
    if name == f"{module}.py":
        return name
    if name.lower().endswith(notebooks.SUFFIX):  # any notebook's name: graded as the Aufgabe's notebook
        return f"{module}{notebooks.SUFFIX}"
    stem = archives.stem(Path(name))
    if stem is not None:
        return "handin" + name[len(stem):].lower()
    raise Refused(
        f"Erwartet wird die Datei {module}.py, ein Jupyter-Notebook (.ipynb) oder ein Archiv (.zip) mit einem davon; "
        f"hochgeladen wurde „{name[:80]}“."
    )


def blob_path(files: Path, sha256: str) -> Path:
    return files / sha256[:2] / sha256


def accept(
    opened: Opened, *, student_id: int, aufgabe: int, filename: str, content: bytes, at: datetime | None = None
) -> Receipt:
    """Store a hand-in and queue its grading; Refused with the reason otherwise."""
    at = at or now()
    with opened.session() as session:
        row = session.get(Aufgabe, aufgabe)
        deadline = (extended(session, student_id, aufgabe) or row.deadline) if row else None
    if row is None:
        raise Refused(f"Aufgabe {aufgabe} gibt es in diesem Kurs nicht.", 404)
    if at < row.opens:
        raise Refused(f"Aufgabe {aufgabe} ist erst ab {moment(row.opens)} geöffnet.", 403)
    late = deadline is not None and at > deadline
    if late and row.late == "refuse":
        assert deadline is not None
        raise Refused(f"Die Abgabefrist von Aufgabe {aufgabe} ist am {moment(deadline)} abgelaufen.", 403)
    if len(content) > opened.course.max_upload_bytes:
        raise Refused(f"Die Datei ist zu groß (höchstens {opened.course.max_upload_bytes // 1000} kB).", 413)
    if not content:
        raise Refused("Die hochgeladene Datei ist leer.")
    module, _ = module_and_title(aufgabe)
    name = stored_name(filename, module)
    _check_with_intake(name, content, module)
    sha256 = hashlib.sha256(content).hexdigest()
    _store(blob_path(opened.files, sha256), content)
    for _ in range(5):  # two uploads at once may want the same ``seq``: the loser counts again
        try:
            return _insert(opened, row, student_id, name, sha256, len(content), late, at)
        except IntegrityError:
            continue
    raise Refused("Zu viele Abgaben gleichzeitig; bitte in einigen Sekunden erneut versuchen.", 429)


def _check_with_intake(name: str, content: bytes, module: str) -> None:
    """The batch's checks (links, names, archives, the module file) on the upload, or Refused."""
    with private_temporary("gnn-unpack-") as work:
        entry = work / "upload" / name
        entry.parent.mkdir()
        entry.write_bytes(content)
        submission = open_submission(entry, module, work / "unpacked")
        if submission.error:
            raise Refused(submission.error)


def _store(path: Path, content: bytes) -> None:
    """Write ``content`` under its hash: fsynced and renamed into place, so never half there."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _insert(
    opened: Opened, row: Aufgabe, student_id: int, name: str, sha256: str, size: int, late: bool, at: datetime
) -> Receipt:
    with opened.session() as session, session.begin():
        mine = select(Handin).where(Handin.student_id == student_id, Handin.aufgabe == row.number)
        seq = (session.scalar(select(func.max(Handin.seq)).where(Handin.student_id == student_id, Handin.aufgabe == row.number)) or 0) + 1
        used = session.scalar(select(func.count()).select_from(mine.where(Handin.state != "error").subquery())) or 0
        if row.attempts is not None and used >= row.attempts:
            raise Refused(f"Alle {row.attempts} Versuche für Aufgabe {row.number} sind aufgebraucht.", 403)
        last = session.scalar(select(func.max(Handin.received_at)).where(Handin.student_id == student_id, Handin.aufgabe == row.number, Handin.state != "error"))
        if last is not None and row.cooldown_minutes:
            ready = last + timedelta(minutes=row.cooldown_minutes)
            if at < ready:
                wait = max(1, round((ready - at).total_seconds() / 60))
                raise Refused(f"Die nächste Abgabe ist erst in {wait} Minute(n) möglich (Wartezeit zwischen Versuchen).", 429)
        handin = Handin(
            student_id=student_id, aufgabe=row.number, seq=seq, attempt=used + 1, sha256=sha256, filename=name,
            size=size, received_at=at, late=late, state="queued",
        )
        session.add(handin)
        session.flush()
        session.add(Grading(handin_id=handin.id, state="queued", created_at=at))
    return Receipt(handin.id, handin.received_at, sha256, handin.attempt, late)
