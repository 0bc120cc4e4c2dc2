"""The code's habits, checked with the tests: ruff's rules as configured in pyproject.toml, modules short."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return [found]


def test_the_code_passes_ruff():
    checked = subprocess.run([*_ruff(), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


MAX_LINES = 400


def test_every_module_of_the_grader_and_the_harness_reads_at_once():
    # STYLE.md: a file has one job; a module of the host or the harness stays readable in one sitting.
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("grader", "sandbox/harness")
        for path in (ROOT / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines: {long}"
