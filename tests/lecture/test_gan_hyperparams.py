"""GAN on MNIST (short, measurable properties); random vs grid search."""

import numpy as np
import pytest

from reference.lecture import optimizers
from reference.lecture.gan import GAN
from reference.lecture.hyperparams import grid_search, random_search, sample


def test_gan_generator_moves_towards_the_digits(mnist):
    images, _ = mnist
    rng = np.random.default_rng(0)
    gan = GAN(16, 64, 784, rng, optimizers.Adam(eta=2e-3, beta1=0.5), optimizers.Adam(eta=2e-3, beta1=0.5))
    real_mean = images.mean(axis=0)
    distance_before = np.abs(gan.generate(500).mean(axis=0) - real_mean).mean()
    d_losses, g_losses = gan.train(images, steps=300, batch_size=32)
    distance_after = np.abs(gan.generate(500).mean(axis=0) - real_mean).mean()
    # D's loss must move away from that of the untrained D (seeds 0-2: 0.5-1.1 -> 0.15-0.36).
    d_late = np.mean(d_losses[-50:])
    assert abs(d_late - d_losses[0]) > 0.05, f"D loss {d_losses[0]:.3f} -> {d_late:.3f}"
    # Seeds 0-2: 0.37 -> 0.08-0.10.
    assert distance_after < 0.5 * distance_before, (
        f"mean |mean generated - mean real| pixel: {distance_before:.3f} -> {distance_after:.3f}"
    )
    assert np.all(np.isfinite(g_losses))


def test_generator_step_changes_only_the_generator():
    rng = np.random.default_rng(1)
    gan = GAN(4, 8, 10, rng, optimizers.SGD(0.1), optimizers.SGD(0.1))
    d_before = [p.copy() for p in gan.discriminator.params()]
    g_before = [p.copy() for p in gan.generator.params()]
    gan.generator_step(5)
    assert all(np.array_equal(a, b) for a, b in zip(d_before, gan.discriminator.params()))
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, gan.generator.params()))


def make_objective(best_lr):
    """Only ``lr`` matters much (Bergstra & Bengio's low effective dimension)."""
    return lambda lr, momentum: (np.log10(lr) - np.log10(best_lr)) ** 2 + 0.01 * (momentum - 0.5) ** 2


def test_random_search_beats_grid_search_with_the_same_budget():
    """Nine trials: the grid tries 3 learning rates, random search 9; over 100 unknown optima it wins."""
    grid = {"lr": [1e-4, 1e-2, 1.0], "momentum": [0.0, 0.45, 0.9]}
    space = {"lr": (1e-4, 1.0, "log"), "momentum": (0.0, 0.9, "linear")}
    rng = np.random.default_rng(3)
    grid_values, random_values = [], []
    for best_lr in 10 ** rng.uniform(-4, 0, size=100):
        objective = make_objective(best_lr)
        _, value, trials = grid_search(objective, grid)
        assert len(trials) == 9
        grid_values.append(value)
        random_values.append(random_search(objective, space, 9, rng)[1])
    assert np.mean(random_values) < 0.5 * np.mean(grid_values), (
        f"mean best objective: random {np.mean(random_values):.4f}, grid {np.mean(grid_values):.4f}"
    )


def test_grid_search_finds_the_best_grid_point():
    best, value, trials = grid_search(lambda a, b: (a - 2) ** 2 + (b + 1) ** 2, {"a": [0, 1, 2, 3], "b": [-1, 0]})
    assert best == {"a": 2, "b": -1} and value == 0.0 and len(trials) == 8


def test_log_scale_sampling_covers_the_decades():
    rng = np.random.default_rng(2)
    lrs = np.array([sample({"lr": (1e-5, 1e-1, "log")}, rng)["lr"] for _ in range(4000)])
    decades = np.histogram(np.log10(lrs), bins=[-5, -4, -3, -2, -1])[0] / len(lrs)
    np.testing.assert_allclose(decades, 0.25, atol=0.03)
    with pytest.raises(ValueError, match="scale must be"):
        sample({"lr": (0, 1, "cubic")}, rng)
