"""The source code of an Aufgabe's cases, read from ``cases.py`` without running it.

The report shows a public case's code as "how your code was called" (it holds
the inputs: literal arrays or seeded generators), and the student kit needs a
``cases.py`` with the hidden cases cut out. Both read the decorators
syntactically: a case is a top-level function decorated with
``case("<name>", ...)`` whose name and visibility are literals. The helpers
and constants a case uses come along with it, and only those.
"""

from __future__ import annotations

import ast
import io
import threading
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

_CONVERTING = threading.RLock()
"""Held while CPython turns source into ``ast`` objects: in Python 3.11 two threads doing
so at once can corrupt a shared depth counter (gh-106905) and fail one of them with
``SystemError: AST constructor recursion depth mismatch``. The batch grades in threads."""


def parse(source: str) -> ast.Module:
    """The module's syntax tree, one thread at a time (see ``_CONVERTING``): the host parses
    only through here."""
    with _CONVERTING:
        return ast.parse(source)


@dataclass(frozen=True)
class CaseCode:
    name: str
    """The case's name, ``<function>/<what>``."""
    visibility: str
    code: str
    """The function's source, from ``def`` to its end (without decorators)."""
    helpers: str
    """The top-level helpers and constants the function uses, directly or not."""
    node: ast.FunctionDef


def case_code(source: str) -> dict[str, CaseCode]:
    """Case name -> its code, for every case declared in ``source``.

    Parsed once per source text (every report of a run asks for the same
    Aufgabe); each caller gets its own dict.
    """
    return dict(_case_code(source))


@lru_cache(maxsize=16)
def _case_code(source: str) -> dict[str, CaseCode]:
    tree = parse(source)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and (declared := _case_declaration(node)):
            name, visibility = declared
            used = used_definitions(tree, [node], decorators=False)
            helpers = "\n\n".join(segment(source, h) for h in used)
            found[name] = CaseCode(name, visibility, ast.get_source_segment(source, node) or "", helpers, node)
    return found


def segment(source: str, node: ast.stmt) -> str:
    """The source of a top-level statement, decorators included."""
    lines = source.splitlines()
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "\n".join(lines[first - 1 : node.end_lineno])


def used_definitions(tree: ast.Module, roots: Sequence[ast.stmt], *, decorators: bool = True) -> list[ast.stmt]:
    """The top-level definitions (not cases, not imports) that ``roots`` use, in source order.

    Without ``decorators``, what only the roots' decorators use (the check of
    a case, say) does not count: a student reading the call needs no more.
    """
    definitions: dict[str, ast.stmt] = {}
    for node in tree.body:
        if _case_declaration(node):
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            definitions[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Name):
                        definitions[part.id] = node
    used: list[ast.stmt] = []
    pending: list[ast.AST] = [
        part for root in roots
        for part in ([root] if decorators or not isinstance(root, ast.FunctionDef) else [root.args, *root.body])
    ]
    while pending:
        current = pending.pop()
        for name in {n.id for n in ast.walk(current) if isinstance(n, ast.Name)}:
            definition = definitions.get(name)
            if definition is not None and definition not in used and definition not in roots:
                used.append(definition)
                pending.append(definition)
    return sorted(used, key=lambda n: n.lineno)


def _case_declaration(node: ast.stmt) -> tuple[str, str] | None:
    if isinstance(node, ast.FunctionDef):
        for decorator in node.decorator_list:
            declared = _declaration(decorator)
            if declared:
                return declared
    return None


def _declaration(decorator: ast.expr) -> tuple[str, str] | None:
    """(name, visibility) of a ``case(...)`` decorator, None for any other decorator."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name)):
        return None
    if decorator.func.id != "case" or not decorator.args:
        return None
    first = decorator.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    visibility = "public"  # the decorator's default
    for keyword in decorator.keywords:
        if keyword.arg == "visibility":
            # A visibility that is not a literal string might be "hidden": treat it so.
            value = keyword.value
            visibility = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else "hidden"
    return first.value, visibility


def public_cases_source(source: str) -> str:
    """``cases.py`` with only its public cases, their imports and the helpers they use."""
    tree = parse(source)
    functions = {c.node.name for c in case_code(source).values() if c.visibility == "public"}
    public = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in functions]
    keep = set(map(id, public)) | set(map(id, used_definitions(tree, public)))
    parts = ['"""The public cases of this Aufgabe, as the grader runs them."""']
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in keep:
            parts.append(segment(source, node))
    return "\n\n\n".join(parts) + "\n"


def named_strings(sources: list[str]) -> set[str]:
    """Every string constant in ``sources``: a data file is in reach of code that names it."""
    return {
        node.value
        for source in sources
        for node in ast.walk(parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@lru_cache(maxsize=256)
def without_notes(code: str) -> str:
    """``code`` without its comments and docstrings: what the report shows a student of a case.

    Comments and docstrings in ``cases.py`` are written for whoever keeps the
    cases (in English, like the code); what a case checks is told in German by
    its ``about``. The code itself is kept line for line.
    """
    drop: set[int] = set()
    cut: dict[int, int] = {}
    lines = code.splitlines()
    for node in ast.walk(parse(code)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and len(node.body) > 1:
            first = node.body[0]
            end = first.end_lineno or first.lineno
            alone = not lines[first.lineno - 1][: first.col_offset].strip() and not lines[end - 1][first.end_col_offset :].strip()
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str) and alone:
                drop.update(range(first.lineno, end + 1))
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            if lines[row - 1][:column].strip():
                cut[row] = column
            else:
                drop.add(row)
    kept = [line[: cut[row]].rstrip() if row in cut else line for row, line in enumerate(lines, 1) if row not in drop]
    return "\n".join(kept)
