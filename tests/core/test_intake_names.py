"""Names as Moodle and students hand them in: encodings, lengths, both submission types, flat downloads."""

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from grader.intake import archives
from grader.intake.download import find_submissions
from grader.intake.filenames import NAME_MAX, file_stem
from grader.intake.submissions import ONLINE_TEXT_IGNORED, discover, open_submission
from grader.report.pages import report_name

CODE = b"x = 1\n"


def patched_zip(path: Path, placeholder: str, raw: bytes, data: bytes = CODE) -> Path:
    """A zip whose member name is ``raw`` bytes without the UTF-8 flag, as old Windows archivers write."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{placeholder}/perceptron.py", data)
    content = path.read_bytes()
    assert len(placeholder.encode()) == len(raw) and content.count(placeholder.encode()) == 2
    path.write_bytes(content.replace(placeholder.encode(), raw))
    return path


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP's zip is not installed")
def test_utf8_names_without_the_flag_from_info_zip_are_read_as_utf8(tmp_path):
    folder = tmp_path / "src" / "Jürgen Großmann_17_assignsubmission_file_"
    folder.mkdir(parents=True)
    (folder / "perceptron.py").write_bytes(CODE)
    # Info-ZIP (and macOS' Archive Utility) store the UTF-8 bytes without setting the flag.
    subprocess.run(["zip", "-qr", str(tmp_path / "download.zip"), folder.name], cwd=folder.parent, check=True,
                   env={**os.environ, "LANG": "C.UTF-8"})
    assert not zipfile.ZipFile(tmp_path / "download.zip").infolist()[0].flag_bits & 0x800
    found = find_submissions(tmp_path / "download.zip", "perceptron", tmp_path / "work")
    assert [s.id for s in found] == ["Jürgen Großmann (17)"] and not found[0].error


def test_names_of_windows_archivers_stay_read_as_cp850(tmp_path):
    download = patched_zip(tmp_path / "download.zip", "JXrgen GroXmann_17_assignsubmission_file_",
                           "Jürgen Großmann_17_assignsubmission_file_".encode("cp850"))
    found = find_submissions(download, "perceptron", tmp_path / "work")
    assert [s.id for s in found] == ["Jürgen Großmann (17)"] and not found[0].error


def test_file_stems_are_unique_short_and_never_taken_by_another_id():
    ids = ["Anna Müller", "Anna_M_ller-94666c88", "Anna_M_ller", "anna", "Anna_Müller", "a" * 300, "a" * 300 + "b",
           "x-0123abcd", "x", "ü" * 200 + " (12)", ".hidden", "..", "a/b", "\udcff"]
    stems = [file_stem(i) for i in ids]
    assert len(set(stems)) == len(ids), stems
    assert file_stem("anna") == "anna" and file_stem("Anna_M_ller-94666c88") != "Anna_M_ller-94666c88"
    for stem in stems:
        assert len(os.fsencode(Path(report_name(stem)).name + ".tmp")) <= NAME_MAX
        assert "/" not in stem and not stem.startswith(".")


def test_a_name_too_long_for_the_file_system_is_unpacked_shortened_and_named_in_full(tmp_path):
    student = "Maximiliane Theodora " + "Müller-Lüdenscheidt " * 12
    folder = f"{student}_4711_assignsubmission_file_"
    assert len(folder.encode()) > NAME_MAX
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr(f"{folder}/perceptron.py", CODE)
        zf.writestr("Ben Maier_12_assignsubmission_file_/perceptron.py", CODE)
    found = find_submissions(download, "perceptron", tmp_path / "work")
    assert [s.id for s in found] == ["Ben Maier (12)", f"{student} (4711)"]
    assert all(not s.error and (s.folder / "perceptron.py").read_bytes() == CODE for s in found)


def moodle_folder(root: Path, name: str, plugin: str, files: dict[str, bytes]) -> None:
    folder = root / f"{name}_assignsubmission_{plugin}_"
    folder.mkdir(parents=True)
    for file, data in files.items():
        (folder / file).write_bytes(data)


def test_file_and_online_text_of_one_student_grade_the_file_and_say_so(tmp_path):
    subs = tmp_path / "subs"
    moodle_folder(subs, "Mia Koch_12353", "file", {"perceptron.py": CODE})
    moodle_folder(subs, "Mia Koch_12353", "onlinetext", {"onlinetext.html": b"<p>Meine Antwort</p>"})
    moodle_folder(subs, "Tom Berg_12354", "onlinetext", {"onlinetext.html": b"<p>Code im Text</p>"})
    found = {s.id: s for s in discover(subs, "perceptron", tmp_path / "work")}
    assert sorted(found) == ["Mia Koch (12353)", "Tom Berg (12354)"]
    mia = found["Mia Koch (12353)"]
    assert not mia.error and (mia.folder / "perceptron.py").is_file() and mia.notes == [ONLINE_TEXT_IGNORED]
    assert "nur ein Online-Text" in found["Tom Berg (12354)"].error


def test_flat_download_without_folders_is_grouped_per_student(tmp_path):
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("Mia Koch_12353_assignsubmission_file_perceptron.py", CODE)
        zf.writestr("Mia Koch_12353_assignsubmission_file_notizen.txt", b"n")
        zf.writestr("Mia Koch_12353_assignsubmission_onlinetext_onlinetext.html", b"<p>x</p>")
        zf.writestr("Ben Maier_12_assignsubmission_file_abgabe.zip", zip_bytes({"abgabe/perceptron.py": CODE}))
    found = {s.id: s for s in find_submissions(download, "perceptron", tmp_path / "work")}
    assert sorted(found) == ["Ben Maier (12)", "Mia Koch (12353)"]
    assert all(not s.error and (s.folder / "perceptron.py").read_bytes() == CODE for s in found.values())
    assert found["Mia Koch (12353)"].notes == [ONLINE_TEXT_IGNORED]


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_unpack_reports_the_names_it_shortened(tmp_path):
    long = "ä" * 200 + ".py"
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"sub/{long}", CODE)
    shortened = archives.unpack(archive, tmp_path / "out")
    ((short, original),) = shortened.items()
    assert original == long and short.endswith(".py") and (tmp_path / "out" / "sub" / short).read_bytes() == CODE


def test_an_id_is_the_name_without_an_archive_suffix_whatever_the_hand_in_is(tmp_path):
    """A folder, an archive and a link named like an archive: one rule, whether they open or not."""
    root = tmp_path / "subs"
    (root / "anna.zip").mkdir(parents=True)  # a folder, as an unpacking tool may name it
    (root / "anna.zip" / "perceptron.py").write_bytes(CODE)
    with zipfile.ZipFile(root / "ben.zip", "w") as zf:
        zf.writestr("perceptron.py", CODE)
    (root / "carla.tar.gz").symlink_to(root / "ben.zip")
    found = {s.handed_in: s for s in discover(root, "perceptron", tmp_path / "work")}
    assert {name: s.id for name, s in found.items()} == {"anna.zip": "anna", "ben.zip": "ben", "carla.tar.gz": "carla"}
    assert found["anna.zip"].folder is not None and "symbolischer Link" in found["carla.tar.gz"].error


@pytest.mark.parametrize("fault, said", [
    (PermissionError(13, "Permission denied"), "ließ sich nicht öffnen: keine Berechtigung."),
    (ValueError("unforeseen"), "ließ sich nicht öffnen (interner Fehler: ValueError). Bitte den Lehrenden melden."),
])
def test_a_hand_in_that_cannot_be_opened_is_said_in_german_and_the_others_are_found(tmp_path, monkeypatch, fault, said):
    from grader.intake import submissions

    # anna's folder is named like an archive: her id follows the one rule even when nothing opens.
    for name in ("anna.zip", "ben"):
        (tmp_path / "root" / name).mkdir(parents=True)
        (tmp_path / "root" / name / "perceptron.py").write_text("x = 1\n")
    opened = submissions.open_submission

    def failing(entry, module, workdir, name):
        if name == "anna.zip":
            raise fault  # no real way as root: the grader reads every file
        return opened(entry, module, workdir, name=name)

    monkeypatch.setattr(submissions, "open_submission", failing)
    found = {s.id: s for s in discover(tmp_path / "root", "perceptron", tmp_path / "work")}
    assert set(found) == {"anna", "ben"} and not found["ben"].error
    assert found["anna"].error == f"Die Abgabe anna.zip {said}"


def test_a_checked_folder_or_module_file_is_named_like_in_a_download(tmp_path, monkeypatch):
    """``grader check .`` and ``grader check perceptron.py`` inside a student's Moodle folder."""
    folder = tmp_path / "Anna Müller_12_assignsubmission_file_"
    folder.mkdir()
    (folder / "perceptron.py").write_bytes(CODE)
    monkeypatch.chdir(folder)
    for given in (Path("."), Path("perceptron.py")):
        submission = open_submission(given, "perceptron", tmp_path / "work")
        assert submission.id == "Anna Müller (12)" and submission.folder == folder and not submission.error
