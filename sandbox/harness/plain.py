"""Turn whatever a case returned into plain data: JSON plus one ``.npz``.

Runs inside the sandbox, on values that may come from student code. Nothing
of the student's objects survives: every array is copied into a fresh
float64 ``ndarray`` (the contract's ``np.asarray(..., dtype=float)``), every
scalar into a Python ``int``, ``float``, ``bool`` or ``str``. An object whose
``__array__`` or ``__float__`` lies can only choose which numbers it reports;
the host never sees the object itself.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

MAX_STRING = 10_000
MAX_DEPTH = 8


class NotPlain(Exception):
    """A returned value cannot be turned into numbers; the message is German."""


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
    return array


def _numeric_nest(v: Any, depth: int) -> bool:
    """True for (nested) lists of plain numbers: they become one array."""
    if depth > MAX_DEPTH:
        return False
    if type(v) in (list, tuple):
        return all(_numeric_nest(x, depth + 1) for x in v)
    return type(v) in (int, float, bool) or isinstance(v, (np.integer, np.floating, np.bool_))


def encode(value: Any) -> tuple[Any, bytes]:
    """Encode ``value`` as (JSON-able structure, npz bytes of its arrays).

    Lists of numbers become arrays; other lists stay lists (of arrays, dicts
    ...). In the structure an array is ``{"$array": key}`` (key into the npz), a
    non-finite float ``{"$float": "nan"|"inf"|"-inf"}``.
    """
    arrays: dict[str, np.ndarray] = {}

    def walk(v: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise NotPlain("Der Rückgabewert ist zu tief verschachtelt.")
        if v is None or type(v) is bool or isinstance(v, np.bool_):
            return None if v is None else bool(v)
        if type(v) is int or isinstance(v, np.integer):
            return int(v)
        if type(v) is float or isinstance(v, np.floating):
            f = float(v)
            return f if math.isfinite(f) else {"$float": repr(f)}
        if type(v) is str:
            return v[:MAX_STRING]
        if type(v) is dict:
            return {str(k): walk(x, depth + 1) for k, x in v.items()}
        if type(v) in (list, tuple):
            if v and _numeric_nest(v, depth):
                return walk(to_array(v), depth)
            return [walk(x, depth + 1) for x in v]
        array = to_array(v)
        key = f"a{len(arrays)}"
        arrays[key] = array
        return {"$array": key}

    structure = walk(value, 0)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return structure, buffer.getvalue()
