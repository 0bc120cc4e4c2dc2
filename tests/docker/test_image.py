"""The sandbox image: reused, pinned, and without tools students do not need."""

import pytest

from grader import image


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
    pinned = image.versions()
    assert labels["gnn-grader.numpy"] == pinned["NUMPY_VERSION"]
    assert labels["gnn-grader.matplotlib"] == pinned["MATPLOTLIB_VERSION"]


@pytest.mark.parametrize(
    "check, expected",
    [
        ("import os; print(os.getuid())", "10001"),
        ("import shutil; print([t for t in ('gcc', 'cc', 'g++', 'as', 'ld', 'make', 'perl', 'apt-get', 'dpkg', 'curl', 'wget') if shutil.which(t)])", "[]"),
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
        pinned = image.versions()
        expected = f"{pinned['NUMPY_VERSION']} {pinned['MATPLOTLIB_VERSION']}"
    assert output == expected
