"""Judge the figures a case drew, from their plotted data.

The harness captured, per figure, the data of every axes: lines and scatters
as (n, 2) arrays of points, images as arrays, labels, limits and scales. The
checks here look at that data, never at pixels, so any style, colour,
marker or figure size passes; the PNGs are only shown in the report.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from harness.checks import DecreasingCurve, LabelledAxes, ShowsImage, ShowsPoints

from .trajectories import range_pairs
from .values import Judgement

FIGURE_CHECKS = (ShowsPoints, LabelledAxes, ShowsImage, DecreasingCurve)


def judge_figures(check, expected_figures: Sequence[dict], figures: Sequence[dict]) -> Judgement:
    """Apply a figure check to the student's ``figures`` (the reference's: ``expected_figures``)."""
    if isinstance(check, ShowsPoints):
        _, problem, kind = points_axes(check, expected_figures, figures)
        if problem:
            return Judgement(False, problem, kind)
        return Judgement(True, f"Richtig: die Abbildung zeigt die Punkte ({check.x}, {check.y}).")
    if isinstance(check, LabelledAxes):
        return labelled(check, expected_figures, figures)
    if isinstance(check, ShowsImage):
        return shows_image(check, expected_figures, figures)
    if isinstance(check, DecreasingCurve):
        return decreasing(check, figures)
    raise TypeError(f"not a figure check: {check!r}")


def all_axes(figures: Sequence[dict]) -> list[dict]:
    return [ax for figure in figures for ax in figure["data"]["axes"]]


def points(axes: list[dict]) -> np.ndarray:
    """All finite (x, y) points of the lines and scatters of ``axes``, shape (n, 2)."""
    parts = [
        np.asarray(p, dtype=float)
        for ax in axes
        for p in (*ax["lines"], *ax["scatters"])
        if np.ndim(p) == 2 and np.shape(p)[1] == 2
    ]
    found = np.concatenate(parts) if parts else np.empty((0, 2))
    return found[np.all(np.isfinite(found), axis=1)]


def share_shown(wanted: np.ndarray, drawn: np.ndarray, tol: float) -> float:
    """Share of the ``wanted`` points that have a ``drawn`` point within ``tol`` in x and y."""
    if len(wanted) == 0:
        return 1.0
    return int(np.count_nonzero(shown_mask(wanted, drawn, tol))) / len(wanted)


def shown_mask(wanted: np.ndarray, drawn: np.ndarray, tol: float) -> np.ndarray:
    """Per ``wanted`` point: does a ``drawn`` point lie within ``tol`` in x and y?"""
    shown = np.zeros(len(wanted), dtype=bool)
    if len(wanted) == 0 or len(drawn) == 0:
        return shown
    drawn = drawn[np.argsort(drawn[:, 0], kind="stable")]
    low = np.searchsorted(drawn[:, 0], wanted[:, 0] - tol, side="left")
    high = np.searchsorted(drawn[:, 0], wanted[:, 0] + tol, side="right")
    # Only the drawn points in a wanted point's x window can be near it in y.
    for owner, index in range_pairs(low, high):
        near = np.abs(drawn[index, 1] - wanted[owner, 1]) <= tol
        shown[owner[near]] = True
    return shown


def _is_time_series(line) -> bool:
    """A line whose x values are the step numbers 0, 1, 2, ..."""
    line = np.asarray(line)
    return line.ndim == 2 and len(line) > 2 and np.array_equal(line[:, 0], np.arange(len(line)))


def points_axes(check, expected_figures: Sequence[dict], figures: Sequence[dict]) -> tuple[dict | None, str, str]:
    """(the axes that shows the reference's points, "", "") or (None, German reason, its kind:
    ``Judgement.kind``, "" where the reason names none)."""
    wanted = points(all_axes(expected_figures))
    if len(wanted) == 0:
        raise ValueError("the reference's figure shows no points")
    if not figures:
        return None, "Es wurde keine Abbildung erzeugt (keine offene oder zurückgegebene matplotlib-Figure).", "no-figure"
    drawn = [(ax, p) for ax in all_axes(figures) if len(p := points([ax]))]
    if not drawn:
        return None, "Die Abbildung ist leer: sie enthält keine Linien oder Punkte.", ""
    share, best = max(((share_shown(wanted, p, check.tol), ax) for ax, p in drawn), key=lambda s: s[0])
    if share >= check.min_share:
        return best, "", ""
    x, y = getattr(check, "x", "x"), getattr(check, "y", "y")
    if max(share_shown(wanted[:, ::-1], p, check.tol) for _, p in drawn) >= check.min_share:
        return None, f"{x} und {y} sind vertauscht: {x} gehört auf die x-Achse, {y} auf die y-Achse.", "transposed"
    reason = (
        f"Kein Diagramm zeigt die erwarteten Punkte ({x}, {y}): höchstens {share:.0%} davon "
        f"sind zu sehen, verlangt sind {check.min_share:.0%}."
    )
    if any(_is_time_series(line) for ax, _ in drawn for line in ax["lines"]):
        reason += (
            " Die Abbildung zeigt offenbar Werte über der Zeit (Schritt auf der x-Achse); "
            f"gefordert ist {y} über {x}."
        )
        return None, reason, "over-time"
    return None, reason, ""


def labelled(check: LabelledAxes, expected_figures: Sequence[dict], figures: Sequence[dict]) -> Judgement:
    """The labels of the diagram the student drew, whatever it shows.

    Whether it shows the right points (or transposed ones) is the question of
    another case; here only the axes that show the reference's points in either
    orientation count, else every axes with data.
    """
    if not figures:
        return Judgement(False, "Es wurde keine Abbildung erzeugt, also auch keine Achsenbeschriftung.")
    drawn = [ax for ax in all_axes(figures) if len(points([ax])) or ax["images"]]
    if not drawn:
        return Judgement(False, "Die Abbildung ist leer.")
    wanted = points(all_axes(expected_figures))
    showing = [
        ax
        for ax in drawn
        if len(wanted) and len(p := points([ax]))
        and max(share_shown(wanted, p, check.tol), share_shown(wanted[:, ::-1], p, check.tol)) >= check.min_share
    ]
    for ax in showing or drawn:
        missing = [name for name, key in (("x-Achse", "xlabel"), ("y-Achse", "ylabel")) if not ax[key].strip()]
        if missing:
            verb = "sind" if len(missing) == 2 else "ist"
            return Judgement(
                False,
                f"Die {' und die '.join(missing)} {verb} nicht beschriftet "
                "(ax.set_xlabel(...) und ax.set_ylabel(...)).",
                "unlabelled",
            )
    return Judgement(True, "Richtig: die Achsen sind beschriftet.")


def images_of(figures: Sequence[dict]) -> list[np.ndarray]:
    return [np.asarray(image, dtype=float) for ax in all_axes(figures) for image in ax["images"]]


def shows_image(check: ShowsImage, expected_figures: Sequence[dict], figures: Sequence[dict]) -> Judgement:
    wanted = images_of(expected_figures)
    if not wanted:
        raise ValueError("the reference's figure shows no image")
    if not figures:
        return Judgement(False, "Es wurde keine Abbildung erzeugt.")
    images = images_of(figures)
    if not images:
        return Judgement(False, "Die Abbildung zeigt kein Bild (imshow).")
    target = wanted[0]
    same_shape = [image for image in images if image.shape == target.shape]
    if not same_shape:
        shapes = ", ".join(str(image.shape) for image in images[:3])
        return Judgement(False, f"Das gezeigte Bild hat die Form {shapes}, erwartet {target.shape}.")
    best = min(float(np.nanmax(np.abs(image - target))) for image in same_shape)
    if best <= check.atol:
        return Judgement(True, "Richtig: die Abbildung zeigt das erwartete Bild.")
    return Judgement(False, f"Das gezeigte Bild weicht ab: größte Abweichung {best:.3g} (erlaubt {check.atol:g}).")


def decreasing(check: DecreasingCurve, figures: Sequence[dict]) -> Judgement:
    if not figures:
        return Judgement(False, "Es wurde keine Abbildung erzeugt: erwartet ist eine fallende Fehlerkurve.")
    lines = [np.asarray(line)[:, 1] for ax in all_axes(figures) for line in ax["lines"] if len(line) >= check.min_points]
    if not lines:
        return Judgement(False, f"Die Abbildung enthält keine Kurve mit mindestens {check.min_points} Punkten.")
    for y in lines:
        y = y[np.isfinite(y)]
        if len(y) < check.min_points:
            continue
        drop = y[0] - y[-1]
        # A curve that falls and then climbs back up is no learning curve.
        climbs_back = y[-1] - y.min() > 0.1 * (y[0] - y.min())
        if drop > 0 and drop >= check.min_drop * abs(y[0]) and not climbs_back:
            return Judgement(True, "Richtig: die Abbildung zeigt eine fallende Kurve.")
    return Judgement(False, "Keine Kurve der Abbildung fällt (Ende deutlich unter dem Anfang, ohne wieder zu steigen).")
