"""The output folder of a run: one Aufgabe's, written by one grader at a time.

``claim`` is held while a command writes into OUT. It refuses an OUT that
holds another Aufgabe's results (a second Aufgabe would replace them) and
one that another grader process is writing into right now (both would write
the same files). The lock is ``flock`` on ``OUT/.lock``: the kernel drops it
when its holder dies, so a killed run never leaves OUT locked.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.common import results
from grader.common.errors import (
    ANOTHER_OUT,
    EXIT_INCOMPLETE,
    EXIT_NO_SUBMISSIONS,
    EXIT_OUTPUT,
    EXIT_USAGE,
    GraderError,
    if_option,
    os_reason,
)
from grader.common.results import RunResult

LOCK = ".lock"
OWNER = ".aufgabe"
"""Names the Aufgabe of OUT from the first result stored, before any results.json exists."""


class OutputNotWritable(GraderError, OSError):
    """The output folder cannot be created or written."""

    exit_code = EXIT_OUTPUT

    def message(self) -> str:
        return f"In den Ausgabeordner kann nicht geschrieben werden ({self})."

    def hint(self, options) -> str:
        return f"Pfad und Rechte prüfen{if_option(options, '--out', ANOTHER_OUT)}."


class OutputOfAnotherAufgabe(GraderError, ValueError):
    """OUT holds the results of another Aufgabe."""

    exit_code = EXIT_OUTPUT

    def __init__(self, out: Path, aufgabe: int):
        super().__init__(out, aufgabe)
        self.out, self.aufgabe = out, aufgabe

    def message(self) -> str:
        return f"In {self.out} liegen die Ergebnisse von Aufgabe {self.aufgabe}; sie würden überschrieben."

    def hint(self, options) -> str:
        return "für jede Aufgabe einen eigenen Ordner wählen, z. B. --out out/aufgabeN (Standard)."


class OutputInUse(GraderError, RuntimeError):
    """Another grader process writes into OUT."""

    exit_code = EXIT_OUTPUT

    def message(self) -> str:
        return f"In {self} schreibt gerade ein anderer Lauf des Graders."

    def hint(self, options) -> str:
        return f"warten, bis er fertig ist, und den Befehl dann wiederholen{if_option(options, '--out', ANOTHER_OUT)}."


class MissingResults(GraderError, LookupError):
    """A path given as a run's output holds no readable results.json."""

    exit_code = EXIT_NO_SUBMISSIONS

    def message(self) -> str:
        return f"In {self} liegt keine results.json (oder sie ist unlesbar)."

    def hint(self, options) -> str:
        return "den Ausgabeordner eines `grader run` angeben (oder dessen results.json)."


class IncompleteRun(GraderError, RuntimeError):
    """The run stopped before every submission had a result (Ctrl-C, lost engine)."""

    exit_code = EXIT_INCOMPLETE

    def __init__(self, path: Path, run: RunResult):
        super().__init__(path)
        self.path, self.run = path, run

    def message(self) -> str:
        return f"Der Lauf in {self.path} ist unvollständig: {len(self.run.submissions)} von {self.run.total} Abgaben bewertet."

    def hint(self, options) -> str:
        return "denselben `grader run` erneut starten (er setzt fort) oder --allow-incomplete angeben."


class WritesIntoRun(GraderError, ValueError):
    """A command other than the run would write into the run's output folder."""

    exit_code = EXIT_OUTPUT

    def __init__(self, target: Path, out: Path, example: str):
        super().__init__(target, out)
        self.target, self.out, self.example = target, out, example

    def message(self) -> str:
        return (f"{self.target} liegt im Ausgabeordner des Laufs ({self.out}); dessen Dateien schreibt nur "
                "`grader run`.")

    def hint(self, options) -> str:
        return f"ein Ziel außerhalb des Ausgabeordners wählen, z. B. {self.example}."


def outside_run(target: Path, run: Path, example: str) -> None:
    """Refuse ``target`` inside the output folder of the run ``run`` (its OUT or its results.json)."""
    folder = results_path(Path(run)).parent.resolve()
    if Path(target).resolve().is_relative_to(folder):
        raise WritesIntoRun(Path(target), results_path(Path(run)).parent, example)


def results_path(path: Path) -> Path:
    """``path`` itself, or the ``results.json`` inside an output folder."""
    return path / "results.json" if path.is_dir() else path


def load_results(path: Path, *, allow_incomplete: bool = False) -> RunResult:
    """The results of the run in ``path`` (its OUT or its results.json); an incomplete run only if allowed."""
    file = results_path(Path(path))
    try:
        run = results.load(file)
    except (OSError, ValueError, KeyError, TypeError):
        raise MissingResults(path) from None
    if not run.complete and not allow_incomplete:
        raise IncompleteRun(path, run)
    return run


def default_out(aufgabe: int) -> Path:
    """``out/aufgabeN``: the Aufgaben of a course never share an output folder by default."""
    return Path("out") / f"aufgabe{aufgabe}"


def check_writable(out: Path) -> None:
    """Fail before grading, not after: a probe file is written and removed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputNotWritable(f"{out}: {os_reason(exc)}") from None


def owner(out: Path) -> int | None:
    """The Aufgabe whose results lie in ``out``, None for a fresh or unreadable folder."""
    for path in (out / "results.json", out / OWNER):
        try:
            return int(json.loads(path.read_text(encoding="utf-8"))["aufgabe"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


@contextmanager
def claim(out: Path, aufgabe: int | None) -> Iterator[None]:
    """Hold ``out`` for writing the results of ``aufgabe`` (None: any Aufgabe's, e.g. overrides)."""
    check_writable(out)
    descriptor = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputInUse(str(out)) from None
        found = owner(out)
        if aufgabe is not None and found is not None and found != aufgabe:
            raise OutputOfAnotherAufgabe(out, found)
        if aufgabe is not None and found is None:
            (out / OWNER).write_text(json.dumps({"aufgabe": aufgabe}), encoding="utf-8")
        try:
            yield
        except BaseException:
            if aufgabe is not None and found is None and not _holds_results(out):
                # Refused before anything was stored (wrong --aufgabe): OUT stays free for the right one.
                (out / OWNER).unlink(missing_ok=True)
            raise
    finally:
        os.close(descriptor)


def _holds_results(out: Path) -> bool:
    stored = out / "submissions"
    return (out / "results.json").exists() or (stored.is_dir() and any(stored.iterdir()))


# --- hand overrides (``grader override``), kept in OUT apart from the results ---

FILE = "overrides.json"


class OverrideError(GraderError, ValueError):
    """The override cannot be made; the message says why, the hint what to do about just that (German)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str = "siehe `grader override -h`; die Kennung steht in index.html."):
        super().__init__(message)
        self._hint = hint

    def hint(self, options) -> str:
        return self._hint


@dataclass
class Override:
    note: str
    at: str
    points: float | None = None
    passed: bool | None = None


def load(out: Path) -> dict[str, Override]:
    """The overrides kept in ``out``, by submission id."""
    path = Path(out) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = {sid: Override(**entry) for sid, entry in data.items()}
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, AttributeError):
        found = None
    # A file edited by hand must fail here, before grading, not when it is applied after it.
    if found is None or not all(
        isinstance(o.note, str) and isinstance(o.at, str)
        and (o.points is None or type(o.points) in (int, float))
        and (o.passed is None or type(o.passed) is bool)
        for o in found.values()
    ):
        raise OverrideError(
            f"{path} ist beschädigt (je Kennung: note, at, points als Zahl oder null, passed als true, "
            "false oder null); bitte reparieren oder löschen.",
            "die Datei von Hand reparieren, oder sie löschen und die Änderungen mit `grader override` neu setzen.",
        )
    return found


def apply(run: RunResult, overrides: dict[str, Override]) -> None:
    """Put ``overrides`` on the results of ``run``, on top of what the grader gave."""
    for submission in run.submissions:
        if submission.override:
            submission.score = submission.override["graded_score"]
            submission.passed = submission.override["graded_passed"]
            submission.override = {}
        change = overrides.get(submission.id)
        if change is None:
            continue
        submission.override = {**asdict(change), "graded_score": submission.score, "graded_passed": submission.passed}
        if change.points is not None:
            submission.score = change.points
            # The instructor's word after the Testat conversation: points decide by the threshold
            # alone, a missing required case included; --passed sets the verdict itself.
            submission.passed = change.points >= run.threshold * submission.max_score - 1e-9
        if change.passed is not None:
            submission.passed = change.passed
