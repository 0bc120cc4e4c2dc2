"""The code's habits, checked with the tests: ruff and mypy as configured in pyproject.toml,
no import circle, modules short."""

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return [found]


def test_grader_passes_mypy():
    # What mypy checks (grader/, which modules it may not follow) is configured in pyproject.toml.
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    checked = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_code_passes_ruff():
    checked = subprocess.run([*_ruff(), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


MAX_LINES = 400


def test_every_module_of_the_grader_and_the_harness_reads_at_once():
    # STYLE.md: a file has one job; a module of the host or the harness stays readable in one sitting.
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("grader", "sandbox/harness")
        for path in (ROOT / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines: {long}"


def _module_imports() -> dict[str, set[str]]:
    """Each module of grader/ -> the grader modules it imports anywhere: at module level, in a
    function, under ``TYPE_CHECKING`` (a circle hidden in a function is still a circle)."""
    paths = {}
    for path in (ROOT / "grader").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                # ``from package import module`` builds on that module; the package's own
                # ``__init__`` runs for any of its modules and is no edge of its own then.
                submodules = {f"{module}.{alias.name}" for alias in node.names} & paths.keys()
                found |= submodules if len(submodules) == len(node.names) else {module, *submodules}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def test_no_import_circle_between_the_modules_of_the_grader():
    # A circle forces imports into functions and hides which part builds on which.
    graph = _module_imports()
    assert graph["grader.judging.compare.judge"] >= {"grader.judging.compare.figures"}  # the walk sees relative imports
    circles, state, path = [], {}, []

    def visit(name):
        state[name] = "open"
        path.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                circles.append(path[path.index(other):] + [other])
            elif other not in state:
                visit(other)
        path.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not circles, [" -> ".join(c) for c in circles]


# DESIGN.md, "Layers of grader/": arrows that must never exist, by module-name prefix.
BACKENDS = ("grader.backends", "grader.cluster")
JUDGING = ("grader.judging",)
CASES = ("grader.cases",)
REPORT = ("grader.report",)
ENGINE = ("grader.engine",)
COURSE = ("grader.course",)
COMMON = ("grader.common",)
NEVER = [
    (BACKENDS, JUDGING + ("grader.cases.expected",), "the sandbox side sees neither verdicts nor expected values"),
    (JUDGING, BACKENDS, "a verdict is computed from data"),
    (CASES, REPORT, "a cache does not know pages"),
    (REPORT, BACKENDS, "a page does not ask a sandbox"),
    (ENGINE, COURSE, "overrides are data the engine is given"),
    (COMMON, tuple(f"grader.{name}" for name in ("backends", "cases", "cli", "cluster", "course", "engine", "intake", "judging", "report", "service")), "the bottom imports nothing above it"),
]


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_import_runs_against_the_layers():
    graph = _module_imports()
    wrong = [
        f"{source} -> {target} ({why})"
        for lower, upper, why in NEVER
        for source, targets in graph.items()
        if _within(source, lower)
        for target in targets
        if _within(target, upper) and not _within(target, lower)
    ]
    assert not wrong, wrong


def test_the_top_level_of_the_grader_shows_the_flow():
    entries = sorted(p.name for p in (ROOT / "grader").iterdir() if p.name != "__pycache__")
    assert len(entries) <= 12, entries


def test_the_harness_imports_nothing_of_the_grader():
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for path in (ROOT / "sandbox" / "harness").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported and not [m for m in imported if m and m.split(".")[0] == "grader"]


def test_one_word_for_an_aufgabes_definition_and_one_for_its_number():
    """``assignment`` names an Aufgabe's definition (``Assignment``, loaded from assignments/aufgabeN);
    ``aufgabe`` its number, as the contract's field and ``--aufgabe`` say. An argument holding the one
    is never called by the other's word."""
    mixed = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            for argument in arguments:
                annotation = ast.unparse(argument.annotation) if argument.annotation else ""
                if annotation.endswith("Assignment") and "assignment" not in argument.arg:
                    mixed.append(f"{path.relative_to(ROOT)}:{node.lineno} {argument.arg}: {annotation}")
                if "aufgabe" in argument.arg and annotation.endswith("Assignment"):
                    mixed.append(f"{path.relative_to(ROOT)}:{node.lineno} {argument.arg}: {annotation}")
                if "assignment" in argument.arg and annotation in ("int", "int | None"):
                    mixed.append(f"{path.relative_to(ROOT)}:{node.lineno} {argument.arg}: {annotation}")
    assert not mixed, mixed
