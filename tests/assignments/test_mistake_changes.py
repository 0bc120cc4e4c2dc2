"""A typical mistake is the reference with one small change (issue 25): a reviewer reads the
mistake, not a copy of the reference, and a change of the reference reaches every mistake."""

import ast
import dataclasses
import difflib

import pytest

from grader import PROJECT
from grader.cases.assignment import available, load
from grader.cases.mistakes import MistakeBroken, catalogue

MAX_CHANGED_LINES = 6
"""Lines of the reference that one mistake changes, adds or removes (a changed line counts once)."""

ENTRIES = [(n, m) for n in available() for m in catalogue(load(n))]


def _reference(number: int) -> str:
    assignment = load(number)
    return (assignment.reference / f"{assignment.module}.py").read_text(encoding="utf-8")


def _changed_lines(before: str, after: str) -> int:
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def _catalogue_with(tmp_path, monkeypatch, change: str):
    """The catalogue of a copy of Aufgabe 1 that holds one mistake ``x`` with ``change``."""
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "aufgabe1"  # the folder's name finds the reference of Aufgabe 1
    (folder / "mistakes" / "x").mkdir(parents=True)
    (folder / "mistakes" / "x" / "mistake.toml").write_text(
        f'title = "T"\nhint = "H"\nconcept = "C"\nloses = ["train/and"]\n\n[[change]]\n{change}', encoding="utf-8"
    )
    return catalogue(dataclasses.replace(load(1), folder=folder))


def test_a_mistake_is_the_reference_with_its_change(tmp_path, monkeypatch):
    change = "before = '''\n    o = (phi > 0).astype(int)\n'''\nafter = '''\n    o = (phi >= 0).astype(int)\n'''\n"
    [mistake] = _catalogue_with(tmp_path, monkeypatch, change)
    made = (mistake.folder / "perceptron.py").read_text(encoding="utf-8")
    assert made == _reference(1).replace("(phi > 0)", "(phi >= 0)")
    assert made != _reference(1)
    assert mistake.folder.is_relative_to(tmp_path / "cache")
    assert mistake.loses == {"train/and"}
    assert [p.name for p in mistake.folder.iterdir()] == ["perceptron.py"]


@pytest.mark.parametrize(("before", "found"), [("    o = (phi >= 0).astype(int)\n", "nicht"), ("    return w", "2-mal")])
def test_a_change_that_does_not_fit_the_reference_names_the_mistake(tmp_path, monkeypatch, before, found):
    change = f"before = '''\n{before}'''\nafter = '''\n    pass\n'''\n"
    with pytest.raises(MistakeBroken) as raised:
        _catalogue_with(tmp_path, monkeypatch, change)
    assert "aufgabe1/mistakes/x" in str(raised.value)
    assert f"steht {found}" in str(raised.value)


def test_no_mistake_folder_holds_a_module_file():
    folders = sorted(PROJECT.glob("assignments/aufgabe*/mistakes/*"))
    assert folders
    held = {str(f.relative_to(PROJECT)): sorted(p.name for p in f.iterdir()) for f in folders}
    assert {f: names for f, names in held.items() if names != ["mistake.toml"]} == {}


@pytest.mark.parametrize("number, mistake", ENTRIES, ids=lambda x: getattr(x, "id", x))
def test_every_mistake_is_one_small_change_of_the_reference(number, mistake):
    reference = _reference(number)
    made = (mistake.folder / f"{load(number).module}.py").read_text(encoding="utf-8")
    assert mistake.changes, mistake.id
    assert made != reference
    assert _changed_lines(reference, made) <= MAX_CHANGED_LINES
    # The module docstring is the reference's: what the mistake does is said in ``why``.
    assert ast.get_docstring(ast.parse(made)) == ast.get_docstring(ast.parse(reference))
