"""k-fold cross-validation: partition properties and a model-selection example."""

import numpy as np
import pytest

from reference.lecture.crossval import cross_validate, k_fold_indices


@pytest.mark.parametrize("m,k", [(10, 4), (12, 3), (7, 7)])
def test_folds_partition_the_data(m, k):
    folds = k_fold_indices(m, k, np.random.default_rng(0))
    assert len(folds) == k
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(m)), "each pattern is tested exactly once"
    for train, test in folds:
        assert not set(train) & set(test)
        assert len(train) + len(test) == m
        assert len(test) in (m // k, -(-m // k))


def test_k_out_of_range_is_refused():
    with pytest.raises(ValueError, match="k must be between"):
        k_fold_indices(5, 6, np.random.default_rng(0))


def test_cross_validation_detects_overfitting():
    """A degree-15 polynomial fits 30 noisy points of a line best, but cross-validates worst."""
    rng = np.random.default_rng(1)
    x = np.linspace(-1, 1, 30)
    t = 2 * x + 0.3 * rng.normal(size=30)

    def fitter(degree):
        return lambda X, T: np.polyfit(X, T, degree)

    def mse(coef, X, T):
        return np.mean((np.polyval(coef, X) - T) ** 2)

    cv = {d: cross_validate(fitter(d), mse, x, t, 5, np.random.default_rng(2))[0] for d in (1, 15)}
    train = {d: mse(np.polyfit(x, t, d), x, t) for d in (1, 15)}
    assert train[15] < train[1], f"training errors {train}"
    assert cv[1] < cv[15], f"cross-validation errors {cv}"
    _, fold_errors = cross_validate(fitter(1), mse, x, t, 5, np.random.default_rng(2))
    assert len(fold_errors) == 5
