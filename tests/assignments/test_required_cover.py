"""The Testat's required cases show every behaviour the contract names (issue 24).

Each behaviour below is broken by one typical mistake of the catalogue (the
reference with one small change, ``assignments/aufgabeN/mistakes/``). Enough
points are not enough for it: its Testat fails, and the required case of that
behaviour is among the cases the report names as missing (what to fix first).
"""

import pytest

from grader.cases.assignment import load
from grader.cases.mistakes import catalogue
from grader.engine.batch import grade_path

# (Aufgabe, the catalogue mistake that breaks a behaviour of the contract, the required case that shows it)
BROKEN = [
    (1, "epochs-one-short", "train/converges-in-last-epoch"),
    (1, "output-single-only", "output/batch"),
    (1, "w0-in-place", "train/w0-unchanged"),
    (2, "errors-before-change", "train/irprop-steps"),
    (4, "max-init-zero", "pool2d/size3-stride1-negative"),
    (2, "forward-without-input", "forward/xor-net"),
    (3, "k-ignored", "cd_update/cdk-mean-field"),
    (3, "epochs-one-short", "train_rbm/epochs-and-batches"),
    (3, "last-batch-dropped", "train_rbm/epochs-and-batches"),
    (3, "batches-not-shuffled", "train_rbm/batch-order-from-rng"),
    (4, "png-false-colour", "pool_image/max-default"),
    (5, "o0-ignored", "simulate/start-value"),
    (5, "step-in-place", "step/input-unchanged"),
    (3, "data-shuffled-in-place", "train_rbm/data-unchanged"),
    (5, "plot-without-labels", "plot/axis-labels"),
]


@pytest.mark.parametrize("number, mistake, required", BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_behaviour_fails_the_testat_by_its_required_case(number, mistake, required):
    [folder] = [m.folder for m in catalogue(load(number)) if m.id == mistake]
    result = grade_path(aufgabe=number, path=folder, sandbox="process", public_only=False, log=lambda _: None)
    assert result.status == "graded", result.message
    assert not result.passed, (result.score, result.max_score)
    assert required in result.missing_required, result.missing_required


@pytest.mark.parametrize("number", sorted({b[0] for b in BROKEN}))
def test_every_required_case_is_public(number):
    """A student checks every behaviour the Testat requires with the kit before handing in; the
    README names each required case, and the kit (which carries the README) names no hidden one."""
    assignment = load(number)
    assert {assignment.case(name).visibility for name in assignment.required} == {"public"}


@pytest.mark.parametrize("number", sorted({b[0] for b in BROKEN}))
def test_every_required_case_is_named_in_the_readme_table(number):
    """The README justifies each required case in its table "Verhalten → Pflichtfall"."""
    assignment = load(number)
    readme = (assignment.folder / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Pflichtfälle", 1)[1].split("\n\n", 2)[1]
    named = {cell.strip().strip("`") for row in table.splitlines()[2:] for cell in row.split("|")[2:3]}
    assert named == set(assignment.required), named ^ set(assignment.required)
