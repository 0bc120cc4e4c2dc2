"""Property-based tests of the parts that take outside input."""

import contextlib
import io
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.backends import validate
from grader.common.results import CaseResult, SubmissionResult
from grader.engine.store import ResultStore
from grader.judging.compare import judge
from harness import plain, protocol
from harness.checks import Close

finite = st.floats(-1e6, 1e6, allow_nan=False)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(np.float64, shapes, elements=finite),
    st.data(),
    st.floats(0, 1e-3),
    st.floats(0, 1e-3),
)
def test_close_passes_exactly_when_every_value_is_within_tolerance(expected, data, rtol, atol):
    noise = data.draw(hnp.arrays(np.float64, expected.shape, elements=st.floats(-1, 1)))
    got = expected + noise * data.draw(st.sampled_from([0.0, 1e-9, 1e-4, 1.0]))
    within = np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected))
    assert judge(Close(rtol, atol), {"a": expected}, {"a": got}, reveal=True).passed == within


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, shapes, elements=finite),
    st.one_of(
        hnp.arrays(np.float64, shapes, elements=st.floats(allow_nan=True, allow_infinity=True)),
        st.integers(),
        st.floats(),
        st.text(max_size=5),
        st.none(),
        st.lists(st.floats(), max_size=4),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    ),
    st.booleans(),
)
def test_comparator_never_crashes_on_any_output(expected, got, reveal):
    judgement = judge(Close(), {"a": expected}, {"a": got}, reveal=reveal)
    assert isinstance(judgement.message, str) and judgement.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_validator_refuses_or_loads_any_npz_bytes(blob):
    try:
        arrays = validate.load_arrays(blob)
    except validate.Invalid:
        return
    assert all(type(a) is np.ndarray and a.dtype == np.float64 for a in arrays.values())


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
        max_leaves=20,
    ),
    st.lists(st.binary(max_size=50), max_size=3),
)
def test_any_case_frame_becomes_a_case_run(result, blobs):
    for frame in ({"status": "finished", "result": result}, {"status": "finished", "result": {"status": "ok", "data": result}}, result if isinstance(result, dict) else {}):
        run = validate.case_run("f/x", frame, blobs)
        assert run.status in validate.HARNESS_STATUSES | validate.RESULT_STATUSES | {"invalid"}


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float64, np.int32, np.bool_]), shapes))
def test_plain_round_trip_gives_float64_arrays(array):
    structure, blob = plain.encode({"a": array})
    back = validate.decode(structure, validate.load_arrays(blob))["a"]
    if array.ndim == 0:
        assert back == array.item() or (np.isnan(back) and np.isnan(array))
    else:
        assert back.dtype == np.float64 and np.array_equal(back, array.astype(float), equal_nan=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=500), st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=5), max_size=4))))
def test_result_store_never_raises_on_a_corrupt_file(tmp_path, content):
    store = ResultStore(tmp_path)
    tmp_path.joinpath("anna.json").write_bytes(content)
    assert store.get("anna", "key") is None


def test_result_store_round_trip(tmp_path):
    store = ResultStore(tmp_path)
    result = SubmissionResult("anna", "graded", 1.0, 2.0, False, [CaseResult("f/x", "public", "passed", 1.0, 1.0, "Richtig.")])
    store.put("anna", "k1", result)
    assert store.get("anna", "k1") == result
    assert store.get("anna", "k2") is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_protocol_reader_never_hangs_or_crashes(data):
    stream = io.BytesIO(data)
    with contextlib.suppress(protocol.ProtocolError, EOFError):
        protocol.read(protocol.stream_reader(stream), max_header=1000, max_blobs=1000)
