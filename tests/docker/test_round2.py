"""Security round 2 (issue 13) in real containers: hidden cases out of reach of
public ones, and what a case does as its own verdict, never a sandbox failure."""

from __future__ import annotations

import textwrap
from pathlib import Path

from dockertools import case_names

from grader.backends.base import Job
from grader.backends.session import run_job
from tests.core.test_attacks_round2 import (
    CASES,
    DEEP_TREE,
    FORGE_NAN,
    KILL_PARENT,
    SECRET,
    SNOOP,
)


def grade(backend, tmp_path: Path, source: str):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "student.py").write_text(textwrap.dedent(source))
    return run_job(backend, Job(folder, "student", CASES, case_names(CASES)))


def test_a_public_case_never_has_hidden_code_within_reach(backend, tmp_path):
    result = grade(backend, tmp_path, SNOOP)
    public = result.cases["f/public"]
    assert public.status == "ok" and public.value["y"] == [] and SECRET not in public.stdout
    assert result.cases["f/hidden"].value == {"y": 982451653}
    assert result.cases["f/public-after"].value == {"y": 2}


def test_a_tree_deeper_than_the_recursion_limit_costs_no_other_case(backend, tmp_path):
    result = grade(backend, tmp_path, DEEP_TREE)
    assert [run.status for run in result.cases.values()] == ["ok", "ok", "ok"]
    assert result.restarts == 0  # the harness removed the tree and took the next cases itself


def test_a_forged_frame_is_no_result_not_a_sandbox_failure(backend, tmp_path):
    result = grade(backend, tmp_path, FORGE_NAN)
    assert result.cases["f/public"].status == "no-result"
    assert [run.status for run in result.cases.values()][1:] == ["ok", "ok"]


def test_a_case_cannot_end_its_harness(backend, tmp_path):
    result = grade(backend, tmp_path, KILL_PARENT)
    assert [run.status for run in result.cases.values()] == ["ok", "ok", "ok"]
    assert result.restarts == 0
