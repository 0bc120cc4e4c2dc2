"""Cases of Aufgabe 5 (Rekurrentes Netz aus zwei Neuronen): step, simulate, plot.

With the lecture's weights the map is chaotic: two correct implementations
that round differently drift apart after about 90 steps. Long runs are
therefore judged as a Trajectory (the first 25 steps within 1e-3, then the
attractor as a point cloud); the tolerances are calibrated in
tests/assignments/aufgabe5. Weights for which the map is not chaotic (a fixed
point, a periodic orbit) are compared exactly.
"""

import matplotlib.figure
import numpy as np

from harness.api import Close, LabelledAxes, ShowsPoints, Trajectory, case

LECTURE_W = np.array([[-4.0, 1.5], [-1.5, 0.0]])
# float32 arithmetic drifts from the reference by about 1e-5 in 10 steps of the chaotic map and by
# 4e-5 in 25, then fast (grader.cases.float32 measures it): 25 steps are compared within 1e-3.
ATTRACTOR = Trajectory(tight_steps=25, atol=1e-3, cloud_tol=0.05, outlier_share=0.02)
FLOAT = Close(rtol=1e-3, atol=1e-6)


LECTURE_ORBIT = "lecture_orbit.npy"


def _lecture_orbit(ctx, n_steps):
    """Input for the plot cases: the network's own orbit, so that it looks like what students plot.

    Stored as data (made by data/make_orbit.py from the reference), not computed:
    the kit carries this code and holds none that computes a contract function.
    """
    return np.load(ctx.resource(LECTURE_ORBIT))[: n_steps + 1]


def _states(seed, count):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(count, 2))


# step


@case(
    "step/origin",
    points=1,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="Ein Schritt mit den Gewichten der Vorlesung von o = (0, 0) aus.",
)
def step_origin(m, ctx):
    return m.step(np.zeros(2))


@case(
    "step/lecture-weights",
    points=2,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="Je ein Schritt mit den Gewichten der Vorlesung von fünf zufälligen Zuständen aus.",
)
def step_lecture(m, ctx):
    return [m.step(o) for o in _states(501, 5)]


@case(
    "step/other-weights",
    points=2,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="Je ein Schritt mit anderen Gewichten und Bias-Gewichten, übergeben als W= und bias=.",
)
def step_other(m, ctx):
    rng = np.random.default_rng(502)
    results = []
    for o in _states(503, 4):
        W, bias = rng.uniform(-3.0, 3.0, size=(2, 2)), rng.uniform(-1.0, 1.0, size=2)
        results.append(m.step(o, W=W, bias=bias))
    return results


@case(
    "step/input-unchanged",
    points=1,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="step gibt einen neuen Zustand zurück und lässt das übergebene o (und W, bias) unverändert.",
)
def step_input_unchanged(m, ctx):
    o, W, bias = np.array([0.3, -0.2]), np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([0.1, -0.4])
    m.step(o, W=W, bias=bias)
    return {"o": o, "W": W, "bias": bias}


# simulate


@case(
    "simulate/first-steps",
    points=2,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="Die ersten 10 Schritte von (0, 0) aus: Form (11, 2), Zeile 0 ist der Startwert.",
)
def simulate_first(m, ctx):
    return m.simulate(10)


@case(
    "simulate/start-value",
    points=1,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="Die ersten 10 Schritte von einem anderen Startwert o0 aus: Zeile 0 ist o0, die Schritte gehen von dort aus.",
)
def simulate_start_value(m, ctx):
    return m.simulate(10, o0=np.array([0.3, -0.2]))


@case(
    "simulate/attractor",
    points=3,
    visibility="public",
    timeout=20,
    check=ATTRACTOR,
    about="1000 Schritte von (0, 0) aus: 25 Schritte genau, danach der Attraktor als Punktwolke.",
)
def simulate_attractor(m, ctx):
    return m.simulate(1000)


@case(
    "simulate/attractor-other-start",
    points=2,
    visibility="hidden",
    timeout=20,
    check=ATTRACTOR,
    about="1500 Schritte von einem anderen Startwert aus, als Trajektorie auf dem Attraktor geprüft.",
)
def simulate_other_start(m, ctx):
    return m.simulate(1500, o0=np.array([0.3, -0.2]))


@case(
    "simulate/fixed-point",
    points=1,
    visibility="public",
    timeout=10,
    check=FLOAT,
    about="Mit kleinen Gewichten läuft das Netz in einen Fixpunkt.",
)
def simulate_fixed_point(m, ctx):
    W, bias = np.array([[0.5, -0.4], [0.3, 0.2]]), np.array([0.1, -0.2])
    return m.simulate(60, o0=np.array([0.9, -0.9]), W=W, bias=bias)


@case(
    "simulate/periodic",
    points=1,
    visibility="hidden",
    timeout=10,
    check=FLOAT,
    about="Mit einem anderen Bias-Gewicht läuft das Netz in einen Zyklus der Länge 4.",
)
def simulate_periodic(m, ctx):
    return m.simulate(200, W=LECTURE_W, bias=np.array([-2.8, 0.125]))


@case(
    "simulate/zero-steps",
    points=1,
    visibility="hidden",
    timeout=10,
    check=FLOAT,
    about="Null Schritte: nur der Startwert, Form (1, 2).",
)
def simulate_zero(m, ctx):
    return m.simulate(0, o0=np.array([0.5, -0.25]))


# plot

PHASE = {"min_share": 0.9, "tol": 1e-6}


def _drawn_figure(m, ctx):
    """The figure plot draws for the lecture's orbit; returned so that it is captured
    even when it was not drawn with pyplot."""
    figure = m.plot(_lecture_orbit(ctx, 500))
    return figure if isinstance(figure, matplotlib.figure.Figure) else None


@case(
    "plot/phase-diagram",
    points=4,
    visibility="public",
    timeout=20,
    check=ShowsPoints(x="o_1", y="o_2", **PHASE),
    about="Die Abbildung zeigt die Punkte (o_1, o_2) einer Trajektorie: o_1 auf der x-, o_2 auf der y-Achse.",
)
def plot_phase(m, ctx):
    return _drawn_figure(m, ctx)


@case(
    "plot/axis-labels",
    points=1,
    visibility="public",
    timeout=20,
    check=LabelledAxes(**PHASE),
    about="Das Diagramm der Trajektorie hat eine beschriftete x- und y-Achse.",
)
def plot_labels(m, ctx):
    return _drawn_figure(m, ctx)


@case(
    "plot/returns-figure",
    points=1,
    visibility="public",
    timeout=20,
    check=Close(),
    about="plot gibt die matplotlib-Figure zurück.",
)
def plot_returns(m, ctx):
    import matplotlib.pyplot as plt

    figure = m.plot(_lecture_orbit(ctx, 50))
    kind = "Figure" if isinstance(figure, matplotlib.figure.Figure) else type(figure).__name__
    # Only the type counts here; the picture is shown by plot/phase-diagram. Closed,
    # it is neither rendered in the sandbox nor shown a third time in the report.
    plt.close("all")
    return kind
