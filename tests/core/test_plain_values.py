"""One rule for a case's value (``harness.plain``): the harness, the host's validation, the
cluster's wire and the report agree on it (issue 23, items 4 and 5).

Hostile values, as a forged frame can carry them, go through the host's validation, a
worker's encoding and the host's validation again, and into the report's text: none
raises, and the value, its text and its verdict are the same on both sides.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.backends import validate
from grader.backends.base import Job
from grader.backends.session import JobRun
from grader.cluster.wire import decode_run, encode_run
from grader.judging.compare.judge import judge
from grader.report.formatting import compact
from harness import plain
from harness.checks import Close

ARRAYS = {"a0": np.arange(3.0), "a1": np.full((2, 2), np.nan)}
JOB = Job(Path("unused"), "student", "", {"f/x": 1.0})
EXPECTED = {"y": np.arange(3.0)}

KEYS = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["$figure", "$array", "$float", "$", "$$figure", "y", "k\ud800", "\udfff"]),
    st.integers(plain.MAX_KEY - 1, plain.MAX_KEY + 2).map(lambda n: "k" * n),
)
STRINGS = st.one_of(
    st.text(max_size=8),
    st.text(max_size=4).map(lambda t: t + "\ud800" + t),
    st.integers(plain.MAX_STRING - 1, plain.MAX_STRING + 2).map(lambda n: "s" * n),
)
NUMBERS = st.one_of(
    st.booleans(),
    st.integers(),
    st.sampled_from([plain.MAX_INT, plain.MAX_INT + 1, -plain.MAX_INT - 1, 10**400, -(10**300)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
MARKERS = st.one_of(
    st.fixed_dictionaries({"$figure": st.one_of(st.integers(-2, 2), st.sampled_from([1000, "x", None, True, 1.5, [0]]))}),
    st.fixed_dictionaries({"$array": st.sampled_from(["a0", "a1", "a9", 0, None, ["a0"]])}),
    st.fixed_dictionaries({"$float": st.sampled_from(["nan", "inf", "-inf", "NaN", "1", 1.0, None])}),
    st.fixed_dictionaries({"$figure": st.just(0), "y": st.just(1)}),
)
LEAVES = st.one_of(st.none(), NUMBERS, STRINGS, MARKERS)
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def hostile(draw) -> object:
    """A tree, wrapped in up to 60 levels of lists and dicts around it."""
    value = draw(TREES)
    for wrap in draw(st.lists(st.sampled_from(["list", "dict", "$dict"]), max_size=60)):
        value = [value] if wrap == "list" else {("$x" if wrap == "$dict" else "v"): value}
    return value


def _npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **ARRAYS)
    return buffer.getvalue()


def _frame(value) -> dict:
    return {"status": "finished", "result": {"status": "ok", "data": {"value": value, "figures": []}}}


def same(a, b) -> bool:
    """Equal in value and kind; nan equals nan."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def over_the_wire(local: validate.CaseRun) -> validate.CaseRun:
    """``local`` as a worker sends it and the instructor's host reads it."""
    return decode_run(encode_run(JobRun({local.name: local}, {}), "process"), JOB).cases[local.name]


def verdict(value) -> tuple[bool, str]:
    judged = judge(Close(), EXPECTED, value, reveal=True)
    return judged.passed, judged.message


@settings(max_examples=400, deadline=None)
@given(hostile())
def test_a_forged_value_has_the_same_verdict_locally_and_after_the_wire(value):
    local = validate.case_run("f/x", _frame(value), [_npz()])
    remote = over_the_wire(local)
    assert (remote.status, remote.message) == (local.status, local.message)
    assert same(remote.value, local.value)
    if local.status == "ok":
        assert compact(remote.value) == compact(local.value)
        assert verdict(remote.value) == verdict(local.value)


@settings(max_examples=300, deadline=None)
@given(hostile())
def test_what_the_harness_encodes_the_host_accepts_and_shows(value):
    try:
        structure, npz = plain.encode({"value": value, "figures": []})
    except plain.NotPlain as exc:
        assert str(exc).startswith("Der Rückgabewert")
        return
    run = validate.case_run("f/x", {"status": "finished", "result": {"status": "ok", "data": structure}}, [npz])
    assert run.status == "ok", run.message
    compact(run.value)
    assert same(over_the_wire(run).value, run.value)


@pytest.mark.parametrize("value", [{"$figure": "x"}, {"$figure": None}, {"$figure": -1}, {"$array": "a0", "y": 1}, {"y": {"$x": 1}}])
def test_a_key_of_the_protocol_outside_its_marker_is_refused_in_german(value):
    with pytest.raises(plain.NotPlain, match="vorbehalten"):
        plain.encode({"value": value})
    run = validate.case_run("f/x", _frame(value), [_npz()])
    assert run.status == "invalid" and "vorbehalten" in run.message
    assert compact(value)  # and the report would show it as data, never raise


def test_a_returned_figure_stays_a_figure():
    structure, npz = plain.encode({"value": {"$figure": 0}, "figures": []})
    run = validate.case_run("f/x", {"status": "finished", "result": {"status": "ok", "data": structure}}, [npz])
    assert run.value == {"$figure": 0} and compact(run.value) == "<Abbildung 1>"
    assert over_the_wire(run).value == {"$figure": 0}


def test_a_value_nested_as_deep_as_the_rule_allows_crosses_the_wire():
    value: object = 1.0
    for _ in range(plain.MAX_DEPTH - 1):
        value = [value, "x"]
    local = validate.case_run("f/x", _frame(value), [_npz()])
    assert local.status == "ok"
    assert over_the_wire(local).status == "ok" and same(over_the_wire(local).value, local.value)
    too_deep = validate.case_run("f/x", _frame([value, "x"]), [_npz()])
    assert too_deep.status == "invalid" and over_the_wire(too_deep).status == "invalid"


def test_one_array_referenced_many_times_is_sent_once():
    local = validate.case_run("f/x", _frame([{"$array": "a1"}] * 500), [_npz()])
    structure, npz = plain.encode({"value": local.value}, keep_lists=True)
    assert len(validate.load_arrays(npz)) == 1
    assert same(over_the_wire(local).value, local.value)
