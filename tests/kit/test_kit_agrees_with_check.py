"""Every example submission gets the same public verdicts from its kit as from ``grader check``.

The kit runs as a student runs it: pytest in a fresh venv with exactly the
pinned numpy and matplotlib of the kit's requirements.txt (made once per test
session, from the image's wheels and pip's cache). Cases that the kit leaves
to the hand-in (skipped, "wird bei der Abgabe geprüft") are not compared.
"""

import shutil
import subprocess
import tempfile
import venv
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from grader.backends.image import WHEELS, download_wheels
from grader.cases import assignment as assignments
from grader.common import pins
from grader.course import kit
from grader.engine.batch import grade_path
from grader.intake.submissions import open_submission

EXAMPLES = assignments.PROJECT / "examples" / "submissions"
SUBMISSIONS = [
    (number, path.name)
    for number in assignments.available()
    for path in sorted((EXAMPLES / f"aufgabe{number}").iterdir())
]


@pytest.fixture(scope="session")
def kit_python(tmp_path_factory) -> Path:
    """A venv with the pinned numpy and matplotlib and pytest, and nothing of the grader."""
    folder = tmp_path_factory.mktemp("kit-venv")
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    download_wheels(log=lambda line: None)  # the image's wheels fit this machine's Python 3.11 too
    requirements = [f"{name}=={version}" for name, version in pins.pinned().items()]
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--find-links", WHEELS, *requirements, "pytest"],
        check=True, capture_output=True,
    )
    return python


@pytest.fixture(scope="session")
def kits(tmp_path_factory):
    """Aufgabe -> its kit, unpacked once."""
    built = {}
    for number in assignments.available():
        folder = tmp_path_factory.mktemp(f"kit{number}")
        with zipfile.ZipFile(kit.build(aufgabe=number, out=folder / "kit.zip")) as archive:
            archive.extractall(folder)
        built[number] = folder / f"aufgabe{number}"
    return built


def kit_verdicts(python: Path, folder: Path) -> dict[str, str]:
    """Case name -> passed, failed or skipped, from the kit's own pytest run."""
    subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "--junitxml", "verdicts.xml"],
        cwd=folder, capture_output=True, timeout=1800, env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "MPLBACKEND": "Agg", "TMPDIR": tempfile.gettempdir()},
    )
    verdicts = {}
    for case in ElementTree.parse(folder / "verdicts.xml").iter("testcase"):
        name = case.get("name").removeprefix("test_fall[").removesuffix("]")
        outcome = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        verdicts[name] = {"failure": "failed", "error": "failed", "skipped": "skipped"}.get(outcome[0] if outcome else "", "passed")
    return verdicts


@pytest.mark.parametrize("aufgabe, name", SUBMISSIONS)
def test_kit_and_grader_check_agree(aufgabe, name, kit_python, kits, tmp_path):
    path = EXAMPLES / f"aufgabe{aufgabe}" / name
    graded = grade_path(aufgabe=aufgabe, path=path, log=lambda m: None)
    assert graded.status == "graded", graded.message
    submission = open_submission(path, assignments.load(aufgabe).module, tmp_path / "unpacked")
    folder = tmp_path / "kit"
    shutil.copytree(kits[aufgabe], folder)
    for file in submission.folder.iterdir():
        if file.is_file() and file.suffix == ".py":
            shutil.copy(file, folder / file.name)
    in_kit = kit_verdicts(kit_python, folder)
    assert sorted(in_kit) == sorted(c.name for c in graded.cases)
    judged = {n: v for n, v in in_kit.items() if v != "skipped"}
    by_check = {c.name: "passed" if c.status == "passed" else "failed" for c in graded.cases if c.name in judged}
    assert judged == by_check


def test_numpy_2_code_passes_in_the_kit_and_in_the_sandbox(kit_python, kits, tmp_path):
    """``np.astype`` is numpy 2 only: it must not pass in the kit and fail in the sandbox."""
    submission = tmp_path / "submission"
    submission.mkdir()
    reference = (assignments.REFERENCE / "aufgabe4" / "pooling.py").read_text()
    (submission / "pooling.py").write_text(
        reference.replace("image = np.asarray(image, dtype=float)", "image = np.astype(np.asarray(image), float)")
    )
    graded = grade_path(aufgabe=4, path=submission, log=lambda m: None)
    folder = tmp_path / "kit"
    shutil.copytree(kits[4], folder)
    shutil.copy(submission / "pooling.py", folder / "pooling.py")
    in_kit = kit_verdicts(kit_python, folder)
    assert set(in_kit.values()) == {"passed"}
    assert [(c.name, c.status) for c in graded.cases if c.status != "passed"] == []
