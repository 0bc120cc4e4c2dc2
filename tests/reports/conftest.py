"""A graded submission of Aufgabe 1 made by hand: every kind of case a report must show."""

from pathlib import Path

import pytest
from reportsamples import HIDDEN_SECRET, SCRIPT, png

from grader.cases import assignment as assignments
from grader.common.results import CaseResult, RunResult, SubmissionResult


@pytest.fixture(scope="session")
def aufgabe1():
    return assignments.load(1)


@pytest.fixture
def figures_dir(tmp_path) -> Path:
    folder = tmp_path / "reports" / "figures"
    (folder / "anna").mkdir(parents=True)
    (folder / ".reference").mkdir()
    (folder / "anna" / "train__and-0.png").write_bytes(png("red"))
    (folder / ".reference" / "train__and-0.png").write_bytes(png("blue"))
    return folder


def hidden(name: str, release: str = "") -> CaseResult:
    return CaseResult(
        name, "hidden", "failed", 0.0, 1.0, f"'w' weicht ab {HIDDEN_SECRET}-{name}", about=f"about {HIDDEN_SECRET}-{name}",
        stdout=f"{HIDDEN_SECRET}-{name}", expected_text=f"[{HIDDEN_SECRET}-{name}]", got_text="[0]", release=release,
    )


@pytest.fixture
def submission() -> SubmissionResult:
    cases = [
        CaseResult("output/single", "public", "passed", 1.0, 1.0, "Richtig.", about="Einzelne Muster.",
                   expected_text="{\n  o: [0, 1, 0, 0, 1]  (Form (5,))\n}", got_text="{\n  o: [0, 1, 0, 0, 1]  (Form (5,))\n}"),
        CaseResult("train/and", "public", "failed", 0.0, 2.0, "'epochs' ist 0, erwartet 6.",
                   stdout=f"Epoche 1 {SCRIPT}\n" + "x" * 10_000, stderr="Warnung",
                   traceback='  File "perceptron.py", line 3, in train\n    return [][0]\nIndexError: list index out of range\n',
                   expected_text="{\n  w: [2, 1, -2]  (Form (3,))\n  epochs: 6\n}", got_text="{\n  w: [1, 1, 0]  (Form (3,))\n  epochs: 0\n}",
                   figures=["anna/train__and-0.png"], expected_figures=[".reference/train__and-0.png"]),
        CaseResult("train/xor", "public", "timeout", 0.0, 2.0, "Zeitlimit von 10 s überschritten."),
        hidden("train/nand"),
        hidden("train/and-from-w0", release="2020-01-31"),
        hidden("train/separable-2d", release="2999-12-31"),
    ]
    return SubmissionResult(
        id="anna", status="graded", score=1.0, max_score=9.0, passed=False, cases=cases, sandbox="docker",
        versions={"python": "3.11.7", "numpy": "2.4.6", "matplotlib": "3.11.2"},
        graded_at="2026-11-26T19:42:00+00:00", seconds=2.5,
    )


@pytest.fixture
def run(submission) -> RunResult:
    other = SubmissionResult(id="ben <b>", status="error", score=0.0, max_score=9.0, passed=False,
                             cases=[], message="Die Datei perceptron.py wurde nicht gefunden.", sandbox="docker")
    return RunResult(aufgabe=1, title="Perzeptron-Lernregel", threshold=0.8, submissions=[submission, other], sandbox="docker")
