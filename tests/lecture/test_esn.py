"""Echo state network on Mackey-Glass against published error levels; reservoir properties."""

import numpy as np
import pytest

from reference.lecture.esn import ESN, mackey_glass, nrmse


@pytest.fixture(scope="module")
def series():
    # Jaeger (2001) squashes the series with tanh(x - 1) before feeding it to the reservoir.
    return np.tanh(mackey_glass(2600) - 1.0)


def test_mackey_glass_stays_on_its_attractor_and_integrates_accurately():
    x = mackey_glass(1000)
    # The tau = 17 attractor lies between about 0.42 and 1.33.
    assert 0.35 < x.min() < 0.5 and 1.25 < x.max() < 1.4, f"range {x.min():.3f}..{x.max():.3f}"
    # Short horizon: the series is chaotic, so any error grows exponentially with time.
    coarse, fine = mackey_glass(50, washout=100), mackey_glass(50, dt=0.01, washout=100)
    assert np.max(np.abs(fine - coarse)) < 1e-3, "Heun with dt=0.1 differs from dt=0.01"


def test_reservoir_is_sparse_with_the_set_spectral_radius():
    esn = ESN(400, np.random.default_rng(0), spectral_radius=0.9, connectivity=0.05)
    radius = np.max(np.abs(np.linalg.eigvals(esn.W)))
    assert radius == pytest.approx(0.9, rel=1e-9)
    assert np.mean(esn.W != 0) == pytest.approx(0.05, abs=0.005)


def test_echo_state_property_forgets_the_initial_state():
    rng = np.random.default_rng(1)
    esn = ESN(200, rng, spectral_radius=0.9)
    u = rng.uniform(-1, 1, 200)
    final = []
    for x0 in (np.zeros(200), rng.uniform(-1, 1, 200)):
        esn.x = x0
        for u_t in u:
            esn.step(u_t)
        final.append(esn.x.copy())
    assert np.max(np.abs(final[0] - final[1])) < 1e-6


def test_esn_predicts_mackey_glass_84_steps_ahead(series):
    """Free-running prediction 84 steps ahead, the benchmark of Jaeger & Haas (2004).

    They report NRMSE84 of about 10**-4.2 with 1000 neurons and 3000 training
    steps; with 500 neurons, 2000 steps and no extra tricks we reach about
    5e-3 (seeds 0-5: 2.7e-3 to 4.7e-3). A prediction that repeats the last
    value has NRMSE84 of about 2.
    """
    n_train = 2000
    esn = ESN(500, np.random.default_rng(0), spectral_radius=0.95, leak=0.3)
    fitted = esn.fit(series[:n_train], series[1:n_train + 1])
    assert nrmse(fitted, series[101:n_train + 1]) < 1e-3, "one-step training error"
    prediction = esn.generate(series[n_train], 84)
    target = series[n_train + 1:n_train + 85]
    error = nrmse(prediction, target)
    persistence = nrmse(np.full(84, series[n_train]), target)
    assert error < 1e-2, f"NRMSE84 {error:.2e} (persistence: {persistence:.2f})"
