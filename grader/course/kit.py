"""The student kit of an Aufgabe: task, skeleton and the public cases to run with pytest.

``grader kit --aufgabe N --out kit.zip`` packs, under ``aufgabeN/``:

- ``README.md`` (how to use the kit), ``AUFGABE.md`` (the German task text),
  the skeleton (``<module>.py``), ``pytest.ini``, ``conftest.py`` (warns when
  numpy or matplotlib differ from the grader's) and ``requirements.txt`` (the
  pinned numpy and matplotlib of the sandbox, see ``grader.common.pins``);
- ``test_oeffentlich.py`` and ``gnn_kit/``: the public cases (hidden ones cut
  out of ``cases.py``, with the helpers only they use), their expected values
  and figures, the typical mistakes' signs on them with title and hint
  (``mistakes.json``: outputs, never a mistake's code; so the kit names the
  mistakes ``grader check`` names), the grader's comparators (the package
  ``grader/judging/compare/``) and the Aufgabe's property checks, with the harness
  modules they need.

Everything in it needs only numpy, matplotlib and pytest. Nothing of a hidden
case goes in: not its code, name, data files only it uses, nor its expected value.
No file computes a contract function: where the Aufgabe's ``properties.py`` needs
the algorithm itself, the kit gets ``kit_properties.py`` instead, which checks what
it can without it and raises its ``AtHandIn`` for the rest (pytest shows such a
case as skipped, "wird bei der Abgabe geprüft").
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import zipfile
from pathlib import Path

from grader.cases import assignment as assignments
from grader.cases.assignment import HARNESS, KIT_PROPERTIES, PROPERTIES, Assignment
from grader.cases.expected import expected_for
from grader.cases.source import named_strings, parse, public_cases_source
from grader.common import pins
from grader.common.errors import EXIT_REFERENCE, GraderError
from grader.common.results import png_name
from grader.intake import notebooks
from grader.judging.diagnosis import catalogue_for
from grader.judging.diagnosis import plain as plain_catalogue
from harness import plain
from harness.checks import Property

GRADER = Path(__file__).resolve().parents[1]
RUNTIME = Path(__file__).resolve().parent / "kit_runtime"
RUNTIME_MODULES = {
    "__init__.py": "package.py", "__main__.py": "kit_main.py", "runner.py": "runner.py", "in_jupyter.py": "in_jupyter.py", "submit.py": "submit.py",
}
"""The kit's ``gnn_kit/`` file -> its source in ``kit_runtime/``."""
COMPARE = GRADER / "judging" / "compare"
NOTEBOOKS = GRADER / "intake" / "notebooks.py"
"""How a notebook becomes a module: the grader's own file, so that the kit reads a notebook alike."""
HARNESS_MODULES = ("__init__.py", "api.py", "checks.py", "plain.py", "figures.py", "png.py")
_GRADER_COMPARE = re.compile(r"^from grader\.judging\.compare import ", re.MULTILINE)


class KitError(GraderError):
    """The kit cannot be built as asked; the message says why (German)."""

    exit_code = EXIT_REFERENCE

    def hint(self, options) -> str:
        return "properties.py und kit_properties.py dürfen vom Grader nur grader.judging.compare importieren."


def kit_properties_source(source: str, name: str) -> str:
    """The property module ``name`` of the Aufgabe with the grader's comparators taken from the kit."""
    rewritten = _GRADER_COMPARE.sub("from .compare import ", source)
    if re.search(r"^\s*(from|import)\s+grader\b", rewritten, re.MULTILINE):
        raise KitError(f"{name} importiert mehr vom Grader als grader.judging.compare; das Kit kann es nicht mitliefern.")
    return rewritten


def comparator_modules() -> dict[str, str]:
    """The comparators (the package ``grader/judging/compare/``), path inside it -> source.

    They go into the kit as they are; each may import only the standard
    library, numpy, matplotlib, the harness and, relatively, each other.
    """
    found: dict[str, str] = {}
    for path in sorted(COMPARE.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(parse(source)):
            outside = isinstance(node, ast.ImportFrom) and (
                node.level > 1 or (node.level == 0 and (node.module or "").split(".")[0] == "grader")
            )
            if outside or (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "grader" for a in node.names)):
                raise KitError(f"grader/judging/compare/{path.name} importiert außerhalb von grader.judging.compare; das Kit kann es nicht mitliefern.")
        found[path.name] = source
    return found


def kit_properties_file(assignment: Assignment) -> Path | None:
    """The property checks the kit carries: ``kit_properties.py`` where the host's need the algorithm."""
    for name in (KIT_PROPERTIES, PROPERTIES):
        if (assignment.folder / name).is_file():
            return assignment.folder / name
    return None


def judged_at_hand_in(properties_source: str) -> set[str]:
    """The property checks in ``properties_source`` that leave part of their judgement to the hand-in."""
    return {
        node.name
        for node in parse(properties_source).body
        if isinstance(node, ast.FunctionDef)
        and any(
            isinstance(inner, ast.Raise)
            and isinstance(inner.exc, ast.Call)
            and getattr(inner.exc.func, "id", None) == "AtHandIn"
            for inner in ast.walk(node)
        )
    }


def _public_resources(assignment: Assignment, sources: list[str]) -> dict[str, bytes]:
    """The Aufgabe's data files named in the public cases' code or in the kit's property checks."""
    named = named_strings(sources)
    data = assignment.folder / "data"
    return {p.name: p.read_bytes() for p in sorted(data.glob("*")) if p.is_file() and p.name in named}


def _instructions(assignment: Assignment, names: list[str], later: set[str]) -> str:
    module = assignment.module
    listed = "\n".join(
        f"- `{name}`" + (" (teilweise; der Rest wird bei der Abgabe geprüft)" if name in later else "") for name in names
    )
    versions = " und ".join(f"{name} {version}" for name, version in pins.pinned().items())
    partly = (
        "\n\nWas sich nur mit dem Algorithmus selbst oder mit Daten beurteilen lässt, die\n"
        "nur der Grader hat, prüft das Kit nicht: ein solcher Fall wird hier nur\n"
        "teilweise geprüft (z. B. Formen, Fehlerverlauf) und von pytest als\n"
        "übersprungen gezeigt, „wird bei der Abgabe geprüft“."
        if later
        else ""
    )
    return f"""# Aufgabe {assignment.number} – {assignment.title}: Kit zum Selbsttest

Die Aufgabenstellung steht in `AUFGABE.md`, die Vorlage in `{module}.py`.
Schreiben Sie Ihre Lösung in `{module}.py` in diesem Ordner – oder in einem
Jupyter-Notebook in diesem Ordner (am besten `{module}.ipynb`, siehe unten).

## Die öffentlichen Fälle laufen lassen

Nötig sind nur Python 3.11 oder neuer, numpy, matplotlib und pytest. Der
Grader verwendet {versions}; dieselben Versionen installiert
`pip install -r requirements.txt` (am besten in einer eigenen virtuellen
Umgebung). Mit anderen Versionen warnt der Testlauf. Dann in diesem Ordner:

```
pytest
```

(oder `python -m pytest`, falls `pytest` allein nicht gefunden wird).

Jeder Fall wird so geprüft wie vom Grader: derselbe Aufruf, dieselben
erwarteten Werte, dieselben Vergleiche und Meldungen. Ein Fall ist hier
bestanden, wenn er im Grader bestanden ist – sofern Ihr Code dort genauso
läuft (im Grader gelten Zeit- und Speicherlimits, und es stehen nur numpy,
matplotlib und die Standardbibliothek zur Verfügung).

Öffentliche Fälle:

{listed}{partly}

Zuerst zeigt pytest die Übersicht (✓ bestanden, ✗ falsches Ergebnis, ! Ihr
Code löste eine Ausnahme aus, ⧗ Zeitlimit, – wird bei der Abgabe geprüft),
danach zu jedem nicht bestandenen Fall die Meldung des Graders.

## Im Notebook arbeiten

Eine Abgabe darf statt `{module}.py` ein Notebook sein: seine Code-Zellen werden
von oben nach unten zu einem Modul. Im Notebook prüft eine eigene Zelle

```
from gnn_kit import check; check()
```

die öffentlichen Fälle und zeigt die Liste ✓/✗ darunter (nötig ist nbformat, das
mit Jupyter kommt; das Notebook liegt dafür in diesem Ordner). Geprüft wird das
Notebook, wie es gespeichert ist – also vorher speichern. `pytest` in diesem
Ordner prüft das Notebook, solange `{module}.py` die unveränderte Vorlage ist.

- Alles auf oberster Ebene läuft beim Import mit, auch Training und Plots:
  solchen Code in seiner Zelle unter `if __name__ == "__main__":` einrücken
  (in Jupyter läuft er dann weiter) oder die Zelle mit dem Tag `{notebooks.SKIP_TAG}` versehen
  (View → Cell Toolbar → Tags; in JupyterLab im Property Inspector).
- Ausgelassen und im Bericht genannt werden Zeilen mit `%…` und `!…`,
  Zellen, die mit `%%` beginnen, Zellen mit dem Tag `{notebooks.SKIP_TAG}` und die Zelle mit
  `from gnn_kit import …` (das Kit gibt es bei der Abgabe nicht; also keine
  eigenen Funktionen in diese Zelle schreiben).
- Fehlermeldungen nennen Zelle und Zeile („Zelle 7, Zeile 3“); gezählt wird
  von oben, Text-Zellen mitgezählt. Gespeicherte Ausgaben werden nicht bewertet;
  ein Notebook über {notebooks.MAX_BYTES >> 20} MB wird abgelehnt (dann die Ausgaben löschen).

Bei der Abgabe prüft der Grader zusätzlich verdeckte Fälle; sie sind nicht
in diesem Kit. Abgegeben wird nur `{module}.py` oder Ihr Notebook.

## Abgeben

Betreibt der Kurs den Grading-Dienst, gibt das Kit selbst ab:

```
python -m gnn_kit submit --server https://… --token IHR-TOKEN
```

Es prüft zuerst die öffentlichen Fälle und gibt nur ab, wenn sie bestehen
(sonst mit `--trotzdem`), zeigt die Quittung (Versuch, Zeit, SHA-256) und wartet
auf die Bewertung: Punkte, Testat und die Fälle, so weit der Kurs sie vor der
Frist zeigt. Den Token statt auf der Kommandozeile in der Umgebungsvariable
`GNN_TOKEN` angeben, dann bleibt er aus der Shell-History.
"""


def build(*, aufgabe: int, out: Path) -> Path:
    """Write the kit of Aufgabe ``aufgabe`` as the zip ``out``; returns ``out``."""
    assignment = assignments.load(aufgabe)
    expected = expected_for(assignment)
    names = [c.name for c in assignment.cases if c.visibility == "public"]
    cases_source = public_cases_source(assignment.cases_source)
    properties_file = kit_properties_file(assignment)
    properties_source = (
        kit_properties_source(properties_file.read_text(encoding="utf-8"), properties_file.name) if properties_file else None
    )
    later_checks = judged_at_hand_in(properties_source) if properties_source else set()
    later = {c.name for c in assignment.cases if c.visibility == "public" and isinstance(c.check, Property) and c.check.name in later_checks}
    skeleton_module = assignment.folder / "skeleton" / f"{assignment.module}.py"
    structure, npz = plain.encode(
        {
            "values": {name: expected.values[name] for name in names},
            "figures": {name: [f["data"] for f in expected.figures[name]] for name in names},
        }
    )
    files: dict[str, bytes | str] = {
        "README.md": _instructions(assignment, names, later),
        "pytest.ini": "[pytest]\ntestpaths = test_oeffentlich.py\naddopts = -q -rs\n",
        "requirements.txt": "".join(f"{name}=={version}\n" for name, version in pins.pinned().items()) + "pytest\n",
        "conftest.py": (RUNTIME / "conftest.py").read_text(encoding="utf-8"),
        "test_oeffentlich.py": (RUNTIME / "test_oeffentlich.py").read_text(encoding="utf-8"),
        **{f"gnn_kit/{name}": (RUNTIME / source).read_text(encoding="utf-8") for name, source in RUNTIME_MODULES.items()},
        "gnn_kit/notebooks.py": NOTEBOOKS.read_text(encoding="utf-8"),
        "gnn_kit/cases.py": cases_source,
        "gnn_kit/kit.json": json.dumps(
            {
                "aufgabe": assignment.number, "title": assignment.title, "module": assignment.module, "versions": pins.pinned(),
                "skeleton": hashlib.sha256(skeleton_module.read_bytes()).hexdigest() if skeleton_module.is_file() else "",
            }
        ),
        "gnn_kit/expected.json": json.dumps(structure),
        "gnn_kit/expected.npz": npz,
        **_mistakes(assignment, set(names)),
    }
    if (assignment.folder / "README.md").is_file():
        # The skeleton lies at the kit's top, not in skeleton/ as beside the task text in the grader.
        files["AUFGABE.md"] = (assignment.folder / "README.md").read_text(encoding="utf-8").replace("`skeleton/", "`")
    if properties_source is not None:
        files["gnn_kit/properties.py"] = properties_source
    for module, source in comparator_modules().items():
        files[f"gnn_kit/compare/{module}"] = source
    for module in HARNESS_MODULES:
        files[f"harness/{module}"] = (HARNESS / module).read_text(encoding="utf-8")
    for skeleton in sorted((assignment.folder / "skeleton").glob("*")):
        if skeleton.is_file():
            files[skeleton.name] = skeleton.read_bytes()
    for name, data in _public_resources(assignment, [cases_source, properties_source or ""]).items():
        files[f"gnn_kit/data/{name}"] = data
    for name in names:
        for index, figure in enumerate(expected.figures[name]):
            files[f"gnn_kit/figures/{png_name(name, index)}"] = figure["png"]
    return _write_zip(Path(out), f"aufgabe{assignment.number}", files)


def _mistakes(assignment: Assignment, public: set[str]) -> dict[str, bytes | str]:
    """``mistakes.json`` and ``.npz``: each typical mistake's signs on the public cases, its title,
    hint and the public cases it loses; no mistake that leaves no sign on a public case."""
    entries = plain_catalogue(catalogue_for(assignment), public)
    for entry in entries.values():
        for sign in entry["signature"].values():
            if "figures" in sign:  # the checks read the plotted data; the pictures stay home
                sign["figures"] = [{"data": figure["data"]} for figure in sign["figures"]]
    structure, npz = plain.encode(entries)
    return {"gnn_kit/mistakes.json": json.dumps(structure), "gnn_kit/mistakes.npz": npz}


def _write_zip(out: Path, top: str, files: dict[str, bytes | str]) -> Path:
    """A zip with fixed time stamps and order: the same kit gives the same bytes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = files[name]
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return out
