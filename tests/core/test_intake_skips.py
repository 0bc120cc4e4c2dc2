"""Issue 23, item 7: no entry of a submissions folder is passed over in silence. A hand-in
under any name is graded; what is no hand-in is named in the log and in results.json, with why."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from grader.cases import assignment as assignments
from grader.engine.batch import run
from grader.intake.download import find
from grader.intake.submissions import LEFTOVER, LEFTOVERS, NoSubmissions

REFERENCE_1 = (assignments.REFERENCE / "aufgabe1" / "perceptron.py").read_text()
MOODLE_FILE = "Mia Koch_12353_assignsubmission_file_"
MOODLE_TEXT = "Mia Koch_12353_assignsubmission_onlinetext_"


def _class(root: Path) -> dict[str, str]:
    """A folder of hand-ins and entries that are none: {name of an entry skipped: a word of its why}."""
    for name in ("..x", ".alice", "bob", MOODLE_FILE):
        (root / name).mkdir(parents=True)
        (root / name / "perceptron.py").write_text(REFERENCE_1)
    (root / MOODLE_TEXT).mkdir()
    (root / MOODLE_TEXT / "onlinetext.html").write_text("<p>siehe Datei</p>")
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "__MACOSX" / "bob").mkdir(parents=True)
    (root / "._bob.zip").write_bytes(b"\0\5\26\7")
    (root / "notes.txt").write_text("Abgabeliste")
    (root / "carla.rar").write_bytes(b"Rar!\x1a\x07\0")
    os.mkfifo(root / "pipe")
    return {
        ".DS_Store": "Werkzeug", "__MACOSX": "Werkzeug", "._bob.zip": "Werkzeug",
        "notes.txt": "weder Ordner noch Archiv", "carla.rar": "weder Ordner noch Archiv",
        "pipe": "weder Datei noch Ordner", MOODLE_TEXT: "Online-Text",
    }


def test_every_entry_of_the_folder_is_graded_or_named_with_why(tmp_path):
    skips = _class(tmp_path / "class")
    lines: list[str] = []
    outcome = run(aufgabe=1, submissions=tmp_path / "class", out=tmp_path / "out", jobs=1, sandbox="process", log=lines.append)
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in results["submissions"]}
    assert set(by_id) == {"..x", ".alice", "bob", "Mia Koch (12353)"}
    assert all(s["status"] == "graded" and s["passed"] for s in by_id.values()), by_id
    skipped = {entry["name"]: entry["why"] for entry in results["skipped"]}
    assert set(skipped) == set(skips)
    for name, word in skips.items():
        assert word in skipped[name], (name, skipped[name])
        assert any(name in line and skipped[name] in line for line in lines), (name, lines)
    assert outcome.skipped == results["skipped"]


def test_a_folder_of_nothing_but_leftovers_names_them_before_it_says_there_is_no_hand_in(tmp_path):
    root = tmp_path / "class"
    for name in sorted(LEFTOVERS):
        (root / name).mkdir(parents=True)
    lines: list[str] = []
    with pytest.raises(NoSubmissions):
        run(aufgabe=1, submissions=root, out=tmp_path / "out", sandbox="process", log=lines.append)
    assert all(any(f" {name} " in line for line in lines) for name in LEFTOVERS), lines


def test_leftovers_beside_the_single_top_folder_of_a_download_are_named(tmp_path):
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("kurs/bob/perceptron.py", REFERENCE_1)
        archive.writestr("__MACOSX/kurs/._bob", b"\0")
    found = find(download, "perceptron", tmp_path / "work")
    assert [s.id for s in found.submissions] == ["bob"]
    assert [(s.name, s.why) for s in found.skipped] == [("__MACOSX", LEFTOVER)]
