"""Write lecture_orbit.npy: the reference's orbit of the lecture's network, the input of the plot cases.

Run from anywhere: ``python make_orbit.py``. The kit carries the orbit as data,
not code that computes it (a kit holds no code that computes a contract
function); tests/assignments/aufgabe5 checks that the file is what the
reference computes.
"""

import importlib.util
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[2] / "reference" / "aufgabe5" / "rnn.py"
ORBIT = HERE / "lecture_orbit.npy"
STEPS = 500
"""The longest orbit a plot case draws; shorter ones are its first rows."""


def orbit() -> np.ndarray:
    """``simulate(STEPS)`` of the reference: from (0, 0) with the lecture's weights, shape (STEPS + 1, 2)."""
    spec = importlib.util.spec_from_file_location("reference_rnn", REFERENCE)
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    return reference.simulate(STEPS)


if __name__ == "__main__":
    np.save(ORBIT, orbit())
