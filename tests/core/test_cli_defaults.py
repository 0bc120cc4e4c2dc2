"""Every command is a thin shell over keyword-only functions, and what it passes when an option
is left out is the function's own default (as Otter's CLI does): a default changed on one side
only fails here."""

import inspect

import click
import pytest

from grader.backends import image
from grader.cli import main
from grader.course import kit, mutants, overrides, overview, publish, similarity
from grader.engine import batch as grading
from grader.engine import outdir
from grader.report import grades

FUNCTIONS = {
    "run": [grading.run],
    "check": [grading.grade_path],
    "sandbox build": [image.build_command],
    "sandbox prune": [image.prune_command],
    "worker": [],  # Dask is optional: see functions_of
    "mutants": [mutants.run],
    "list": [],
    "overview": [overview.overview],
    "moodle-grades": [grades.fill_worksheet, outdir.load_results],
    "publish": [publish.publish, publish.moodle_feedback_zip],
    "kit": [kit.build],
    "similarity": [similarity.similarity],
    "override": [overrides.override],
    "service init": [],  # the service extra is optional: see functions_of
    "service tokens": [],
    "service export": [],
    "service lti": [],
    "service roster": [],
    "serve": [],
}
SERVICE = {
    "service init": ("grader.service.course", "init"),
    "service tokens": ("grader.service.course", "write_tokens"),
    "service export": ("grader.service.export", "export"),
    "service lti": ("grader.service.lti_sync", "register_platform"),
    "service roster": ("grader.service.lti_sync", "roster"),
    "serve": ("grader.service.server", "serve"),
}
RENAMED = {
    ("overview", "runs"): "results_paths",
    ("overview", "roster"): "roster_paths",
    ("moodle-grades", "run"): "path",
    ("publish", "target"): "to",
    ("publish", "moodle_zip"): "target",
}
DERIVED = {
    ("run", "out"): "out/aufgabeN (outdir.default_out)",
    ("similarity", "out"): "out/aufgabeN (outdir.default_out)",
    ("publish", "moodle_zip"): "no Moodle zip at all",
    ("serve", "data"): "a throw-away course (--demo)",
}
"""Left out, these options make the command decide what the function needs given."""
CLI_ONLY = {("service lti", "url"), ("moodle-grades", "target"), ("serve", "insecure_cookies"), ("serve", "demo")}
"""The command writes what the functions return (or turns a flag round: ``secure_cookies``)."""


def commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def functions_of(name: str) -> list:
    if name == "worker":
        return [pytest.importorskip("grader.cluster.worker", reason="the cluster extra (Dask) is missing").start]
    if name in SERVICE:
        module, function = SERVICE[name]
        return [getattr(pytest.importorskip(module, reason="the service extra is missing"), function)]
    return FUNCTIONS[name]


def test_every_command_has_its_functions_listed():
    assert {name for name, _ in commands(main)} == set(FUNCTIONS)


@pytest.mark.parametrize(("name", "command"), list(commands(main)), ids=[name for name, _ in commands(main)])
def test_a_left_out_option_gives_the_functions_default(name, command, monkeypatch):
    monkeypatch.delenv("GRADER_CLUSTER", raising=False)
    # Under the group's context, as when run: click keeps the help option it makes for a command.
    group = main.make_context("grader", [], resilient_parsing=True)
    given = command.make_context(name, [], parent=group, resilient_parsing=True).params
    signatures = [inspect.signature(f).parameters for f in functions_of(name)]
    for parameter in command.params:
        wanted = RENAMED.get((name, parameter.name), parameter.name)
        found = [s[wanted] for s in signatures if wanted in s]
        assert found or (name, parameter.name) in CLI_ONLY, f"{name} {parameter.name}: no function takes {wanted}"
        for function_parameter in found:
            default = function_parameter.default
            value = given[parameter.name]
            if default is inspect.Parameter.empty:
                derived = (name, parameter.name) in DERIVED and value is None
                assert parameter.required or derived, f"{name} {parameter.name}: {value!r}, the function has no default"
            else:
                assert (type(value), value) == (type(default), default), f"{name} {parameter.name}: {value!r} != {default!r}"
