"""Turn what came back for a case into a verdict and a message a student understands.

"Your code raised an error" and "the grader failed" are different outcomes,
worded differently. Every case ends with passed, failed, error or timeout.
A hidden case's message holds no text that its code chose (an exception's
message, a returned type's name): that code had the case's inputs in hand
(``grader.judging.disclosure``).
"""

from __future__ import annotations

import builtins
import re
import signal

from grader.cases.assignment import Assignment
from grader.common import german
from grader.common.status import CaseRun, CaseStatus, RunStatus
from grader.intake.notebooks import SKIP_TAG, SUFFIX
from grader.judging import disclosure
from grader.judging.compare import judge
from harness.api import Case, wall_limit
from harness.figures import MAX_FIGURES, MAX_PNG_BYTES, MAX_SUBMISSION_PNG_BYTES


def verdict(
    case: Case, run: CaseRun, assignment: Assignment, expected_value, expected_figures: list, *, handed_in: str = ""
) -> tuple[CaseStatus, str]:
    """(status, German message) of one case; ``handed_in`` names a notebook graded in place of the module."""
    module = handed_in or f"{assignment.module}.py"
    if run.status == RunStatus.OK:
        try:
            judgement = judge(
                case.check,
                expected_value,
                run.value,
                reveal=disclosure.quotes_the_code(case),
                properties=assignment.properties,
                expected_figures=expected_figures,
                figures=run.figures,
            )
        except Exception as exc:  # a bug of ours must not look like the student's
            return CaseStatus.ERROR, (
                "Der Grader konnte diesen Fall nicht bewerten (interner Fehler: "
                f"{type(exc).__name__}). Bitte den Lehrenden melden."
            )
        if judgement.passed:
            return CaseStatus.PASSED, judgement.message + dropped_figures(run)
        return CaseStatus.FAILED, judgement.message + dropped_figures(run)
    if run.status == RunStatus.EXCEPTION:
        return CaseStatus.ERROR, exception_message(run, module, assignment, reveal=disclosure.quotes_the_code(case))
    if run.status == RunStatus.TIMEOUT:
        return CaseStatus.TIMEOUT, timeout_message(case, run)
    if run.status == RunStatus.OVERFLOW:
        return CaseStatus.ERROR, (
            f"Das Ergebnis des Falls (Arrays und Abbildungen) war größer als "
            f"{assignment.limits.result_cap >> 20} MB; der Fall wurde abgebrochen."
        )
    if run.status == RunStatus.PIDS:
        return CaseStatus.ERROR, (
            f"Prozesslimit von {assignment.limits.pids} gleichzeitigen Prozessen erreicht "
            "(Fork-Bombe oder zu viele Prozesse/Threads?); der Fall wurde abgebrochen."
        )
    if run.status == RunStatus.OOM:
        return CaseStatus.ERROR, (
            f"Speicherlimit von {assignment.limits.memory >> 20} MB überschritten; "
            "der Prozess wurde beendet."
        )
    if run.status == RunStatus.NO_RESULT:
        return CaseStatus.ERROR, "Der Prozess endete ohne Ergebnis" + _exit_reason(run.exit_code)
    if run.status == RunStatus.NOT_PLAIN:
        if disclosure.quotes_the_code(case):
            return CaseStatus.ERROR, run.message
        return CaseStatus.ERROR, "Der Rückgabewert lässt sich nicht in Zahlen umwandeln."
    if run.status == RunStatus.INVALID:
        detail = f": {run.message}" if run.message and disclosure.quotes_the_code(case) else "."
        return CaseStatus.ERROR, f"Die Ausgabe des Falls ist ungültig und wurde verworfen{detail}"
    return CaseStatus.ERROR, run.message or "Die Sandbox ist ausgefallen."


def timeout_message(case: Case, run: CaseRun) -> str:
    """Which limit ended the case: its CPU time, or the wall clock while it waited."""
    if run.limit == "wall":
        return (
            f"Wanduhr-Limit von {wall_limit(case.timeout):g} s überschritten und abgebrochen, ohne dass "
            f"das Zeitlimit von {case.timeout:g} s CPU-Zeit verbraucht war: der Code wartete "
            "(blockierender Aufruf wie input(), time.sleep() oder plt.show()?)."
        )
    if run.limit == "cpu":
        return (
            f"Zeitlimit (CPU-Zeit {case.timeout:g} s) überschritten und abgebrochen "
            "(Endlosschleife oder zu langsam?)."
        )
    return (  # which limit is not known (a worker that did not say)
        f"Zeitlimit von {case.timeout:g} s CPU-Zeit bzw. {wall_limit(case.timeout):g} s Wanduhr überschritten "
        "und abgebrochen (Endlosschleife, blockierender Aufruf wie input(), oder zu langsam?)."
    )


def dropped_figures(run: CaseRun) -> str:
    """The note that some of the figures the case drew were left out, or ""."""
    if not run.figures_dropped:
        return ""
    return (
        f" Hinweis: {german.count(run.figures_dropped, 'Abbildung', 'Abbildungen')} "
        f"{'wurde' if run.figures_dropped == 1 else 'wurden'} verworfen (höchstens "
        f"{MAX_FIGURES} je Fall, {MAX_PNG_BYTES >> 20} MB je Abbildung und "
        f"{MAX_SUBMISSION_PNG_BYTES >> 20} MB je Abgabe)."
    )


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "."
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"Signal {-code}"
        hint = " (meist: Speicherlimit überschritten)" if name == "SIGKILL" else ""
        return f": er wurde durch {name} beendet{hint}."
    return (
        f" (Exit-Code {code}). Häufige Ursache: os._exit() oder ein Absturz; "
        "Funktionen sollen Ergebnisse zurückgeben, nicht den Prozess beenden."
    )


_MISSING = re.compile(r"module '(\w+)' has no attribute '(\w+)'")
_JUPYTER_ONLY = re.compile(r"name '(display|get_ipython)' is not defined")


def exception_message(run: CaseRun, module: str, assignment: Assignment, *, reveal: bool = True) -> str:
    # The case called the student's code: "Ihr Code" says so once, "where" adds only the import.
    where = f" beim Import von {module}" if run.stage == "import" else ""
    name, text = run.exception, run.message
    missing = _MISSING.fullmatch(text) if name == "AttributeError" else None
    if not reveal:
        builtin = getattr(builtins, name, None)
        if not (isinstance(builtin, type) and issubclass(builtin, BaseException)):
            name = "Exception"
        text = "(bei verdeckten Fällen wird die Meldung nicht gezeigt)"
        # A missing contract function is named: one of the cases' own names.
        if missing and missing.group(2) not in {c.name.split("/")[0] for c in assignment.cases}:
            missing = None
    if name == "SystemExit":
        return (
            f"Ihr Code rief{where} sys.exit() bzw. exit() auf. Funktionen sollen Ergebnisse "
            "zurückgeben; Code, der nur beim direkten Start laufen soll, gehört unter "
            "if __name__ == '__main__':"
        )
    if name == "KeyboardInterrupt":
        return f"Ihr Code löste{where} KeyboardInterrupt aus."
    if name == "MemoryError":
        return f"Speicher erschöpft (MemoryError){where}; Limit {assignment.limits.memory >> 20} MB."
    if name == "NotImplementedError":
        return "Noch nicht implementiert (NotImplementedError): diese Funktion der Vorlage fehlt noch."
    if name in ("SyntaxError", "IndentationError", "TabError"):
        return f"{module} enthält einen Syntaxfehler und lässt sich nicht importieren: {text}"
    if name in ("ImportError", "ModuleNotFoundError"):
        return (
            f"Import fehlgeschlagen ({text}). In der Sandbox stehen nur numpy, matplotlib "
            "und die Standardbibliothek zur Verfügung."
        )
    if name == "OSError" and text.startswith("[Errno 28]"):
        return (
            f"Kein Platz mehr für Dateien (OSError: {text}): in der Sandbox haben "
            f"/tmp und der Arbeitsordner zusammen {assignment.limits.scratch >> 20} MB."
        )
    if name == "OSError" and text.startswith("[Errno 30]"):
        return (
            f"Schreibgeschützt (OSError: {text}): in der Sandbox darf Ihr Code nur in "
            "/tmp und den Arbeitsordner schreiben."
        )
    if name == "BlockingIOError" or "Resource temporarily unavailable" in text:
        return "Prozesslimit erreicht: Ihr Code startete zu viele Prozesse oder Threads."
    jupyter = _JUPYTER_ONLY.fullmatch(text) if name == "NameError" and module.endswith(SUFFIX) else None
    if jupyter:
        return (
            f"Ihr Code löste{where} eine Ausnahme aus: NameError: {text}. {jupyter[1]}() gibt es nur in Jupyter, "
            "nicht im Modul, zu dem das Notebook bei der Abgabe wird: print() verwenden oder den Aufruf "
            'unter if __name__ == "__main__": stellen.'
        )
    if missing and missing.group(1) == assignment.module:
        return f"In {module} fehlt '{missing.group(2)}', das laut Aufgabenstellung vorhanden sein muss."
    return f"Ihr Code löste{where} eine Ausnahme aus: {name}: {text}"


# --- issue 15: a module that cannot be imported is an error of the submission, not of each case ---


def import_failure(runs: list[CaseRun], assignment: Assignment, *, reveal: bool = True, handed_in: str = "") -> str:
    """The one message when no case got past importing the module, else "".

    Each case imports the module afresh in its own process: when every case
    failed there with the same exception, or ran out of time there, nothing
    was graded at all. The exception's own text is quoted from ``runs[0]`` only
    with ``reveal``: a hidden case's process holds the hidden cases' source
    while the module is imported, so what that import raised may carry it.
    ``handed_in`` names a notebook graded in place of the module.
    """
    if not runs:
        return ""
    first = runs[0]
    module = handed_in or f"{assignment.module}.py"
    if all(r.status == RunStatus.EXCEPTION and r.stage == "import" and r.exception == first.exception for r in runs):
        return exception_message(first, module, assignment, reveal=reveal)
    if all(r.status == RunStatus.TIMEOUT and r.stage == "import" for r in runs):
        return (
            f"Der Import von {module} kam nicht zum Ende: in jedem Fall lief das Zeitlimit ab, "
            "bevor eine Funktion aufgerufen wurde (Endlosschleife, input() oder ein langes Training auf "
            f"oberster Ebene?). {NOTEBOOK_GUARD if module.endswith(SUFFIX) else MODULE_GUARD}"
        )
    return ""


MODULE_GUARD = 'Was beim Import nicht laufen soll, gehört unter if __name__ == "__main__":.'
NOTEBOOK_GUARD = (
    "Im Notebook läuft jede Code-Zelle beim Import mit: Training und Plots in ihrer Zelle unter "
    'if __name__ == "__main__": einrücken (in Jupyter laufen sie dann weiter, beim Import nicht) '
    f"oder die Zelle mit dem Tag „{SKIP_TAG}“ versehen (dann wird sie nicht bewertet)."
)


def not_imported(assignment: Assignment, handed_in: str = "") -> str:
    """What each case says when ``import_failure`` holds: the reason stands once, above."""
    return f"Nicht bewertet: {handed_in or assignment.module + '.py'} ließ sich nicht importieren (siehe oben)."
