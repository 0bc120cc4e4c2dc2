"""Mutants of a reference: how well the cases of an Aufgabe catch small faults.

Each mutant is the reference with one small change (an operator, a constant,
a dropped transpose, term, sign or negation, swapped arguments), made with
``ast`` in memory and graded through the Aufgabe's cases in the ``process``
sandbox, like the reference itself. A mutant is killed when it loses a case.
Survivors that behave like the reference for every input the contract allows
are listed with a reason in ``assignments/aufgabeN/mutants.toml``; the score
is killed / (all − listed equivalent).

Why not mutmut or cosmic-ray: both mutate files on disk and judge a mutant by
running a test command (pytest) per mutant; we need in-memory mutants of one
file judged by our own cases and comparators in our sandbox, and numpy
faults (``.T``, swapped arguments, dropped terms) that neither has.
"""

from __future__ import annotations

import ast
import copy
import difflib
import hashlib
import json
import os
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.cases import assignment as assignments
from grader.cases.assignment import Assignment
from grader.cases.expected import Expected, expected_for
from grader.cases.on_host import run_on_host
from grader.cases.source import parse
from grader.common.status import CaseStatus
from grader.judging.verdicts import verdict
from grader.report.pages import render

_SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.MatMult: ast.Mult,
    ast.Pow: ast.Mult, ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv,
    ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.And: ast.Or, ast.Or: ast.And,
}


# Swapping their arguments changes nothing: such mutants would only be listed as equivalent.
_SYMMETRIC = {"maximum", "minimum", "add", "multiply", "zip", "isclose", "allclose", "array_equal"}


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@dataclass
class Mutant:
    id: str
    """``function:hash`` of the changed expression and its replacement: stable while both stay in that function."""
    description: str
    """German: the line, the kind and the change, e.g. "Zeile 67 (operator): `a + b` → `a - b`"."""
    source: str
    diff: str = ""


@dataclass
class Outcome:
    id: str
    description: str
    killed: bool
    testat_passed: bool
    equivalent: str = ""
    """The reason from ``mutants.toml`` if this survivor is listed as equivalent."""
    diff: str = ""


def _changes(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """(kind, replacement) for each mutation of ``node`` itself; the replacement is a new node."""
    changes = []
    if isinstance(node, (ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.AugAssign)) and type(node.op) in _SWAPS:
        changes.append(("operator", _with(node, op=_SWAPS[type(node.op)]())))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        changes += [("drop-term", node.left), ("drop-term", node.right)]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        changes.append(("drop-sign", node.operand))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _SWAPS:
        changes.append(("comparison", _with(node, ops=[_SWAPS[type(node.ops[0])]()])))
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        changed = node.value + 1 if isinstance(node.value, int) or node.value == 0 else node.value * 2
        changes.append(("constant", ast.Constant(changed)))
    if isinstance(node, ast.Attribute) and node.attr == "T":
        changes.append(("transpose", node.value))
    if isinstance(node, ast.Call) and len(node.args) >= 2 and _name(node.func) not in _SYMMETRIC:
        args = node.args
        changes.append(("swap-arguments", _with(node, args=[args[1], args[0], *args[2:]])))
        if len(args) >= 3:
            changes.append(("swap-arguments", _with(node, args=[*args[:-2], args[-1], args[-2]])))
    if isinstance(node, ast.Call) and _name(node.func) == "array" and isinstance(node.func, ast.Attribute):
        changes.append(("no-copy", _with(node, func=_with(node.func, attr="asarray"))))
    if isinstance(node, ast.Call) and _name(node.func) == "copy" and isinstance(node.func, ast.Attribute) and not node.args:
        changes.append(("no-copy", node.func.value))
    if isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.Constant):
        changes.append(("axis", _with(node, value=ast.Constant(0 if node.value.value else 1))))
    return changes


def _with(node: ast.AST, **fields) -> ast.AST:
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def make_mutants(source: str) -> list[Mutant]:
    """Every single-change mutant of ``source`` that compiles and differs from it, in source order."""
    original = ast.unparse(parse(source))
    count = sum(len(_changes(n)) for n in ast.walk(parse(source)))
    mutants: dict[str, Mutant] = {}
    for index in range(count):
        tree = parse(source)
        mutated = _apply(tree, index)
        if mutated is None:
            continue
        where, kind, before, after, function = mutated
        text = ast.unparse(tree)
        if text == original or text in (m.source for m in mutants.values()):
            continue
        try:
            compile(text, "mutant.py", "exec")
        except SyntaxError:
            continue
        digest = hashlib.sha1(f"{before}\n{after}".encode()).hexdigest()[:8]
        key = f"{function}:{digest}"
        suffix = 2
        while key in mutants:
            key, suffix = f"{function}:{digest}-{suffix}", suffix + 1
        diff = "\n".join(difflib.unified_diff(original.splitlines(), text.splitlines(), lineterm="", n=2))
        mutants[key] = Mutant(key, f"Zeile {where} ({kind}): `{before}` → `{after}`", text, diff)
    return list(mutants.values())


def _apply(tree: ast.Module, index: int):
    """Apply the ``index``-th change of ``tree`` in place; (line, kind, before, after, function) or None."""
    seen = 0
    for function, parent in _parents(tree):
        for field, value in ast.iter_fields(parent):
            children = value if isinstance(value, list) else [value]
            for position, child in enumerate(children):
                if not isinstance(child, ast.AST):
                    continue
                changes = _changes(child)
                if index >= seen + len(changes):
                    seen += len(changes)
                    continue
                kind, replacement = changes[index - seen]
                before = ast.unparse(child)
                if isinstance(value, list):
                    value[position] = replacement
                else:
                    setattr(parent, field, replacement)
                ast.fix_missing_locations(tree)
                line = getattr(child, "lineno", getattr(parent, "lineno", 0))
                return line, kind, before, ast.unparse(replacement), function
    return None


def _parents(tree: ast.Module):
    """(name of the enclosing top-level function, node) for every node, in a fixed order."""
    for top in tree.body:
        name = top.name if isinstance(top, (ast.FunctionDef, ast.ClassDef)) else "module"
        for node in ast.walk(top):
            yield name, node
    yield "module", tree


def equivalents(assignment: Assignment) -> dict[str, str]:
    """Listed equivalent survivors, id -> reason, from ``mutants.toml``."""
    path = assignment.folder / "mutants.toml"
    if not path.is_file():
        return {}
    return dict(tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", {}))


def settings(assignment: Assignment) -> dict:
    path = assignment.folder / "mutants.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")).get("settings", {}) if path.is_file() else {}


def grade_mutant(assignment: Assignment, expected: Expected, mutant: Mutant, timeouts: dict[str, float]) -> tuple[bool, bool]:
    """(killed, Testat still passed) of one mutant, graded like the reference."""
    with tempfile.TemporaryDirectory(prefix="gnn-mutant-") as folder:
        (Path(folder) / f"{assignment.module}.py").write_text(mutant.source, encoding="utf-8")
        runs = run_on_host(assignment, Path(folder), timeouts)
    score = sum(
        case.points
        for case in assignment.cases
        if verdict(case, runs[case.name], assignment, expected.values[case.name], expected.figures[case.name])[0]
        == CaseStatus.PASSED
    )
    return score < assignment.max_score, score >= assignment.threshold * assignment.max_score - 1e-9


def _timeouts(assignment: Assignment) -> dict[str, float]:
    """Each case's limit, cut to 10 times what the reference needs: a mutant that loops
    forever must not cost the case's full limit (a slow mutant counts as killed)."""
    runs = run_on_host(assignment, assignment.reference)
    return {c.name: min(c.timeout, max(2.0, 10 * runs[c.name].seconds)) for c in assignment.cases}


def run(*, aufgabe: int, out: Path, jobs: int | None = None, every: int | None = None) -> dict:
    """Grade the mutants of Aufgabe ``aufgabe``'s reference; write ``out/mutants.json`` and ``out/survivors.html``.

    ``every`` keeps every n-th mutant only (default: the ``[settings] every`` of
    ``mutants.toml``, else 1: all of them).
    """
    assignment = assignments.load(aufgabe)
    started = time.monotonic()
    expected = expected_for(assignment)
    step = every or int(settings(assignment).get("every", 1))
    mutants = make_mutants((assignment.reference / f"{assignment.module}.py").read_text(encoding="utf-8"))[::step]
    timeouts = _timeouts(assignment)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        graded = list(pool.map(lambda m: grade_mutant(assignment, expected, m, timeouts), mutants))
    listed = equivalents(assignment)
    outcomes = [
        Outcome(m.id, m.description, killed, passed, "" if killed else listed.get(m.id, ""), m.diff)
        for m, (killed, passed) in zip(mutants, graded, strict=True)
    ]
    killed = sum(o.killed for o in outcomes)
    counted = len(outcomes) - sum(bool(o.equivalent) for o in outcomes)
    summary = {
        "aufgabe": aufgabe,
        "score": round(killed / counted, 4) if counted else 1.0,
        "every": step,
        "seconds": round(time.monotonic() - started, 1),
        "mutants": [{k: v for k, v in asdict(o).items() if k != "diff"} for o in outcomes],
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "mutants.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "survivors.html").write_text(
        render("mutants.html.j2", summary=summary, survivors=[o for o in outcomes if not o.killed], title=assignment.title),
        encoding="utf-8",
    )
    return summary
