"""Archives from students: unpacked safely or refused with a reason, never a crash."""

import contextlib
import io
import os
import stat
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.intake import archives
from grader.intake.submissions import discover


def make_zip(path: Path, members: dict[str, bytes], mode: int | None = None, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def test_zip_and_tar_gz_with_a_nesting_folder_are_graded_by_their_name(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    make_zip(subs / "anna.zip", {"abgabe/perceptron.py": b"x = 1\n"})
    with tarfile.open(subs / "ben.tar.gz", "w:gz") as tf:
        data = b"x = 2\n"
        info = tarfile.TarInfo("perceptron.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    found = {s.id: s for s in discover(subs, "perceptron", tmp_path / "work")}
    assert set(found) == {"anna", "ben"}
    assert (found["anna"].folder / "perceptron.py").read_bytes() == b"x = 1\n"
    assert (found["ben"].folder / "perceptron.py").read_bytes() == b"x = 2\n"


@pytest.mark.parametrize(
    "members, mode, words",
    [
        ({"../evil.py": b"x"}, None, ".."),
        ({"/etc/evil.py": b"x"}, None, "absoluter Pfad"),
        ({"C:\\abgabe\\evil.py": b"x"}, None, "umbenennen"),
        ({"link": b"/etc/passwd"}, stat.S_IFLNK | 0o777, "Link"),
        ({"dev": b""}, stat.S_IFCHR | 0o600, "besondere Datei"),
    ],
    ids=["dotdot", "absolute", "windows", "symlink", "device"],
)
def test_dangerous_zip_members_are_refused(tmp_path, members, mode, words):
    archive = make_zip(tmp_path / "a.zip", members, mode)
    with pytest.raises(archives.UnsafeArchive, match=words):
        archives.unpack(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.py").exists()


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "dotdot"])
def test_dangerous_tar_members_are_refused(tmp_path, kind):
    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("../x" if kind == "dotdot" else "x")
        if kind == "symlink":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        elif kind == "hardlink":
            info.type, info.linkname = tarfile.LNKTYPE, "/etc/passwd"
        tf.addfile(info, io.BytesIO(b""))
    with pytest.raises(archives.UnsafeArchive):
        archives.unpack(archive, tmp_path / "out")


def test_zip_bomb_is_refused_quickly(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("perceptron.py", b"\0" * (40 << 20))  # 40 MB of zeros pack to ~40 kB
    start = time.monotonic()
    with pytest.raises(archives.UnsafeArchive, match="Kompressionsrate"):
        archives.unpack(archive, tmp_path / "out")
    assert time.monotonic() - start < 5


def test_archive_that_lies_about_its_size_is_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_TOTAL", 1000)
    archive = make_zip(tmp_path / "a.zip", {"a.py": os.urandom(600), "b.py": os.urandom(600)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(archives.UnsafeArchive, match="größer"):
        archives.unpack(archive, tmp_path / "out")


def test_too_many_members(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    archive = make_zip(tmp_path / "a.zip", {f"f{i}.py": b"" for i in range(5)})
    with pytest.raises(archives.UnsafeArchive, match="Einträge"):
        archives.unpack(archive, tmp_path / "out")


def test_a_handin_within_the_limits_is_unpacked_within_them_too(tmp_path, monkeypatch):
    """A folder's files and folders are counted apart, so the zip a cluster worker gets of it
    (files plus folder entries) is not refused where the local run grades it."""
    from grader.cluster.wire import pack_handin
    from grader.intake import handin

    monkeypatch.setattr(handin, "MAX_FILES", 3)
    monkeypatch.setattr(archives, "MAX_MEMBERS", 3)
    folder = tmp_path / "abgabe"
    (folder / "daten").mkdir(parents=True)
    for name in ("perceptron.py", "daten/a.txt", "daten/b.txt"):
        (folder / name).write_text("")
    (tmp_path / "h.zip").write_bytes(pack_handin(folder))
    archives.unpack(tmp_path / "h.zip", tmp_path / "out")
    assert (tmp_path / "out" / "daten" / "b.txt").is_file()
    (folder / "mehr").mkdir()
    (folder / "mehr" / "c.txt").write_text("")
    with pytest.raises(handin.UnsafeHandIn, match="Dateien"):
        pack_handin(folder)
    empty = tmp_path / "leer"
    for name in "wxyz":
        (empty / name).mkdir(parents=True)
    with pytest.raises(handin.UnsafeHandIn, match="3 Ordner$"):
        handin.check(empty)


def test_names_that_are_not_utf8_are_handled(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    folder = Path(os.fsdecode(os.fsencode(str(subs)) + b"/m\xfcller"))
    folder.mkdir()
    (folder / "perceptron.py").write_text("x = 1\n")
    (found,) = discover(subs, "perceptron", tmp_path / "work")
    assert found.id == "m\ufffdller" and found.folder == folder
    found.id.encode("utf-8")  # safe for results.json and the reports


def test_duplicate_ids_are_reported_not_merged(tmp_path):
    subs = tmp_path / "subs"
    (subs / "anna").mkdir(parents=True)
    (subs / "anna" / "perceptron.py").write_text("x = 1\n")
    make_zip(subs / "anna.zip", {"perceptron.py": b"x = 2\n"})
    found = discover(subs, "perceptron", tmp_path / "work")
    assert len(found) == 2 and all("Mehrere Abgaben" in s.error for s in found)
    assert len({s.id for s in found}) == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_any_bytes_as_an_archive_end_in_a_verdict(tmp_path, data):
    for name in ("x.zip", "x.tar.gz"):
        archive = tmp_path / name
        archive.write_bytes(data)
        with contextlib.suppress(archives.UnsafeArchive, archives.BrokenArchive):
            archives.unpack(archive, tmp_path / "out")


member_names = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\0"), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(member_names, st.binary(max_size=100), min_size=1, max_size=5))
def test_whatever_the_names_nothing_lands_outside_the_target(tmp_path, members):
    root = tmp_path / "case"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    root.mkdir()
    archive = make_zip(root / "a.zip", members)
    target = root / "inside" / "out"
    with contextlib.suppress(archives.UnsafeArchive, archives.BrokenArchive):
        archives.unpack(archive, target)
    outside = [p for p in root.rglob("*") if not p.is_relative_to(root / "inside") and p != archive]
    assert outside == [] or all(p == root / "inside" for p in outside)
