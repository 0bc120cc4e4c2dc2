"""Every example submission gets the same public verdicts from its kit as from ``grader check``.

The kit runs as a student runs it: pytest in a fresh venv with exactly the
pinned numpy and matplotlib of the kit's requirements.txt (made once per test
session, from the image's wheels and pip's cache). Cases that the kit leaves
to the hand-in (skipped, "wird bei der Abgabe geprüft") are not compared.
"""

import json
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
from grader.judging.diagnosis import catalogue_for

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


DRIVER = '''
import json, sys, tempfile
from pathlib import Path
from gnn_kit import runner

named = {}
for folder in sys.argv[1:]:
    runner.CHOSEN = Path(folder) / (runner.KIT["module"] + ".py")
    runner.RUNS.clear()
    outcomes = []
    for name in runner.case_names():
        with tempfile.TemporaryDirectory() as scratch:
            outcomes.append(runner.outcome(name, Path(scratch)))
    named[folder] = {
        "judged": [o.name for o in outcomes if o.mark != "–"],
        "named": {n: [m["id"], m["certain"]] for n, m in runner.mistakes(outcomes).items()},
    }
print(json.dumps(named))
'''


def _sampled_mistakes(number: int, count: int = 6) -> list:
    """Up to ``count`` mistakes of the catalogue that leave a sign on a public case: those named by
    a kind of failure or an exception first, then by values (every way of naming is tried)."""
    assignment = assignments.load(number)
    known = catalogue_for(assignment)
    properties = kit.kit_properties_file(assignment)
    later = kit.judged_at_hand_in(properties.read_text(encoding="utf-8")) if properties else set()
    # The public cases the kit judges itself (not those it leaves to the hand-in).
    public = {
        c.name for c in assignment.cases
        if c.visibility == "public" and getattr(c.check, "name", None) not in later
    }
    signed = [m for m in known.mistakes if set(known.signature(m)) & public]
    by_kind = [m for m in signed if any("value" not in s for n, s in known.signature(m).items() if n in public)]
    return [known.mistakes[m] for m in (by_kind + [m for m in signed if m not in by_kind])[:count]]


@pytest.mark.parametrize("number", assignments.available())
def test_the_kit_names_the_mistakes_grader_check_names(number, kit_python, kits, tmp_path):
    """issue 24: the kit carries the mistakes' signs on the public cases (outputs, never code) and
    names, case by case, what ``grader check`` names for the same hand-in."""
    mistakes = _sampled_mistakes(number)
    assert mistakes
    (kits[number] / "name_mistakes.py").write_text(DRIVER)
    done = subprocess.run(
        [kit_python, "name_mistakes.py", *(str(m.folder) for m in mistakes)], cwd=kits[number], capture_output=True,
        text=True, timeout=1800, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MPLBACKEND": "Agg"},
    )
    assert done.returncode == 0, done.stderr
    in_kit = json.loads(done.stdout.splitlines()[-1])
    named = 0
    for mistake in mistakes:
        graded = grade_path(aufgabe=number, path=mistake.folder, sandbox="process", public_only=True, log=lambda m: None)
        judged = set(in_kit[str(mistake.folder)]["judged"])
        by_check = {c.name: [c.mistake["id"], c.mistake["certain"]] for c in graded.cases if c.mistake and c.name in judged}
        assert in_kit[str(mistake.folder)]["named"] == by_check, mistake.id
        named += bool(by_check)
    # Not an agreement on naming nothing: most of them are named (an exception alone may not be,
    # where the function passes no public case that the mistake passes).
    assert named >= len(mistakes) / 2, named
