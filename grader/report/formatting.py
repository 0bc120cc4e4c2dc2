"""Short text forms of case values for the report: arrays shortened, long text capped.

A report shows what a public case expected and what the student's code
returned. Those values can be 28x28 images or trajectories of 5000 steps; the
report needs their shape and a few numbers at each edge, not all of them.
Works on the plain data that ``grader.backends.validate`` produced (the rule:
``harness.plain``); a figure's marker ``{"$figure": n}`` is shown as the figure,
any other dict as data, so that no value a sandbox sent can stop a report.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from harness import plain

MAX_CHARS = 2000
"""A value's text is cut after this many characters."""
EDGE_ITEMS = 3
THRESHOLD = 24
"""Arrays with more elements than this are summarised with ``EDGE_ITEMS`` per edge."""
FIGURE = "<Abbildung {number}>"
"""Stands for a returned figure, which the report shows as an image."""


def compact(value, *, max_chars: int = MAX_CHARS) -> str:
    """A short, readable text of ``value``; at most ``max_chars`` characters (plus a cut mark)."""
    return cap(_text(value, indent=""), max_chars)


def only_figure(text: str) -> bool:
    """True when ``text`` (made by ``compact``) stands for nothing but a figure."""
    return bool(re.fullmatch(re.escape(FIGURE).replace(r"\{number\}", r"\d+"), text))


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a mark that says how much there was."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} weitere Zeichen)"


def _text(value, indent: str) -> str:
    if isinstance(value, dict):
        number = plain.figure_number(value)
        if number is not None:
            return FIGURE.format(number=number + 1)
        inner = indent + "  "
        lines = []
        for key, item in value.items():
            text = _text(item, inner + "  ")
            # A multi-line array starts on a line of its own so that its rows line up.
            joint = "\n" + inner + "  " if "\n" in text and isinstance(item, np.ndarray) else " "
            lines.append(f"{inner}{key}:{joint}{text}")
        return "{\n" + "\n".join(lines) + "\n" + indent + "}" if lines else "{}"
    if isinstance(value, list):
        shown = [*value[:EDGE_ITEMS], ..., *value[-EDGE_ITEMS:]] if len(value) > 2 * EDGE_ITEMS + 1 else value
        parts = ["…" if item is ... else _text(item, indent + " ") for item in shown]
        joint = ",\n" + indent + " " if any("\n" in part for part in parts) else ", "
        return "[" + joint.join(parts) + "]"
    if isinstance(value, np.ndarray):
        return _array(value, indent)
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


CACHED_SIZE = 1024
"""Texts of numeric arrays up to this many elements are kept, keyed by their bytes:
every submission shows the same expected values, and correct ones return them too."""


def _array(array: np.ndarray, indent: str) -> str:
    if type(array) is np.ndarray and array.size <= CACHED_SIZE and array.dtype.kind in "biuf":
        options = tuple(sorted((key, repr(value)) for key, value in np.get_printoptions().items()))
        return _array_from_bytes(array.shape, array.dtype.str, array.tobytes(), indent, options)
    return _array_text(array, indent)


@lru_cache(maxsize=1024)
def _array_from_bytes(shape: tuple, dtype: str, data: bytes, indent: str, options: tuple) -> str:
    return _array_text(np.frombuffer(data, dtype=dtype).reshape(shape), indent)


def _array_text(array: np.ndarray, indent: str) -> str:
    integral = array.size > 0 and bool(np.all(np.isfinite(array) & (array == np.round(array))))
    body = np.array2string(
        array,
        threshold=THRESHOLD,
        edgeitems=EDGE_ITEMS,
        precision=6,
        suppress_small=True,
        separator=", ",
        max_line_width=88,
        # Whole numbers (0/1 outputs, epochs) read better without "1." and "0.".
        formatter={"float_kind": lambda x: f"{x:.0f}"} if integral else None,
    )
    body = body.replace("\n", "\n" + indent)
    # The shape matters most when the student's differs; say it for every non-scalar.
    return body if array.ndim == 0 else f"{body}  (Form {array.shape})"
