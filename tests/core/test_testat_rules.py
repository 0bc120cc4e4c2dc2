"""The Testat verdict a careful examiner would sign (issue 15): required cases, a
module that cannot be imported is an error of the submission, not 18 failed cases,
and failures of one function are traced to one likely cause."""

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.cases import assignment as assignments
from grader.cases.mistakes import catalogue
from grader.common.results import CaseResult
from grader.common.status import CaseStatus
from grader.course.overview import overview
from grader.engine.batch import run
from grader.judging.causes import shared_causes

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
# Output 1 at phi == 0: one mistake that makes most train cases fail too.
THRESHOLD_GE = next(m for m in catalogue(assignments.load(1)) if m.id == "threshold-ge").folder.joinpath("perceptron.py").read_text()

# Ignores max_epochs: trains until an epoch is error-free, under a guard of its own so
# that the loop ends at all. Right everywhere but on non-separable data.
NO_MAX_EPOCHS = textwrap.dedent(
    """
    import numpy as np

    def output(w, x):
        return (np.asarray(x, dtype=float) @ w[:-1] + w[-1] > 0).astype(int)

    def train(X, T, w0, max_epochs=100):
        w = np.array(w0, dtype=float)
        epoch, changed = 0, True
        while changed and epoch < 1000:
            epoch += 1
            changed = False
            for x, t in zip(X, T):
                o = output(w, x)
                if o != t:
                    w = w + (t - o) * np.append(x, 1.0)
                    changed = True
        return w, epoch
    """
)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions")
    sources = {
        "no_max_epochs": NO_MAX_EPOCHS,
        "syntax": "def output(w, x)\n    return 0\n",
        "imports_tensorflow": "import tensorflow\n" + REFERENCE,  # in none of the sandboxes (torch is in the test venv)
        "typo_at_import": "print(undefined_name)\n" + REFERENCE,
        "good": REFERENCE,
        "threshold_ge": THRESHOLD_GE,
    }
    for name, source in sources.items():
        (root / name).mkdir()
        (root / name / "perceptron.py").write_text(source)
    out = tmp_path_factory.mktemp("out")
    result = run(aufgabe=1, submissions=root, out=out, jobs=2, sandbox="process", log=lambda m: None)
    return out, {s.id: s for s in result.submissions}


def test_enough_points_without_a_required_case_is_no_testat(graded):
    out, by_id = graded
    s = by_id["no_max_epochs"]
    a = assignments.load(1)
    failed = {c.name for c in s.cases if c.status != "passed"}
    assert "train/xor" in failed and s.status == "graded"
    assert s.score >= a.threshold * s.max_score  # the points alone would pass
    assert not s.passed and s.missing_required == ["train/xor", "train/max-epochs-too-small", "train/default-max-epochs"]
    report = (out / s.report).read_text()
    assert "Pflichtfälle" in report and "train/xor" in report.split("Pflichtfälle", 1)[1].split("</p>", 1)[0]
    # The first problem the report states, before any case (AUFGABEN.md, "Testat").
    first_problem = report.split('<p class="problem">', 1)[1].split("</p>", 1)[0]
    assert first_problem.startswith("Zuerst beheben") and "train/xor" in first_problem
    assert "Pflichtfall fehlt: train/xor" in (out / "index.html").read_text()
    course = out.parent / (out.name + "-course")
    overview(results_paths=[out], out=course)
    assert "Pflichtfall fehlt: train/xor" in (course / "overview.html").read_text()
    good = by_id["good"]
    assert good.passed and good.missing_required == []


@pytest.mark.parametrize(
    "sid, words",
    [("syntax", "Syntaxfehler"), ("imports_tensorflow", "tensorflow"), ("typo_at_import", "undefined_name")],
)
def test_a_module_that_cannot_be_imported_is_an_error_with_one_message(graded, sid, words):
    s = graded[1][sid]
    assert s.status == "error" and words in s.message and s.score == 0 and not s.passed
    assert {c.status for c in s.cases} == {"error"}
    # The reason stands once, for the submission; no case repeats it.
    assert not any(words in c.message for c in s.cases)
    assert s.missing_required == []


def test_every_required_case_exists_and_its_readme_justifies_it():
    for number in assignments.available():
        a = assignments.load(number)
        assert a.required, f"Aufgabe {number} declares no required case"
        readme = (a.folder / "README.md").read_text()
        for name in a.required:
            assert f"`{name}`" in readme.split("Pflichtfälle", 1)[-1], (number, name)


def _aufgabe1_with(tmp_path, monkeypatch, before: str, after: str) -> None:
    """Aufgabe 1 loaded from a copy whose assignment.toml has ``before`` replaced by ``after``."""
    folder = tmp_path / "aufgabe1"
    shutil.copytree(assignments.ASSIGNMENTS / "aufgabe1", folder)
    toml = folder / "assignment.toml"
    toml.write_text(toml.read_text().replace(before, after))
    monkeypatch.setattr(assignments, "ASSIGNMENTS", Path(tmp_path))
    assignments.load(1)


def test_an_unknown_required_case_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="train/xnor"):
        _aufgabe1_with(tmp_path, monkeypatch, '"train/xor"', '"train/xnor"')


def test_failures_of_one_function_point_to_the_smallest_failing_case(graded):
    out, by_id = graded
    s = by_id["threshold_ge"]
    causes = {c["function"]: c for c in s.shared_causes}
    failing_train = [c.name for c in s.cases if c.name.startswith("train/") and c.status != "passed"]
    assert len(failing_train) >= 4 and causes["train"]["cases"] == failing_train
    # train/not has the fewest numbers among the public failing train cases.
    assert causes["train"]["smallest"] == "train/not"
    assert causes["output"]["smallest"] == "output/phi-zero"
    report = (out / s.report).read_text()
    assert f"{len(failing_train)} Fälle von train scheitern, wahrscheinlich an einer gemeinsamen Ursache" in report
    assert "der kleinste: train/not" in report
    assert by_id["good"].shared_causes == [] and by_id["no_max_epochs"].shared_causes[0]["smallest"] == "train/xor"


def test_the_smallest_failing_case_is_a_public_one_whose_values_the_report_shows():
    def failed(name: str, visibility: str) -> CaseResult:
        return CaseResult(name, visibility, CaseStatus.FAILED, 0, 1, "")

    cases = [failed("train/big", "public"), failed("train/tiny", "hidden"), failed("train/mid", "public")]
    values = {"train/big": np.zeros(50), "train/tiny": np.zeros(1), "train/mid": np.zeros(5)}
    assert shared_causes(cases, values) == [
        {"function": "train", "cases": ["train/big", "train/tiny", "train/mid"], "smallest": "train/mid"}
    ]


def test_a_function_failing_on_top_of_a_failing_one_it_builds_on_is_told_once_to_fix_that_first(graded):
    out, by_id = graded
    wrong_output = by_id["threshold_ge"]  # output wrong at phi == 0: train, which uses output, fails too
    assert wrong_output.fix_first == [{"function": "train", "first": ["output"]}]
    report = (out / wrong_output.report).read_text()
    assert report.count("train baut laut Aufgabe auf output auf") == 1 and "zuerst output korrigieren" in report
    assert by_id["good"].fix_first == [] and by_id["no_max_epochs"].fix_first == []  # train alone fails: nothing to fix first


def test_builds_on_naming_a_function_without_cases_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="outptu"):
        _aufgabe1_with(tmp_path, monkeypatch, 'train = ["output"]', 'train = ["outptu"]')
