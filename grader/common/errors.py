"""Errors the user can fix, and how every command prints them: never as a traceback.

A bottom module: it imports nothing of the grader. Each error class of the
grader that a user can fix derives from ``GraderError`` and carries its own
German message, hint and exit code (README, "Exit codes"), as click's
exceptions do; ``handle_errors`` turns them into what a command prints.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable, Container

import click

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


class GraderError(Exception):
    """An error the user can fix: one German line, a hint, a fixed exit code."""

    exit_code: int = EXIT_FAILED
    """The class's exit code; an error whose code depends on the case sets its own."""

    def message(self) -> str:
        """What went wrong (German); by default the exception's own text."""
        return str(self)

    def hint(self, options: Container[str]) -> str:
        """What to do (German); ``options`` are those of the running command, so that a
        hint names only what can be given there."""
        return ""


ANOTHER_OUT = " oder einen anderen Ordner mit --out wählen"


def if_option(options: Container[str], option: str, text: str) -> str:
    """``text`` where the running command has ``option``, else ""."""
    return text if option in options else ""


REASONS = {
    errno.ENOENT: "Datei oder Ordner gibt es nicht",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
    errno.EEXIST: "dort liegt schon eine Datei, kein Ordner",
    errno.EISDIR: "das ist ein Ordner",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "nicht erlaubt",
    errno.EROFS: "das Dateisystem ist schreibgeschützt",
    errno.ENOSPC: "kein Platz mehr auf dem Datenträger",
    errno.ENAMETOOLONG: "der Name ist zu lang",
}
"""The operating system's reasons for a failed file access, in German: ``OSError.strerror``
is the C library's English text."""


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in German where the reason is known; the system's own text otherwise."""
    reason = REASONS.get(exc.errno) if exc.errno is not None else None
    return reason or exc.strerror or str(exc)


class _Printed(click.ClickException):
    """A GraderError as click prints it."""

    def __init__(self, message: str, hint: str, exit_code: int):
        super().__init__(f"{message}\n  Hinweis: {hint}")
        # click >= 8.4 types exit_code as a class constant (ClassVar), yet its main reads
        # it from the instance (``e.exit_code``): one class carries all our exit codes.
        self.exit_code = exit_code  # type: ignore[misc]


def printed(exc: BaseException) -> click.ClickException | None:
    """What ``exc`` prints; None for what is not the user's to fix (a bug: traceback)."""
    context = click.get_current_context(silent=True)
    options = {o for p in context.command.params for o in p.opts} if context is not None else set()
    if isinstance(exc, GraderError):
        return _Printed(exc.message(), exc.hint(options), exc.exit_code)
    if isinstance(exc, OSError):
        return _Printed(
            f"Zugriff auf {exc.filename or ''} fehlgeschlagen: {os_reason(exc)}.",
            "Pfad und Rechte prüfen oder ein anderes Ziel wählen.",
            EXIT_OUTPUT,
        )
    return None


def handle_errors(func: Callable) -> Callable:
    """Run a command; print what the user can fix, Ctrl-C as exit 130."""

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
            error = printed(exc)
            if error is None:
                raise
            raise error from None

    return wrapper
