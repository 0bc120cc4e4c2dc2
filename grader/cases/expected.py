"""The expected values: every case run once against the reference, cached on disk.

The reference of Aufgabe N (``reference/aufgabeN/``) is graded like a
submission on the host (``grader.cases.on_host``). Its outputs are stored under the cache folder, keyed by the
fingerprint of the Aufgabe, the reference and the harness, so they are
computed once per assignment version. The cache never goes into a sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.backends import validate
from grader.cases import float32
from grader.cases.assignment import Assignment
from grader.cases.on_host import run_on_host
from grader.common.errors import EXIT_REFERENCE, GraderError
from grader.common.results import png_name
from grader.common.status import RunStatus
from harness import plain


class ReferenceBroken(GraderError, RuntimeError):
    """The reference does not pass its own cases: an instructor's problem."""

    exit_code = EXIT_REFERENCE

    def hint(self, options) -> str:
        return "die Referenz unter reference/ oder die Fälle prüfen."


@dataclass
class Expected:
    values: dict[str, object]
    figures: dict[str, list]
    """Case name -> list of {"data": ..., "png": bytes}."""
    float32: dict[str, float] = field(default_factory=dict)
    """Case name -> the share of its tolerance the reference's float32 twin uses (``grader.cases.float32``)."""
    signs: dict[str, dict] = field(default_factory=dict)
    """For a typical mistake (``grader.judging.diagnosis``): case name -> ``{"kind": ...}`` or
    ``{"raises": ...}`` where it fails a case in a way its value cannot show."""
    texts: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Case name -> the text of its value as the report shows it, made once by the engine
    (``grader.engine``): the same for every submission."""


def cache_dir() -> Path:
    root = os.environ.get("GRADER_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")
    ) / "gnn-grader"
    return Path(root)


def expected_for(assignment: Assignment) -> Expected:
    """The reference's outputs for every case of ``assignment`` (cached)."""
    folder = cache_dir() / "expected" / f"aufgabe{assignment.number}-{assignment.fingerprint()}"
    if (folder / "values.json").is_file():
        return load(folder)
    expected = compute(assignment)
    store(folder, expected)
    return expected


def compute(assignment: Assignment) -> Expected:
    runs = run_on_host(assignment, assignment.reference)
    broken = [f"{run.name}: {run.status} {run.message} {run.traceback}" for run in runs.values() if run.status != RunStatus.OK]
    if broken:
        raise ReferenceBroken(
            f"Die Referenz von Aufgabe {assignment.number} besteht ihre eigenen Fälle nicht:\n"
            + "\n".join(broken)
        )
    values = {name: run.value for name, run in runs.items()}
    figures = {name: run.figures for name, run in runs.items()}
    return Expected(values=values, figures=figures, float32=float32_needs(assignment, values, figures))


def float32_needs(assignment: Assignment, values: dict, figures: dict) -> dict[str, float]:
    """Run the reference's float32 twin on every case: a correct float32 solution must pass each
    with ``float32.SAFETY`` times its deviation to spare (the contract allows float32)."""
    with tempfile.TemporaryDirectory(prefix="gnn-float32-") as work:
        twin = float32.write_twin(assignment.reference, assignment.module, Path(work) / "twin")
        needs, problems = float32.problems(assignment, values, figures, run_on_host(assignment, twin))
    if problems:
        raise ReferenceBroken(
            f"Aufgabe {assignment.number}: Fälle, die eine richtige Lösung in float32 nicht sicher "
            "bestehen (Toleranz im cases.py erweitern):\n" + "\n".join(problems)
        )
    return needs


def store(folder: Path, expected: Expected) -> None:
    """Write atomically: a half-written cache must never be read."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    everything = {
        "float32": expected.float32,
        "signs": expected.signs,
        "values": expected.values,
        "figures": {name: [f["data"] for f in figs] for name, figs in expected.figures.items()},
    }
    structure, npz = plain.encode(everything, keep_lists=True)  # decoded values, stored as they are
    (work / "arrays.npz").write_bytes(npz)
    for name, figs in expected.figures.items():
        for index, figure in enumerate(figs):
            (work / png_name(name, index)).write_bytes(figure["png"])
    (work / "values.json").write_text(json.dumps(structure))
    with contextlib.suppress(OSError):  # another process stored it first
        work.rename(folder)


def load(folder: Path) -> Expected:
    arrays = validate.load_arrays((folder / "arrays.npz").read_bytes())
    everything = validate.decode(json.loads((folder / "values.json").read_text()), arrays)
    figures = {
        name: [
            {"data": data, "png": (folder / png_name(name, index)).read_bytes()}
            for index, data in enumerate(datas)
        ]
        for name, datas in everything["figures"].items()
    }
    return Expected(values=everything["values"], figures=figures, float32=everything.get("float32", {}),
                    signs=everything.get("signs", {}))
