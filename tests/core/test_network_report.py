"""What the harness says of its network reaches results.json, the report and the overview."""

import json

import pytest

from grader.backends import validate
from grader.cases import assignment as assignments
from grader.engine.batch import run
from harness import protocol

REFERENCE = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()


@pytest.fixture
def one_submission(tmp_path):
    (tmp_path / "subs" / "anna").mkdir(parents=True)
    (tmp_path / "subs" / "anna" / "perceptron.py").write_text(REFERENCE)
    return tmp_path / "subs"


def graded(subs, out):
    run(aufgabe=1, submissions=subs, out=out, jobs=1, sandbox="process", log=lambda m: None)
    entry = json.loads((out / "results.json").read_text())["submissions"][0]
    return entry, (out / entry["report"]).read_text(), (out / "index.html").read_text()


def test_a_sandbox_without_network_is_named_so(one_submission, tmp_path):
    entry, report, index = graded(one_submission, tmp_path / "out")
    # bubblewrap or Docker has none ("sandbox"); the weak process sandbox left it ("isolated").
    assert entry["network"] in ("sandbox", "isolated")
    assert "Netzwerk: abgeschnitten" in report and "Netzwerk: abgeschnitten" in index
    assert "NICHT abgeschnitten" not in report + index


def test_a_harness_that_could_not_leave_the_network_is_shown_to_student_and_instructor(one_submission, tmp_path, monkeypatch):
    """One harness frame in a run says "shared" (the hidden phase's): that one counts."""
    real_read = protocol.read
    readies = 0

    def read(*args, **kwargs):
        nonlocal readies
        header, blobs = real_read(*args, **kwargs)
        if header.get("type") == "ready":
            readies += 1
            if readies == 2:
                header = dict(header, network="shared")
        return header, blobs

    monkeypatch.setattr(protocol, "read", read)
    entry, report, index = graded(one_submission, tmp_path / "out")
    assert readies == 2  # public and hidden phase
    assert entry["network"] == "shared" and entry["passed"]
    assert '<span class="problem network">Netzwerk: NICHT abgeschnitten</span>' in report
    assert '<span class="problem network">Netzwerk: NICHT abgeschnitten</span>' in index
    assert "Bei 1 Abgabe hat die Sandbox das Netzwerk NICHT abgeschnitten" in index


def test_only_the_harness_words_for_the_network_are_taken():
    assert [validate.network(v) for v in ("isolated", "shared", "sandbox")] == ["isolated", "shared", "sandbox"]
    assert [validate.network(v) for v in (None, "", "none", ["shared"], {"a": 1}, 1)] == [""] * 6
