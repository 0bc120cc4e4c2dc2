"""The Testat's required cases show every behaviour the contract names (issue 24).

Each wrong submission below is the reference with one behaviour of the contract
broken by a small textual change. Enough points are not enough for it: its
Testat fails, and the required case of that behaviour is among the cases the
report names as missing (what to fix first).
"""

import shutil
from pathlib import Path

import pytest

from grader import PROJECT
from grader.cases.assignment import load
from grader.engine.batch import grade_path

# (Aufgabe, behaviour, the required case that shows it, [(old, new), ...] applied to the reference)
BROKEN = [
    (1, "train-one-epoch-short", "train/converges-in-last-epoch",
     [("range(1, max_epochs + 1)", "range(1, max_epochs)")]),
    (1, "output-fails-on-batches", "output/batch",
     [("return int(o) if o.ndim == 0 else o", "return int(o)")]),
    # gradients keeps working: it puts X in front of forward's list itself.
    (2, "forward-without-X", "forward/xor-net",
     [("    return outputs\n\n\ndef gradients", "    return outputs[1:]\n\n\ndef gradients"),
      ("outputs = forward(weights, X)", "outputs = [np.asarray(X, dtype=float)] + forward(weights, X)")]),
    (3, "cd_update-ignores-k", "cd_update/cdk-mean-field",
     [("for _ in range(k):", "for _ in range(1):")]),
    (4, "pool_image-false-colour", "pool_image/max-default",
     [("plt.imsave(out_path, np.dstack([levels, levels, levels]))", "plt.imsave(out_path, pooled)")]),
    (5, "simulate-ignores-o0", "simulate/start-value",
     [("trajectory[0] = o0", "trajectory[0] = (0.0, 0.0)")]),
    (5, "plot-axes-unlabelled", "plot/axis-labels",
     [('    axes.set_xlabel("$o_1$")\n    axes.set_ylabel("$o_2$")\n', "")]),
]


def broken_submission(number: int, changes: list[tuple[str, str]], folder: Path) -> Path:
    """The reference of Aufgabe ``number`` with ``changes`` applied, as a submission in ``folder``."""
    assignment = load(number)
    shutil.copytree(PROJECT / "reference" / f"aufgabe{number}", folder)
    module = folder / f"{assignment.module}.py"
    source = module.read_text(encoding="utf-8")
    for old, new in changes:
        assert source.count(old) == 1, f"{old!r} is not once in the reference of Aufgabe {number}"
        source = source.replace(old, new)
    module.write_text(source, encoding="utf-8")
    return folder


@pytest.mark.parametrize("number, behaviour, required, changes", BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_behaviour_fails_the_testat_by_its_required_case(number, behaviour, required, changes, tmp_path):
    folder = broken_submission(number, changes, tmp_path / behaviour)
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
