"""Patches numpy and the harness in the first case; the second must see neither."""
import sys

import numpy as np


def f(x):
    if x == 1:
        np.allclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        np.sum = lambda *args, **kwargs: 42.0
        plain = sys.modules["harness.plain"]
        plain.to_array = lambda value: np.full(3, 7.0)
        plain.encode = lambda value: ({"value": {"y": 123456.0}, "figures": []}, b"")
        return [0.0, 0.0]
    return {
        "allclose": bool(np.allclose(0.0, 1.0)),
        "sum": float(np.sum([1.0, 2.0])),
        "y": [1.0, 2.0],
    }
