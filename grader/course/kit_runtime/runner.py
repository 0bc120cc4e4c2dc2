"""Run one public case against your module or notebook, as the grader does, and judge it.

The case code, the comparators (``compare.py``) and the expected values are
the grader's own: a case that passes here passes in the grader, as long as
your code does the same there (the grader runs it in a sandbox with time and
memory limits). A notebook becomes a module as at hand-in (``notebooks.py``,
the grader's own file).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import io
import json
import linecache
import signal
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # inside Jupyter, ``check()`` chooses the backend itself
    matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from harness import figures, plain
from harness.api import Context, collect

from . import cases as case_module
from . import notebooks
from .compare import Judgement, judge
from .compare.signs import name_mistakes, sentence

HERE = Path(__file__).resolve().parent
KIT = json.loads((HERE / "kit.json").read_text(encoding="utf-8"))
SLOWER = 3
"""Your machine may be slower than the grader's: the kit allows this many times the time limit."""
WALL_FACTOR, WALL_SLACK = 3.0, 2.0
"""The wall-clock backstop, as the sandbox's (``harness.api.wall_limit``)."""


CHOSEN: Path | None = None
"""The notebook ``check()`` runs the cases against, in place of ``source()``'s choice."""
OUTCOMES: dict = {}
"""Case name -> its Outcome, as the test run finds them (for the summary)."""
RUNS: dict = {}
"""Case name -> (status "ok"/"exception", exception class, value, figures) of its last run."""


class TimeLimit(Exception):
    pass


class ImportFailed(Exception):
    """Importing your module (or your notebook's code cells) raised; the cause is the exception."""


class JudgedAtHandIn(Exception):
    """What the kit could check holds; the rest needs the algorithm and is judged at hand-in."""


def version_warning() -> str:
    """A German warning when this numpy or matplotlib is not the grader's, else ``""``."""
    found = {"numpy": np.__version__, "matplotlib": matplotlib.__version__}
    differing = [f"{name} {found[name]} (Grader: {version})" for name, version in KIT["versions"].items() if found[name] != version]
    if not differing:
        return ""
    return (
        f"Hier laufen {', '.join(differing)}. Mit anderen Versionen kann Ihr Code hier anders "
        "abschneiden als im Grader. Die Versionen des Graders installiert: pip install -r requirements.txt"
    )


def case_names() -> list[str]:
    return [c.name for c in collect(case_module)]


def _decode(structure, arrays):
    if isinstance(structure, list):
        return [_decode(x, arrays) for x in structure]
    if isinstance(structure, dict):
        if set(structure) == {"$array"}:
            return arrays[structure["$array"]]
        if set(structure) == {"$float"}:
            return float(structure["$float"])
        return {k: _decode(v, arrays) for k, v in structure.items()}
    return structure


def _plain(structure, npz: bytes):
    with np.load(io.BytesIO(npz), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return _decode(structure, arrays)


def expected(name: str) -> tuple[object, list[dict]]:
    """The reference's value and figures for the case ``name``."""
    everything = _plain(json.loads((HERE / "expected.json").read_text()), (HERE / "expected.npz").read_bytes())
    # The grader's naming rule (grader.common.results.png_name), mirrored: the kit cannot import the grader.
    stem = name.replace("/", "__")
    shown = [
        {"data": data, "png": (HERE / "figures" / f"{stem}-{index}.png").read_bytes()}
        for index, data in enumerate(everything["figures"][name])
    ]
    return everything["values"][name], shown


def _property_module():
    """The Aufgabe's property checks (``properties.py``), or None where it has none."""
    try:
        from . import properties
    except ImportError:
        return None
    return properties


def _properties() -> dict:
    module = _property_module()
    if module is None:
        return {}
    return {
        name: function
        for name, function in vars(module).items()
        if inspect.isfunction(function) and function.__module__ == module.__name__ and not name.startswith("_")
    }


def source() -> Path:
    """The file the cases run against: ``<module>.py``, unless it is still the kit's skeleton and a
    notebook lies beside it (``<module>.ipynb``, else the only one), as the grader chooses at hand-in."""
    if CHOSEN is not None:
        return CHOSEN
    folder = HERE.parent
    module = folder / f"{KIT['module']}.py"
    if module.is_file() and hashlib.sha256(module.read_bytes()).hexdigest() != KIT.get("skeleton"):
        return module
    try:
        notebook = notebooks.find(folder, KIT["module"])
    except notebooks.NotebookError:
        notebook = None
    return notebook or module


def load(path: Path) -> types.ModuleType:
    """Your module, imported anew (as the grader does for every case): ``path`` is the module file
    or a notebook, whose code cells become the module. Raises ImportFailed, or NotebookError."""
    name = KIT["module"]
    sys.modules.pop(name, None)
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    try:
        if path.suffix.lower() != notebooks.SUFFIX:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
        code = notebooks.read(path).source
        # Tracebacks show the notebook's lines; ``located`` turns them into cells.
        linecache.cache[str(path)] = (len(code), None, code.splitlines(True), str(path))
        module = types.ModuleType(name)
        module.__file__ = str(path.with_name(f"{name}.py"))
        sys.modules[name] = module
        exec(compile(code, str(path), "exec"), module.__dict__)
        return module
    except (TimeLimit, notebooks.NotebookError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # SystemExit too: the grader reports it as your code's
        raise ImportFailed() from exc


def _on_alarm(signum, frame):
    raise TimeLimit


def run(name: str, scratch: Path) -> tuple[object, list[dict]]:
    """Call the case ``name`` with your module: (plain value, figures), like the sandbox returns them."""
    case = next(c for c in collect(case_module) if c.name == name)
    resources = {p.name: p.read_bytes() for p in (HERE / "data").glob("*") if p.is_file()}
    plt.close("all")
    alarm = hasattr(signal, "SIGPROF")  # not on Windows: there the case runs without a limit
    if alarm:
        # As in the sandbox: the limit counts this process's CPU time (ITIMER_PROF), the wall
        # clock is only a backstop against a case that waits (input(), plt.show()).
        signal.signal(signal.SIGPROF, _on_alarm)
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_PROF, case.timeout * SLOWER)
        signal.setitimer(signal.ITIMER_REAL, WALL_FACTOR * case.timeout * SLOWER + WALL_SLACK)
    try:
        value = case.func(load(source()), Context(scratch, resources))
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
    captured = figures.capture(extra=[value])
    plt.close("all")
    if hasattr(value, "savefig"):
        value = {"$figure": 0}
    structure, npz = plain.encode({"value": value, "figures": [d for d, _ in captured]})
    data = _plain(structure, npz)
    return data["value"], [{"data": d, "png": png} for d, (_, png) in zip(data["figures"], captured, strict=True)]


def check(name: str, scratch: Path) -> Judgement:
    """The grader's verdict on the case ``name`` for your module.

    Raises JudgedAtHandIn when all the kit can check holds but the verdict
    needs more (see the Aufgabe's ``kit_properties.py``).
    """
    case = next(c for c in collect(case_module) if c.name == name)
    try:
        got, drawn = run(name, scratch)
    except TimeLimit:
        return Judgement(False, (
            f"Zeitlimit von {case.timeout:g} s CPU-Zeit (hier {case.timeout * SLOWER:g} s) überschritten "
            "(Endlosschleife, blockierender Aufruf wie input() oder plt.show(), oder zu langsam?)."
        ))
    except plain.NotPlain as exc:
        return Judgement(False, str(exc))
    RUNS[name] = ("ok", "", got, drawn)
    value, shown = expected(name)
    try:
        return judge(case.check, value, got, reveal=True, properties=_properties(), expected_figures=shown, figures=drawn)
    except getattr(_property_module(), "AtHandIn", ()) as exc:
        raise JudgedAtHandIn(str(exc)) from None


@dataclass
class Outcome:
    """One case's result as the summary shows it."""

    name: str
    points: float
    mark: str
    """✓ passed, ✗ wrong result, ! your code raised, ⧗ time limit, – judged at hand-in."""
    message: str
    traceback: str = ""

    @property
    def passed(self) -> bool:
        return self.mark == "✓"


def outcome(name: str, scratch: Path) -> Outcome:
    """The case ``name`` run and judged; never raises for what your code does."""
    points = next(c.points for c in collect(case_module) if c.name == name)
    try:
        judgement = check(name, scratch)
    except JudgedAtHandIn as exc:
        return Outcome(name, points, "–", f"wird bei der Abgabe geprüft. {exc}")
    except notebooks.NotebookError as exc:
        return Outcome(name, points, "!", str(exc))
    except ImportFailed as failed:
        return _raised(name, points, failed.__cause__ or failed, f" beim Import von {source().name}")
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        RUNS[name] = ("exception", type(exc).__name__, None, [])
        return _raised(name, points, exc, "")
    if judgement.passed:
        return Outcome(name, points, "✓", judgement.message)
    return Outcome(name, points, "⧗" if judgement.message.startswith("Zeitlimit") else "✗", judgement.message)


def _raised(name: str, points: float, exc: BaseException, where: str) -> Outcome:
    """What the grader says when your code raised (``grader.judging.verdicts``, the common cases)."""
    shown = source()
    kind = type(exc).__name__
    if isinstance(exc, NotImplementedError):
        message = "Noch nicht implementiert (NotImplementedError): diese Funktion der Vorlage fehlt noch."
    elif isinstance(exc, SyntaxError):
        message = f"{shown.name} enthält einen Syntaxfehler und lässt sich nicht importieren: {exc}"
    elif isinstance(exc, SystemExit):
        message = (
            f"Ihr Code rief{where} sys.exit() bzw. exit() auf. Funktionen sollen Ergebnisse zurückgeben; "
            "Code, der nur beim direkten Start laufen soll, gehört unter if __name__ == '__main__':"
        )
    else:
        message = f"Ihr Code löste{where} eine Ausnahme aus: {kind}: {exc}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == shown.resolve()]
    for frame in frames:
        frame.filename = shown.name
    text = "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))
    if shown.suffix.lower() == notebooks.SUFFIX:
        converted = notebooks.read(shown)
        message, text = converted.located(message, shown.name), converted.located(text, shown.name)
    return Outcome(name, points, "!", message, text.replace(str(shown), shown.name))


def mistakes(outcomes: list[Outcome]) -> dict[str, dict]:
    """Case name -> the typical mistake its failure shows (``{"id", "title", "hint", "certain"}``),
    by the grader's rule (``compare/signs.py``) on the public cases judged here."""
    path = HERE / "mistakes.json"
    if not path.is_file():
        return {}
    catalogue = _plain(json.loads(path.read_text(encoding="utf-8")), (HERE / "mistakes.npz").read_bytes())
    verdicts = {o.name: "passed" if o.passed else "failed" for o in outcomes if o.mark != "–"}
    runs = {o.name: RUNS[o.name] for o in outcomes if o.mark in "✗!" and o.name in RUNS}
    cases = {c.name: c for c in collect(case_module)}
    return name_mistakes(
        catalogue, runs, verdicts, checks={name: cases[name].check for name in runs},
        expected={name: expected(name) for name in runs}, properties=_properties(),
    )


def mistake_lines(outcomes: list[Outcome]) -> list[str]:
    """A line per failed case that shows a typical mistake, as ``grader check`` prints it."""
    return [
        f"{name}: {sentence(m['title'], m['hint'], m['certain'])}"
        for name, m in sorted(mistakes(outcomes).items(), key=lambda item: [o.name for o in outcomes].index(item[0]))
    ]


def summary(outcomes: list[Outcome]) -> list[str]:
    """The ✓/✗ list, as ``grader check`` prints it, with the line that counts them."""
    lines = [f"{o.mark} {o.name} ({o.points if o.passed else 0:g}/{o.points:g})" for o in outcomes]
    good = sum(o.passed for o in outcomes)
    lines.append(f"{good} von {len(outcomes)} öffentlichen Fällen bestanden (geprüft: {source().name}).")
    return lines
