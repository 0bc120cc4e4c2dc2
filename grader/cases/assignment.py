"""Load an Aufgabe from ``assignments/aufgabeN/``.

An Aufgabe folder holds ``assignment.toml`` (title, module, Testat threshold,
the cases required for the Testat, limits, data files the cases may use), ``cases.py`` (the cases, see
``harness.api``), optionally ``properties.py`` (host-only property checks, and
``kit_properties.py``, what the student kit carries instead) and ``data/``, the
German task text ``README.md`` and the student ``skeleton/``.

A case's ``Property("name")`` must name a function of ``properties.py`` (and,
for a public case, of ``kit_properties.py`` where there is one): a typo stops
the loading, not every student's case at grading time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import tomllib
import types
from dataclasses import dataclass, field
from pathlib import Path

from grader import PROJECT
from grader.backends.base import Job, Limits
from grader.common.errors import EXIT_UNKNOWN_AUFGABE, GraderError
from harness.api import Case, collect
from harness.checks import Fields, Property

ASSIGNMENTS = PROJECT / "assignments"
REFERENCE = PROJECT / "reference"
HARNESS = PROJECT / "sandbox" / "harness"
FLOAT32 = (PROJECT / "grader" / "cases" / "float32.py", PROJECT / "grader" / "cases" / "twin32.py")
"""What decides whether the expected values allow float32 (``grader.cases.float32``): part of the fingerprint."""
PROPERTIES = "properties.py"
KIT_PROPERTIES = "kit_properties.py"


class UnknownAufgabe(GraderError, LookupError):
    """No Aufgabe of that number."""

    exit_code = EXIT_UNKNOWN_AUFGABE

    def message(self) -> str:
        return f"Aufgabe {self} gibt es nicht."

    def hint(self, options) -> str:
        return f"bekannt sind: {', '.join(map(str, available()))} (siehe `grader list`)."


@dataclass
class Assignment:
    number: int
    title: str
    module: str
    """The contract's module name, e.g. ``perceptron`` (file ``perceptron.py``)."""
    folder: Path
    threshold: float
    """Share of the points needed for the Testat."""
    limits: Limits
    cases: list[Case]
    cases_source: str
    resources: dict[str, bytes] = field(default_factory=dict)
    properties: dict = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    """Cases the Testat needs whatever the score (``required`` in ``assignment.toml``,
    justified in the Aufgabe's README)."""
    builds_on: dict[str, list[str]] = field(default_factory=dict)
    """Contract functions that use others (``builds_on`` in ``assignment.toml``): while one of those
    fails, the report asks to fix it first."""

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.cases)

    @property
    def reference(self) -> Path:
        return REFERENCE / self.folder.name

    def case(self, name: str) -> Case:
        return next(c for c in self.cases if c.name == name)

    def job(self, folder: Path, timeouts: dict[str, float] | None = None) -> Job:
        """The sandbox job for the module in ``folder``: the cases named in ``timeouts``
        with those limits, by default every case with its own."""
        return Job(
            submission=folder,
            module=self.module,
            cases_source=self.cases_source,
            timeouts={c.name: c.timeout for c in self.cases} if timeouts is None else timeouts,
            resources=self.resources,
            limits=self.limits,
        )

    def fingerprint(self) -> str:
        """Hash of everything that decides the expected values and the verdicts."""
        digest = hashlib.sha256()
        for root in (self.folder, self.reference, HARNESS):
            for path in sorted(root.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(root)).encode())
                    digest.update(path.read_bytes())
        for path in FLOAT32:
            digest.update(path.read_bytes())
        # The cases held, not only the files: a copy with fewer cases (a test's) must not
        # leave its expected values in the cache of the whole Aufgabe.
        digest.update("\0".join(c.name for c in self.cases).encode())
        return digest.hexdigest()[:16]


def available() -> list[int]:
    numbers = []
    for folder in ASSIGNMENTS.glob("aufgabe*"):
        suffix = folder.name.removeprefix("aufgabe")
        if suffix.isdigit() and (folder / "assignment.toml").is_file():
            numbers.append(int(suffix))
    return sorted(numbers)


def load(number: int) -> Assignment:
    folder = ASSIGNMENTS / f"aufgabe{number}"
    if not (folder / "assignment.toml").is_file():
        raise UnknownAufgabe(number)
    spec = tomllib.loads((folder / "assignment.toml").read_text(encoding="utf-8"))
    source = (folder / "cases.py").read_text(encoding="utf-8")
    module = types.ModuleType(f"aufgabe{number}_cases")
    exec(compile(source, str(folder / "cases.py"), "exec"), module.__dict__)
    limits = spec.get("limits", {})
    cases = collect(module)
    required = list(spec.get("required", []))
    unknown = sorted(set(required) - {c.name for c in cases})
    if unknown:
        raise ValueError(f"aufgabe{number}/assignment.toml: required names unknown cases {unknown}")
    builds_on = {str(k): [str(v) for v in vs] for k, vs in spec.get("builds_on", {}).items()}
    functions = {c.name.split("/", 1)[0] for c in cases}
    strangers = sorted({f for k, vs in builds_on.items() for f in (k, *vs)} - functions)
    if strangers:
        raise ValueError(f"aufgabe{number}/assignment.toml: builds_on names functions without cases {strangers}")
    properties = _properties(folder / PROPERTIES)
    _check_property_names(folder / PROPERTIES, cases, properties)
    if (folder / KIT_PROPERTIES).is_file():
        public = [c for c in cases if c.visibility == "public"]
        _check_property_names(folder / KIT_PROPERTIES, public, _properties(folder / KIT_PROPERTIES))
    return Assignment(
        number=number,
        title=spec["title"],
        module=spec["module"],
        folder=folder,
        threshold=float(spec.get("threshold", 1.0)),
        limits=Limits(
            memory=int(limits.get("memory_mb", 1024)) << 20,
            pids=int(limits.get("pids", 64)),
            cpus=float(limits.get("cpus", 1.0)),
        ),
        cases=cases,
        cases_source=source,
        resources={name: (folder / "data" / name).read_bytes() for name in spec.get("resources", [])},
        properties=properties,
        required=required,
        builds_on=builds_on,
    )


def _properties(path: Path) -> dict:
    """The public functions of a property module of the Aufgabe (``properties.py``, ``kit_properties.py``)."""
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None, path  # a .py file always has a source loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        name: function
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
    }


def _check_property_names(path: Path, cases: list[Case], properties: dict) -> None:
    """Refuse cases whose ``Property`` names no function of the property module at ``path``."""
    where = f"{path.parent.name}/{path.name} " + ("definiert keine solche Funktion" if path.is_file() else "gibt es nicht")
    defined = ", ".join(sorted(properties)) or "keine"
    missing = [
        f"Fall '{case.name}' prüft Property({name!r}), aber {where}"
        for case in cases
        for name in sorted(_property_names(case.check))
        if name not in properties
    ]
    if missing:
        raise ValueError("; ".join(missing) + f" (vorhanden: {defined}).")


def _property_names(check) -> set[str]:
    """The names of the property checks in ``check``, also those inside a ``Fields``."""
    if isinstance(check, Property):
        return {check.name}
    if isinstance(check, Fields):
        return set().union(*map(_property_names, check.checks.values()))
    return set()
