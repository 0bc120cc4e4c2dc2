"""A case's Property names a function of its Aufgabe's property module, checked when the Aufgabe loads.

A typo there would otherwise give every student "interner Fehler" at grading time.
"""

import shutil
from pathlib import Path

import pytest

from grader.cases import assignment as assignments

ORIGINALS = assignments.ASSIGNMENTS


@pytest.fixture
def copy_of(tmp_path, monkeypatch):
    """Copies a given Aufgabe (without its catalogue of mistakes) to where ``assignments.load`` reads."""
    monkeypatch.setattr(assignments, "ASSIGNMENTS", Path(tmp_path))

    def copy(number: int) -> Path:
        folder = tmp_path / f"aufgabe{number}"
        shutil.copytree(ORIGINALS / folder.name, folder, ignore=shutil.ignore_patterns("mistakes", "__pycache__"))
        return folder

    return copy


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_typo_in_a_property_name_stops_the_loading(copy_of):
    folder = copy_of(2)
    _replace(folder / "cases.py", 'Property("xor_solved"', 'Property("xor_solvd"')
    with pytest.raises(ValueError) as refused:
        assignments.load(2)
    assert str(refused.value) == (
        "Fall 'train/xor' prüft Property('xor_solvd'), aber aufgabe2/properties.py definiert keine solche "
        "Funktion (vorhanden: follows_irprop_minus, xor_solved)."
    )


def test_a_property_inside_fields_is_checked_too(copy_of):
    folder = copy_of(1)
    with (folder / "cases.py").open("a", encoding="utf-8") as cases:
        cases.write(
            "\n\nfrom harness.checks import Fields, Property\n\n\n"
            '@case("train/extra", check=Fields(w=Property("nirgends")))\n'
            "def extra(m, ctx):\n"
            "    return {}\n"
        )
    with pytest.raises(ValueError, match=r"^Fall 'train/extra' prüft Property\('nirgends'\), aber aufgabe1/properties.py gibt es nicht"):
        assignments.load(1)


def test_the_kit_must_define_what_the_public_cases_use(copy_of):
    folder = copy_of(2)
    _replace(folder / "kit_properties.py", "def xor_solved(", "def _xor_solved(")
    with pytest.raises(ValueError, match=r"^Fall 'train/xor' prüft Property\('xor_solved'\), aber aufgabe2/kit_properties.py definiert"):
        assignments.load(2)


def test_a_hidden_case_may_use_a_property_the_kit_lacks(copy_of):
    folder = copy_of(2)
    _replace(folder / "properties.py", "def xor_solved(", "def only_at_hand_in(*args, **kwargs):\n    pass\n\n\ndef xor_solved(")
    _replace(
        folder / "cases.py",
        '"train/irprop-steps-deep", points=3, visibility="hidden", timeout=30,\n      check=Property("follows_irprop_minus")',
        '"train/irprop-steps-deep", points=3, visibility="hidden", timeout=30,\n      check=Property("only_at_hand_in")',
    )
    assert assignments.load(2).case("train/irprop-steps-deep").check.name == "only_at_hand_in"


def test_the_expected_values_cache_key_covers_the_property_module(copy_of):
    folder = copy_of(4)
    before = assignments.load(4).fingerprint()
    _replace(folder / "properties.py", "CHANNEL_TOL = 1e-6", "CHANNEL_TOL = 1e-5")
    assert assignments.load(4).fingerprint() != before
