"""No kit computes a contract function, and none carries host-only data."""

import json
import zipfile

import pytest

from grader import assignment as assignments
from grader.course import kit
from tests.kit.test_kit import student_python, unpack

PROBE = assignments.PROJECT / "tests" / "kit" / "kit_probe.py"


def reproduced(folder, aufgabe: int) -> list[str]:
    """The kit functions in ``folder`` that give a contract function's result (see kit_probe.py)."""
    module = assignments.load(aufgabe).module
    done = student_python(folder, str(PROBE), str(folder), str(assignments.REFERENCE / f"aufgabe{aufgabe}" / f"{module}.py"))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("aufgabe", assignments.available())
def test_no_kit_function_reproduces_the_reference(aufgabe, tmp_path):
    assert reproduced(unpack(aufgabe, tmp_path), aufgabe) == []


def test_the_probe_finds_a_solution_hidden_in_a_kit(tmp_path):
    folder = unpack(2, tmp_path)
    solution = (assignments.REFERENCE / "aufgabe2" / "irprop.py").read_text()
    (folder / "gnn_kit" / "helpers.py").write_text(solution.replace("def forward(", "def _activations("))
    found = reproduced(folder, 2)
    assert "gnn_kit.helpers._activations berechnet forward" in found
    assert "gnn_kit.helpers.irprop_minus berechnet irprop_minus" in found


def test_host_only_data_stays_out_of_the_kit(tmp_path):
    with zipfile.ZipFile(kit.build(aufgabe=3, out=tmp_path / "kit.zip")) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.endswith("mnist5k.npz")]
    assert "aufgabe3/gnn_kit/data/heldout.npz" in names  # what the public cases need
