"""Cases of Aufgabe 4 (Pooling-Schicht): pool2d, load_grayscale, pool_image.

Every input image is drawn here from a seeded generator; the PNG files are
written into the case's scratch directory before the module under test reads
them.
"""

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np

from harness.api import Close, Property, case
from harness.png import write_png

# float32 arithmetic lies about 1e-7 (relative) away (grader.cases.float32 measures it).
POOLED = Close(rtol=1e-5, atol=1e-8)
# Gray values read from a PNG: float32 or float64 arithmetic, or a loader that
# rounds to 8 bits (PIL's convert("L")), may differ by up to half a gray level.
GRAY = Close(rtol=0.0, atol=0.002)


def _written_png(path):
    """The PNG that pool_image wrote, as read back by matplotlib (None if there is none)."""
    return mpimg.imread(path) if path.is_file() else None


# pool2d


@case(
    "pool2d/max-even-shape",
    points=1,
    visibility="public",
    timeout=10,
    check=POOLED,
    about="Max-Pooling eines 6x8-Bildes mit den Standardwerten (Fenster 2, Stride 2).",
)
def pool2d_max_even(m, ctx):
    image = np.random.default_rng(401).random((6, 8))
    return m.pool2d(image)


@case(
    "pool2d/mean-even-shape",
    points=1,
    visibility="public",
    timeout=10,
    check=POOLED,
    about="Mittelwert-Pooling eines 8x6-Bildes, Fenster 2, Stride 2.",
)
def pool2d_mean_even(m, ctx):
    image = np.random.default_rng(402).random((8, 6))
    return m.pool2d(image, size=2, stride=2, mode="mean")


@case(
    "pool2d/max-odd-shape",
    points=2,
    visibility="public",
    timeout=10,
    check=POOLED,
    about="Max-Pooling eines 7x9-Bildes: die letzte Zeile und Spalte erreicht kein Fenster.",
)
def pool2d_max_odd(m, ctx):
    image = np.random.default_rng(403).random((7, 9))
    return m.pool2d(image, size=2, stride=2, mode="max")


@case(
    "pool2d/mean-odd-shape",
    points=1,
    visibility="hidden",
    timeout=10,
    check=POOLED,
    about="Mittelwert-Pooling eines Bildes ungerader Größe.",
)
def pool2d_mean_odd(m, ctx):
    image = np.random.default_rng(404).random((9, 11))
    return m.pool2d(image, size=2, stride=2, mode="mean")


@case(
    "pool2d/size3-stride2",
    points=2,
    visibility="public",
    timeout=10,
    check=POOLED,
    about="Max-Pooling eines 11x8-Bildes mit 3x3-Fenster und Stride 2 (Fenster überlappen).",
)
def pool2d_size3_stride2(m, ctx):
    image = np.random.default_rng(405).random((11, 8))
    return m.pool2d(image, size=3, stride=2, mode="max")


@case(
    "pool2d/size2-stride3-mean",
    points=2,
    visibility="hidden",
    timeout=10,
    check=POOLED,
    about="Mittelwert-Pooling mit einem Stride größer als das Fenster.",
)
def pool2d_size2_stride3(m, ctx):
    image = np.random.default_rng(406).random((10, 13))
    return m.pool2d(image, size=2, stride=3, mode="mean")


@case(
    "pool2d/size3-stride1-negative",
    points=1,
    visibility="public",
    timeout=10,
    check=POOLED,
    about="Max-Pooling mit Stride 1 auf einer Merkmalskarte mit nur negativen Werten.",
)
def pool2d_size3_stride1(m, ctx):
    image = -np.random.default_rng(407).random((6, 7)) - 0.1
    return m.pool2d(image, size=3, stride=1, mode="max")


@case(
    "pool2d/size4-stride4-mean",
    points=1,
    visibility="hidden",
    timeout=10,
    check=POOLED,
    about="Mittelwert-Pooling mit 4x4-Fenster und Stride 4 auf einem Bild, das nicht aufgeht.",
)
def pool2d_size4_stride4(m, ctx):
    image = np.random.default_rng(408).normal(size=(13, 10))
    return m.pool2d(image, size=4, stride=4, mode="mean")


@case(
    "pool2d/window-fills-image",
    points=1,
    visibility="hidden",
    timeout=10,
    check=POOLED,
    about="Ein Fenster so groß wie das ganze Bild ergibt ein 1x1-Bild.",
)
def pool2d_whole_image(m, ctx):
    image = np.random.default_rng(409).random((5, 5))
    return m.pool2d(image, size=5, stride=5, mode="max")


# load_grayscale


@case(
    "load_grayscale/gray-png",
    points=1,
    visibility="public",
    timeout=10,
    check=GRAY,
    about="Ein 8-Bit-Graustufen-PNG (ein Kanal) wird zu Grauwerten in [0, 1].",
)
def load_gray(m, ctx):
    pixels = np.random.default_rng(411).integers(0, 256, size=(5, 7))
    return m.load_grayscale(write_png(ctx.scratch / "gray.png", pixels))


@case(
    "load_grayscale/rgb-png",
    points=2,
    visibility="public",
    timeout=10,
    check=GRAY,
    about="Ein RGB-PNG wird mit 0.299 R + 0.587 G + 0.114 B in Grauwerte umgerechnet.",
)
def load_rgb(m, ctx):
    pixels = np.random.default_rng(412).integers(0, 256, size=(6, 5, 3))
    return m.load_grayscale(write_png(ctx.scratch / "colour.png", pixels))


@case(
    "load_grayscale/rgba-png",
    points=2,
    visibility="public",
    timeout=10,
    check=GRAY,
    about="Bei einem RGBA-PNG mit Transparenz wird der Alphakanal verworfen.",
)
def load_rgba(m, ctx):
    pixels = np.random.default_rng(413).integers(0, 256, size=(7, 6, 4))
    return m.load_grayscale(write_png(ctx.scratch / "transparent.png", pixels))


@case(
    "load_grayscale/matplotlib-png",
    points=1,
    visibility="hidden",
    timeout=10,
    check=GRAY,
    about="Ein Farbbild, das matplotlib mit plt.imsave gespeichert hat (RGBA, deckend).",
)
def load_imsave(m, ctx):
    path = str(ctx.scratch / "imsave.png")
    plt.imsave(path, np.random.default_rng(414).random((8, 9, 3)))
    return m.load_grayscale(path)


# pool_image


@case(
    "pool_image/max-default",
    points=2,
    visibility="public",
    timeout=10,
    check=Property("written_png", pooled_atol=GRAY.atol, levels=3),
    about="Ein Farbbild wird mit den Standardwerten gepoolt und als Graustufen-PNG geschrieben.",
)
def pool_image_default(m, ctx):
    source, target = str(ctx.scratch / "photo.png"), ctx.scratch / "pooled.png"
    plt.imsave(source, 0.1 + 0.7 * np.random.default_rng(421).random((9, 12, 3)))
    pooled = m.pool_image(source, str(target))
    written = _written_png(target)
    if written is not None:  # shown in the report beside the reference's
        ax = plt.figure(figsize=(3, 2.6)).add_subplot()
        ax.imshow(written if written.ndim == 2 else written[..., 0], cmap="gray", vmin=0, vmax=1)
        ax.set_title("geschriebenes PNG (Grauwerte)")
    return {"pooled": pooled, "png": written}


@case(
    "pool_image/mean-size3-gray",
    points=2,
    visibility="public",
    timeout=10,
    check=Property("written_png", pooled_atol=GRAY.atol, levels=3),
    about="Ein Graustufenbild wird mit 3x3-Fenster, Stride 2 gemittelt und als PNG geschrieben.",
)
def pool_image_mean(m, ctx):
    source = write_png(ctx.scratch / "gray.png", np.random.default_rng(422).integers(20, 220, size=(11, 10)))
    target = ctx.scratch / "pooled.png"
    pooled = m.pool_image(source, str(target), size=3, stride=2, mode="mean")
    return {"pooled": pooled, "png": _written_png(target)}


# --- Cases added for the mutation tests (issue 18, `grader mutants`): each one catches
# --- mutants of the reference that every case above let pass.

@case(
    "pool_image/white-areas",
    points=1,
    visibility="hidden",
    timeout=10,
    check=Property("written_png", pooled_atol=GRAY.atol, levels=3),
    about="Ein Bild mit rein weißen Flächen: Weiß bleibt im geschriebenen PNG weiß.",
)
def pool_image_white(m, ctx):
    pixels = np.random.default_rng(442).integers(0, 256, size=(8, 10))
    pixels[:4, :6] = 255
    source = write_png(ctx.scratch / "white.png", pixels)
    target = ctx.scratch / "pooled.png"
    pooled = m.pool_image(source, str(target))
    return {"pooled": pooled, "png": _written_png(target)}
