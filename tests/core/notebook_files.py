"""Notebooks as Jupyter writes them (nbformat's own constructors), for the tests of notebook hand-ins."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def cells_of(source: str) -> list[str]:
    """``source`` split where a top-level ``def`` begins, as a student puts each function in a cell."""
    cells: list[list[str]] = [[]]
    for line in source.splitlines():
        if line.startswith("def ") and cells[-1]:
            cells.append([])
        cells[-1].append(line)
    return ["\n".join(c).strip("\n") for c in cells if "\n".join(c).strip()]


def notebook_of(source: str, *, before: tuple = (), after: tuple = ()) -> nbformat.NotebookNode:
    """A notebook with a title cell, ``before``, ``source`` in one cell per function, and ``after``.

    A cell given as a string is a code cell; as a (source, tags) pair, a code cell with those tags;
    as ``nbformat.NotebookNode``, that cell.
    """
    def cell(given):
        if isinstance(given, tuple):
            return new_code_cell(given[0], metadata={"tags": list(given[1])})
        return given if isinstance(given, dict) else new_code_cell(given)

    return new_notebook(
        cells=[new_markdown_cell("# Meine Lösung"), *map(cell, before), *map(new_code_cell, cells_of(source)), *map(cell, after)]
    )


def write(notebook: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path
