"""The course's policies per Aufgabe, kept in ``DATA/course.toml`` where the instructor edits them.

``init`` writes defaults that let a course start at once: open now, no
deadline, unlimited attempts, no cooldown, hidden cases shown as their
verdict only, the last attempt counts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

LATE = ("refuse", "accept")
"""After the deadline a hand-in is refused, or accepted and marked late."""
HIDDEN = ("nothing", "verdict", "report")
"""What a student sees of hidden cases before the deadline: nothing, each one's verdict and
points, or what the batch report shows (its verdict, points and message)."""
COUNTS = ("last", "best")

DEFAULT_MAX_UPLOAD = 2_000_000


class CourseFileError(ValueError):
    """``course.toml`` cannot be used; the message (German) says where."""


@dataclass
class Policy:
    aufgabe: int
    opens: datetime
    deadline: datetime | None = None
    late: str = "refuse"
    attempts: int | None = None
    """None: unlimited."""
    cooldown_minutes: float = 0.0
    hidden_before_deadline: str = "verdict"
    counts: str = "last"


@dataclass
class Course:
    policies: dict[int, Policy]
    database: str = ""
    """SQLAlchemy URL; "" is the embedded SQLite database ``DATA/service.db``."""
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    extra: dict = field(default_factory=dict)


def default_policy(aufgabe: int, now: datetime | None = None) -> Policy:
    return Policy(aufgabe=aufgabe, opens=(now or datetime.now(UTC)).replace(microsecond=0))


def read(path: Path) -> Course:
    """The course described by ``path``; CourseFileError names what is wrong."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CourseFileError(f"{path} ist kein gültiges TOML ({exc}).") from None
    policies = {}
    for key, entry in data.get("aufgabe", {}).items():
        if not key.isdigit():
            raise CourseFileError(f"{path}: [aufgabe.{key}] ist keine Nummer einer Aufgabe.")
        policies[int(key)] = _policy(int(key), entry, path)
    return Course(
        policies=policies,
        database=str(data.get("database", "")),
        max_upload_bytes=int(data.get("max_upload_bytes", DEFAULT_MAX_UPLOAD)),
    )


def _policy(aufgabe: int, entry: dict, path: Path) -> Policy:
    where = f"{path}, [aufgabe.{aufgabe}]"

    def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = entry.get(name, default)
        if value not in allowed:
            raise CourseFileError(f"{where}: {name} = {value!r}; erlaubt: {', '.join(allowed)}.")
        return value

    attempts = entry.get("attempts", "unlimited")
    if attempts != "unlimited" and (not isinstance(attempts, int) or attempts < 1):
        raise CourseFileError(f"{where}: attempts muss eine Zahl ab 1 oder \"unlimited\" sein.")
    return Policy(
        aufgabe=aufgabe,
        opens=_moment(entry.get("opens"), where, "opens") or datetime.now(UTC),
        deadline=_moment(entry.get("deadline", ""), where, "deadline"),
        late=choice("late", LATE, "refuse"),
        attempts=None if attempts == "unlimited" else attempts,
        cooldown_minutes=float(entry.get("cooldown_minutes", 0)),
        hidden_before_deadline=choice("hidden_before_deadline", HIDDEN, "verdict"),
        counts=choice("counts", COUNTS, "last"),
    )


def _moment(value, where: str, name: str) -> datetime | None:
    """A TOML date-time (or its ISO text); one without an offset is UTC; "" or absent is None."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise CourseFileError(f"{where}: {name} = {value!r} ist kein Zeitpunkt (z. B. 2026-12-24T23:59:00+01:00).") from None
    if not isinstance(value, datetime):
        raise CourseFileError(f"{where}: {name} braucht Datum und Uhrzeit (z. B. 2026-12-24T23:59:00+01:00).")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def write(path: Path, course: Course) -> None:
    """``course.toml`` with a comment per setting, so that the instructor can edit it."""
    lines = [
        "# Kurs des Grading-Dienstes (grader serve). Änderungen gelten beim nächsten Start.",
        "# database: SQLAlchemy-URL (leer: eingebettete SQLite-Datenbank service.db in diesem Ordner).",
        f'database = "{course.database}"',
        "# Größte Abgabe in Bytes.",
        f"max_upload_bytes = {course.max_upload_bytes}",
    ]
    for number, p in sorted(course.policies.items()):
        deadline = p.deadline.isoformat() if p.deadline else '""'
        attempts = str(p.attempts) if p.attempts else '"unlimited"'
        lines += [
            "",
            f"[aufgabe.{number}]",
            f"opens = {p.opens.isoformat()}",
            '# deadline: Zeitpunkt mit Zeitzone, z. B. 2026-12-24T23:59:00+01:00; "" ist keine Frist.',
            f"deadline = {deadline}",
            '# late: "refuse" (nach der Frist abgelehnt) oder "accept" (angenommen, als verspätet markiert).',
            f'late = "{p.late}"',
            '# attempts: Anzahl der Versuche oder "unlimited".',
            f"attempts = {attempts}",
            f"cooldown_minutes = {p.cooldown_minutes:g}",
            '# hidden_before_deadline: "nothing", "verdict" (Urteil und Punkte) oder "report" (wie der Bericht).',
            f'hidden_before_deadline = "{p.hidden_before_deadline}"',
            '# counts: welcher Versuch zählt, "last" oder "best".',
            f'counts = "{p.counts}"',
        ]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
