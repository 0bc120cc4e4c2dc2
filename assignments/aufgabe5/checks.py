"""Host-side property checks of Aufgabe 5: the phase diagram drawn by plot.

The points to look for are those of the reference's figure for the same
input. An axes shows them when at least ``min_share`` of them lie within
``tol`` of a point of its lines or scatters (any style, any order; extra
points such as a marked start are allowed).
"""

import numpy as np

from grader.compare import Judgement


def phase_points(got, expected, *, reveal, figures, expected_figures, min_share, tol):
    """Some axes of the figure shows the trajectory's points as (o_1, o_2)."""
    axes, problem = _phase_axes(figures, expected_figures, min_share, tol)
    if axes is None:
        return Judgement(False, problem)
    return Judgement(True, "Richtig: die Trajektorie ist als o_2 über o_1 gezeichnet.")


def axis_labels(got, expected, *, reveal, figures, expected_figures, min_share, tol):
    """The axes that shows the trajectory has a label on the x- and on the y-axis."""
    axes, problem = _phase_axes(figures, expected_figures, min_share, tol)
    if axes is None:
        return Judgement(
            False,
            "Geprüft wird die Beschriftung des Diagramms, das die Trajektorie als o_2 über o_1 "
            "zeigt; ein solches fehlt (siehe plot/phase-diagram).",
        )
    missing = [name for name, key in (("x-Achse", "xlabel"), ("y-Achse", "ylabel")) if not axes[key].strip()]
    if missing:
        verb = "sind" if len(missing) == 2 else "ist"
        return Judgement(
            False,
            f"Die {' und die '.join(missing)} {verb} nicht beschriftet "
            "(z. B. ax.set_xlabel('o_1') und ax.set_ylabel('o_2')).",
        )
    return Judgement(True, "Richtig: beide Achsen sind beschriftet.")


def _phase_axes(figures, expected_figures, min_share, tol):
    """(axes data, None) of the axes that shows the trajectory best, or (None, German reason)."""
    wanted = _points([ax for figure in expected_figures for ax in figure["data"]["axes"]])
    if len(wanted) == 0:
        raise ValueError("the reference figure shows no points")
    if not figures:
        return None, (
            "Es wurde keine Abbildung erzeugt: plot soll die Trajektorie mit matplotlib "
            "zeichnen und die Figure zurückgeben."
        )
    all_axes = [ax for figure in figures for ax in figure["data"]["axes"]]
    drawn = [(ax, points) for ax in all_axes if len(points := _points([ax]))]
    if not drawn:
        return None, "Die Abbildung ist leer: sie enthält keine Linien oder Punkte."
    share, best = max(((_share_shown(wanted, points, tol), ax) for ax, points in drawn), key=lambda p: p[0])
    if share >= min_share:
        return best, None
    if max(_share_shown(wanted[:, ::-1], points, tol) for _, points in drawn) >= min_share:
        return None, "o_1 und o_2 sind vertauscht: o_1 gehört auf die x-Achse, o_2 auf die y-Achse."
    reason = (
        f"Kein Diagramm der Abbildung zeigt die Punkte (o_1, o_2) der übergebenen Trajektorie: "
        f"höchstens {share:.0%} davon sind zu sehen, verlangt sind {min_share:.0%}."
    )
    if any(_is_time_series(line) for ax in all_axes for line in ax["lines"]):
        reason += (
            " Die Abbildung zeigt offenbar Ausgaben über der Zeit (Schritt auf der x-Achse); "
            "gefordert ist ein Diagramm mit o_1 auf der x-Achse und o_2 auf der y-Achse."
        )
    return None, reason


def _points(axes_list):
    """All finite (x, y) points of the lines and scatters of some axes, shape (n, 2)."""
    parts = [p for ax in axes_list for p in (*ax["lines"], *ax["scatters"]) if p.ndim == 2 and p.shape[1] == 2]
    points = np.concatenate(parts) if parts else np.empty((0, 2))
    return points[np.all(np.isfinite(points), axis=1)]


def _share_shown(wanted, drawn, tol):
    """Share of the ``wanted`` points that have a ``drawn`` point within ``tol`` in x and y."""
    drawn = drawn[np.argsort(drawn[:, 0], kind="stable")]
    low = np.searchsorted(drawn[:, 0], wanted[:, 0] - tol, side="left")
    high = np.searchsorted(drawn[:, 0], wanted[:, 0] + tol, side="right")
    shown = sum(
        bool(np.any(np.abs(drawn[lo:hi, 1] - y) <= tol)) for lo, hi, y in zip(low, high, wanted[:, 1])
    )
    return shown / len(wanted)


def _is_time_series(line):
    """True for a line whose x values are the step numbers 0, 1, 2, ..."""
    return len(line) > 2 and np.array_equal(line[:, 0], np.arange(len(line)))
