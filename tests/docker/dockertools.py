"""Helpers of the docker tests: the attack submissions as jobs, leftover containers."""

from __future__ import annotations

import shutil
import textwrap
import types
from pathlib import Path

from grader.backends.base import Job, Limits
from grader.backends.docker import LABEL, OWNER

ATTACKS = Path(__file__).parent / "attacks"
HOST_SENTINEL = Path("/tmp/gnn-grader-host-sentinel.txt")
"""A file of the host that the attacks try to read and overwrite (the same path
inside the container is the sandbox's own tmpfs)."""

CASES = textwrap.dedent(
    """
    from harness.api import case

    @case("f/first", timeout=3)
    def first(m, ctx):
        return {"y": m.f(1)}

    @case("f/second", timeout=3)
    def second(m, ctx):
        return {"y": m.f(2)}
    """
)


def leftover_containers(client, owner: str = OWNER) -> list[str]:
    """Ids of the containers that the grader process ``owner`` ("<host>:<pid>") left."""
    # The low-level list: no inspect per container, which would race with other
    # graders (other test sessions) removing theirs.
    listed = client.api.containers(all=True, filters={"label": f"{LABEL}={owner}"})
    return [c["Id"] for c in listed]


def case_names(cases: str) -> dict[str, float]:
    from harness.api import collect

    module = types.ModuleType("cases")
    exec(cases, module.__dict__)
    return {c.name: c.timeout for c in collect(module)}


def make_job(tmp_path: Path, attack: str, cases: str = CASES, files: dict | None = None, **limits) -> Job:
    """A job for the submission ``attacks/<attack>.py`` (as ``student.py``) plus ``files``."""
    folder = tmp_path / f"submission-{attack}"
    folder.mkdir()
    shutil.copy(ATTACKS / f"{attack}.py", folder / "student.py")
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return Job(folder, "student", cases, case_names(cases), limits=Limits(**limits))
