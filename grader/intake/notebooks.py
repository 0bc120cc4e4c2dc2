"""A Jupyter notebook as the Aufgabe's module: its code cells, in order, become the module.

The host's intake reads a handed-in notebook with it, and the student kit
carries the same file (as ``gnn_kit/notebooks.py``), so both read a notebook
alike: it needs only the standard library, and nbformat (which comes with
every Jupyter) for the format's schema.

Only the code cells' source goes into the module: no output, no metadata.
Left out, each named in ``Converted.notes``: IPython's line magics and shell
lines (``%…``, ``!…``; each replaced by ``pass``, so that a block around it
stays a block and the cell keeps its line numbers), cell magics (a cell
beginning with ``%%``), cells tagged ``skip`` and cells that use the kit
(``from gnn_kit import check``; the kit is not there at hand-in). Cells are
counted from the top, text cells too, as a student counts them on screen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 20 << 20
"""A notebook larger than this is refused; what makes one that large are stored outputs."""
SKIP_TAG = "skip"
"""A code cell with this tag is left out (Jupyter: View → Cell Toolbar → Tags, or the property inspector)."""
SUFFIX = ".ipynb"
MAX_NOTED = 12
"""Left-out lines named one by one in the notes; the rest are counted."""

_KIT_IMPORT = re.compile(r"^\s*(from|import)\s+gnn_kit\b", re.MULTILINE)
_REFERENCE = re.compile(
    r'(?P<open>File "|\()(?P<file>[^"(),\n]+)(?P<close>"?), line (?P<line>\d+)'  # a traceback's, a SyntaxError's
    r"|^(?P<warned>[^\s:]+):(?P<wline>\d+): "  # a warning's "…/perceptron.py:12: RuntimeWarning"
    r'|on line (?P<oline>\d+)(?= \((?P<ofile>[^"(),\n]+), line \d+\))',  # "…definition on line 5 (perceptron.py, line 7)"
    re.MULTILINE,
)
RESAVE = "Bitte das Notebook in Jupyter öffnen, speichern und erneut abgeben."
NO_NBFORMAT = (
    "Zum Lesen eines Notebooks fehlt das Paket nbformat (es gehört zu Jupyter): "
    "pip install nbformat, oder das Kit aus Jupyter heraus benutzen."
)


class NotebookError(Exception):
    """The notebook cannot become a module; the message (German) says why and what to do."""


@dataclass(frozen=True)
class LeftOut:
    """A line or cell of the notebook that is not part of the module."""

    cell: int
    """Its cell, counted from 1 at the top (text cells too)."""
    line: int
    """Its line in the cell, from 1; 0 for the whole cell."""
    text: str
    """The line (or the cell's first line), shortened."""
    why: str
    """Why it was left out (German)."""


@dataclass(frozen=True)
class Converted:
    """The module made of a notebook's code cells, and where each of its lines came from."""

    name: str
    """The notebook's file name."""
    source: str
    """The module's source."""
    spans: tuple[tuple[int, int, int], ...]
    """(first line in the module, cell, number of lines) for each code cell taken."""
    left_out: tuple[LeftOut, ...]

    def where(self, line: int) -> tuple[int, int] | None:
        """(cell, line in the cell) of the module's ``line``; the blank line after a cell is the line
        after its last (where Python places an error at a cell's end); None outside the cells."""
        for first, cell, count in self.spans:
            if first <= line <= first + count:
                return cell, line - first + 1
        return None

    def located(self, text: str, filename: str) -> str:
        """``text`` with each reference to a line of ``filename`` (a traceback's ``File "…", line 12``,
        a syntax error's ``(…, line 12)``) turned into the notebook's cell and line."""

        def cell_line(match: re.Match) -> str:
            file, line = next((match[f], match[n]) for f, n in (("file", "line"), ("warned", "wline"), ("ofile", "oline")) if match[n])
            place = self.where(int(line)) if Path(file).name == filename else None
            if place is None:
                return match[0]
            if match["warned"]:
                return f"{self.name}, Zelle {place[0]}, Zeile {place[1]}: "
            if match["oline"]:
                return f"in Zelle {place[0]}, Zeile {place[1]}"
            return f'{match["open"]}{self.name}{match["close"]}, Zelle {place[0]}, Zeile {place[1]}'

        return _REFERENCE.sub(cell_line, text)

    def notes(self) -> list[str]:
        """What a report says about the notebook (German)."""
        said = [
            f"Bewertet wurden die Code-Zellen des Notebooks {self.name} als ein Modul, von oben nach unten "
            "(Zellen werden von oben gezählt, Text-Zellen mitgezählt)."
        ]
        if self.left_out:
            shown = [
                f"Zelle {o.cell}" + (f", Zeile {o.line}" if o.line else "") + (f" „{o.text}“" if o.text else "") + f" ({o.why})"
                for o in self.left_out[:MAX_NOTED]
            ]
            more = len(self.left_out) - MAX_NOTED
            said.append("Nicht bewertet: " + "; ".join(shown) + (f"; und {more} weitere" if more > 0 else "") + ".")
        return said


def find(folder: Path, module: str) -> Path | None:
    """The notebook of ``folder``: ``<module>.ipynb``, else its only notebook; None without one.

    Raises NotebookError where several notebooks, none of the module's name, leave the choice open.
    """
    named = folder / f"{module}{SUFFIX}"
    if named.is_file():
        return named
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() == SUFFIX and p.is_file())
    if len(found) > 1:
        names = ", ".join(p.name for p in found[:10])
        raise NotebookError(
            f"Die Datei {module}.py fehlt, und von den Notebooks ({names}) heißt keines {module}{SUFFIX}: "
            f"bitte nur ein Notebook abgeben oder es {module}{SUFFIX} nennen."
        )
    return found[0] if found else None


def read(path: Path, name: str = "") -> Converted:
    """The module of the notebook at ``path`` (shown as ``name``); NotebookError where there is none."""
    name = name or path.name
    with open(path, "rb") as file:
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise NotebookError(
            f"{name} ist größer als {MAX_BYTES >> 20} MB; so groß wird ein Notebook durch seine gespeicherten "
            "Ausgaben (Bilder, lange Trainingsprotokolle), die der Grader nicht braucht. Bitte in Jupyter "
            "alle Ausgaben löschen (Edit → Clear Outputs of All Cells), speichern und erneut abgeben."
        )
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{name} ist kein gültiges Notebook: die Datei ist nicht in UTF-8 kodiert. {RESAVE}") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{name} ist kein gültiges Notebook: kein gültiges JSON ({exc.msg}, Zeile {exc.lineno}, "
            f"Spalte {exc.colno}); vielleicht beim Kopieren oder Zusammenführen beschädigt. {RESAVE}"
        ) from None
    except RecursionError:
        raise NotebookError(f"{name} ist kein gültiges Notebook: das JSON ist zu tief verschachtelt.") from None
    version = notebook.get("nbformat") if isinstance(notebook, dict) else None
    if version != 4:
        raise NotebookError(
            f"{name} hat das Notebook-Format {version}; bewertet wird Format 4 (jedes Jupyter seit 2015). "
            f"{RESAVE} Ein aktuelles Jupyter wandelt das Format dabei um."
            if isinstance(version, int)
            else f"{name} ist kein Jupyter-Notebook (es fehlt die Formatangabe „nbformat“)."
        )
    try:
        from nbformat.validator import iter_validate
    except ImportError:
        raise NotebookError(NO_NBFORMAT) from None
    try:
        error = next(iter(iter_validate(notebook)), None)
    except RecursionError:
        raise NotebookError(f"{name} ist kein gültiges Notebook: das JSON ist zu tief verschachtelt.") from None
    if error is not None:
        raise NotebookError(f"{name} entspricht nicht dem Notebook-Format 4 ({_short(str(error.message), 160)}). {RESAVE}")
    converted = convert(notebook["cells"], name)
    if not converted.spans:
        left = " (außer den ausgelassenen, siehe unten)" if converted.left_out else ""
        raise NotebookError(
            f"{name} enthält keinen Code: keine Code-Zelle mit Inhalt{left}. "
            "Ist es das richtige Notebook, und ist es gespeichert?"
        )
    return converted


def convert(cells: list[dict], name: str) -> Converted:
    """The module of ``cells`` (nbformat 4 cells as plain dicts), for the notebook ``name``."""
    lines: list[str] = []
    spans: list[tuple[int, int, int]] = []
    left_out: list[LeftOut] = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if not source.strip():
            continue
        why = _whole_cell(source, cell.get("metadata", {}).get("tags", []))
        if why:
            left_out.append(LeftOut(number, 0, _short(source.strip().splitlines()[0]), why))
            continue
        own = source.splitlines()
        magic = _magic_lines(own)
        for index in sorted(magic):
            stripped = own[index].strip()
            left_out.append(LeftOut(number, index + 1, _short(stripped), "Shell-Befehl" if stripped.startswith("!") else "IPython-Befehl"))
            own[index] = _as_pass(own[index])
        if all(i in magic or not line.strip() for i, line in enumerate(own)):
            continue  # magics alone: nothing of the cell is code
        if spans:
            lines.append("")
        spans.append((len(lines) + 1, number, len(own)))
        lines += own
    return Converted(name, "\n".join(lines) + "\n", tuple(spans), tuple(left_out))


def _whole_cell(source: str, tags) -> str:
    """Why the whole code cell is left out (German), or ""."""
    if isinstance(tags, list) and SKIP_TAG in tags:
        return f"Tag „{SKIP_TAG}“"
    if source.lstrip().startswith("%%"):
        return "Zellen-Befehl von IPython, ganze Zelle"
    if _KIT_IMPORT.search(source):
        return "ruft das Kit auf, ganze Zelle"
    return ""


def _magic_lines(lines: list[str]) -> set[int]:
    """The indexes of ``lines`` that are IPython line magics or shell lines.

    A line that begins with ``%`` or ``!`` is one only where a statement may
    begin: not inside a string or brackets (``% x`` continuing a formatting
    expression) nor after a backslash. One pass over the characters, the same
    in every Python version (a cell may be megabytes long).
    """
    magic: set[int] = set()
    depth, string, joined = 0, "", False
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if not (depth or string or joined) and stripped.startswith(("%", "!")) and not stripped.startswith("!="):
            magic.add(index)
            continue
        depth, string, joined = _after(line, depth, string)
    return magic


def _after(line: str, depth: int, string: str) -> tuple[int, str, bool]:
    """(bracket depth, open triple-quoted string's delimiter, ends in a backslash) after ``line``."""
    at = 0
    while at < len(line):
        if string:
            end = _closing(line, at, string)
            if end < 0:
                return depth, string, False
            at, string = end, ""
            continue
        char = line[at]
        if char == "#":
            return depth, "", False
        if char in "'\"":
            delimiter = line[at : at + 3] if line[at : at + 3] in ("'''", '"""') else char
            end = _closing(line, at + len(delimiter), delimiter)
            if end < 0:  # an unclosed single quote ends with its line (a syntax error Python reports)
                return depth, delimiter if len(delimiter) == 3 else "", False
            at = end
            continue
        depth = max(depth + (char in "([{") - (char in ")]}"), 0)
        at += 1
    return depth, "", line.endswith("\\")


def _closing(line: str, at: int, delimiter: str) -> int:
    """Where the string closed by ``delimiter`` ends in ``line``, searched from ``at``; -1 if it does not."""
    while at < len(line):
        if line[at] == "\\":
            at += 2
        elif line.startswith(delimiter, at):
            return at + len(delimiter)
        else:
            at += 1
    return -1


def _as_pass(line: str) -> str:
    """``line`` as ``pass`` at its indentation: a block around it stays a block."""
    return line[: len(line) - len(line.lstrip())] + "pass"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
