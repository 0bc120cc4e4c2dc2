"""Plain data: what a case's result may be, and its encoding as JSON plus one ``.npz``.

The rule of a plain value, one for every side that touches a result: the
harness that encodes it (``encode``), the host that checks a frame
(``grader.backends.validate.decode``), a cluster worker that sends it on
(``grader.cluster.wire``) and the report that shows it
(``grader.report.formatting``). A plain value is

- None, a bool, an int that a float can hold (``|n| <= MAX_INT``), a float
  (nan and ±inf included);
- a str, cut to ``MAX_STRING`` characters (the host replaces what UTF-8
  cannot encode, lone surrogates, by U+FFFD);
- a float64 ``ndarray``, never a subclass, of at most ``MAX_DIMENSIONS``
  axes (the host's caps on their number and size:
  ``grader.backends.validate.load_arrays``);
- a list of plain values, or a dict of plain values whose keys are str cut to
  ``MAX_KEY`` characters;

nested at most ``MAX_DEPTH`` deep, counted from the case's result
``{"value": ..., "figures": [...]}``. What the host accepts, a worker encodes
again unchanged (``encode(..., keep_lists=True)``), so a case has the same
verdict on a cluster as on one machine.

Keys that begin with ``$`` belong to the protocol: ``{"$array": key}`` (into
the npz) and ``{"$float": "nan"|"inf"|"-inf"}`` exist only in the encoded
structure; ``{"$figure": n}`` stands for the n-th figure a case returned (the
harness puts it where a case returned a matplotlib figure; a student's own
``{"$figure": 0}`` means the same and is shown so). Any other dict with such
a key is refused: the harness tells the student why (``NotPlain``), the host
takes a frame that holds one as invalid with the same German sentence. (The
report, which only sees what the host accepted, would show one as data
rather than fail.)
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

MAX_STRING = 10_000
MAX_KEY = 200
MAX_DEPTH = 40
MAX_DIMENSIONS = 8
MAX_INT = 2**1023
"""The largest int that is plain: comparisons take every number as a float."""
MARK = "$"
ARRAY, FLOAT, FIGURE = "$array", "$float", "$figure"
FLOATS = ("nan", "inf", "-inf")
MAX_FIGURE_NUMBER = 1000


class NotPlain(Exception):
    """A returned value cannot be turned into numbers; the message is German."""


def figure_number(value: Any) -> int | None:
    """n for the marker ``{"$figure": n}`` of a returned figure; None for anything else."""
    if type(value) is not dict or len(value) != 1:
        return None
    n = value.get(FIGURE)
    return n if type(n) is int and 0 <= n < MAX_FIGURE_NUMBER else None


def reserved(key: str) -> bool:
    """True for a dict key that belongs to the protocol (outside a figure's marker, never plain)."""
    return key.startswith(MARK)


def reserved_message(key: str) -> str:
    """Why a dict with the key ``key`` is no plain value (German)."""
    return (
        f"Der Rückgabewert enthält den Schlüssel {key[:40]!r}: Schlüssel, die mit „{MARK}“ beginnen, "
        "sind der Übertragung der Ergebnisse vorbehalten. Bitte einen anderen Schlüssel wählen."
    )


def to_array(value: Any) -> np.ndarray:
    """A fresh C-contiguous float64 ndarray (never a subclass) from ``value``."""
    try:
        array = np.array(value, dtype=np.float64, subok=False, copy=True, order="C")
    except Exception as exc:  # student objects may raise anything here
        raise NotPlain(
            f"Der Rückgabewert vom Typ {type(value).__name__} lässt sich nicht in ein "
            f"Zahlen-Array umwandeln ({type(exc).__name__}: {exc})."
        ) from None
    if type(array) is not np.ndarray or array.dtype != np.float64:
        raise NotPlain(f"Der Rückgabewert vom Typ {type(value).__name__} ist kein Zahlen-Array.")
    if array.ndim > MAX_DIMENSIONS:
        raise NotPlain(f"Der Rückgabewert hat {array.ndim} Achsen; erlaubt sind höchstens {MAX_DIMENSIONS}.")
    return array


def _numeric_nest(v: Any, depth: int) -> bool:
    """True for (nested) lists of plain numbers: they become one array."""
    if depth > MAX_DEPTH:
        return False
    if type(v) in (list, tuple):
        return all(_numeric_nest(x, depth + 1) for x in v)
    return type(v) in (int, float, bool) or isinstance(v, (np.integer, np.floating, np.bool_))


def encode(value: Any, *, keep_lists: bool = False) -> tuple[Any, bytes]:
    """Encode ``value`` as (JSON-able structure, npz bytes of its arrays).

    Lists of numbers become arrays, unless ``keep_lists`` (a value the host has
    decoded, sent on unchanged); other lists stay lists (of arrays, dicts
    ...). In the structure an array is ``{"$array": key}`` (key into the npz), a
    non-finite float ``{"$float": "nan"|"inf"|"-inf"}``. Raises NotPlain for
    what breaks the rule of the module's docstring.
    """
    arrays: dict[str, np.ndarray] = {}
    sent: dict[int, str] = {}

    def walk(v: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise NotPlain("Der Rückgabewert ist zu tief verschachtelt.")
        if v is None or type(v) is bool or isinstance(v, np.bool_):
            return None if v is None else bool(v)
        if type(v) is int or isinstance(v, np.integer):
            if abs(int(v)) > MAX_INT:
                raise NotPlain("Der Rückgabewert enthält eine ganze Zahl, die größer ist als jede Gleitkommazahl.")
            return int(v)
        if type(v) is float or isinstance(v, np.floating):
            f = float(v)
            return f if math.isfinite(f) else {FLOAT: repr(f)}
        if type(v) is str:
            return v[:MAX_STRING]
        if type(v) is dict:
            if figure_number(v) is not None:
                return dict(v)
            items = [(str(k)[:MAX_KEY], x) for k, x in v.items()]
            for k, _ in items:
                if reserved(k):
                    raise NotPlain(reserved_message(k))
            return {k: walk(x, depth + 1) for k, x in items}
        if type(v) in (list, tuple):
            if v and not keep_lists and _numeric_nest(v, depth):
                return walk(to_array(v), depth)
            return [walk(x, depth + 1) for x in v]
        if keep_lists and id(v) in sent:
            # One array the host decoded from many references is sent once, not once per reference.
            return {ARRAY: sent[id(v)]}
        key = f"a{len(arrays)}"
        if keep_lists and type(v) is np.ndarray:
            arrays[key], sent[id(v)] = v, key
        else:
            arrays[key] = to_array(v)
        return {ARRAY: key}

    structure = walk(value, 0)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return structure, buffer.getvalue()
