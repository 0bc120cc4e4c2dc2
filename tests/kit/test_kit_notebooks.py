"""The kit with a notebook (issue 29): ``check()`` in a cell, and ``pytest`` beside the notebook.

Notebooks are written with nbformat and executed with nbclient, as Jupyter runs them.
"""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from grader.engine.batch import grade_path
from tests.core.notebook_files import notebook_of, write
from tests.kit.test_kit import PUBLIC, REFERENCE, pytest_in, student_python, unpack

SOURCE = (REFERENCE / "aufgabe1" / "perceptron.py").read_text()
WRONG = SOURCE.replace("w = w + (t - o)", "w = w - (t - o)")
CHECK = "from gnn_kit import check\ncheck()"
TRAINING = 'if __name__ == "__main__":\n    w, epochs = train(np.array([[0, 0], [1, 1]]), np.array([0, 1]), np.zeros(3))'


@pytest.fixture(scope="module")
def kit1(tmp_path_factory) -> Path:
    return unpack(1, tmp_path_factory.mktemp("kit"))


def fresh(kit1: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "aufgabe1"
    shutil.copytree(kit1, folder)
    return folder


def executed(notebook, folder: Path):
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def shown(cell) -> str:
    """What a cell shows as HTML (the kit's list) or as text."""
    return "".join(o.get("data", {}).get("text/html", "") + o.get("text", "") for o in cell.outputs)


def test_pytest_beside_a_notebook_checks_the_notebook_while_the_module_is_the_skeleton(kit1, tmp_path):
    folder = fresh(kit1, tmp_path)
    write(notebook_of(SOURCE, before=("%matplotlib inline",), after=(TRAINING, CHECK)), folder / "Perzeptron.ipynb")
    done = pytest_in(folder)
    assert done.returncode == 0, done.stdout
    assert f"{len(PUBLIC[1])} von {len(PUBLIC[1])} öffentlichen Fällen bestanden (geprüft: Perzeptron.ipynb)." in done.stdout
    # Once the module is more than the skeleton, it is what is checked, as at hand-in.
    (folder / "perceptron.py").write_text(WRONG)
    assert "(geprüft: perceptron.py)" in pytest_in(folder).stdout


def test_the_kit_fails_a_notebook_where_grader_check_does_and_names_its_cells(kit1, tmp_path):
    folder = fresh(kit1, tmp_path)
    raising = WRONG + "\n\ndef output(w, x):\n    x = list(x)\n    raise ValueError('kaputt')\n"
    path = write(notebook_of(raising, after=(CHECK,)), folder / "perceptron.ipynb")
    graded = grade_path(aufgabe=1, path=path, sandbox="process", log=lambda m: None)
    done = pytest_in(folder)
    failing = {line.split()[1] for line in done.stdout.splitlines() if re.match(r"^[!✗⧗] ", line)}
    assert failing == {c.name for c in graded.cases if c.status != "passed"} and failing
    single = next(c for c in graded.cases if c.name == "output/single")
    assert 'File "perceptron.ipynb", Zelle 5, Zeile 3, in output' in single.traceback
    assert 'File "perceptron.ipynb", Zelle 5, Zeile 3, in output' in done.stdout


def test_check_in_a_notebook_cell_shows_the_list_of_its_own_functions(kit1, tmp_path):
    folder = fresh(kit1, tmp_path)
    notebook = notebook_of(SOURCE, before=("%matplotlib inline\nimport matplotlib.pyplot as plt",), after=(TRAINING, CHECK))
    write(notebook, folder / "perceptron.ipynb")
    html = shown(executed(notebook, folder).cells[-1])
    assert html.count("✓") == len(PUBLIC[1]) and "✗" not in html and "!" not in html.replace("<!", "")
    assert f"{len(PUBLIC[1])} von {len(PUBLIC[1])} öffentlichen Fällen bestanden (geprüft: perceptron.ipynb)" in html
    assert "Achtung" not in html


def test_check_shows_failures_and_says_when_the_saved_notebook_is_not_what_ran(kit1, tmp_path):
    folder = fresh(kit1, tmp_path)
    write(notebook_of(WRONG, after=(CHECK,)), folder / "perceptron.ipynb")
    ran = notebook_of(SOURCE, after=(CHECK,))  # the kernel runs the right train, the file holds the wrong one
    html = shown(executed(ran, folder).cells[-1])
    assert "✗" in html and "train/and" in html
    assert "Achtung: train ist in der gespeicherten Datei perceptron.ipynb anders als zuletzt im Notebook ausgeführt" in html


def test_check_in_a_notebook_that_cannot_be_found_says_how_to_name_it(kit1, tmp_path):
    folder = fresh(kit1, tmp_path)
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell("from gnn_kit import check\ncheck('fehlt.ipynb')")])
    html = shown(executed(notebook, folder).cells[-1])
    assert "Kein Notebook gefunden unter fehlt.ipynb" in html and 'check("mein_notebook.ipynb")' in html.replace("&quot;", '"')


def test_without_nbformat_the_kit_says_what_to_install(kit1, tmp_path):
    folder = fresh(kit1, tmp_path)
    write(notebook_of(SOURCE), folder / "perceptron.ipynb")
    blocked = "import sys; sys.modules['nbformat'] = None; import pytest; sys.exit(pytest.main(['-p', 'no:cacheprovider']))"
    done = student_python(folder, "-c", blocked)
    assert done.returncode == 1
    assert "Zum Lesen eines Notebooks fehlt das Paket nbformat (es gehört zu Jupyter): pip install nbformat" in done.stdout
