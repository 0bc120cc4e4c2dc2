"""Notebook hand-ins (issue 29): a notebook's code cells become the module, graded like the ``.py``.

The notebooks are written with nbformat, as Jupyter writes them; where a test
needs stored outputs, the notebook is executed with nbclient.
"""

import json
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook, new_raw_cell

from grader.cases import assignment as assignments
from grader.cli import main
from grader.common.status import CaseRun, RunStatus
from grader.engine.batch import run
from grader.intake import notebooks
from grader.intake.submissions import discover, open_submission
from grader.judging.verdicts import import_failure
from tests.core.notebook_files import notebook_of, write

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:click")

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
EXAMPLES = assignments.PROJECT / "examples" / "submissions" / "aufgabe1"
STYLES = {
    "good": REFERENCE,
    "chatty": "print('Hallo aus perceptron.py')\n" + REFERENCE,
    "syntax": "def output(w, x)\n    return 0\n",
    "missing_function": REFERENCE.replace("def train(", "def trian("),
    "raises": "def output(w, x):\n    raise ValueError('kaputt')\n\n\ndef train(X, T, w0, max_epochs=100):\n    return [][0]\n",
    "exit_at_import": "import sys\nsys.exit(3)\n",
    "endless": REFERENCE.replace("def train(", "def _train(") + textwrap.dedent(
        """
        def train(X, T, w0, max_epochs=100):
            while len(X) == 2:
                pass
            return _train(X, T, w0, max_epochs)
        """),
    **{p.name: (p / "perceptron.py").read_text() for p in sorted(EXAMPLES.iterdir()) if p.is_dir()},
}


def quiet(_message):
    pass


def grade(root: Path, out: Path) -> dict:
    result = run(aufgabe=1, submissions=root, out=out, jobs=2, sandbox="process", log=quiet)
    return {s.id: s for s in result.submissions}


def opened(tmp_path: Path, notebook, name: str = "perceptron.ipynb", **files: str):
    folder = tmp_path / "anna"
    write(notebook, folder / name)
    for file, text in files.items():
        (folder / file).write_text(text)
    return open_submission(folder, "perceptron", tmp_path / "work")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every style of the tests' submissions, once as ``perceptron.py`` and once as a notebook: (out, results)."""
    root = tmp_path_factory.mktemp("styles")
    for style, source in STYLES.items():
        (root / f"{style}-py").mkdir()
        (root / f"{style}-py" / "perceptron.py").write_text(source)
        write(notebook_of(source, before=("%matplotlib inline",)), root / f"{style}-ipynb" / "loesung.ipynb")
    out = tmp_path_factory.mktemp("out")
    return out, grade(root, out)


@pytest.fixture(scope="module")
def both(graded):
    return graded[1]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_a_notebook_gets_the_verdicts_of_the_same_code_as_a_module(both, style):
    module, notebook = both[f"{style}-py"], both[f"{style}-ipynb"]
    assert (notebook.status, notebook.score, notebook.passed) == (module.status, module.score, module.passed)
    assert [(c.name, c.status) for c in notebook.cases] == [(c.name, c.status) for c in module.cases]
    assert [c.mistake for c in notebook.cases] == [c.mistake for c in module.cases]


def test_the_styles_cover_full_marks_wrong_answers_and_errors(both):
    assert both["good-ipynb"].passed and both["good-ipynb"].score == both["good-ipynb"].max_score
    assert both["syntax-ipynb"].status == "error" and both["raises-ipynb"].score == 0
    assert {c.status for c in both["endless-ipynb"].cases} >= {"passed", "timeout"}


def test_a_traceback_names_the_cell_and_its_line(both):
    raised = both["raises-ipynb"]
    output = next(c for c in raised.cases if c.name == "output/single")
    # Cell 1 is the title, cell 2 %matplotlib, cell 3 output(), whose line 2 raises.
    assert 'File "loesung.ipynb", Zelle 3, Zeile 2, in output' in output.traceback
    assert "line" not in output.traceback
    syntax = both["syntax-ipynb"]
    assert "loesung.ipynb enthält einen Syntaxfehler" in syntax.message
    assert "(loesung.ipynb, Zelle 3, Zeile 1)" in syntax.message


def test_the_report_shows_the_cells_and_what_was_left_out(graded):
    out, results = graded
    page = (out / results["raises-ipynb"].report).read_text()
    assert "Zelle 3, Zeile 2, in output" in page and "Zelle 2, Zeile 1 „%matplotlib inline“ (IPython-Befehl)" in page


def test_the_report_says_which_lines_were_left_out(tmp_path):
    notebook = notebook_of(
        REFERENCE,
        before=("%matplotlib inline\nimport numpy as np\n!pip install numpy", "%%time\nx = 1"),
        after=(("train(None, None, None)", ["skip"]), "from gnn_kit import check\ncheck()"),
    )
    submission = opened(tmp_path, notebook)
    assert not submission.error
    notes = " ".join(submission.notes)
    assert "Zelle 2, Zeile 1 „%matplotlib inline“ (IPython-Befehl)" in notes
    assert "Zelle 2, Zeile 3 „!pip install numpy“ (Shell-Befehl)" in notes
    assert "Zelle 3 „%%time“ (Zellen-Befehl von IPython, ganze Zelle)" in notes
    assert "„train(None, None, None)“ (Tag „skip“)" in notes
    assert "„from gnn_kit import check“ (ruft das Kit auf, ganze Zelle)" in notes
    module = (submission.folder / "perceptron.py").read_text()
    assert "%" not in module.replace("%d", "") and "!pip" not in module and "gnn_kit" not in module
    assert "train(None" not in module and "x = 1" not in module


def test_a_percent_sign_continuing_an_expression_is_code_not_a_magic():
    converted = notebooks.convert(
        [{"cell_type": "code", "source": "text = ('%d von %d'\n        % (1, 2))\n%time x = 1\nif text:\n    !ls\n", "metadata": {}}],
        "n.ipynb",
    )
    assert converted.source == "text = ('%d von %d'\n        % (1, 2))\npass\nif text:\n    pass\n"
    assert [(o.line, o.why) for o in converted.left_out] == [(3, "IPython-Befehl"), (5, "Shell-Befehl")]


def test_nothing_of_the_outputs_or_metadata_reaches_the_sandbox(tmp_path):
    from nbclient import NotebookClient

    notebook = notebook_of(REFERENCE, after=("print('AUSGABE-' + 'GEHEIM')",))
    notebook.metadata["geheim"] = "METADATEN-GEHEIM"
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    assert "AUSGABE-GEHEIM" in json.dumps(notebook)  # executed: the output is stored
    submission = opened(tmp_path, notebook, **{"daten.txt": "x", "notizen.ipynb": "{}"})
    assert not submission.error
    files = sorted(p.name for p in submission.folder.iterdir())
    assert files == ["daten.txt", "perceptron.py"]
    module = (submission.folder / "perceptron.py").read_text()
    assert "GEHEIM" not in module.replace("'AUSGABE-' + 'GEHEIM'", "")
    assert "METADATEN" not in module and "outputs" not in module


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"cells": [', "kein gültiges JSON"),
        (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}).encode(), "Notebook-Format 3"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "keine"}).encode(), "entspricht nicht dem Notebook-Format 4"),
        (b'{"hello": 1}', "kein Jupyter-Notebook"),
        (b'{"nbformat": 4, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "zu tief verschachtelt"),
        ("{}".encode("utf-16"), "nicht in UTF-8 kodiert"),
        (nbformat.writes(new_notebook(cells=[new_raw_cell("def train(): pass"), new_code_cell("   ")])).encode(), "enthält keinen Code"),
        (nbformat.writes(new_notebook(cells=[new_code_cell("%pip install numpy")])).encode(), "enthält keinen Code"),
    ],
)
def test_a_notebook_that_cannot_be_read_gets_a_german_verdict(tmp_path, content, says):
    folder = tmp_path / "anna"
    folder.mkdir()
    (folder / "perceptron.ipynb").write_bytes(content)
    submission = open_submission(folder, "perceptron", tmp_path / "work")
    assert says in submission.error and "perceptron.ipynb" in submission.error


def test_a_notebook_of_many_megabytes_of_outputs_is_refused_and_the_others_are_graded(tmp_path):
    notebook = notebook_of(REFERENCE)
    notebook.cells[-1].outputs = [nbformat.v4.new_output("stream", text="0" * (notebooks.MAX_BYTES + 1))]
    write(notebook, tmp_path / "subs" / "gross" / "perceptron.ipynb")
    write(notebook_of(REFERENCE), tmp_path / "subs" / "klein" / "perceptron.ipynb")
    found = {s.id: s for s in discover(tmp_path / "subs", "perceptron", tmp_path / "work")}
    assert "größer als 20 MB" in found["gross"].error and "Ausgaben löschen" in found["gross"].error
    assert not found["klein"].error


def test_which_file_is_graded(tmp_path):
    subs = tmp_path / "subs"
    (subs / "both").mkdir(parents=True)
    (subs / "both" / "perceptron.py").write_text(REFERENCE)
    write(notebook_of("def output(w, x):\n    return 0\n"), subs / "both" / "perceptron.ipynb")
    write(notebook_of(REFERENCE), subs / "named" / "perceptron.ipynb")
    write(notebook_of("x = 1"), subs / "named" / "entwurf.ipynb")
    write(notebook_of(REFERENCE), subs / "two" / "a.ipynb")
    write(notebook_of(REFERENCE), subs / "two" / "b.ipynb")
    write(notebook_of(REFERENCE), subs / "nested" / "abgabe" / "Aufgabe 1.ipynb")
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:
        zf.writestr("abgabe/perceptron.ipynb", nbformat.writes(notebook_of(REFERENCE)))
    found = {s.id: s for s in discover(subs, "perceptron", tmp_path / "work")}
    assert found["both"].notebook is None and found["both"].folder == subs / "both"
    assert found["named"].notebook.name == "perceptron.ipynb"
    assert "heißt keines perceptron.ipynb" in found["two"].error and "a.ipynb, b.ipynb" in found["two"].error
    assert found["nested"].notebook.name == "Aufgabe 1.ipynb"
    assert found["zipped"].notebook.name == "perceptron.ipynb"
    for name in ("named", "nested", "zipped"):
        assert (found[name].folder / "perceptron.py").read_text() == notebooks.convert(notebook_of(REFERENCE).cells, "").source


def test_grader_check_takes_a_notebook_itself(tmp_path):
    path = write(notebook_of(REFERENCE, before=("%matplotlib inline",)), tmp_path / "Perzeptron.ipynb")
    done = CliRunner().invoke(main, ["check", "--aufgabe", "1", str(path), "--sandbox", "process"])
    assert done.exit_code == 0, done.output
    assert "Alle öffentlichen Fälle bestanden" in done.output


def test_a_notebook_whose_import_hangs_is_told_how_to_guard_its_training():
    assignment = assignments.load(1)
    hung = [CaseRun(f"c{i}", RunStatus.TIMEOUT, stage="import") for i in range(3)]
    said = import_failure(hung, assignment, handed_in="perceptron.ipynb")
    assert "Der Import von perceptron.ipynb kam nicht zum Ende" in said
    assert 'in ihrer Zelle unter if __name__ == "__main__": einrücken' in said and "Tag „skip“" in said
    assert "Zelle" not in import_failure(hung, assignment)


def test_a_cell_that_ends_too_early_is_named_with_its_line():
    converted = notebooks.convert(
        [{"cell_type": "code", "source": src, "metadata": {}} for src in ("import numpy as np", "def train(X):", "x = 1")], "n.ipynb"
    )
    with pytest.raises(IndentationError) as raised:
        compile(converted.source, "perceptron.py", "exec")
    message = f"{raised.value.msg} ({raised.value.filename}, line {raised.value.lineno})"
    assert converted.located(message, "perceptron.py") == (
        "expected an indented block after function definition in Zelle 2, Zeile 1 (n.ipynb, Zelle 3, Zeile 1)"
    )
    assert converted.where(2) == (1, 2)  # the blank line after a cell: where Python puts an error at its end
    warned = "/sandbox/submission/perceptron.py:5: RuntimeWarning: overflow\n  np.exp(x)\n"
    assert converted.located(warned, "perceptron.py") == "n.ipynb, Zelle 3, Zeile 1: RuntimeWarning: overflow\n  np.exp(x)\n"


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ('text = """\n%s ist kein Befehl\n!auch nicht\n"""', True),
        ("x = 1 + \\\n    !2", True),
        ("werte = [\n    1,\n    != 2,\n]", True),
        ("s = 'a # b'  # (\n%time s", False),
        ("f = f'{1}\"'\n!ls", False),
    ],
)
def test_only_a_line_where_a_statement_may_begin_is_a_magic(cell, kept):
    converted = notebooks.convert([{"cell_type": "code", "source": cell, "metadata": {}}], "n.ipynb")
    assert (converted.source == cell + "\n") == kept, converted.source
    assert (not converted.left_out) == kept


def test_a_cell_of_megabytes_is_read_in_one_pass():
    import time

    cell = 'text = """\n' + "%\n" * 1_000_000 + '"""\n' + "!ls\n" * 100_000
    started = time.monotonic()
    converted = notebooks.convert([{"cell_type": "code", "source": cell, "metadata": {}}], "n.ipynb")
    assert time.monotonic() - started < 10
    assert len(converted.left_out) == 100_000 and converted.left_out[0].line == 1_000_003


def test_a_class_whose_only_notebook_is_broken_gets_its_verdict_not_a_wrong_aufgabe(tmp_path):
    (tmp_path / "subs" / "anna").mkdir(parents=True)
    (tmp_path / "subs" / "anna" / "perceptron.ipynb").write_text('{"cells": [')
    [anna] = grade(tmp_path / "subs", tmp_path / "out").values()
    assert anna.status == "error" and "kein gültiges JSON" in anna.message


def test_display_at_import_of_a_notebook_is_explained():
    assignment = assignments.load(1)
    raised = [CaseRun(f"c{i}", RunStatus.EXCEPTION, stage="import", exception="NameError", message="name 'display' is not defined") for i in range(2)]
    said = import_failure(raised, assignment, handed_in="perceptron.ipynb")
    assert "display() gibt es nur in Jupyter" in said and 'if __name__ == "__main__":' in said
    assert "nur in Jupyter" not in import_failure(raised, assignment)
