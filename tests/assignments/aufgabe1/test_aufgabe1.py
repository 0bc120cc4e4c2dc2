"""Aufgabe 1 on its own: no pattern of a case lies within rounding of the threshold.

What every Aufgabe must show (full marks, the losses of each mistake) is in tests/assignments/test_every_aufgabe.py.
"""

import types

import numpy as np
import pytest

from grader import PROJECT
from grader.cases.assignment import load


def _reference_recording_phi(phis: list) -> types.ModuleType:
    """The reference as a fresh module whose ``output`` records every phi it decides on."""
    module = types.ModuleType("perceptron")
    source = (PROJECT / "reference" / "aufgabe1" / "perceptron.py").read_text()
    exec(compile(source, "perceptron.py", "exec"), module.__dict__)
    decide = module.output

    def output(w, x):
        w = np.asarray(w, dtype=float)
        phis.extend(np.atleast_1d(np.asarray(x, dtype=float) @ w[:-1] + w[-1]))
        return decide(w, x)

    module.output = output
    return module


@pytest.mark.parametrize("case", load(1).cases, ids=lambda c: c.name)
def test_no_pattern_lies_within_rounding_of_the_threshold(case, tmp_path):
    """Otherwise a correct solution that sums in another order could decide differently."""
    phis = []
    case.func(_reference_recording_phi(phis), types.SimpleNamespace(scratch=tmp_path))
    phis = np.array(phis)
    assert len(phis) > 0
    assert np.all((phis == 0) | (np.abs(phis) > 1e-9)), np.min(np.abs(phis[phis != 0]))
