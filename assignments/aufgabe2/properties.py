"""Property checks of Aufgabe 2: judging ``train``, whose initial weights are the student's choice.

Everything is recomputed here on the host from the returned weights, with
the inputs taken from the reference's run of the case (``expected``), never
from the submission. The net is the contract's: ``weights[l]`` of shape
(n_l + 1, n_{l+1}), bias row last, sigmoid in every layer, E a sum.

Host only: the forward pass, backpropagation and iRprop⁻ below solve the
Aufgabe. The student kit gets ``kit_properties.py`` instead, whose checks of
shapes and finite values these share.
"""

import importlib.util
from pathlib import Path

import numpy as np

from grader.judging.compare import Judgement, differences, training_divergence


def _kit_properties():
    """``kit_properties.py`` beside this file (this one is loaded by path, not as a package)."""
    spec = importlib.util.spec_from_file_location("aufgabe2_kit_properties", Path(__file__).with_name("kit_properties.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_kit = _kit_properties()

ETA_PLUS, ETA_MINUS, STEP_MIN, STEP_MAX = 1.2, 0.5, 1e-6, 50.0
DEFAULT_STEP0 = 0.1


def _outputs(weights, X):
    outputs = [X]
    with np.errstate(over="ignore"):  # saturated neurons of a trained net
        for W in weights:
            outputs.append(1.0 / (1.0 + np.exp(-(outputs[-1] @ W[:-1] + W[-1]))))
    return outputs


def _error(weights, X, T):
    return 0.5 * float(np.sum((_outputs(weights, X)[-1] - T) ** 2))


def _gradients(weights, X, T):
    outputs = _outputs(weights, X)
    e = (outputs[-1] - T) * outputs[-1] * (1.0 - outputs[-1])
    grads = []
    for layer in reversed(range(len(weights))):
        o = outputs[layer]
        grads.insert(0, np.vstack([o.T @ e, e.sum(axis=0)]))
        e = (e @ weights[layer][:-1].T) * o * (1.0 - o)
    return grads


def _irprop_minus_run(start, X, T, epochs, step0):
    """iRprop⁻ from ``start``: the final weights and E before and after each epoch's change."""
    weights = [W.copy() for W in start]
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.full_like(W, step0) for W in weights]
    before, after = [], []
    for _ in range(epochs):
        before.append(_error(weights, X, T))
        for layer, grad in enumerate(_gradients(weights, X, T)):
            same = grad * prev[layer]
            steps[layer] = np.where(same > 0, np.minimum(steps[layer] * ETA_PLUS, STEP_MAX), steps[layer])
            steps[layer] = np.where(same < 0, np.maximum(steps[layer] * ETA_MINUS, STEP_MIN), steps[layer])
            prev[layer] = np.where(same < 0, 0.0, grad)
            weights[layer] = weights[layer] - np.sign(prev[layer]) * steps[layer]
        after.append(_error(weights, X, T))
    return weights, np.array(before), np.array(after)


def _irprop_plus_run(start, X, T, epochs, step0):
    """iRprop⁺ from ``start``: like iRprop⁻, but where a gradient changed sign while E rose, the
    weight's last change is taken back. Not the contract: the weights a typical mistake makes."""
    weights = [W.copy() for W in start]
    prev = [np.zeros_like(W) for W in weights]
    steps = [np.full_like(W, step0) for W in weights]
    taken = [np.zeros_like(W) for W in weights]
    error = np.inf
    for _ in range(epochs):
        rose, error = _error(weights, X, T) > error, _error(weights, X, T)
        for layer, grad in enumerate(_gradients(weights, X, T)):
            same = grad * prev[layer]
            steps[layer] = np.where(same > 0, np.minimum(steps[layer] * ETA_PLUS, STEP_MAX), steps[layer])
            steps[layer] = np.where(same < 0, np.maximum(steps[layer] * ETA_MINUS, STEP_MIN), steps[layer])
            prev[layer] = np.where(same < 0, 0.0, grad)
            delta = -np.sign(prev[layer]) * steps[layer]
            delta = np.where(rose & (prev[layer] == 0) & (grad != 0), -taken[layer], delta)
            weights[layer] = weights[layer] + delta
            taken[layer] = delta
    return weights


def _variant(run, X, T, epochs, step0, rtol, atol) -> str:
    """Which typical variant of the training the run's weights are, "" where none."""
    def same(weights):
        return all(
            np.shape(want) == np.shape(got) and np.allclose(got, want, rtol=rtol, atol=atol)
            for want, got in zip(weights, run["weights"], strict=True)
        )
    if step0 != DEFAULT_STEP0 and same(_irprop_minus_run(run["start"], X, T, epochs, DEFAULT_STEP0)[0]):
        return "step0-ignored"
    if same(_irprop_plus_run(run["start"], X, T, epochs, step0)):
        return "irprop-plus"
    if _bias_rows_untrained(run["start"], run["weights"]):
        return "bias-rows-untrained"
    return ""


def _bias_rows_untrained(start, weights) -> bool:
    """Every layer's bias row (the last) is still the start's, and the other rows moved."""
    try:
        pairs = [(np.asarray(a, dtype=float), np.asarray(b, dtype=float)) for a, b in zip(start, weights, strict=True)]
    except (TypeError, ValueError):
        return False
    return all(a.ndim == 2 and a.shape == b.shape for a, b in pairs) and all(
        np.array_equal(a[-1], b[-1]) and not np.array_equal(a[:-1], b[:-1]) for a, b in pairs
    )


def xor_solved(expected, got, *, reveal, expected_figures, figures, max_error, min_share):
    """Enough runs end with E < ``max_error``, recomputed from their weights; errors fits.

    A run counts when the recomputed E is below ``max_error`` and its errors
    fell overall (last below first). Any malformed run fails the case.
    """
    X, T = expected["X"], expected["T"]
    problem = _kit._xor_problem(expected, got)
    if problem:
        return Judgement(False, problem)
    runs = got["runs"]
    solved = 0
    for run in runs:
        errors = run["errors"]
        if _error(run["weights"], X, T) < max_error and errors[-1] < errors[0]:
            solved += 1
    needed = int(np.ceil(min_share * len(runs)))
    if solved < needed:
        return Judgement(
            False,
            f"Nur {solved} von {len(runs)} Läufen lernen XOR (E < {max_error}, aus den "
            f"zurückgegebenen Gewichten nachgerechnet, und errors fällt); nötig sind {needed}.",
        )
    return Judgement(True, f"Richtig: {solved} von {len(runs)} Läufen lernen XOR (E < {max_error}).")


def follows_irprop_minus(expected, got, *, reveal, expected_figures, figures, rtol=1e-4, atol=1e-6, errors_after=False):
    """The trained weights are what iRprop⁻ makes of the run's own initial weights.

    The initial weights are ``train(..., epochs=0)`` with the same seed. The
    error log holds E after each epoch's weight change (the contract); where
    ``errors_after`` is false it may hold E before it (from the forward pass of
    the gradients) as well: one required case judges that behaviour, the others
    do not count it again.
    """
    X, T, step0 = expected["X"], expected["T"], expected["step0"]
    problem = _kit._trajectory_problem(expected, got)
    if problem:
        return Judgement(False, problem)
    runs = got["runs"]
    for index, (reference, run) in enumerate(zip(expected["runs"], runs, strict=True)):
        label = f"Lauf {index + 1}: " if len(runs) > 1 else ""
        epochs = len(reference["errors"])
        weights, before, after = _irprop_minus_run(run["start"], X, T, epochs, step0)
        problems = [
            problem
            for layer, (want, got_w) in enumerate(zip(weights, run["weights"], strict=True))
            for problem in differences(want, got_w, f"weights[{layer}]", rtol=rtol, atol=atol, reveal=reveal)
        ]
        if problems:
            problems[:0] = training_divergence(
                weights, run["weights"], start=run["start"], errors=run["errors"], candidates=[after, before],
                rtol=rtol, atol=atol,
            )
            return Judgement(
                False,
                f"{label}Die Gewichte nach {epochs} Epochen sind nicht das, was iRprop⁻ von den "
                f"eigenen Startgewichten (train mit epochs=0, gleicher Zufallsgenerator) aus ergibt. "
                + " ".join(problems),
                _variant(run, X, T, epochs, step0, rtol, atol),
            )
        errors = run["errors"]
        logged_before = np.allclose(errors, before, rtol=rtol, atol=atol)
        if not (np.allclose(errors, after, rtol=rtol, atol=atol) or (logged_before and not errors_after)):
            first = int(np.argmax(~np.isclose(errors, after, rtol=rtol, atol=atol)))
            detail = f": erhalten {errors[first]:.6g}, erwartet {after[first]:.6g}" if reveal else ""
            why = (
                " errors[e] ist hier E vor der Gewichtsänderung der Epoche e; verlangt ist E mit den "
                "Gewichten danach." if logged_before else ""
            )
            return Judgement(
                False,
                f"{label}Die Gewichte stimmen, aber errors ist nicht E = 1/2 · Summe (o - t)² nach jeder "
                f"Epoche; zuerst in Epoche {first}{detail}.{why}",
                "errors-before-change" if logged_before else "",
            )
    return Judgement(True, "Richtig: das Training folgt genau iRprop⁻.")
