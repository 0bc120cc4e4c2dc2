"""No kit computes a contract function, and none carries host-only data."""

import json
import zipfile

import pytest

from grader.cases import assignment as assignments
from grader.course import kit
from tests.kit.test_kit import student_python, unpack

PROBE = assignments.PROJECT / "tests" / "kit" / "kit_probe.py"


def reproduced(folder) -> list[str]:
    """The kit functions in ``folder`` that give a contract function's result, of any Aufgabe (see kit_probe.py)."""
    references = [
        str(assignments.REFERENCE / f"aufgabe{number}" / f"{assignments.load(number).module}.py")
        for number in assignments.available()
    ]
    done = student_python(folder, str(PROBE), str(folder), *references)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("aufgabe", assignments.available())
def test_no_kit_function_reproduces_a_contract_function(aufgabe, tmp_path):
    assert reproduced(unpack(aufgabe, tmp_path)) == []


def test_the_probe_finds_a_solution_hidden_in_a_kit(tmp_path):
    folder = unpack(2, tmp_path)
    solution = (assignments.REFERENCE / "aufgabe2" / "irprop.py").read_text()
    (folder / "gnn_kit" / "helpers.py").write_text(solution.replace("def forward(", "def _activations("))
    found = reproduced(folder)
    assert "gnn_kit.helpers._activations berechnet irprop.forward" in found
    assert "gnn_kit.helpers.irprop_minus berechnet irprop.irprop_minus" in found


def test_the_probe_finds_another_aufgabes_function_called_with_its_defaults(tmp_path):
    """A helper that runs the lecture's network by itself is Aufgabe 5's simulate, whichever kit holds it."""
    folder = unpack(1, tmp_path)
    (folder / "gnn_kit" / "helpers.py").write_text(
        "import numpy as np\n\n\n"
        "def _orbit(n_steps):\n"
        "    orbit = np.zeros((n_steps + 1, 2))\n"
        "    for t in range(n_steps):\n"
        "        orbit[t + 1] = np.tanh(np.array([[-4.0, 1.5], [-1.5, 0.0]]) @ orbit[t] + np.array([-3.37, 0.125]))\n"
        "    return orbit\n"
    )
    assert reproduced(folder) == ["gnn_kit.helpers._orbit berechnet rnn.simulate"]


def test_host_only_data_stays_out_of_the_kit(tmp_path):
    with zipfile.ZipFile(kit.build(aufgabe=3, out=tmp_path / "kit.zip")) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.endswith("mnist5k.npz")]
    assert "aufgabe3/gnn_kit/data/heldout.npz" in names  # what the public cases need
