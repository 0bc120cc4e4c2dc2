"""Cases of Aufgabe 1 (Perzeptron-Lernregel): ``output`` and ``train``.

Every call gets arrays of its own: the contract lets a function modify its
arguments (``train``'s ``w0`` excepted), so no array is passed twice.

Weights that start at multiples of 1/8 keep every sum exact, so ``phi == 0``
happens exactly where it should and every correct summation order agrees.
The random data sets keep a margin around their separating plane, so no
pattern ever lies within rounding distance of the neuron's threshold.
"""

import numpy as np

from harness.api import Close, case

# Trained weights: a correct float32 solution ends up about 2e-5 (relative) away after 100 epochs on real
# inputs (grader.cases.float32 measures it); the mistakes differ by whole updates.
WEIGHTS = Close(rtol=1e-3, atol=1e-5)
LOGIC_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def _separable(seed, m, n):
    """m patterns in [-1, 1]^n, labelled by a random plane, at least 0.1 away from it."""
    rng = np.random.default_rng(seed)
    plane = rng.normal(size=n + 1)
    plane /= np.linalg.norm(plane[:-1])
    X = rng.uniform(-1.0, 1.0, size=(4 * m, n))
    phi = X @ plane[:-1] + plane[-1]
    keep = np.abs(phi) > 0.1
    X, phi = X[keep][:m], phi[keep][:m]
    return X, (phi > 0).astype(int), rng.uniform(-0.5, 0.5, size=n + 1)


def _trained(m, X, T, w0, **kwargs):
    w, epochs = m.train(X, T, w0, **kwargs)
    return {"w": w, "epochs": epochs}


@case("output/single", points=1, timeout=5,
      about="Ausgabe für einzelne Eingabevektoren der Form (n,): jeweils 0 oder 1.")
def output_single(m, ctx):
    w = np.array([1.0, -2.0, 0.5])
    patterns = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [3.0, 1.0]]
    return {"o": [m.output(w.copy(), np.array(x)) for x in patterns]}


@case("output/batch", points=1, timeout=5,
      about="Ausgabe für eine Matrix von Mustern der Form (m, n): ein Vektor der Form (m,).")
def output_batch(m, ctx):
    rng = np.random.default_rng(101)
    return {"o": m.output(rng.normal(size=4), rng.normal(size=(6, 3)))}


@case("output/phi-zero", points=1, timeout=5,
      about="Genau an der Schwelle (phi == 0) ist die Ausgabe 0, nicht 1.")
def output_phi_zero(m, ctx):
    w = np.array([0.5, 0.25, -1.0])
    return {
        "single": m.output(w.copy(), np.array([1.0, 2.0])),
        "batch": m.output(w.copy(), np.array([[1.0, 2.0], [2.0, 0.0], [0.0, 4.0], [2.0, 1.0]])),
    }


@case("train/and", points=2, timeout=10, check=WEIGHTS,
      about="AND lernen, Startgewichte 0: Endgewichte und Zahl der Epochen.")
def train_and(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 0, 0, 1]), np.zeros(3))


@case("train/or", points=2, timeout=10, check=WEIGHTS,
      about="OR lernen, Startgewichte 0: Endgewichte und Zahl der Epochen.")
def train_or(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 1, 1, 1]), np.zeros(3))


@case("train/not", points=1, timeout=10, check=WEIGHTS,
      about="NOT lernen (ein Eingang), Startgewichte 0.")
def train_not(m, ctx):
    return _trained(m, np.array([[0], [1]]), np.array([1, 0]), np.zeros(2))


@case("train/xor", points=2, timeout=10, check=WEIGHTS,
      about="XOR ist nicht linear trennbar: nach max_epochs ohne fehlerfreie Epoche ist epochs 0.")
def train_xor(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 1, 1, 0]), np.zeros(3))


@case("output/integer-grid", points=1, visibility="hidden", timeout=5,
      about="Ganzzahlige Gewichte und Muster, viele davon genau auf der Schwelle.")
def output_integer_grid(m, ctx):
    rng = np.random.default_rng(104)
    w = rng.integers(-2, 3, size=4).astype(float)
    X = rng.integers(-2, 3, size=(30, 3)).astype(float)
    return {"batch": m.output(w.copy(), X.copy()), "single": [m.output(w.copy(), x.copy()) for x in X[:5]]}


@case("output/real-valued", points=1, visibility="hidden", timeout=5,
      about="Reellwertige Gewichte und Muster, einzeln und als Matrix.")
def output_real_valued(m, ctx):
    rng = np.random.default_rng(103)
    w = rng.normal(size=6)
    X = rng.normal(size=(12, 5))
    return {"batch": m.output(w.copy(), X.copy()), "single": [m.output(w.copy(), x.copy()) for x in X[:4]]}


@case("train/nand", points=2, visibility="hidden", timeout=10, check=WEIGHTS,
      about="NAND lernen von gegebenen Startgewichten aus.")
def train_nand(m, ctx):
    return _trained(m, LOGIC_X, np.array([1, 1, 1, 0]), np.array([0.25, -0.5, 0.125]))


@case("train/and-from-w0", points=1, visibility="public", timeout=10, check=WEIGHTS,
      about="AND lernen von gegebenen Startgewichten aus.")
def train_and_from_w0(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 0, 0, 1]), np.array([0.25, -0.5, 0.125]))


@case("train/separable-2d", points=2, visibility="hidden", timeout=10, check=WEIGHTS,
      about="Zufällige linear trennbare Punktmenge in 2D mit reellen Eingaben.")
def train_separable_2d(m, ctx):
    return _trained(m, *_separable(106, 30, 2))


@case("train/separable-5d", points=2, visibility="hidden", timeout=10, check=WEIGHTS,
      about="Zufällige linear trennbare Punktmenge in 5D mit reellen Eingaben.")
def train_separable_5d(m, ctx):
    return _trained(m, *_separable(108, 40, 5))


@case("train/already-solved", points=1, visibility="hidden", timeout=10, check=WEIGHTS,
      about="Die Startgewichte lösen OR schon: die erste Epoche ist fehlerfrei.")
def train_already_solved(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 1, 1, 1]), np.array([1.0, 1.0, -0.5]))


@case("train/converges-in-last-epoch", points=1, visibility="public", timeout=10, check=WEIGHTS,
      about="AND braucht genau max_epochs Epochen: die letzte erlaubte Epoche zählt noch.")
def train_converges_in_last_epoch(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 0, 0, 1]), np.zeros(3), max_epochs=6)


@case("train/max-epochs-too-small", points=1, visibility="public", timeout=10, check=WEIGHTS,
      about="AND mit einer Epoche zu wenig: epochs ist 0, w der Stand nach max_epochs Epochen.")
def train_max_epochs_too_small(m, ctx):
    return _trained(m, LOGIC_X, np.array([0, 0, 0, 1]), np.zeros(3), max_epochs=4)


@case("train/not-separable", points=1, visibility="hidden", timeout=10, check=WEIGHTS,
      about="Eine nicht linear trennbare Punktmenge mit reellen Eingaben und max_epochs=15.")
def train_not_separable(m, ctx):
    rng = np.random.default_rng(106)
    X = rng.normal(size=(12, 3))
    T = (np.sum(X**2, axis=1) > 3.0).astype(int)
    return _trained(m, X, T, rng.uniform(-0.5, 0.5, size=4), max_epochs=15)


@case("train/w0-unchanged", points=1, visibility="public", timeout=10, check=WEIGHTS,
      about="train darf das übergebene Array w0 nicht verändern.")
def train_w0_unchanged(m, ctx):
    w0 = np.array([0.25, -0.5, 0.125])
    m.train(LOGIC_X.astype(float), np.array([0, 0, 0, 1]), w0)
    return {"w0_after_train": w0}


# --- Cases added for the mutation tests (issue 18, `grader mutants`): each one catches
# --- mutants of the reference that every case above let pass.

@case("train/default-max-epochs", points=1, visibility="public", timeout=10, check=WEIGHTS,
      about="Ohne max_epochs, nicht linear trennbar: nach den vorgegebenen 100 Epochen ist epochs 0, w der Stand danach.")
def train_default_max_epochs(m, ctx):
    rng = np.random.default_rng(107)
    X = rng.normal(size=(12, 3))
    T = (np.sum(X**2, axis=1) > 3.0).astype(int)
    return _trained(m, X, T, rng.uniform(-0.5, 0.5, size=4))
