"""A notebook hand-in in the real sandbox: graded like its module, its traceback pointing to cells,
and nothing of the notebook itself (outputs, metadata) inside the container."""

from nbclient import NotebookClient

from grader.cases import assignment as assignments
from grader.engine.batch import run
from tests.core.notebook_files import notebook_of, write

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
# What the container holds beside the module: a case that fails shows it in the traceback.
PEEK = "import os\n\ndef output(w, x):\n    raise ValueError(sorted(os.listdir(os.path.dirname(__file__))))\n"


def test_a_notebook_is_graded_in_docker_and_only_its_code_goes_in(client, sandbox_image, tmp_path):
    good = notebook_of(REFERENCE, before=("%matplotlib inline",), after=("print('GESPEICHERTE-AUSGABE')",))
    NotebookClient(good, timeout=120, kernel_name="python3").execute()
    write(good, tmp_path / "subs" / "anna" / "perceptron.ipynb")
    write(notebook_of(REFERENCE + "\n\n" + PEEK), tmp_path / "subs" / "ben" / "loesung.ipynb")
    outcome = run(aufgabe=1, submissions=tmp_path / "subs", out=tmp_path / "out", sandbox="docker", jobs=2, log=lambda m: None)
    graded = {s.id: s for s in outcome.submissions}
    assert outcome.sandbox == "docker"
    assert graded["anna"].passed and graded["anna"].score == graded["anna"].max_score
    peeked = next(c for c in graded["ben"].cases if c.name == "output/single")
    assert "ValueError: ['perceptron.py']" in peeked.traceback
    assert 'File "loesung.ipynb", Zelle 5, Zeile 2, in output' in peeked.traceback
