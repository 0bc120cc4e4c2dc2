"""issue 24: a typical mistake is named only when its signature holds on every case it predicts.

A mistake predicts the outputs of the cases it fails with a value and the loss
of every case it ``loses``. All of it fits: named for certain; two or more
fitting cases of several: "könnte … sein"; one fitting case of several: a
coincidence, nothing named.
"""

from pathlib import Path

from grader.cases.assignment import load
from grader.cases.expected import Expected
from grader.cases.mistakes import Change, Mistake, apply, catalogue
from grader.common.results import CaseResult
from grader.common.status import CaseRun
from grader.engine.batch import grade_path
from grader.judging.compare.signs import strength
from grader.judging.diagnosis import Catalogue, diagnose

PROJECT = Path(__file__).resolve().parents[2]
PREDICTED = ("output/single", "output/batch", "output/phi-zero")


def _catalogue(loses=frozenset(PREDICTED)) -> Catalogue:
    mistake = Mistake("m", "Titel", "Hinweis", "Das Perzeptron - Aktivierung", Path(), loses=loses)
    return Catalogue({"m": mistake}, {"m": Expected({n: {"o": 1} for n in PREDICTED}, {n: [] for n in PREDICTED})})


def _diagnosed(fitting: int, passed: tuple[str, ...] = ()) -> list[CaseResult]:
    """The three cases of ``PREDICTED``: the first ``fitting`` fail with the mistake's output,
    the rest fail with another output, or pass where named in ``passed``."""
    cases = [
        CaseResult(name, "public", "passed" if name in passed else "failed", 0.0, 1.0, "weicht ab")
        for name in PREDICTED
    ]
    runs = {name: CaseRun(name, "ok", value={"o": 1 if i < fitting else 7}) for i, name in enumerate(PREDICTED)}
    diagnose(load(1), cases, runs, _catalogue())
    return cases


def test_a_mistake_that_fits_every_case_it_predicts_is_named_for_certain():
    cases = _diagnosed(3)
    assert [c.mistake for c in cases] == [{"id": "m", "title": "Titel", "hint": "Hinweis", "certain": True}] * 3


def test_a_mistake_that_fits_some_of_its_cases_is_named_as_possible():
    cases = _diagnosed(2)
    assert [c.mistake and c.mistake["certain"] for c in cases] == [False, False, None]


def test_one_fitting_case_of_several_is_a_coincidence():
    assert [c.mistake for c in _diagnosed(1)] == [None, None, None]


def test_a_passed_case_that_the_mistake_loses_takes_certainty_away():
    cases = _diagnosed(2, passed=("output/phi-zero",))
    assert [c.mistake and c.mistake["certain"] for c in cases] == [False, False, None]


def test_only_the_cases_that_were_run_count():
    """``grader check`` runs the public cases only: the signature is judged on those."""
    cases = [CaseResult("output/single", "public", "failed", 0.0, 1.0, "weicht ab")]
    diagnose(load(1), cases, {"output/single": CaseRun("output/single", "ok", value={"o": 1})}, _catalogue())
    assert cases[0].mistake == {"id": "m", "title": "Titel", "hint": "Hinweis", "certain": True}


SHUFFLE = (
    Change(
        "    for epoch in range(1, max_epochs + 1):\n",
        "    rng = np.random.default_rng(0)\n    for epoch in range(1, max_epochs + 1):\n",
        "Shuffles the patterns each epoch: a different training, not a typical mistake.",
    ),
    Change(
        "        for x, t in zip(X, T):\n",
        "        order = rng.permutation(len(X))\n        for x, t in zip(X[order], np.asarray(T)[order]):\n",
    ),
)


def test_a_perceptron_that_shuffles_its_patterns_is_told_no_false_mistake(tmp_path):
    """The issue's case: its epoch count on train/or happened to be one off ("epochs-last-error")."""
    reference = (PROJECT / "reference" / "aufgabe1" / "perceptron.py").read_text(encoding="utf-8")
    (tmp_path / "perceptron.py").write_text(apply(reference, SHUFFLE, "shuffle"), encoding="utf-8")
    result = grade_path(aufgabe=1, path=tmp_path, sandbox="process", public_only=False, log=lambda _: None)
    assert result.score < result.max_score
    assert not [(c.name, c.mistake) for c in result.cases if c.mistake]


def test_a_catalogue_mistake_graded_as_a_submission_is_named_for_certain():
    mistake = next(m for m in catalogue(load(1)) if m.id == "epochs-last-error")
    result = grade_path(aufgabe=1, path=mistake.folder, sandbox="process", public_only=False, log=lambda _: None)
    named = {c.name: c.mistake for c in result.cases if c.mistake}
    assert named and all(m["id"] == "epochs-last-error" and m["certain"] for m in named.values()), named
    assert set(named) == {c.name for c in result.cases if c.status == "failed"}


def test_a_few_fitting_cases_among_many_are_a_coincidence():
    """A perceptron that shuffles its patterns ended like a batch update on 3 of 12 trainings and
    was told "könnte … sein": a possible name needs at least half of the predicted cases."""
    signature = {f"train/{i}": {"value": i} for i in range(12)}
    verdicts = {name: "failed" for name in signature}
    assert strength(signature, frozenset(signature), verdicts, {"train/0", "train/1", "train/2"}) is None
    assert strength(signature, frozenset(signature), verdicts, {f"train/{i}" for i in range(6)}) == (False, 6)
    assert strength(signature, frozenset(signature), verdicts, set(signature)) == (True, 12)


def test_an_exception_names_a_mistake_only_where_the_function_works_elsewhere():
    """ "output nur für ein einzelnes Muster" raises on batches; an output that raises everywhere
    is not that mistake."""
    signature = {"output/batch": {"raises": "TypeError"}}
    loses = frozenset(signature)
    raising = {"output/batch"}
    assert strength(signature, loses, {"output/batch": "error", "output/single": "passed"}, raising) == (True, 1)
    assert strength(signature, loses, {"output/batch": "error", "output/single": "error"}, raising) is None
