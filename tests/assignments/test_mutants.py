"""Mutants of the references (issue 18): the cases kill them, or they are listed as equivalent."""

import json

import pytest
from click.testing import CliRunner

from grader.cases.assignment import available, load
from grader.cli import main
from grader.course.mutants import equivalents, make_mutants

SOURCE = '''"""A docstring with 1 number."""
import numpy as np


def f(W, x, b):
    """Another docstring: 2."""
    return np.maximum(W.T @ x + b, 0).sum(axis=0) - np.clip(x, 0, 1)
'''


def test_the_mutants_cover_the_kinds_of_fault():
    changes = {m.description.split(": ", 1)[1] for m in make_mutants(SOURCE)}
    assert "`W.T @ x + b` → `W.T @ x - b`" in changes  # operator
    assert "`W.T` → `W`" in changes  # transpose
    assert "`W.T @ x + b` → `W.T @ x`" in changes  # dropped term
    assert "`np.clip(x, 0, 1)` → `np.clip(0, x, 1)`" in changes  # swapped arguments
    assert "`axis=0` → `axis=1`" in changes  # axis shift
    assert "`1` → `2`" in changes  # constant
    # Docstrings are text; a symmetric function's arguments are not swapped.
    assert not any("docstring" in c or "np.maximum(0" in c for c in changes), changes


def test_ids_stay_when_the_docstrings_change():
    before = {m.id for m in make_mutants(SOURCE)}
    after = {m.id for m in make_mutants(SOURCE.replace("Another docstring: 2.", "Changed.\n\n    More text."))}
    assert before == after and len(before) == len(make_mutants(SOURCE))


@pytest.mark.parametrize("number", available())
def test_every_survivor_is_listed_as_equivalent(number, tmp_path):
    """Slow: every mutant is graded (Aufgabe 3 a reduced set, see its mutants.toml)."""
    result = CliRunner().invoke(main, ["mutants", "--aufgabe", str(number), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "mutants.json").read_text(encoding="utf-8"))
    unlisted = [m for m in summary["mutants"] if not m["killed"] and not m["equivalent"]]
    assert not unlisted, unlisted
    assignment = load(number)
    made = {m.id for m in make_mutants((assignment.reference / f"{assignment.module}.py").read_text())}
    killed = {m["id"] for m in summary["mutants"] if m["killed"]}
    stale = {i for i in equivalents(assignment) if i not in made or i in killed}
    assert not stale, f"listed in mutants.toml but no surviving mutant: {stale}"
    assert summary["score"] >= 0.95
    assert (tmp_path / "survivors.html").is_file()
