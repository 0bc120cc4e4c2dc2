"""Objects whose __eq__, __array__ or ndarray subclass lie about what they are."""
import numpy as np


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __float__(self):
        raise TypeError("no number here")


class FakeArray:
    def __array__(self, dtype=None, copy=None):
        return np.array([1.0, 2.0, 3.0])

    def __eq__(self, other):
        return True


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def __array_finalize__(self, obj):
        self.secret = "pickle me"


def f(x):
    if x == 1:
        return AlwaysEqual()
    return {
        "fake": FakeArray(),
        "subclass": np.arange(4.0).view(LyingArray),
    }
