"""k-fold cross-validation.

Lecture: "Training und Test" › "Kreuzvalidierung".

The data are split into k folds. Each fold is the test set once while the
net is trained on the other k - 1; the cross-validation error is the mean of
the k test errors. Every pattern is tested exactly once, by a net that never
saw it.
"""

import numpy as np


def k_fold_indices(m, k, rng):
    """Split ``range(m)`` at random into k folds of (almost) equal size.

    Parameters
    ----------
    m : int
        Number of patterns.
    k : int
        Number of folds, ``2 <= k <= m``.
    rng : numpy.random.Generator

    Returns
    -------
    list of (train_idx, test_idx)
        k pairs of int ndarrays; the test folds partition ``range(m)``.
    """
    if not 2 <= k <= m:
        raise ValueError(f"k must be between 2 and the number of patterns ({m}), got {k}")
    folds = np.array_split(rng.permutation(m), k)
    return [(np.concatenate(folds[:n] + folds[n + 1:]), test) for n, test in enumerate(folds)]


def cross_validate(fit, error, X, T, k, rng):
    """Mean and per-fold test errors of k-fold cross-validation.

    Parameters
    ----------
    fit : callable ``(X_train, T_train) -> model``
        Trains a fresh model.
    error : callable ``(model, X_test, T_test) -> float``
    X : ndarray of shape (m, n_in)
    T : ndarray of shape (m, ...)
    k : int
    rng : numpy.random.Generator

    Returns
    -------
    mean_error : float
    fold_errors : list of float, length k
    """
    fold_errors = []
    for train, test in k_fold_indices(len(X), k, rng):
        model = fit(X[train], T[train])
        fold_errors.append(float(error(model, X[test], T[test])))
    return float(np.mean(fold_errors)), fold_errors
