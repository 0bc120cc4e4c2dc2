"""The student kit: built, unpacked and run with pytest where the grader cannot be imported."""

import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cases import assignment as assignments
from grader.cases import source as case_source
from grader.cases.expected import expected_for
from grader.cli import main
from grader.common.errors import EXIT_REFERENCE
from grader.course import kit
from grader.engine.batch import grade_path

REFERENCE = assignments.REFERENCE
PUBLIC = {a: [c.name for c in assignments.load(a).cases if c.visibility == "public"] for a in (1, 4)}


def unpack(aufgabe: int, folder: Path) -> Path:
    archive = kit.build(aufgabe=aufgabe, out=folder / f"kit{aufgabe}.zip")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    return folder / f"aufgabe{aufgabe}"


def student_python(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """This interpreter as a student's: numpy, matplotlib and pytest, but no grader.

    ``-S`` skips the site-packages' ``.pth`` files, and with them the
    project's editable install; the packages themselves come through
    PYTHONPATH. The kit folder is the working directory, as after unpacking.
    """
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "TMPDIR": tempfile.gettempdir(),  # the caller's, not a /tmp that other test runs share
    }
    return subprocess.run(
        [sys.executable, "-S", *arguments], cwd=folder, env=environment, capture_output=True, text=True, timeout=300
    )


def pytest_in(folder: Path) -> subprocess.CompletedProcess:
    return student_python(folder, "-m", "pytest", "-p", "no:cacheprovider")


@pytest.fixture(scope="module", params=[1, 4])
def unpacked(request, tmp_path_factory):
    return request.param, unpack(request.param, tmp_path_factory.mktemp(f"kit{request.param}"))


def test_grader_cannot_be_imported_where_the_kit_runs(unpacked):
    _, folder = unpacked
    assert student_python(folder, "-c", "import numpy, matplotlib, pytest").returncode == 0
    missing = student_python(folder, "-c", "import grader")
    assert missing.returncode != 0 and "No module named 'grader'" in missing.stderr


def test_skeleton_fails_every_public_case(unpacked):
    aufgabe, folder = unpacked
    done = pytest_in(folder)
    assert done.returncode == 1
    assert f"{len(PUBLIC[aufgabe])} failed" in done.stdout
    assert "NotImplementedError" in done.stdout


def test_pytest_on_the_skeleton_shows_the_summary_first_and_no_docstrings(unpacked):
    """Issue 28.9: 387 lines (a docstring per failure) before; the ✓/✗ list of ``grader check`` first now."""
    aufgabe, folder = unpacked
    lines = pytest_in(folder).stdout.splitlines()
    summary = next(i for i, line in enumerate(lines) if "Übersicht" in line)
    failures = next(i for i, line in enumerate(lines) if "FAILURES" in line)
    assert summary < failures
    listed = lines[summary + 1 : failures]
    module = assignments.load(aufgabe).module
    assert [line.split()[:2] for line in listed[:-1]] == [["!", name] for name in PUBLIC[aufgabe]]
    assert listed[-1] == f"0 von {len(PUBLIC[aufgabe])} öffentlichen Fällen bestanden (geprüft: {module}.py)."
    assert "Rückgabe" not in "\n".join(lines)  # no skeleton docstring
    assert len(lines) < 8 * len(PUBLIC[aufgabe]) + 10


@pytest.mark.parametrize("aufgabe", assignments.available())
def test_the_task_text_in_a_kit_names_the_skeleton_where_the_kit_has_it(aufgabe, tmp_path):
    folder = unpack(aufgabe, tmp_path)
    text = (folder / "AUFGABE.md").read_text()
    module = assignments.load(aufgabe).module
    assert "skeleton/" not in text and f"`{module}.py`" in text and (folder / f"{module}.py").is_file()


def test_aufgabe_4s_skeleton_says_what_its_task_text_says_about_file_names():
    folder = assignments.load(4).folder
    assert "Dateinamen werden als Zeichenketten (`str`) übergeben" in (folder / "README.md").read_text()
    documented = re.findall(r"^\s+(\w*path) : (.+)$", (folder / "skeleton" / "pooling.py").read_text(), re.MULTILINE)
    assert documented == [("path", "str"), ("in_path", "str"), ("out_path", "str")]


def test_reference_passes_every_public_case(unpacked, tmp_path):
    aufgabe, folder = unpacked
    module = assignments.load(aufgabe).module
    copy = tmp_path / "kit"
    subprocess.run(["cp", "-r", str(folder), str(copy)], check=True)
    (copy / f"{module}.py").write_text((REFERENCE / f"aufgabe{aufgabe}" / f"{module}.py").read_text())
    done = pytest_in(copy)
    assert done.returncode == 0, done.stdout
    assert f"{len(PUBLIC[aufgabe])} passed" in done.stdout


def test_wrong_train_fails_with_the_graders_message(tmp_path):
    folder = unpack(1, tmp_path)
    reference = (REFERENCE / "aufgabe1" / "perceptron.py").read_text()
    (folder / "perceptron.py").write_text(
        reference.replace("def train(", "def _train(")
        + "\n\ndef train(X, T, w0, max_epochs=100):\n    w, epochs = _train(X, T, w0, max_epochs)\n"
        "    return w, epochs + 1 if epochs else 0\n"
    )
    done = pytest_in(folder)
    assert done.returncode == 1
    assert "train/and: 'epochs' ist 7, erwartet 6." in done.stdout  # grader.judging.compare's own sentence
    # and, or, not, and-from-w0, converges-in-last-epoch; xor and the runs out of epochs stay 0,
    # w0-unchanged passes
    assert "5 failed, 7 passed" in done.stdout


def test_kit_and_grader_agree_on_a_wrong_submission(tmp_path):
    """The same public cases fail in the kit as in the grader."""
    submission = next(p for p in sorted((assignments.PROJECT / "examples" / "submissions" / "aufgabe4").iterdir()) if p.is_dir())
    graded = grade_path(aufgabe=4, path=submission, sandbox="process", log=lambda m: None)
    failing = {c.name for c in graded.cases if c.status != "passed"}
    assert failing  # a submission that passes everything would prove little
    folder = unpack(4, tmp_path)
    (folder / "pooling.py").write_text((submission / "pooling.py").read_text())
    done = pytest_in(folder)
    in_kit = {name for name in PUBLIC[4] if f"test_fall[{name}]" in done.stdout.split("short test summary")[-1]}
    assert in_kit == failing


@pytest.mark.parametrize("aufgabe", assignments.available())
def test_kit_holds_nothing_of_a_hidden_case(aufgabe, tmp_path):
    assignment = assignments.load(aufgabe)
    hidden = [c for c in assignment.cases if c.visibility == "hidden"]
    assert hidden  # else this test proves nothing
    archive = kit.build(aufgabe=aufgabe, out=tmp_path / "kit.zip")
    with zipfile.ZipFile(archive) as zf:
        contents = {name: zf.read(name) for name in zf.namelist()}
    text = b"\n".join(contents.values())
    for case in hidden:
        assert case.name.encode() not in text
        assert f"def {case.func.__name__}(".encode() not in text
    stored = json.loads(contents[f"aufgabe{aufgabe}/gnn_kit/expected.json"])
    assert sorted(stored["values"]) == sorted(c.name for c in assignment.cases if c.visibility == "public")
    expected = expected_for(assignment)
    # A hidden case may share part of its value with a public one (Aufgabe 2: grad_stored does not depend on eta).
    public = {a.tobytes() for name in stored["values"] for a in _arrays(expected.values[name])}
    for case in hidden:
        for array in _arrays(expected.values[case.name]):
            if array.size >= 4 and not np.all(array == np.round(array)) and array.tobytes() not in public:
                assert array.tobytes() not in text, case.name


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, list):
        for item in value:
            yield from _arrays(item)


def test_public_cases_source_cuts_hidden_cases_and_their_helpers():
    source = '''
import numpy as np
from harness.api import case

SHARED = 1
ONLY_HIDDEN = 2


def _helper():
    return SHARED


@case("f/public")
def public(m, ctx):
    return _helper()


@case("f/secret", visibility="hidden")
def secret(m, ctx):
    return ONLY_HIDDEN
'''
    cut = case_source.public_cases_source(source)
    assert "f/public" in cut and "def _helper" in cut and "SHARED = 1" in cut and "import numpy" in cut
    assert "f/secret" not in cut and "ONLY_HIDDEN" not in cut


def test_properties_may_only_import_the_comparators_from_the_grader():
    assert kit.kit_properties_source("from grader.judging.compare import Judgement\n", "properties.py") == "from .compare import Judgement\n"
    with pytest.raises(kit.KitError, match="kit_properties.py importiert"):
        kit.kit_properties_source("from grader.judging.compare import Judgement\nfrom grader.backends.image import x\n", "kit_properties.py")


def test_a_kit_that_cannot_carry_the_properties_ends_as_a_broken_aufgabe(tmp_path, monkeypatch):
    """Exit 1 belongs to `check`'s failed cases; here the instructor's Aufgabe must be fixed."""
    properties = tmp_path / "kit_properties.py"
    properties.write_text("from grader.backends.image import x\n")
    monkeypatch.setattr(kit, "kit_properties_file", lambda assignment: properties)
    done = CliRunner().invoke(main, ["kit", "--aufgabe", "1", "--out", str(tmp_path / "kit.zip")])
    assert done.exit_code == EXIT_REFERENCE, done.output
    assert "kit_properties.py importiert mehr vom Grader" in done.output and "Traceback" not in done.output


def test_same_kit_gives_the_same_bytes(tmp_path):
    first = kit.build(aufgabe=1, out=tmp_path / "a.zip").read_bytes()
    assert kit.build(aufgabe=1, out=tmp_path / "b.zip").read_bytes() == first


def test_what_needs_the_algorithm_is_left_to_the_hand_in(tmp_path):
    """Aufgabe 2's train cases: the kit checks shapes and the error log, the rest is judged at hand-in."""
    folder = unpack(2, tmp_path)
    reference = (REFERENCE / "aufgabe2" / "irprop.py").read_text()
    (folder / "irprop.py").write_text(reference)
    done = pytest_in(folder)
    assert done.returncode == 0, done.stdout
    assert "6 passed, 3 skipped" in done.stdout
    assert "train/irprop-steps: wird bei der Abgabe geprüft." in done.stdout
    assert "`train/xor` (teilweise; der Rest wird bei der Abgabe geprüft)" in (folder / "README.md").read_text()
    (folder / "irprop.py").write_text(reference + "\n\ndef train(X, T, sizes, epochs, rng, step0=0.1):\n    return [], [1.0] * epochs\n")
    done = pytest_in(folder)
    assert "3 failed, 6 passed" in done.stdout  # xor, irprop-steps, irprop-steps-large-step0
    assert "train/xor: Lauf 1: weights ist keine Liste von 2 Gewichtsmatrizen." in done.stdout


def test_other_versions_than_the_graders_are_warned_about(tmp_path):
    folder = unpack(1, tmp_path)
    assert "WARNUNG" not in pytest_in(folder).stdout
    settings = json.loads((folder / "gnn_kit" / "kit.json").read_text())
    settings["versions"]["numpy"] = "1.24.2"
    (folder / "gnn_kit" / "kit.json").write_text(json.dumps(settings))
    done = pytest_in(folder)
    assert "WARNUNG: andere Versionen als im Grader" in done.stdout
    assert f"Hier laufen numpy {np.__version__} (Grader: 1.24.2)." in done.stdout
    assert "pip install -r requirements.txt" in done.stdout
