"""Figure checks on real matplotlib figures, captured the way the harness captures them."""

import importlib.util

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from grader.cases.assignment import REFERENCE
from grader.judging.compare import judge
from grader.report.pictures import difference_png
from harness import figures as capture
from harness.checks import DecreasingCurve, LabelledAxes, ShowsImage, ShowsPoints

W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
BIAS = np.array([-3.37, 0.125])


def orbit(weights=W, steps=400):
    o, out = np.zeros(2), [np.zeros(2)]
    for _ in range(steps):
        o = np.tanh(weights @ o + BIAS)
        out.append(o)
    return np.array(out)


ORBIT = orbit()


def captured(draw, figsize=(6.4, 4.8)) -> list:
    """Draw on a fresh pyplot figure, capture everything open, close it."""
    plt.close("all")
    figure = plt.figure(figsize=figsize)
    draw(figure)
    result = [{"data": data, "png": png} for data, png in capture.capture()]
    plt.close("all")
    return result


def phase(ax, points=ORBIT, style=".", **kwargs):
    ax.plot(points[:, 0], points[:, 1], style, **kwargs)
    ax.set_xlabel("o_1")
    ax.set_ylabel("o_2")


REFERENCE_FIGURE = captured(lambda f: phase(f.add_subplot()))
POINTS = ShowsPoints(x="o_1", y="o_2")


def verdict(check, figures, expected=REFERENCE_FIGURE):
    return judge(check, None, None, reveal=False, expected_figures=expected, figures=figures)


@pytest.mark.parametrize(
    "draw, size",
    [
        (lambda f: phase(f.add_subplot(), style="-", color="red"), (6.4, 4.8)),
        (lambda f: phase(f.add_subplot(), style="x", color="green", markersize=2), (3, 3)),
        (lambda f: f.add_subplot().scatter(*np.random.default_rng(0).permutation(ORBIT).T, s=1, c="k") and None, (10, 8)),
        (lambda f: (f.subplots(1, 2)[0].plot(ORBIT[:, 0]), phase(f.axes[1], style="o-")), (8, 3)),
    ],
    ids=["red-line", "green-crosses-small", "scatter-shuffled", "beside-a-time-series"],
)
def test_phase_diagram_passes_in_any_style(draw, size):
    figures = captured(draw, size)
    assert verdict(POINTS, figures).passed


@pytest.mark.parametrize(
    "figures, words",
    [
        ([], "keine Abbildung"),
        (captured(lambda f: f.add_subplot()), "leer"),
        (captured(lambda f: f.add_subplot().plot(ORBIT[:, 0])), "über der Zeit"),
        (captured(lambda f: phase(f.add_subplot(), ORBIT[:, ::-1])), "vertauscht"),
        (captured(lambda f: phase(f.add_subplot(), orbit(W.T))), "verlangt sind 90%"),
    ],
    ids=["no-figure", "empty", "o1-over-time", "swapped", "transposed-weights"],
)
def test_phase_diagram_fails_and_says_what_is_missing(figures, words):
    judgement = verdict(POINTS, figures)
    assert not judgement.passed and words in judgement.message


@pytest.mark.parametrize(
    "labels, words",
    [(("", ""), "x-Achse und die y-Achse sind"), (("o_1", " "), "y-Achse ist"), (("", "o_2"), "x-Achse ist")],
)
def test_missing_axis_labels_are_named(labels, words):
    def draw(figure):
        ax = figure.add_subplot()
        ax.plot(*ORBIT.T, ".")
        ax.set(xlabel=labels[0], ylabel=labels[1])

    figures = captured(draw)
    assert verdict(POINTS, figures).passed
    judgement = verdict(LabelledAxes(), figures)
    assert not judgement.passed and words in judgement.message
    assert verdict(LabelledAxes(), REFERENCE_FIGURE).passed


def test_plt_show_does_not_block_and_a_figure_is_still_captured():
    figures = captured(lambda f: (phase(f.add_subplot()), plt.show()))
    assert verdict(POINTS, figures).passed


def load_reference(number, module):
    spec = importlib.util.spec_from_file_location(f"ref{number}", REFERENCE / f"aufgabe{number}" / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def test_aufgabe2_error_curve_is_recognised_as_decreasing():
    irprop = load_reference(2, "irprop")
    X = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    T = np.array([[0.0], [1], [1], [0]])
    _, errors = irprop.train(X, T, [2, 3, 1], 200, np.random.default_rng(1))
    curve = captured(lambda f: f.add_subplot().plot(errors))
    assert verdict(DecreasingCurve(), curve).passed
    flat = captured(lambda f: f.add_subplot().plot(np.full(50, errors[0])))
    rising = captured(lambda f: f.add_subplot().plot(errors[::-1]))
    assert not verdict(DecreasingCurve(), flat).passed
    assert not verdict(DecreasingCurve(), rising).passed
    assert "keine Abbildung" in verdict(DecreasingCurve(), []).message


def grid(images):
    def draw(figure):
        axes = figure.subplots(2, len(images) // 2)
        for ax, image in zip(axes.ravel(), images, strict=True):
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)

    return draw


def test_aufgabe3_grid_of_reconstructions_is_captured_and_recognised():
    digits = np.load(REFERENCE.parent / "assignments" / "aufgabe3" / "data" / "heldout.npz")["images"][:10] / 255.0
    images = [d.reshape(28, 28) for d in digits]
    reference = captured(grid(images))
    assert sum(len(ax["images"]) for ax in reference[0]["data"]["axes"]) == 10
    student = captured(grid(images[:1] + [np.clip(i + 0.05, 0, 1) for i in images[1:]]))
    assert verdict(ShowsImage(atol=1e-6), student, reference).passed
    wrong = captured(grid([1 - i for i in images]))
    judgement = verdict(ShowsImage(atol=0.1), wrong, reference)
    assert not judgement.passed and "weicht ab" in judgement.message


def test_aufgabe4_pooled_image_is_compared_and_a_difference_picture_drawn():
    pooling = load_reference(4, "pooling")
    image = np.random.default_rng(4).random((9, 12))
    pooled = pooling.pool2d(image)
    reference = captured(lambda f: f.add_subplot().imshow(pooled, cmap="gray"))
    assert verdict(ShowsImage(atol=1e-9), reference, reference).passed
    transposed = captured(lambda f: f.add_subplot().imshow(pooled.T, cmap="gray"))
    judgement = verdict(ShowsImage(atol=1e-9), transposed, reference)
    assert not judgement.passed and "(6, 4)" in judgement.message
    off = captured(lambda f: f.add_subplot().imshow(pooled + 0.2, cmap="gray"))
    picture = difference_png(ShowsImage(), off, reference)
    assert picture.startswith(b"\x89PNG")


def test_difference_picture_for_points():
    partial = captured(lambda f: phase(f.add_subplot(), ORBIT[:200]))
    assert difference_png(POINTS, partial, REFERENCE_FIGURE).startswith(b"\x89PNG")
    assert difference_png(DecreasingCurve(), partial, REFERENCE_FIGURE) is None


def test_report_shows_a_difference_picture_where_a_trajectory_fails(tmp_path):
    from grader.engine.batch import run

    examples = REFERENCE.parent / "examples" / "submissions" / "aufgabe5"
    outcome = run(aufgabe=5, submissions=examples, out=tmp_path, sandbox="process", log=lambda m: None)
    by_id = {s.id: s for s in outcome.submissions}
    transposed = {c.name: c for c in by_id["meyer_leon"].cases}
    attractor = transposed["simulate/attractor"]
    assert attractor.status == "failed" and attractor.difference_figures
    assert (tmp_path / "reports" / "figures" / attractor.difference_figures[0]).read_bytes().startswith(b"\x89PNG")
    assert "Was abweicht" in (tmp_path / by_id["meyer_leon"].report).read_text()
    correct = {c.name: c for c in by_id["fischer_emma"].cases}
    assert correct["simulate/attractor"].difference_figures == []
