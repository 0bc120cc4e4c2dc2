"""Capture the matplotlib figures a case leaves open: a PNG and the plotted data.

Runs inside the sandbox after the case function returned. The data is what a
comparator on the host needs to judge a plot without looking at pixels: the
points of every line and scatter, the arrays of images, the axis labels,
title, limits, scales and legend texts of every axes.
"""

from __future__ import annotations

import io
import sys

import numpy as np

MAX_FIGURES = 8
"""Figures kept per case; the harness parent and the host drop any beyond."""
MAX_PNG_BYTES = 2 << 20
"""Bytes of one figure's PNG; a plot at ``DPI`` needs a few dozen kB."""
MAX_SUBMISSION_PNG_BYTES = 16 << 20
"""PNG bytes all cases of one submission may bring back together."""
MAX_PIXELS = 1600 * 1600
DPI = 80
warmed = False
"""Whether ``warm_up`` ran in this process."""


def describe_axes(ax) -> dict:
    """The plotted content of one matplotlib ``Axes`` as plain data."""
    lines = [np.asarray(line.get_xydata(), dtype=float) for line in ax.get_lines()]
    scatters = []
    for collection in ax.collections:
        offsets = np.asarray(collection.get_offsets(), dtype=float)
        if offsets.ndim == 2 and offsets.shape[1] == 2 and len(offsets):
            scatters.append(offsets)
    images = [np.asarray(image.get_array(), dtype=float) for image in ax.get_images()]
    legend = ax.get_legend()
    return {
        "lines": lines,
        "scatters": scatters,
        "images": images,
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "title": ax.get_title(),
        "xlim": list(ax.get_xlim()),
        "ylim": list(ax.get_ylim()),
        "xscale": ax.get_xscale(),
        "yscale": ax.get_yscale(),
        "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
    }


def render_png(figure) -> bytes:
    """The figure as PNG, shrunk so that it never exceeds ``MAX_PIXELS``."""
    width, height = figure.get_size_inches()
    dpi = DPI
    if width * height * dpi * dpi > MAX_PIXELS:
        dpi = max(10, int((MAX_PIXELS / (width * height)) ** 0.5))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def import_pyplot() -> None:
    """Import pyplot (Agg) without the property tables of ``Artist.set`` docstrings.

    While its modules load, matplotlib writes a table of every settable
    property into the docstring of each Artist subclass's ``set`` (and into
    a few ``%(...:kwdoc)s`` docstrings), about a quarter of pyplot's import. No
    case reads docstrings, so ``matplotlib.artist.kwdoc`` answers "" while
    pyplot loads, and is itself again afterwards. Signatures, setters and
    drawing are unchanged.
    """
    import matplotlib

    matplotlib.use("Agg")
    if "matplotlib.pyplot" in sys.modules:
        return
    import matplotlib.artist as artist

    kwdoc = getattr(artist, "kwdoc", None)
    if kwdoc is not None:
        artist.kwdoc = lambda _artist: ""
    try:
        import matplotlib.pyplot
    finally:
        if kwdoc is not None:
            artist.kwdoc = kwdoc


def warm_up() -> None:
    """Import pyplot, then draw and save one small figure, so that fonts, the
    Agg renderer and the mathtext parser (labels such as ``$o_1$``) are loaded
    once here and not again in every forked case."""
    import_pyplot()
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="x", ylabel="$y_1$", title="t")
    figure.savefig(io.BytesIO(), format="png", dpi=DPI)
    plt.close(figure)
    global warmed
    warmed = True


def capture(extra=()) -> list[tuple[dict, bytes]]:
    """(data, png) of every open figure and of the figures in ``extra``."""
    if "matplotlib.figure" not in sys.modules:
        return []  # nothing in this process ever drew
    from matplotlib.figure import Figure

    figures = []
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        figures = [plt.figure(n) for n in plt.get_fignums()]
    figures += [f for f in extra if isinstance(f, Figure) and f not in figures]
    captured = []
    for figure in figures[:MAX_FIGURES]:
        data = {"axes": [describe_axes(ax) for ax in figure.get_axes()]}
        captured.append((data, render_png(figure)))
    return captured
