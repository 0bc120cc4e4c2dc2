"""Hyperparameter search: grid search and random search.

Lecture: "Anwendungen" › "Hyperparameter": with few parameters one can
search systematically, but grid search generally does worse than random
search. Literature: Bergstra & Bengio (2012): when only some of the
hyperparameters matter, a grid of n trials tries only ``n**(1/d)`` distinct
values of each, random search n values of each.
"""

import itertools

import numpy as np


def grid_search(objective, grid):
    """Evaluate ``objective`` on every combination of the given values.

    Parameters
    ----------
    objective : callable ``(**params) -> float``
        Lower is better (e.g. a validation error).
    grid : dict of str -> sequence
        Values to try per hyperparameter.

    Returns
    -------
    best : dict
        The parameters with the lowest objective.
    best_value : float
    trials : list of (dict, float)
        Every evaluated point, in order.
    """
    names = list(grid)
    trials = [(params, float(objective(**params)))
              for params in (dict(zip(names, values)) for values in itertools.product(*grid.values()))]
    best, best_value = min(trials, key=lambda trial: trial[1])
    return best, best_value, trials


def sample(space, rng):
    """One random point of ``space``.

    Parameters
    ----------
    space : dict of str -> (low, high, scale)
        ``scale`` is ``"linear"`` (uniform in [low, high]) or ``"log"``
        (uniform in [log low, log high]), the right choice for learning
        rates or regularisation strengths that span orders of magnitude.
    rng : numpy.random.Generator

    Returns
    -------
    dict of str -> float
    """
    point = {}
    for name, (low, high, scale) in space.items():
        if scale == "log":
            point[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        elif scale == "linear":
            point[name] = float(rng.uniform(low, high))
        else:
            raise ValueError(f"{name}: scale must be 'linear' or 'log', got {scale!r}")
    return point


def random_search(objective, space, n_trials, rng):
    """Evaluate ``objective`` at ``n_trials`` random points of ``space``.

    Parameters and returns as in ``grid_search``; ``space`` as in ``sample``.
    """
    trials = [(params, float(objective(**params))) for params in (sample(space, rng) for _ in range(n_trials))]
    best, best_value = min(trials, key=lambda trial: trial[1])
    return best, best_value, trials
