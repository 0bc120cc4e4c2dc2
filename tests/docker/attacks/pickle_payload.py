"""Replaces its result frame by one whose .npz holds a pickle that would write a file on the host."""
import io
import sys
from pathlib import Path

import numpy as np

MARKER = (Path(__file__).parent / "marker_path.txt").read_text()


class Payload:
    def __reduce__(self):
        return (open, (MARKER, "w"))


def pickled_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([Payload()], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def f(x):
    if x == 1:
        plain = sys.modules["harness.plain"]
        plain.encode = lambda value: ({"value": {"$array": "a0"}, "figures": []}, pickled_npz())
    return 2 * x
