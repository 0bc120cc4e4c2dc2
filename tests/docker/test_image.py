"""The sandbox image: reused, pinned, without tools students do not need; stale tags pruned.

Pruning is tested only on a repository of this test's own (tiny imported
images): other images of ``gnn-grader-sandbox`` on the engine may belong to
other work in progress.
"""

import io
import os
import tarfile

import pytest
from click.testing import CliRunner

from grader.backends import image
from grader.cli import main
from grader.common import pins


def test_ensure_image_reuses_the_hashed_tag(client, sandbox_image, monkeypatch):
    def no_build(*args, **kwargs):
        raise AssertionError("ensure_image built although the image exists")

    monkeypatch.setattr(image, "build_image", no_build)
    assert image.ensure_image(client, log=lambda line: None) == sandbox_image == image.image_tag()


def test_a_changed_harness_gets_a_new_tag(tmp_path, monkeypatch):
    before = image.image_tag()
    harness = tmp_path / "harness"
    harness.mkdir()
    for path in image.HARNESS.glob("*.py"):
        (harness / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(image, "HARNESS", harness)
    assert image.image_tag() == before  # same content, same tag
    (harness / "runner.py").write_text("# changed\n")
    assert image.image_tag() != before


def test_versions_are_pinned_in_the_labels(client, sandbox_image):
    labels = client.images.get(sandbox_image).labels
    pinned = pins.pinned()
    assert labels["gnn-grader.numpy"] == pinned["numpy"]
    assert labels["gnn-grader.matplotlib"] == pinned["matplotlib"]


@pytest.mark.parametrize(
    "check, expected",
    [
        ("import os; print(os.getuid())", "10001"),
        ("import shutil; print([t for t in ('gcc', 'cc', 'g++', 'as', 'ld', 'make', 'perl', 'apt-get', 'dpkg', 'pip', 'pip3', 'curl', 'wget') if shutil.which(t)])", "[]"),
        ("import importlib.util as u; print(u.find_spec('pip'), u.find_spec('scipy'))", "None None"),
        ("import os; print(os.stat('/opt/harness/harness/runner.py').st_uid, os.access('/opt/harness/harness', os.W_OK))", "0 False"),
        ("import os; print([p for p in ('/usr/bin', '/usr/lib', '/bin', '/sbin') for f in os.scandir(p) if f.is_file() and f.stat().st_mode & 0o6000])", "[]"),
        ("import numpy, matplotlib; print(numpy.__version__, matplotlib.__version__)", None),
    ],
)
def test_inside_the_image(client, sandbox_image, check, expected):
    output = client.containers.run(
        sandbox_image, ["python3", "-I", "-c", check], network_mode="none", remove=True
    ).decode().strip()
    if expected is None:
        expected = " ".join(pins.pinned().values())
    assert output == expected


@pytest.fixture
def own_repository(client):
    """A repository of this test's own, with three tiny images; removed afterwards."""
    repository = f"gnn-grader-prune-test-{os.getpid()}"
    for index, tag in enumerate(["old-a", "old-b", image.content_hash()]):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            data = f"image {index}\n".encode()
            info = tarfile.TarInfo("marker")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        client.api.import_image_from_data(buffer.getvalue(), repository=repository, tag=tag)
    yield repository
    for tag in _tags(client, repository):
        client.images.remove(tag)  # where the real image carries it too, only the tag goes


def _tags(client, repository):
    """The tags in ``repository`` (an image found there may carry tags of other repositories too)."""
    found = client.images.list(name=repository)
    return sorted(tag for i in found for tag in i.tags if tag.rpartition(":")[0] == repository)


def test_prune_removes_every_tag_but_the_current_one(client, own_repository):
    others = _tags(client, image.REPOSITORY)
    removed = image.prune(client, own_repository, log=lambda line: None)
    assert sorted(removed) == [f"{own_repository}:old-a", f"{own_repository}:old-b"]
    assert _tags(client, own_repository) == [f"{own_repository}:{image.content_hash()}"]
    assert _tags(client, image.REPOSITORY) == others


def test_prune_keeps_an_image_that_a_container_uses(client, own_repository):
    container = client.containers.create(f"{own_repository}:old-a", command=["/marker"])
    try:
        lines = []
        removed = image.prune(client, own_repository, log=lines.append)
        assert removed == [f"{own_repository}:old-b"]
        assert f"{own_repository}:old-a bleibt" in lines[0]
    finally:
        container.remove(force=True)


def test_cli_prune_names_the_repository(client, own_repository):
    done = CliRunner().invoke(main, ["sandbox", "prune", "--repository", own_repository])
    assert done.exit_code == 0, done.output
    assert "2 veraltete Tags entfernt." in done.output
    assert _tags(client, own_repository) == [f"{own_repository}:{image.content_hash()}"]


@pytest.mark.parametrize("keep", ["", "1"])
def test_sandbox_build_prunes_unless_told_to_keep(client, sandbox_image, own_repository, keep, monkeypatch):
    """``grader sandbox build`` on this test's repository, whose current tag is the real image's."""
    client.images.remove(f"{own_repository}:{image.content_hash()}")
    client.images.get(sandbox_image).tag(own_repository, image.content_hash())
    monkeypatch.setattr(image, "REPOSITORY", own_repository)
    monkeypatch.setenv("GRADER_KEEP_STALE_IMAGES", keep)
    done = CliRunner().invoke(main, ["sandbox", "build"])
    assert done.exit_code == 0, done.output
    stale = [] if keep == "" else [f"{own_repository}:old-a", f"{own_repository}:old-b"]
    assert _tags(client, own_repository) == sorted([f"{own_repository}:{image.content_hash()}", *stale])
