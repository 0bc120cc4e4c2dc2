"""What the student kit judges of Aufgabe 2's ``train`` cases: all that needs no backpropagation.

The kit checks the shapes, finite values and the student's own error log. Whether
the weights really are what iRprop⁻ makes of them needs the forward pass,
backpropagation and iRprop⁻ themselves, which never go into a kit: that part
is judged at hand-in by ``properties.py``, which starts with the same checks as here.
"""

import numpy as np

from grader.judging.compare import Judgement


class AtHandIn(Exception):
    """All the kit can check holds; the rest is judged at hand-in. The message says what (German)."""


def _shape_problem(expected_weights, got_weights, what):
    """A German sentence if ``got_weights`` is not a list of finite arrays of the expected shapes."""
    if not isinstance(got_weights, list) or len(got_weights) != len(expected_weights):
        return f"{what} ist keine Liste von {len(expected_weights)} Gewichtsmatrizen."
    for layer, (expected, got) in enumerate(zip(expected_weights, got_weights, strict=True)):
        if not isinstance(got, np.ndarray) or got.shape != expected.shape:
            shape = got.shape if isinstance(got, np.ndarray) else None
            return f"{what}[{layer}] hat die Form {shape}, erwartet {expected.shape}."
        if not np.all(np.isfinite(got)):
            return f"{what}[{layer}] enthält NaN oder unendliche Werte."
    return None


def _errors_problem(epochs, errors):
    if not isinstance(errors, np.ndarray) or errors.shape != (epochs,):
        shape = errors.shape if isinstance(errors, np.ndarray) else None
        return f"errors hat die Form {shape}, erwartet ({epochs},)."
    if not np.all(np.isfinite(errors)):
        return "errors enthält NaN oder unendliche Werte."
    return None


def _runs_problem(expected, got):
    """A German sentence if ``got`` is not one run per expected run."""
    runs = got.get("runs") if isinstance(got, dict) else None
    if not isinstance(runs, list) or len(runs) != len(expected["runs"]) or not all(isinstance(r, dict) for r in runs):
        return f"Es kamen nicht die {len(expected['runs'])} Trainingsläufe zurück."
    return None


def _xor_problem(expected, got):
    """A German sentence if the XOR runs are malformed: runs, weights' shapes, errors."""
    problem = _runs_problem(expected, got)
    if problem:
        return problem
    for index, (reference, run) in enumerate(zip(expected["runs"], got["runs"], strict=True)):
        problem = _shape_problem(reference["weights"], run.get("weights"), "weights") or _errors_problem(
            expected["epochs"], run.get("errors")
        )
        if problem:
            return f"Lauf {index + 1}: {problem}"
    return None


def _trajectory_problem(expected, got):
    """A German sentence if the runs from their own initial weights are malformed."""
    problem = _runs_problem(expected, got)
    if problem:
        return problem
    for index, (reference, run) in enumerate(zip(expected["runs"], got["runs"], strict=True)):
        label = f"Lauf {index + 1}: " if len(got["runs"]) > 1 else ""
        problem = (
            _shape_problem(reference["start"], run.get("start"), "Die Startgewichte (epochs=0)")
            or _shape_problem(reference["weights"], run.get("weights"), "weights")
            or _errors_problem(len(reference["errors"]), run.get("errors"))
        )
        if problem:
            return label + problem
    return None


def xor_solved(expected, got, *, reveal, expected_figures, figures, max_error, min_share):
    """Enough runs whose own error log ends below ``max_error`` and fell overall; shapes fit."""
    problem = _xor_problem(expected, got)
    if problem:
        return Judgement(False, problem)
    runs = got["runs"]
    solved = sum(bool(r["errors"][-1] < max_error and r["errors"][-1] < r["errors"][0]) for r in runs)
    needed = int(np.ceil(min_share * len(runs)))
    if solved < needed:
        return Judgement(
            False,
            f"Nur {solved} von {len(runs)} Läufen lernen XOR laut ihrem errors (letzter Wert < {max_error} "
            f"und kleiner als der erste); nötig sind {needed}.",
        )
    raise AtHandIn(
        f"Laut errors lernen {solved} von {len(runs)} Läufen XOR. Ob die zurückgegebenen Gewichte "
        "das bestätigen (E aus ihnen nachgerechnet), wird bei der Abgabe geprüft."
    )


def follows_irprop_minus(expected, got, *, reveal, expected_figures, figures, rtol=1e-4, atol=1e-6, errors_after=False):
    """Initial weights, trained weights and errors of the right shapes, all finite."""
    problem = _trajectory_problem(expected, got)
    if problem:
        return Judgement(False, problem)
    raise AtHandIn(
        "Startgewichte, Gewichte und errors haben die richtigen Formen. Ob das Training genau "
        "iRprop⁻ folgt, wird bei der Abgabe geprüft."
    )
