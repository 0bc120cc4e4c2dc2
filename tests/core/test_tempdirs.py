"""The grader's temporary folders: private, and swept after a grader was killed."""

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

from grader.backends import tempdirs
from harness import reaper

MAKE = textwrap.dedent(
    """
    import time
    from grader.backends import tempdirs
    print(tempdirs.private_folder("gnn-unpack-"), flush=True)
    time.sleep(600)
    """
)


def another_grader(tmp: Path) -> tuple[subprocess.Popen, Path]:
    """A grader process (its temporary folder is ``tmp``) that made one folder and waits."""
    grader = subprocess.Popen(
        [sys.executable, "-c", MAKE], stdout=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=str(tmp))
    )
    folder = Path(grader.stdout.readline().strip())
    grader.stdout.close()
    return grader, folder


def test_folders_are_private_and_removed_however_deep(tmp_path, monkeypatch):
    monkeypatch.setattr(tempdirs.tempfile, "tempdir", str(tmp_path))
    with tempdirs.private_temporary("gnn-unpack-") as folder:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        fd = os.open(folder, os.O_RDONLY)
        for _ in range(1500):  # deeper than the recursion limit and PATH_MAX
            os.mkdir("d" * 40, dir_fd=fd)
            deeper = os.open("d" * 40, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        os.fchmod(fd, 0o500)
        os.close(fd)
    assert not folder.exists()


def test_the_next_start_removes_what_a_killed_grader_left_but_not_a_running_ones(tmp_path):
    killed, left = another_grader(tmp_path)
    running, kept = another_grader(tmp_path)
    try:
        assert left.is_dir() and kept.is_dir()
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        assert tempdirs.sweep(tmp_path) == [left]
        assert not left.exists() and kept.is_dir()
        assert len(list(tmp_path.glob("gnn-owner-*.lock"))) == 1  # the running grader's
    finally:
        running.kill()
        running.wait()
    assert tempdirs.sweep(tmp_path) == [kept]
    assert list(tmp_path.iterdir()) == []


def test_a_folder_moved_out_while_it_is_removed_leads_the_removal_nowhere_outside(tmp_path, monkeypatch):
    # tree/a/b/f and tree/x; outside/x stands where tree's names would be looked for
    # if the removal climbed from a (moved into outside meanwhile) with "..".
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "b" / "f").write_text("Abgabe")
    (tree / "x").write_text("Abgabe")
    outside.mkdir()
    (outside / "x").write_text("nicht anfassen")
    b = (tree / "a" / "b").stat().st_ino
    names = reaper._names

    def listed(fd: int) -> list[str]:
        if os.fstat(fd).st_ino == b:  # a process that outlived its case moves a away
            os.rename(tree / "a", outside / "a")
        return sorted(names(fd), reverse=True)  # "x" after "a": "a" is removed first

    monkeypatch.setattr(reaper, "_names", listed)
    reaper.remove_tree(tree)
    assert (outside / "x").read_text() == "nicht anfassen"
    assert not tree.exists()
