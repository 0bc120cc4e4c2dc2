"""Run one public case against your module, as the grader does, and judge it.

The case code, the comparators (``compare.py``) and the expected values are
the grader's own: a case that passes here passes in the grader, as long as
your code does the same there (the grader runs it in a sandbox with time and
memory limits).
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import json
import signal
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from harness import figures, plain
from harness.api import Context, collect

from . import cases as case_module
from .compare import Judgement, judge

HERE = Path(__file__).resolve().parent
KIT = json.loads((HERE / "kit.json").read_text(encoding="utf-8"))
SLOWER = 3
"""Your machine may be slower than the grader's: the kit allows this many times the time limit."""
WALL_FACTOR, WALL_SLACK = 3.0, 2.0
"""The wall-clock backstop, as the sandbox's (``harness.api.wall_limit``)."""


class TimeLimit(Exception):
    pass


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


def _import_submission():
    """Your module, imported anew for every case (as the grader does)."""
    folder = HERE.parent
    name = KIT["module"]
    sys.modules.pop(name, None)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


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
        value = case.func(_import_submission(), Context(scratch, resources))
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
    value, shown = expected(name)
    try:
        return judge(case.check, value, got, reveal=True, properties=_properties(), expected_figures=shown, figures=drawn)
    except getattr(_property_module(), "AtHandIn", ()) as exc:
        raise JudgedAtHandIn(str(exc)) from None
