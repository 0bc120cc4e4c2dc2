"""What a hand-in brings to the host: never a followed link, never bytecode, no tree too deep
for the host, and no failure on the host that stops the other submissions."""

import json
import py_compile
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from grader import engine
from grader.cases import assignment as assignments
from grader.cli import main
from grader.engine.batch import run
from grader.engine.store import submission_hash
from grader.intake import handin
from grader.intake.submissions import discover

REFERENCE = assignments.REFERENCE / "aufgabe1" / "perceptron.py"
WRONG = REFERENCE.read_text().replace("w = w + (t - o)", "w = w - (t - o)")


def quiet(_message):
    pass


def grade(root: Path, out: Path) -> dict:
    result = run(aufgabe=1, submissions=root, out=out, jobs=2, sandbox="process", log=quiet)
    return {s.id: s for s in result.submissions}


def test_the_wrong_variant_really_is_wrong():
    assert REFERENCE.read_text() != WRONG


def deep_zip(path: Path, depth: int) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("abgabe/perceptron.py", REFERENCE.read_text())
        zf.writestr("d/" * depth, b"")
    return path


def test_a_zip_with_a_folder_deeper_than_the_recursion_limit_is_refused_and_the_others_are_found(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    deep_zip(subs / "tief.zip", 1100)
    (subs / "anna").mkdir()
    (subs / "anna" / "perceptron.py").write_text(REFERENCE.read_text())
    found = {s.id: s for s in discover(subs, "perceptron", tmp_path / "work")}
    assert "Ordnerebenen" in found["tief"].error
    assert found["anna"].error == "" and found["anna"].folder is not None


def linked_class(tmp_path: Path) -> Path:
    """Folder hand-ins, each with a link that the grader must never follow."""
    secret = tmp_path / "grader-cache"
    secret.mkdir()
    (secret / "perceptron.py").write_text(REFERENCE.read_text())
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "other_student").mkdir()
    (subs / "other_student" / "perceptron.py").write_text(REFERENCE.read_text() + "\nGEHEIM = 'von other_student'\n")
    (subs / "cache_link").mkdir()
    (subs / "cache_link" / "perceptron.py").symlink_to(secret / "perceptron.py")
    (subs / "neighbour_link").mkdir()
    (subs / "neighbour_link" / "perceptron.py").write_text(WRONG)
    (subs / "neighbour_link" / "nachbar").symlink_to("../other_student")
    (subs / "endless_link").mkdir()
    (subs / "endless_link" / "perceptron.py").write_text(WRONG)
    (subs / "endless_link" / "daten.bin").symlink_to("/dev/zero")
    (subs / "whole_link").symlink_to(secret)
    return subs


def test_links_in_folder_hand_ins_are_refused_with_a_message_and_never_followed(tmp_path):
    subs = linked_class(tmp_path)
    results = grade(subs, tmp_path / "out")
    for name in ("cache_link", "neighbour_link", "endless_link", "whole_link"):
        assert results[name].status == "error", name
        assert results[name].score == 0
        assert "Link" in results[name].message, results[name].message
    assert results["other_student"].status == "graded"
    assert results["other_student"].score == results["other_student"].max_score


def test_hashing_a_hand_in_never_reads_through_a_link(tmp_path):
    subs = linked_class(tmp_path)
    found = discover(subs, "perceptron", tmp_path / "work")
    before = {s.id: submission_hash(s) for s in found}
    assert all(len(key) == 64 for key in before.values())
    # What lies behind a link is never part of the key: changing it changes no key.
    (tmp_path / "grader-cache" / "perceptron.py").write_text("geändert\n")
    (subs / "other_student" / "perceptron.py").write_text("geändert\n")
    after = {s.id: submission_hash(s) for s in found}
    assert {i for i in before if before[i] != after[i]} == {"other_student"}


def bytecode_of_the_reference(folder: Path) -> None:
    """A correct module compiled as an unchecked-hash .pyc where Python looks first."""
    cache = folder / "__pycache__"
    cache.mkdir()
    target = cache / f"perceptron.{sys.implementation.cache_tag}.pyc"
    source = folder / "perceptron.py"
    correct = folder / "_correct.py"
    correct.write_text(REFERENCE.read_text())
    py_compile.compile(
        str(correct), cfile=str(target), dfile=str(source),
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    correct.unlink()


def test_bytecode_beside_the_source_is_never_what_is_graded(tmp_path):
    subs = tmp_path / "subs"
    (subs / "folder").mkdir(parents=True)
    (subs / "folder" / "perceptron.py").write_text(WRONG)
    bytecode_of_the_reference(subs / "folder")
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "perceptron.py").write_text(WRONG)
    bytecode_of_the_reference(staging)
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:
        for path in staging.rglob("*"):
            if path.is_file():
                zf.write(path, path.relative_to(staging).as_posix())
    (subs / "plain").mkdir()
    (subs / "plain" / "perceptron.py").write_text(WRONG)
    results = grade(subs, tmp_path / "out")
    plain = results["plain"].score
    assert plain < results["plain"].max_score
    assert results["folder"].score == plain
    assert results["zipped"].score == plain


def test_the_copy_leaves_out_caches_and_compiled_modules_and_keeps_the_rest(tmp_path):
    source = tmp_path / "abgabe"
    (source / "paket" / "__pycache__").mkdir(parents=True)
    (source / "perceptron.py").write_text("x = 1\n")
    (source / "paket" / "hilfe.py").write_text("y = 2\n")
    (source / "paket" / "__pycache__" / "hilfe.cpython-311.pyc").write_bytes(b"\0")
    (source / "perceptron.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\0")
    target = tmp_path / "copy"
    target.mkdir()
    handin.copy(source, target)
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert copied == ["paket", "paket/hilfe.py", "perceptron.py"]
    assert (target / "perceptron.py").stat().st_mode & 0o777 == 0o444


def test_a_host_side_failure_in_one_submission_is_its_error_and_the_others_are_graded(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    for name in ("anna", "ben"):
        (subs / name).mkdir(parents=True)
        (subs / name / "perceptron.py").write_text(REFERENCE.read_text())
    real = engine.grade_submission

    def failing_for_ben(assignment, expected, backend, submission, **options):
        if submission.id == "ben":  # stands for any host-side bug one hand-in may trigger
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return real(assignment, expected, backend, submission, **options)

    monkeypatch.setattr(engine, "grade_submission", failing_for_ben)
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["run", "--aufgabe", "1", str(subs), "--out", str(out), "--jobs", "2", "--sandbox", "process"])
    assert done.exit_code == 0, done.output
    results = {s["id"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}
    assert results["anna"]["score"] == results["anna"]["max_score"]
    ben = results["ben"]
    assert ben["status"] == "error" and "internen Fehlers" in ben["message"]
    # Whatever the exception: reported like a failed sandbox, never the student's kept result.
    assert ben["sandbox_failed"] is True
    assert not (out / "submissions" / "ben.json").exists()
    last = done.stdout.strip().splitlines()[-1]
    assert "1 nicht bewertbar" in last and "1 nach einem Ausfall von Sandbox oder Grader" in last, last
    assert last.startswith("2 Abgaben bewertet; Sandbox: process") and "1 Testat bestanden" in last, last
    assert "der nächste Lauf bewertet neu" in (out / "index.html").read_text()
    monkeypatch.setattr(engine, "grade_submission", real)
    again = grade(subs, out)  # the next run grades ben, and keeps anna's stored result
    assert again["ben"].status == "graded" and again["ben"].passed and not again["ben"].sandbox_failed
