"""The host's shortcuts (caches, windowed searches) give exactly what the plain computation gives."""

import ast
import subprocess
import sys

import numpy as np
import pytest

from grader.cases import source as case_source
from grader.cases.assignment import available, load
from grader.judging.compare import trajectories as compare
from grader.judging.compare.figures import share_shown, shown_mask
from grader.report import formatting

# --- case code: parsed once per Aufgabe ---------------------------------------------------------


@pytest.mark.parametrize("number", available())
def test_case_code_is_parsed_once_per_source_and_equals_the_uncached_result(number, monkeypatch):
    source = load(number).cases_source
    case_source._case_code.cache_clear()
    calls = []
    parse = ast.parse
    monkeypatch.setattr(case_source.ast, "parse", lambda text, *a, **k: calls.append(1) or parse(text, *a, **k))
    first = case_source.case_code(source)
    again = [case_source.case_code(source) for _ in range(3)]
    assert len(calls) == 1
    plain = case_source._case_code.__wrapped__(source)
    assert len(calls) == 2
    for found in [first, *again]:
        assert list(found) == list(plain)
        for name, code in plain.items():
            got = found[name]
            assert (got.name, got.visibility, got.code, got.helpers) == (code.name, code.visibility, code.code, code.helpers)
            assert ast.dump(got.node) == ast.dump(code.node)


def test_case_code_gives_each_caller_its_own_dict():
    source = load(1).cases_source
    first = case_source.case_code(source)
    first.clear()
    assert case_source.case_code(source)


# --- trajectories: the grid search against all pairs -------------------------------------------


def _orbit(weights, bias, steps, start=(0.0, 0.0)):
    o, out = np.array(start, dtype=float), []
    for _ in range(steps):
        o = np.tanh(weights @ o + bias)
        out.append(o)
    return np.array(out)


def _clouds():
    rng = np.random.default_rng(7)
    attractor = _orbit(np.array([[-4.0, 1.5], [-1.5, 0.0]]), np.array([-3.37, 0.125]), 1500)[50:]
    other = _orbit(np.array([[-4.0, 1.6], [-1.5, 0.0]]), np.array([-3.3, 0.125]), 1200)[50:]
    tol = 0.05
    base = rng.uniform(-1, 1, size=(300, 2))
    # Points at (about) exactly tol from a cloud point, in many directions: the boundary cases.
    angles = rng.uniform(0, 2 * np.pi, size=300)
    ring = base + tol * np.column_stack([np.cos(angles), np.sin(angles)])
    axis = base + np.array([tol, 0.0])
    diagonal = base + np.array([0.6 * tol, 0.8 * tol])
    steps = base + np.array([2 * tol, -2 * tol])
    yield attractor, other, tol
    yield other, attractor, tol
    yield attractor, attractor + 0.03, tol
    yield attractor, attractor[::-1], tol
    yield ring, base, tol
    yield axis, base, tol
    yield diagonal, base, tol
    yield steps, base, tol
    yield base, np.concatenate([ring, axis]), tol
    yield np.round(base, 1), np.round(base, 1) + tol, tol  # on cell edges
    yield np.zeros((40, 2)), np.full((30, 2), tol), tol  # everything in one cell
    yield rng.normal(size=(500, 2)) * 3, rng.normal(size=(400, 2)) * 3, 0.25
    yield rng.normal(size=(200, 2)), rng.normal(size=(100, 2)), 1e-3
    yield rng.normal(size=(200, 2)) * 1e-4, rng.normal(size=(100, 2)) * 1e-4, 1e-5
    yield rng.normal(size=(200, 2)) + 1e5, rng.normal(size=(100, 2)) + 1e5, 0.5
    # Where the grid is not used: other dimensions, non-finite values, huge coordinates.
    yield rng.normal(size=(200, 3)), rng.normal(size=(100, 3)), 0.5
    yield np.array([[np.nan, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.01]]), tol
    yield np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[np.inf, 0.0], [1.0, 1.01]]), tol
    yield np.array([[0.0, 0.0], [1e30, 1.0]]), np.array([[0.0, 0.01], [1e30, 1.0]]), tol


@pytest.mark.parametrize("points, cloud, tol", list(_clouds()))
def test_uncovered_share_equals_comparing_all_pairs(points, cloud, tol):
    plain = compare._uncovered_share_all(points.reshape(len(points), -1), cloud.reshape(len(cloud), -1), tol)
    assert compare._uncovered_share(points, cloud, tol) == plain
    assert compare._uncovered_share(cloud, points, tol) == compare._uncovered_share_all(
        cloud.reshape(len(cloud), -1), points.reshape(len(points), -1), tol
    )


def test_uncovered_share_boundary_cases_are_not_all_trivial():
    # The boundary clouds must hold points on both sides of tol, or the test above proves little.
    shares = [compare._uncovered_share_all(p, c, t) for p, c, t in list(_clouds())[4:9]]
    assert any(0 < share < 1 for share in shares)


def test_range_pairs_lists_every_index_of_every_range_in_small_chunks():
    low, high = np.array([0, 5, 3, 7, 2]), np.array([4, 5, 9, 6, 3])
    want = [(r, i) for r in range(5) for i in range(low[r], high[r])]
    chunks = list(compare.range_pairs(low, high, chunk=3))
    assert len(chunks) > 1
    got = [(int(r), int(i)) for which, index in chunks for r, i in zip(which, index, strict=True)]
    assert got == want


# --- figures: which reference points a student's figure shows ------------------------------------


def _shown_one_by_one(wanted, drawn, tol):
    """What the figure checks did before: one point at a time."""
    drawn = drawn[np.argsort(drawn[:, 0], kind="stable")]
    low = np.searchsorted(drawn[:, 0], wanted[:, 0] - tol, side="left")
    high = np.searchsorted(drawn[:, 0], wanted[:, 0] + tol, side="right")
    return np.array(
        [bool(np.any(np.abs(drawn[lo:hi, 1] - y) <= tol)) for lo, hi, y in zip(low, high, wanted[:, 1], strict=True)], dtype=bool
    )


@pytest.mark.parametrize("points, cloud, tol", [c for c in _clouds() if c[0].shape[1] == 2 and np.isfinite(c[0]).all()])
def test_shown_mask_equals_the_point_by_point_search(points, cloud, tol):
    for wanted, drawn in ((points, cloud), (cloud, points), (points, points[:0])):
        mask = shown_mask(wanted, drawn, tol)
        expected = _shown_one_by_one(wanted, drawn, tol) if len(drawn) else np.zeros(len(wanted), bool)
        assert np.array_equal(mask, expected)
        assert share_shown(wanted, drawn, tol) == int(expected.sum()) / len(wanted)


def test_difference_png_imports_no_matplotlib_when_there_is_nothing_to_draw():
    code = (
        "import sys\n"
        "from grader.report.pictures import difference_png\n"
        "from harness.checks import Close\n"
        "assert difference_png(Close(), [], [], 1.0, 2.0) is None\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- formatting: texts of arrays kept by their bytes --------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        np.array([[1.0, 0.0], [0.0, 1.0]]),
        np.arange(30, dtype=float).reshape(5, 6) / 7,
        np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, 1e-12, 3.5]),
        np.array(2.5),
        np.arange(12.0).reshape(3, 4).T,  # not C-contiguous
        np.array([True, False]),
        np.arange(5, dtype=np.int64),
        np.zeros((0, 3)),
        np.linspace(0, 1, 2000),  # too large to be kept
    ],
)
def test_array_text_from_the_cache_equals_the_plain_text(value):
    plain = formatting._array_text(value, "  ")
    assert formatting._array(value, "  ") == plain
    assert formatting._array(value.copy(), "  ") == plain  # a hit by bytes
    assert formatting.compact({"w": value}) == formatting.compact({"w": value.copy()})


def test_array_text_cache_tells_apart_arrays_with_equal_bytes_but_other_shapes():
    a = np.arange(6.0)
    assert formatting._array(a, "") != formatting._array(a.reshape(2, 3), "")
    assert formatting._array(a.reshape(2, 3), "") == formatting._array_text(a.reshape(2, 3), "")


def test_array_text_follows_numpy_print_options():
    value = np.array([1.123456789, 2.0])
    plain = formatting._array(value, "")
    with np.printoptions(sign="+"):
        assert formatting._array(value, "") == formatting._array_text(value, "") != plain


# --- Aufgabe 3: the classifier's accuracy on the originals --------------------------------------


def test_recognisable_uses_the_accuracy_computed_without_the_cache():
    checks = load(3).properties["recognisable"].__globals__
    originals, labels, _, _ = checks["_mnist"]()
    assert checks["_original_accuracy"]() == float(np.mean(checks["_classify"](originals) == labels))
