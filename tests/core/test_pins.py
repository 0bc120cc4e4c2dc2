"""One numpy and one matplotlib: the pins agree everywhere, and other versions are said out loud."""

import tomllib
import zipfile

from grader.backends import make_backend
from grader.cases import assignment as assignments
from grader.common import pins
from grader.common.results import RunResult
from grader.course import kit
from grader.engine.batch import grade_path
from grader.report import pages as report


def test_the_pins_agree_in_pyproject_image_and_kit(tmp_path):
    pinned = pins.pinned()
    assert pinned["numpy"].startswith("2.") and pinned["matplotlib"].startswith("3.10.")
    project = tomllib.loads((assignments.PROJECT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {f"{name}=={version}" for name, version in pinned.items()} <= set(project)
    with zipfile.ZipFile(kit.build(aufgabe=1, out=tmp_path / "kit.zip")) as archive:
        requirements = archive.read("aufgabe1/requirements.txt").decode().split()
    assert [f"numpy=={pinned['numpy']}", f"matplotlib=={pinned['matplotlib']}"] == requirements[:2]


def test_this_venv_has_the_pinned_versions():
    assert pins.installed() == pins.pinned()
    assert pins.mismatch(pins.installed()) == ""


def _pin(tmp_path, monkeypatch, numpy: str):
    lock = tmp_path / "requirements.txt"
    lock.write_text(pins.REQUIREMENTS.read_text().replace(f"numpy=={pins.pinned()['numpy']}", f"numpy=={numpy}"))
    monkeypatch.setattr(pins, "REQUIREMENTS", lock)


def test_the_process_sandbox_warns_when_the_venv_differs(tmp_path, monkeypatch):
    installed = pins.installed()["numpy"]
    _pin(tmp_path, monkeypatch, "1.24.2")
    said = []
    make_backend("process", log=said.append).close()
    assert said == [
        f"Warnung: bewertet mit numpy {installed} statt 1.24.2. Die Testate gelten für die festgelegten "
        "Versionen (sandbox/image/requirements.txt); mit anderen kann dieselbe Abgabe anders abschneiden."
    ]


def test_the_report_warns_when_the_sandbox_had_other_versions(tmp_path, monkeypatch):
    result = grade_path(aufgabe=1, path=assignments.REFERENCE / "aufgabe1", sandbox="process", log=lambda m: None)
    assignment = assignments.load(1)
    outcome = RunResult(aufgabe=1, title=assignment.title, threshold=assignment.threshold, submissions=[result])
    report.write_all(outcome, assignment, tmp_path / "ok")
    assert "Warnung: bewertet mit" not in (tmp_path / "ok" / result.report).read_text()
    _pin(tmp_path, monkeypatch, "1.24.2")
    report.write_all(outcome, assignment, tmp_path / "old")
    assert f"Warnung: bewertet mit numpy {result.versions['numpy']} statt 1.24.2" in (tmp_path / "old" / result.report).read_text()
