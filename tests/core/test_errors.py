"""Every error a user can fix carries its own message, hint and exit code, and prints as one."""

import ast
import importlib
import pkgutil
from pathlib import Path

import click
import pytest

import grader
from grader.common import errors
from grader.common.errors import EXIT_FAILED, GraderError, printed


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _grader_errors() -> list[type[GraderError]]:
    for module in pkgutil.walk_packages(grader.__path__, "grader."):
        # kit_runtime is the student kit's own code (it runs inside the kit, not the grader).
        if not module.name.startswith(("grader.service.migrations", "grader.course.kit_runtime")):
            importlib.import_module(module.name)
    return sorted(set(_all_subclasses(GraderError)), key=lambda c: c.__qualname__)


def test_the_errors_module_imports_nothing_of_the_grader():
    tree = ast.parse(Path(errors.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [m for m in imported if m and m.split(".")[0] in ("grader", "harness")], imported


def test_every_error_class_has_its_own_exit_code_and_hint():
    found = _grader_errors()
    assert len(found) >= 15, [c.__name__ for c in found]  # the walk really imported the modules
    plain = [c.__name__ for c in found if c.exit_code == EXIT_FAILED or c.hint is GraderError.hint]
    assert not plain


@pytest.mark.parametrize("exc", [OSError(13, "Permission denied", "/x"), FileNotFoundError(2, "No such file", "/y")])
def test_an_os_error_prints_its_reason_in_german(exc):
    shown = printed(exc)
    assert isinstance(shown, click.ClickException) and shown.exit_code == errors.EXIT_OUTPUT
    assert "keine Berechtigung" in shown.message or "gibt es nicht" in shown.message


def test_a_bug_is_not_printed_but_keeps_its_traceback():
    assert printed(ValueError("bug")) is None
