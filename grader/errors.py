"""The one map from the API's exceptions to what every command prints and exits with.

Each error the user can fix ends as one German message, a hint and a fixed
exit code (README, "Exit codes"); never as a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import click

from grader import assignment as assignments
from grader.backends import SandboxLost, SandboxUnavailable
from grader.cluster.client import ClusterUnavailable
from grader.course.kit import KitError
from grader.course.overrides import OverrideError
from grader.course.publish import PublishIntoRun
from grader.course.roster import AmbiguousStudents
from grader.expected import ReferenceBroken
from grader.intake.download import BadDownload
from grader.intake.submissions import NoSubmissions
from grader.os_reasons import os_reason
from grader.outdir import (
    IncompleteRun,
    MissingResults,
    OutputInUse,
    OutputNotWritable,
    OutputOfAnotherAufgabe,
)
from grader.report.grades import WorksheetError

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNKNOWN_AUFGABE = 3
EXIT_NO_SUBMISSIONS = 4
EXIT_NO_SANDBOX = 5
EXIT_REFERENCE = 6
EXIT_OUTPUT = 7
EXIT_SANDBOX_LOST = 8
EXIT_INCOMPLETE = 9
EXIT_WORKSHEET = 10
EXIT_AMBIGUOUS = 11
EXIT_INTERRUPTED = 130


class GraderError(click.ClickException):
    """An error the user can fix: one line, a hint, a fixed exit code."""

    def __init__(self, message: str, hint: str, exit_code: int):
        super().__init__(f"{message}\n  Hinweis: {hint}")
        # click >= 8.4 types exit_code as a class constant (ClassVar), yet its main reads
        # it from the instance (``e.exit_code``): one class carries all our exit codes.
        self.exit_code = exit_code  # type: ignore[misc]


def _translate(exc: BaseException) -> GraderError | None:
    """The GraderError for ``exc``; None for what is not the user's to fix (a bug: traceback)."""
    if isinstance(exc, assignments.UnknownAufgabe):
        known = ", ".join(map(str, assignments.available()))
        return GraderError(f"Aufgabe {exc} gibt es nicht.", f"bekannt sind: {known} (siehe `grader list`).", EXIT_UNKNOWN_AUFGABE)
    if isinstance(exc, NoSubmissions):
        return GraderError(
            f"In {exc} liegt keine Abgabe.",
            "erwartet wird je Studierendem ein Ordner oder eine .zip-Datei mit der Datei der Aufgabe "
            "(oder Moodles Download aller Abgaben).",
            EXIT_NO_SUBMISSIONS,
        )
    if isinstance(exc, BadDownload):
        return GraderError(str(exc), "das Archiv neu herunterladen oder entpackt als Ordner übergeben.", EXIT_NO_SUBMISSIONS)
    if isinstance(exc, MissingResults):
        return GraderError(
            f"In {exc} liegt keine results.json (oder sie ist unlesbar).",
            "den Ausgabeordner eines `grader run` angeben (oder dessen results.json).",
            EXIT_NO_SUBMISSIONS,
        )
    if isinstance(exc, SandboxUnavailable):
        return GraderError(
            f"Die Docker-Sandbox ist nicht verfügbar: {exc}",
            f"Docker-Engine starten (z. B. `dockerd`){_if_option('--sandbox', ' oder --sandbox process wählen')}.",
            EXIT_NO_SANDBOX,
        )
    if isinstance(exc, SandboxLost):
        return GraderError(
            f"Abbruch: {exc} Bisher Bewertetes ist gespeichert.",
            "Docker-Engine wieder starten und denselben Befehl erneut ausführen: er setzt fort.",
            EXIT_SANDBOX_LOST,
        )
    if isinstance(exc, ClusterUnavailable):
        return GraderError(
            str(exc), "Scheduler und Worker prüfen (siehe README, „Auf mehreren Rechnern bewerten“).", EXIT_NO_SANDBOX
        )
    if isinstance(exc, ReferenceBroken):
        return GraderError(str(exc), "die Referenz unter reference/ oder die Fälle prüfen.", EXIT_REFERENCE)
    if isinstance(exc, OutputNotWritable):
        return GraderError(
            f"In den Ausgabeordner kann nicht geschrieben werden ({exc}).",
            f"Pfad und Rechte prüfen{_if_option('--out', _ANOTHER_OUT)}.",
            EXIT_OUTPUT,
        )
    if isinstance(exc, OutputOfAnotherAufgabe):
        return GraderError(
            f"In {exc.out} liegen die Ergebnisse von Aufgabe {exc.aufgabe}; sie würden überschrieben.",
            "für jede Aufgabe einen eigenen Ordner wählen, z. B. --out out/aufgabeN (Standard).",
            EXIT_OUTPUT,
        )
    if isinstance(exc, OutputInUse):
        return GraderError(
            f"In {exc} schreibt gerade ein anderer Lauf des Graders.",
            f"warten, bis er fertig ist, und den Befehl dann wiederholen{_if_option('--out', _ANOTHER_OUT)}.",
            EXIT_OUTPUT,
        )
    if isinstance(exc, PublishIntoRun):
        return GraderError(str(exc), "ein Ziel außerhalb des Ausgabeordners wählen, z. B. --to bundle/.", EXIT_OUTPUT)
    if isinstance(exc, IncompleteRun):
        return GraderError(
            f"Der Lauf in {exc.path} ist unvollständig: {len(exc.run.submissions)} von {exc.run.total} Abgaben bewertet.",
            "denselben `grader run` erneut starten (er setzt fort) oder --allow-incomplete angeben.",
            EXIT_INCOMPLETE,
        )
    if isinstance(exc, WorksheetError):
        return GraderError(str(exc), "die Tabelle in Moodle bei genau dieser Aufgabe über „Bewertungstabelle herunterladen“ holen.", EXIT_WORKSHEET)
    if isinstance(exc, AmbiguousStudents):
        groups = "; ".join(" und ".join(group) for group in exc.groups)
        hint = (
            "die Bewertungstabellen der Aufgaben (mit E-Mail-Adressen) zusätzlich als --roster angeben."
            if exc.with_roster
            else "Moodles Teilnehmerliste oder Bewertungstabellen (mit E-Mail-Adresse oder ID-Nummer) als --roster angeben."
        )
        return GraderError(f"Nicht eindeutig zuzuordnen: {groups}.", hint, EXIT_AMBIGUOUS)
    if isinstance(exc, OverrideError):
        return GraderError(str(exc), "siehe `grader override -h`; die Kennung steht in index.html.", EXIT_USAGE)
    if isinstance(exc, KitError):
        return GraderError(str(exc), "properties.py und kit_properties.py dürfen vom Grader nur grader.compare importieren.", EXIT_REFERENCE)
    if isinstance(exc, OSError):
        return GraderError(
            f"Zugriff auf {exc.filename or ''} fehlgeschlagen: {os_reason(exc)}.",
            "Pfad und Rechte prüfen oder ein anderes Ziel wählen.",
            EXIT_OUTPUT,
        )
    return None


_ANOTHER_OUT = " oder einen anderen Ordner mit --out wählen"


def _if_option(option: str, text: str) -> str:
    """``text`` where the running command has ``option``, else "": a hint names only what can be given
    (OUT of ``override`` is the run it changes; ``sandbox build`` has no ``--sandbox``)."""
    context = click.get_current_context(silent=True)
    return text if context is not None and any(option in p.opts for p in context.command.params) else ""


def handle_errors(func: Callable) -> Callable:
    """Run a command; map the API's exceptions to GraderErrors, Ctrl-C to exit 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except KeyboardInterrupt as exc:
            outcome = getattr(exc, "outcome", None)  # grading.Interrupted: what the run had graded
            done = f" (unvollständig: {len(outcome.submissions)} von {outcome.total} bewertet)" if outcome else ""
            click.echo(f"\nAbgebrochen{done}. Was bewertet war, ist gespeichert; derselbe Aufruf setzt fort.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            error = _translate(exc)
            if error is None:
                raise
            raise error from None

    return wrapper
