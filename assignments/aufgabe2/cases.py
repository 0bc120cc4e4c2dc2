"""Cases of Aufgabe 2 (Backpropagation mit iRprop⁻).

``train`` draws its initial weights as the student likes, so its result is
never compared with the reference's. Two property checks in ``properties.py``
judge it instead: the XOR runs must reach a small error (recomputed on the
host from the returned weights), and a short run must be exactly what
iRprop⁻ makes of the student's own initial weights, which ``train`` returns
for ``epochs=0``.

Every call gets arrays of its own: ``irprop_minus`` may zero ``grad`` in place,
and no contract function promises to leave its arguments alone.
"""

import numpy as np

from harness.api import Close, Property, case

# A correct float32 solution lies about 1e-6 (relative) away (grader.cases.float32 measures it).
FLOAT = Close(rtol=1e-4, atol=1e-8)
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = np.array([[0.0], [1.0], [1.0], [0.0]])


def _net(seed, sizes, m):
    """Random weights for ``sizes`` and m random input patterns."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(n_in + 1, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    return weights, rng.normal(size=(m, sizes[0])), rng.uniform(size=(m, sizes[-1]))


def _arrays(values):
    """A list of arrays (nested lists as well as arrays come back as plain arrays)."""
    return [np.asarray(v, dtype=float) for v in values]


def _irprop(m, *args, **kwargs):
    delta_w, grad_stored, step = m.irprop_minus(*args, **kwargs)
    return {"delta_w": delta_w, "grad_stored": grad_stored, "step": step}


def _sign_pairs():
    """Every combination of signs (+, -, 0) of grad and prev_grad, twice, with varied steps."""
    values = np.array([0.7, -0.3, 0.0])
    grad = np.tile(np.repeat(values, 3), 2) * np.repeat([1.0, 2.5], 9)
    prev_grad = np.tile(values[::-1], 6) * 1.5
    step = np.linspace(0.05, 0.9, 18)
    return grad, prev_grad, step


def _trajectory(m, X, T, sizes, epochs, step0, seeds):
    runs = []
    for seed in seeds:
        start, _ = m.train(X.copy(), T.copy(), sizes, 0, np.random.default_rng(seed), step0=step0)
        weights, errors = m.train(X.copy(), T.copy(), sizes, epochs, np.random.default_rng(seed), step0=step0)
        runs.append({"start": _arrays(start), "weights": _arrays(weights), "errors": np.asarray(errors, dtype=float)})
    return {"X": X, "T": T, "step0": step0, "runs": runs}


@case("sigmoid/values", points=1, timeout=5, check=FLOAT,
      about="Die Sigmoide elementweise auf einem Vektor und einer Matrix.")
def sigmoid_values(m, ctx):
    x = np.linspace(-30.0, 30.0, 25)
    return {"vector": m.sigmoid(x.copy()), "matrix": m.sigmoid(x[:24].reshape(4, 6).copy())}


@case("forward/xor-net", points=2, timeout=5, check=FLOAT,
      about="Vorwärtsaktivierung eines Netzes 2-3-1 für die vier XOR-Muster: [X, o_1, o_2].")
def forward_xor_net(m, ctx):
    weights, _, _ = _net(201, [2, 3, 1], 1)
    return {"outputs": _arrays(m.forward(weights, XOR_X))}


@case("gradients/xor-net", points=2, timeout=5, check=FLOAT,
      about="Gradienten dE/dw aller Gewichte eines Netzes 2-3-1 für XOR (E als Summe).")
def gradients_xor_net(m, ctx):
    weights, _, _ = _net(201, [2, 3, 1], 1)
    return {"grads": _arrays(m.gradients(weights, XOR_X, XOR_T))}


@case("irprop_minus/sign-combinations", points=2, timeout=5, check=FLOAT,
      about="Alle Vorzeichenkombinationen von grad und prev_grad (auch 0), elementweise.")
def irprop_minus_sign_combinations(m, ctx):
    return _irprop(m, *_sign_pairs())


@case("train/xor", points=3, timeout=120,
      check=Property("xor_solved", max_error=0.05, min_share=0.5),
      about="XOR mit einem Netz 2-4-1, 12 Läufe mit verschiedenen Zufallsgeneratoren, je 300 Epochen.")
def train_xor(m, ctx):
    runs = []
    for seed in range(210, 222):
        weights, errors = m.train(XOR_X.copy(), XOR_T.copy(), [2, 4, 1], 300, np.random.default_rng(seed))
        runs.append({"weights": _arrays(weights), "errors": np.asarray(errors, dtype=float)})
    return {"X": XOR_X, "T": XOR_T, "epochs": 300, "runs": runs}


@case("train/irprop-steps", points=3, timeout=30,
      check=Property("follows_irprop_minus", errors_after=True),
      about="15 Epochen XOR (2-3-1) ab den eigenen Startgewichten (train mit epochs=0) "
            "müssen genau dem iRprop⁻-Verlauf folgen.")
def train_irprop_steps(m, ctx):
    return _trajectory(m, XOR_X, XOR_T, [2, 3, 1], 15, 0.1, [230])


@case("forward/deep", points=1, visibility="hidden", timeout=5, check=FLOAT,
      about="Vorwärtsaktivierung eines Netzes 4-5-3-2 mit zufälligen Gewichten und Mustern.")
def forward_deep(m, ctx):
    weights, X, _ = _net(202, [4, 5, 3, 2], 7)
    return {"outputs": _arrays(m.forward(weights, X))}


@case("forward/no-hidden-layer", points=1, visibility="hidden", timeout=5, check=FLOAT,
      about="Vorwärtsaktivierung eines Netzes ohne versteckte Schicht (3-2).")
def forward_no_hidden_layer(m, ctx):
    weights, X, _ = _net(203, [3, 2], 5)
    return {"outputs": _arrays(m.forward(weights, X))}


@case("gradients/deep", points=2, visibility="hidden", timeout=5, check=FLOAT,
      about="Gradienten eines Netzes 4-5-3-2 mit zufälligen Gewichten, Mustern und Targets.")
def gradients_deep(m, ctx):
    weights, X, T = _net(202, [4, 5, 3, 2], 7)
    return {"grads": _arrays(m.gradients(weights, X, T))}


@case("gradients/no-hidden-layer", points=1, visibility="hidden", timeout=5, check=FLOAT,
      about="Gradienten eines Netzes ohne versteckte Schicht (3-2).")
def gradients_no_hidden_layer(m, ctx):
    weights, X, T = _net(203, [3, 2], 5)
    return {"grads": _arrays(m.gradients(weights, X, T))}


@case("irprop_minus/matrix", points=1, visibility="hidden", timeout=5, check=FLOAT,
      about="Eine Gewichtsmatrix (5, 4) mit zufälligen Vorzeichen und Nullen.")
def irprop_minus_matrix(m, ctx):
    rng = np.random.default_rng(204)
    grad, prev_grad = rng.normal(size=(2, 5, 4)) * rng.integers(0, 2, size=(2, 5, 4))
    return _irprop(m, grad, prev_grad, rng.uniform(0.01, 1.0, size=(5, 4)))


@case("irprop_minus/step-limits", points=1, visibility="public", timeout=5, check=FLOAT,
      about="Schrittweiten an den Grenzen step_max und step_min, mit Standard- und eigenen Grenzen.")
def irprop_minus_step_limits(m, ctx):
    grad = np.array([1.0, -2.0, 0.5, -0.5, 3.0, -1.0])
    prev_grad = np.array([2.0, -1.0, -0.5, 0.5, 1.0, 1.0])
    step = np.array([45.0, 49.0, 1.5e-6, 3e-6, 0.9, 0.015])
    return {
        "default": _irprop(m, grad.copy(), prev_grad.copy(), step.copy()),
        "custom": _irprop(m, grad.copy(), prev_grad.copy(), step.copy(), step_min=0.01, step_max=1.0),
    }


@case("irprop_minus/custom-eta", points=1, visibility="public", timeout=5, check=FLOAT,
      about="Eigene Faktoren eta_plus und eta_minus als Schlüsselwortargumente.")
def irprop_minus_custom_eta(m, ctx):
    return _irprop(m, *_sign_pairs(), eta_plus=1.5, eta_minus=0.25)


@case("train/irprop-steps-deep", points=3, visibility="hidden", timeout=30,
      check=Property("follows_irprop_minus"),
      about="20 Epochen eines Netzes 3-4-2 auf Zufallsdaten ab den eigenen Startgewichten, zwei Läufe.")
def train_irprop_steps_deep(m, ctx):
    rng = np.random.default_rng(205)
    X = rng.normal(size=(10, 3))
    T = (rng.uniform(size=(10, 2)) > 0.5).astype(float)
    return _trajectory(m, X, T, [3, 4, 2], 20, 0.05, [231, 232])


@case("train/irprop-steps-large-step0", points=3, visibility="public", timeout=30,
      check=Property("follows_irprop_minus"),
      about="Große Startschrittweite step0=0.5: der Fehler steigt zwischendurch, trotzdem kein Zurücknehmen.")
def train_irprop_steps_large_step0(m, ctx):
    return _trajectory(m, XOR_X, XOR_T, [2, 3, 1], 15, 0.5, [233])


# --- Cases added for the mutation tests (issue 18, `grader mutants`): each one catches
# --- mutants of the reference that every case above let pass.

@case("train/irprop-steps-default-step0", points=1, visibility="hidden", timeout=30,
      check=Property("follows_irprop_minus"),
      about="Ohne step0: jede Schrittweite beginnt beim vorgegebenen Wert 0.1.")
def train_irprop_steps_default_step0(m, ctx):
    start, _ = m.train(XOR_X.copy(), XOR_T.copy(), [2, 3, 1], 0, np.random.default_rng(241))
    weights, errors = m.train(XOR_X.copy(), XOR_T.copy(), [2, 3, 1], 15, np.random.default_rng(241))
    run = {"start": _arrays(start), "weights": _arrays(weights), "errors": np.asarray(errors, dtype=float)}
    return {"X": XOR_X, "T": XOR_T, "step0": 0.1, "runs": [run]}
