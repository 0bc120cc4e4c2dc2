import io
import json
import pickle
import struct
import zipfile

import numpy as np
import pytest

from grader.backends import validate
from harness import plain


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_plain_round_trip_keeps_values_and_kinds():
    value = {"w": np.arange(6.0).reshape(2, 3), "n": np.int64(3), "f": float("nan"), "xs": [np.ones(2), np.zeros(3)], "s": "ok", "b": True}
    structure, blob = plain.encode(value)
    back = validate.decode(structure, validate.load_arrays(blob))
    assert back["n"] == 3 and type(back["n"]) is int
    assert np.isnan(back["f"]) and back["s"] == "ok" and back["b"] is True
    np.testing.assert_array_equal(back["w"], value["w"])
    assert [a.shape for a in back["xs"]] == [(2,), (3,)]


def test_lying_objects_only_choose_their_numbers():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    class FakeArray:
        def __array__(self, dtype=None, copy=None):
            return np.array([7.0, 8.0])

    structure, blob = plain.encode({"a": np.ones(3).view(Liar), "b": FakeArray()})
    back = validate.decode(structure, validate.load_arrays(blob))
    assert type(back["a"]) is np.ndarray and type(back["b"]) is np.ndarray
    np.testing.assert_array_equal(back["b"], [7.0, 8.0])


def test_unconvertible_value_is_reported_in_german():
    with pytest.raises(plain.NotPlain, match="lässt sich nicht"):
        plain.encode({"x": object()})


def test_pickled_object_array_is_refused():
    blob = npz(a0=np.array([{"x": 1}], dtype=object))
    with pytest.raises(validate.Invalid):
        validate.load_arrays(blob)


def test_pickle_payload_instead_of_npz_is_refused():
    with pytest.raises(validate.Invalid, match="kein gültiges"):
        validate.load_arrays(pickle.dumps({"evil": 1}))


@pytest.mark.parametrize("array", [np.arange(3, dtype=np.int64), np.ones(2, dtype=np.float32), np.array(["a"])])
def test_wrong_dtype_is_refused(array):
    with pytest.raises(validate.Invalid, match="float64"):
        validate.load_arrays(npz(a0=array))


def test_compressed_or_strangely_named_members_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a0.npy", b"\0" * 1000)
    with pytest.raises(validate.Invalid, match="Unerwarteter Eintrag"):
        validate.load_arrays(buffer.getvalue())
    with pytest.raises(validate.Invalid, match="Unerwarteter Eintrag"):
        validate.load_arrays(npz(**{"../evil": np.ones(1)}))


def test_dangling_array_reference_is_refused():
    with pytest.raises(validate.Invalid):
        validate.decode({"$array": "a9"}, {})


def test_png_check():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(2, 2))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    assert validate.check_png(buffer.getvalue()) == buffer.getvalue()
    with pytest.raises(validate.Invalid):
        validate.check_png(b"GIF89a" + b"\0" * 30)
    huge = validate.PNG_SIGNATURE + b"\0\0\0\rIHDR" + (100_000).to_bytes(4, "big") * 2
    with pytest.raises(validate.Invalid, match="zu groß"):
        validate.check_png(huge)


def test_case_run_with_garbage_result_is_invalid_not_an_exception():
    run = validate.case_run("x/y", {"status": "finished", "result": {"status": "ok", "data": {"value": {"$array": "a0"}, "figures": []}}}, [b"not a zip"])
    assert run.status == "invalid" and "npz" in run.message
    run = validate.case_run("x/y", {"status": "finished", "result": "nonsense"}, [])
    assert run.status == "invalid"
    run = validate.case_run("x/y", {"status": "made-up"}, [])
    assert run.status == "invalid"


@pytest.mark.parametrize("frame", [
    {"status": ["finished"]},
    {"status": {"timeout": 1}},
    {"status": "finished", "result": {"status": ["ok"]}},
    {"status": "finished", "result": {"status": {"ok": 1}}},
])
def test_a_status_that_is_no_word_is_invalid_output_not_a_crash(frame):
    # JSON lets a forged frame put a list where the status word belongs; a set lookup of it raises.
    run = validate.case_run("x/y", frame, [])
    assert run.status == validate.RunStatus.INVALID


def test_statuses_are_the_enum_of_their_vocabulary():
    assert validate.case_run("x/y", {"status": "timeout"}, []).status is validate.RunStatus.TIMEOUT
    run = validate.case_run("x/y", {"status": "finished", "result": {"status": "exception", "message": "m"}}, [])
    assert run.status is validate.RunStatus.EXCEPTION


def test_every_string_from_the_sandbox_is_made_encodable():
    frame = {
        "status": "finished", "stdout": "out \udcff", "stderr": "err \ud800",
        "result": {"status": "exception", "exception": "Fehler\ud800", "stage": "case",
                   "message": "kaputt \udfff", "traceback": "File \udc80"},
    }
    run = validate.case_run("f/x", frame, [])
    texts = [run.stdout, run.stderr, run.exception, run.message, run.traceback]
    assert all("\ufffd" in text for text in texts)
    structure, blob = plain.encode({"\ud800": ["a\udbff", {"k\udfff": 1}]})
    value = validate.decode(structure, validate.load_arrays(blob))
    assert json.dumps(value, ensure_ascii=False).encode("utf-8")
    assert validate.versions({"numpy\ud800": "2.\udc00", "x": 3}) == {"numpy\ufffd": "2.\ufffd"}


def png(size: int) -> bytes:
    header = validate.PNG_SIGNATURE + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 10, 10)
    return header + bytes(size - len(header))


def test_figures_are_capped_per_figure_per_case_and_per_submission():
    ok = {"status": "ok", "data": {"value": 1, "figures": [{"axes": []}] * 10}}
    frame = {"status": "finished", "result": ok}
    blobs = [npz(), png(5 << 20)] + [png(1 << 20)] * 9
    run = validate.case_run("f/x", frame, blobs)
    assert len(run.figures) == validate.MAX_FIGURES and run.figures_dropped == 2
    runs = [validate.case_run(f"f/{i}", frame, blobs) for i in range(3)]
    budget = validate.FigureBudget()
    for run in runs:
        budget.take(run)
    kept = sum(len(f["png"]) for r in runs for f in r.figures)
    assert kept <= validate.MAX_SUBMISSION_PNG_BYTES and [len(r.figures) for r in runs] == [8, 8, 0]
    assert [r.figures_dropped for r in runs] == [2, 2, 10]


def test_a_number_no_float_can_hold_is_no_crash():
    # JSON carries integers of any length; float() of one beyond 1e308 raises OverflowError.
    run = validate.case_run("f/x", {"status": "timeout", "seconds": 10**400}, [])
    assert (run.status, run.seconds) == ("timeout", 0.0)
