"""The report's pictures: the files of the figures, and pictures of what a student's figure
or trajectory misses of the reference's."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from grader.common.results import png_name
from grader.judging.compare.figures import all_axes, images_of, points, shown_mask
from harness.checks import LabelledAxes, ShowsImage, ShowsPoints, Trajectory


def save(root: Path, owner: str, case: str, figures: list) -> list[str]:
    """Write ``figures`` (``{"png": bytes, ...}``) of ``case`` under ``root/owner``; their paths
    relative to ``root``."""
    names = []
    for index, figure in enumerate(figures):
        relative = Path(owner) / png_name(case, index)
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        # The reference's pictures are the same for every submission: written once.
        if not (target.is_file() and target.read_bytes() == figure["png"]):
            target.write_bytes(figure["png"])
        names.append(str(relative))
    return names


def difference_png(check, figures: list, expected_figures: list, expected=None, got=None) -> bytes | None:
    """A picture of what differs, for point, image and trajectory checks; None elsewhere."""
    if not isinstance(check, (Trajectory, ShowsPoints, LabelledAxes, ShowsImage)):
        return None  # nothing to draw: spare the import of matplotlib
    from matplotlib.figure import Figure

    if isinstance(check, Trajectory):
        if not isinstance(got, np.ndarray) or got.ndim != 2 or got.shape[1] != 2 or not isinstance(expected, np.ndarray):
            return None
        figure = Figure(figsize=(4.5, 4))
        ax = figure.add_subplot()
        finite = got[np.all(np.isfinite(got), axis=1)]
        ax.scatter(expected[:, 0], expected[:, 1], s=10, c="#bbbbbb", label="Referenz")
        ax.scatter(finite[:, 0], finite[:, 1], s=3, c="#1f6feb", label="Ihre Trajektorie")
        ax.set(xlabel="Spalte 0", ylabel="Spalte 1", title="Unterschied: Referenz (grau) und Ihre Punkte")
        ax.legend(loc="best", fontsize=7)
    elif isinstance(check, (ShowsPoints, LabelledAxes)):
        wanted, drawn = points(all_axes(expected_figures)), points(all_axes(figures))
        if len(wanted) == 0:
            return None
        figure = Figure(figsize=(4.5, 4))
        ax = figure.add_subplot()
        ax.scatter(wanted[:, 0], wanted[:, 1], s=14, c="#bbbbbb", label="Referenz")
        if len(drawn):
            ax.scatter(drawn[:, 0], drawn[:, 1], s=4, c="#1f6feb", label="Ihre Punkte")
        missing = wanted[~shown_mask(wanted, drawn, check.tol)] if len(drawn) else wanted
        if len(missing):
            ax.scatter(missing[:, 0], missing[:, 1], s=18, facecolors="none", edgecolors="#d1242f", label="fehlt")
        ax.legend(loc="best", fontsize=7)
        ax.set_title("Unterschied: Referenz (grau) und Ihre Punkte")
    elif isinstance(check, ShowsImage):
        references, images = images_of(expected_figures), images_of(figures)
        same = [image for image in images if references and image.shape == references[0].shape]
        if not same:
            return None
        figure = Figure(figsize=(4.5, 4))
        ax = figure.add_subplot()
        shown = ax.imshow(np.abs(same[0] - references[0]).squeeze(), cmap="magma")
        figure.colorbar(shown, ax=ax)
        ax.set_title("|Ihr Bild − Referenz|")
    else:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()
