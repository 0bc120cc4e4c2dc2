"""The source code of an Aufgabe's cases, read from ``cases.py`` without running it.

The report shows a public case's code as "how your code was called" (it holds
the inputs: literal arrays or seeded generators), and the student kit needs a
``cases.py`` with the hidden cases cut out. Both read the decorators
syntactically: a case is a top-level function decorated with
``case("<name>", ...)`` whose name and visibility are literals.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseCode:
    name: str
    """The case's name, ``<function>/<what>``."""
    visibility: str
    code: str
    """The function's source, from ``def`` to its end (without decorators)."""
    node: ast.FunctionDef


def case_code(source: str) -> dict[str, CaseCode]:
    """Case name -> its code, for every case declared in ``source``."""
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            declared = _declaration(decorator)
            if declared:
                name, visibility = declared
                code = ast.get_source_segment(source, node) or ""
                found[name] = CaseCode(name, visibility, code, node)
    return found


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
            # A visibility that is not a literal might be "hidden": treat it so.
            value = keyword.value
            visibility = value.value if isinstance(value, ast.Constant) else "hidden"
    return first.value, visibility
