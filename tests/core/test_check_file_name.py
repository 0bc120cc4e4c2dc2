"""``grader check`` on a single file says what ``grader run`` says when it is not the Aufgabe's file."""

import shutil

import pytest
from click.testing import CliRunner

from grader.cases import assignment as assignments
from grader.cli import main

REFERENCE = assignments.REFERENCE / "aufgabe1" / "perceptron.py"


@pytest.mark.parametrize("name", ["Perzeptron.py", "Perceptron.py", "perceptron (1).py", "perceptron.txt"])
def test_a_file_of_another_name_is_not_found(tmp_path, name):
    shutil.copy(REFERENCE, tmp_path / name)
    done = CliRunner().invoke(main, ["check", "--aufgabe", "1", str(tmp_path / name), "--sandbox", "process"])
    assert done.exit_code == 1
    assert "Nicht bewertbar: Die Datei perceptron.py wurde nicht gefunden" in done.output
    assert f"Vorhanden: {name}" in done.output
    assert "Error" not in done.output  # no ImportError per case, no traceback


def test_a_file_of_another_name_is_not_graded_as_its_neighbour(tmp_path):
    """Beside a perceptron.py, Perzeptron.py must still not be graded as that other file."""
    shutil.copy(REFERENCE, tmp_path / "perceptron.py")
    (tmp_path / "Perzeptron.py").write_text("def output(w, x):\n    return 0\n")
    done = CliRunner().invoke(main, ["check", "--aufgabe", "1", str(tmp_path / "Perzeptron.py"), "--sandbox", "process"])
    assert done.exit_code == 1
    assert "Die Datei perceptron.py wurde nicht gefunden" in done.output


def test_the_right_file_is_graded(tmp_path):
    shutil.copy(REFERENCE, tmp_path / "perceptron.py")
    done = CliRunner().invoke(main, ["check", "--aufgabe", "1", str(tmp_path / "perceptron.py"), "--sandbox", "process"])
    assert done.exit_code == 0, done.output
    assert "Alle öffentlichen Fälle bestanden" in done.output
