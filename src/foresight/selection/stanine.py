"""Stanines ("standard nine"): nine bands of a normal score scale.

Conventions
-----------
* The nine bands hold 4, 7, 12, 17, 20, 17, 12, 7 and 4 per cent of a norm
  group (:data:`STANINE_PERCENTS`), so the cumulative percentages at the upper
  band edges are 4, 11, 23, 40, 60, 77, 89, 96 (:func:`stanine_from_percentile`).
* On the z scale the classical edges are half a standard deviation wide and
  centred on the mean: -1.75, -1.25, ..., +1.75 (:data:`Z_EDGES`,
  :func:`stanine_from_z`). Under a normal distribution these edges give band
  shares that round to the percentages above (:func:`normal_band_shares`).
* A stanine is always *relative to a norm group*: the same raw score is a
  different stanine against a different group (:func:`stanine_against_norm`).
  Band lower edges are inclusive (a score exactly on an edge gets the higher
  stanine).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

#: Percentage of a norm group in stanines 1..9.
STANINE_PERCENTS: tuple[int, ...] = (4, 7, 12, 17, 20, 17, 12, 7, 4)
#: Cumulative percentages at the upper edges of stanines 1..8.
CUMULATIVE_PERCENTS: tuple[int, ...] = tuple(int(x) for x in np.cumsum(STANINE_PERCENTS)[:-1])
#: Classical z-score edges between stanines (half-SD bands centred on 0).
Z_EDGES: tuple[float, ...] = (-1.75, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75)


def normal_band_shares() -> np.ndarray:
    """Share of a standard normal population in each of the nine z-bands.

    Returns
    -------
    numpy.ndarray
        Nine probabilities summing to 1, from ``Phi`` at :data:`Z_EDGES`.
    """
    cdf = np.concatenate([[0.0], norm.cdf(Z_EDGES), [1.0]])
    return np.diff(cdf)


def stanine_from_z(z: ArrayLike) -> np.ndarray:
    """Stanine (1..9) of standard scores, using the half-SD edges.

    Parameters
    ----------
    z
        Standard score(s) relative to the norm group (mean 0, SD 1).
    """
    return np.searchsorted(np.asarray(Z_EDGES), np.asarray(z, dtype=float), side="right") + 1


def stanine_from_percentile(percentile: ArrayLike) -> np.ndarray:
    """Stanine (1..9) of percentile ranks in [0, 100], using 4-7-12-17-20-17-12-7-4.

    Parameters
    ----------
    percentile
        Percentage of the norm group scoring below the person, 0 to 100.
    """
    p = np.asarray(percentile, dtype=float)
    if np.any((p < 0) | (p > 100)) or np.any(np.isnan(p)):
        raise ValueError("percentiles must lie in [0, 100]")
    return np.searchsorted(np.asarray(CUMULATIVE_PERCENTS, float), p, side="right") + 1


def stanine_from_score(score: ArrayLike, mean: float, sd: float) -> np.ndarray:
    """Stanine of raw scores against a norm group with the given mean and SD."""
    if not sd > 0:
        raise ValueError("the norm group's standard deviation must be positive")
    return stanine_from_z((np.asarray(score, dtype=float) - mean) / sd)


def stanine_against_norm(
    z_general: ArrayLike, norm_shift: float, norm_sd_ratio: float = 1.0
) -> np.ndarray:
    """Stanine against another norm group, for scores given on the general-population z scale.

    Parameters
    ----------
    z_general
        Score(s) as z relative to the general population.
    norm_shift
        Mean of the other norm group (e.g. graduates), in general-population SDs.
    norm_sd_ratio
        SD of the other norm group divided by the general population's SD.
    """
    return stanine_from_score(z_general, norm_shift, norm_sd_ratio)


def stanine_z_interval(stanine: int) -> tuple[float, float]:
    """The z interval ``[lower, upper)`` of a stanine (infinite at the ends)."""
    if stanine not in range(1, 10):
        raise ValueError("a stanine is an integer from 1 to 9")
    edges = (-np.inf, *Z_EDGES, np.inf)
    return float(edges[stanine - 1]), float(edges[stanine])
