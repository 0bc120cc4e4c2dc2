"""Host-side property checks of Aufgabe 4: the PNG that pool_image wrote."""

import numpy as np

from grader.judging.compare import Judgement, differences

CHANNEL_TOL = 1e-6


def written_png(expected, got, *, reveal, expected_figures, figures, pooled_atol, levels):
    """pool_image returned the pooled gray values and wrote them as a gray PNG.

    ``got`` and ``expected`` are ``{"pooled": array, "png": array or None}``:
    the returned array and the written file as ``matplotlib.image.imread``
    reads it (None when no file was written). The returned values must match
    the reference's within ``pooled_atol``; the PNG must be gray (one channel,
    or equal colour channels and no transparency) and its values, scaled by
    255, lie within ``levels`` gray levels of the reference's pooled values.
    """
    if expected["pooled"] is None:  # a typical mistake's output that returns nothing (its sign)
        problems = [] if got["pooled"] is None else ["pool_image gibt einen Wert zurück, erwartet None."]
    else:
        problems = differences(expected["pooled"], got["pooled"], rtol=0.0, atol=pooled_atol, reveal=reveal)
    # The kind names what is wrong with the file where the returned values are right.
    kind = ""
    if got["png"] is None:
        problems.append("pool_image hat keine Datei unter out_path geschrieben.")
        kind = "png-missing"
    else:
        png_problems, kind = _png_problems(_shown(expected), got["png"], levels, reveal, got["pooled"])
        problems += png_problems
    if problems:
        return Judgement(False, " ".join(problems), kind if len(problems) == 1 else "")
    return Judgement(True, "Richtig: Rückgabewert und geschriebenes Graustufen-PNG stimmen.")


def _shown(expected):
    """The gray values the written PNG must show: the expected pooled values.

    Where those are None, ``expected`` is a typical mistake's output that
    returns nothing (its sign, which a submission's output is compared with):
    then the gray values of the PNG that it wrote.
    """
    if expected["pooled"] is not None:
        return expected["pooled"]
    png = np.asarray(expected["png"], dtype=float)
    return png[:, :, 0] if png.ndim == 3 else png


def _png_problems(pooled, png, levels, reveal, returned) -> tuple[list[str], str]:
    """What is wrong with the written PNG, and its kind ("" where it has none)."""
    if png.ndim == 3 and png.shape[2] in (3, 4):
        if np.ptp(png[:, :, :3], axis=2).max() > CHANNEL_TOL:
            return [
                "Das geschriebene PNG ist nicht grau: seine Farbkanäle R, G, B sind verschieden "
                "(wurde eine Farbtabelle wie 'viridis' verwendet? Mit cmap='gray' oder gleichen "
                "Kanälen speichern)."
            ], "png-not-gray"
        if png.shape[2] == 4 and png[:, :, 3].min() < 1.0:
            return ["Das geschriebene PNG ist teilweise durchsichtig (Alphakanal kleiner als 1)."], "png-transparent"
        png = png[:, :, 0]
    if png.ndim != 2:
        return [f"Das geschriebene PNG hat die Form {png.shape}, erwartet ein Graustufenbild."], "png-shape"
    if png.shape != pooled.shape:
        return [
            f"Das geschriebene PNG ist {png.shape[0]}x{png.shape[1]} Pixel groß, "
            f"erwartet {pooled.shape[0]}x{pooled.shape[1]} (die Größe des gepoolten Bildes)."
        ], "png-size"
    deviation = np.abs(png - pooled) * 255
    wrong = int(np.count_nonzero(deviation > levels))
    if wrong == 0:
        return [], ""
    message = (
        f"Im geschriebenen PNG weichen {wrong} von {png.size} Pixeln um mehr als {levels} "
        f"Graustufen vom gepoolten Bild ab"
    )
    if reveal:
        r, c = np.unravel_index(int(np.argmax(deviation)), deviation.shape)
        message += (
            f"; die größte Abweichung bei Pixel ({r}, {c}): erwartet Grauwert "
            f"{pooled[r, c] * 255:.1f} von 255, gespeichert {png[r, c] * 255:.0f}"
        )
    hint, kind = _hint(pooled, png, levels, returned)
    return [message + "." + hint], kind


def _hint(pooled, png, levels, returned) -> tuple[str, str]:
    """A likely cause of a wrong PNG, in words a student recognises; stated only where the PNG fits it.

    A PNG that holds the returned values, as they are, was saved right: what
    differs are the pooled values themselves (issue 24: floor division gave
    an almost black PNG, and was told that the saving forgot to scale).
    """
    returned = _values(returned)
    if returned is not None and returned.shape == png.shape and np.all(np.abs(png - returned) * 255 <= levels):
        return (
            " Das PNG gibt Ihren Rückgabewert richtig wieder: falsch sind schon die gepoolten Werte, "
            "nicht das Speichern."
        ), ""
    # Saved without the factor 255: the PNG's gray levels 0..255 hold the values in [0, 1] themselves.
    if np.all(np.abs(png * 255 - pooled) <= 1):
        return " Wurden die Werte in [0, 1] vor dem Speichern nicht mit 255 skaliert?", "png-unscaled"
    if png.min() == 0.0 and png.max() == 1.0 and (pooled.min() > 1 / 255 or pooled.max() < 254 / 255):
        return (
            " Das PNG nutzt den ganzen Bereich von Schwarz bis Weiß: plt.imsave streckt die Werte "
            "ohne vmin=0, vmax=1 auf diesen Bereich."
        ), "png-stretched"
    return "", ""


def _values(returned):
    """The returned pooled values as a float array, or None where they are no numbers."""
    try:
        return np.asarray(returned, dtype=float)
    except (TypeError, ValueError):
        return None
