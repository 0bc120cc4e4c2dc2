import io
import pickle
import zipfile

import numpy as np
import pytest

from grader import validate
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
