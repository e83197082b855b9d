"""Selection utility: Taylor-Russell success ratios and Brogden-Cronbach-Gleser gains.

Both assume that predictor X and criterion Y are standard bivariate normal with
correlation ``validity`` and that the top ``selection_ratio`` of applicants on X
are hired (top-down selection).

* :func:`taylor_russell` — the *success ratio*: the share of those hired who
  are "successful", i.e. above the criterion cut that a share ``base_rate`` of
  applicants exceed (Taylor & Russell, 1939).
* :func:`bcg_gain_per_hire` — the Brogden-Cronbach-Gleser gain in criterion
  value per hire over random selection, ``r * SDy * phi(z_x) / SR``, less the
  assessment cost per hire.

The bivariate normal orthant probability is computed in closed form with
Owen's T function, so the functions are vectorised over all arguments.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import owens_t
from scipy.stats import norm


def bivariate_normal_cdf(h: ArrayLike, k: ArrayLike, rho: ArrayLike) -> np.ndarray:
    """P(X <= h, Y <= k) for standard bivariate normal (X, Y) with correlation rho.

    Uses Owen (1956): ``Phi2(h, k; rho) = [Phi(h) + Phi(k)]/2 - T(h, a_h) -
    T(k, a_k) - c`` with ``a_h = (k - rho h) / (h sqrt(1 - rho^2))`` and
    ``c = 1/2`` when ``h k < 0`` (or ``h k = 0`` and ``h + k < 0``).
    Valid for ``|rho| < 1``.
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    if np.any(np.abs(rho) >= 1):
        raise ValueError("|rho| must be below 1")
    s = np.sqrt(1.0 - rho**2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a_h = np.where(h == 0, np.inf * np.sign(k - rho * h + 0.0), (k - rho * h) / (h * s))
        a_k = np.where(k == 0, np.inf * np.sign(h - rho * k + 0.0), (h - rho * k) / (k * s))
    t_h = _owens_t_inf(h, a_h)
    t_k = _owens_t_inf(k, a_k)
    # signs, not the product h * k, which can underflow to zero for tiny arguments
    sh, sk = np.sign(h), np.sign(k)
    c = np.where((sh * sk < 0) | (((sh == 0) | (sk == 0)) & (h + k < 0)), 0.5, 0.0)
    out = 0.5 * (norm.cdf(h) + norm.cdf(k)) - t_h - t_k - c
    # the h = k = 0 corner: 1/4 + arcsin(rho) / (2 pi)
    both0 = (h == 0) & (k == 0)
    out = np.where(both0, 0.25 + np.arcsin(rho) / (2 * np.pi), out)
    return np.clip(out, 0.0, 1.0)


def _owens_t_inf(h: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Owen's T allowing a = +-inf (T(h, inf) = (1 - Phi(|h|)) / 2)."""
    finite = np.isfinite(a)
    safe = np.where(finite, a, 0.0)
    t = owens_t(h, safe)
    lim = np.sign(np.where(np.isnan(a), 0.0, a)) * 0.5 * norm.sf(np.abs(h))
    return np.where(finite, t, lim)


def taylor_russell(validity: ArrayLike, selection_ratio: ArrayLike, base_rate: ArrayLike) -> np.ndarray:
    """Success ratio: P(successful | hired) under top-down selection.

    Parameters
    ----------
    validity
        Correlation between predictor and criterion, in (-1, 1).
    selection_ratio
        Share of applicants hired, in (0, 1].
    base_rate
        Share of applicants who would be successful, in (0, 1).

    Returns
    -------
    numpy.ndarray
        Success ratio in [0, 1]; equals ``base_rate`` when validity is 0.
    """
    r, sr, br = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in
                                      (validity, selection_ratio, base_rate)))
    if np.any((sr <= 0) | (sr > 1)) or np.any((br <= 0) | (br >= 1)):
        raise ValueError("selection_ratio must be in (0, 1] and base_rate in (0, 1)")
    x_cut = norm.isf(sr)  # hire X > x_cut
    y_cut = norm.isf(br)  # success Y > y_cut
    # P(X > x, Y > y) = Phi2(-x, -y; r)
    both = bivariate_normal_cdf(-x_cut, -y_cut, r)
    return np.where(sr >= 1, br, both / sr)


def mean_selected_z(selection_ratio: ArrayLike) -> np.ndarray:
    """Mean standard predictor score of the top ``selection_ratio`` (phi(z) / SR)."""
    sr = np.asarray(selection_ratio, dtype=float)
    if np.any((sr <= 0) | (sr > 1)):
        raise ValueError("selection_ratio must be in (0, 1]")
    return norm.pdf(norm.isf(sr)) / sr


def bcg_gain_per_hire(
    validity: ArrayLike,
    selection_ratio: ArrayLike,
    sd_y: ArrayLike = 1.0,
    cost_per_applicant: ArrayLike = 0.0,
    tenure: ArrayLike = 1.0,
) -> np.ndarray:
    """Brogden-Cronbach-Gleser utility gain per person hired.

    ``tenure * validity * sd_y * phi(z_x) / SR - cost_per_applicant / SR``

    Parameters
    ----------
    validity
        Operational validity of the selection procedure.
    selection_ratio
        Share of applicants hired.
    sd_y
        Standard deviation of the criterion's value per year (money, or 1 for
        SD units).
    cost_per_applicant
        Cost of assessing one applicant, in the units of ``sd_y``.
    tenure
        Years the hire stays (the gain accrues per year).
    """
    return (np.asarray(tenure, float) * np.asarray(validity, float) * np.asarray(sd_y, float)
            * mean_selected_z(selection_ratio)
            - np.asarray(cost_per_applicant, float) / np.asarray(selection_ratio, float))


def restricted_validity(validity: ArrayLike, selection_ratio: ArrayLike) -> np.ndarray:
    """Validity within a pool already selected top-down on the predictor.

    If only the top ``selection_ratio`` of a bivariate-normal population
    remains (e.g. senior candidates who all passed earlier screens), the
    predictor's SD shrinks by ``u = sqrt(1 + z lambda - lambda^2)`` with
    ``z`` the cut and ``lambda = phi(z) / SR``, and the correlation becomes
    ``r u / sqrt(1 - r^2 + r^2 u^2)`` (direct range restriction, Thorndike's
    case II read backwards).
    """
    r = np.asarray(validity, float)
    sr = np.asarray(selection_ratio, float)
    z = norm.isf(sr)
    lam = mean_selected_z(sr)
    u = np.sqrt(1 + z * lam - lam**2)
    return r * u / np.sqrt(1 - r**2 + r**2 * u**2)


def restricted_validity_indirect(validity: ArrayLike, validity_selector: ArrayLike,
                                 correlation_with_selector: ArrayLike,
                                 selection_ratio: ArrayLike) -> np.ndarray:
    """Validity of a second score within a pool selected top-down on another score.

    Thorndike's case III (Pearson-Lawley for one explicit selection variable):
    candidates are selected on ``X`` (the top ``selection_ratio``), and the
    validity of a score ``Z`` for the criterion ``Y`` inside the pool is

    ``(r_zy - r_xy r_xz (1 - u^2)) / sqrt((1 - r_xy^2 (1 - u^2)) (1 - r_xz^2 (1 - u^2)))``

    with ``u^2 = 1 + z lambda - lambda^2`` the ratio of the restricted to the
    unrestricted variance of ``X`` (``z`` the cut, ``lambda = phi(z) / SR``).
    Exact for multivariate normal ``(X, Y, Z)``; with ``Z = X`` it is the
    direct formula of :func:`restricted_validity`.

    Parameters
    ----------
    validity
        ``r_zy``: validity of ``Z`` in the unrestricted population.
    validity_selector
        ``r_xy``: validity of the selection score ``X``.
    correlation_with_selector
        ``r_xz``: correlation of ``Z`` with ``X``.
    selection_ratio
        Share of the population kept (top-down on ``X``), in (0, 1].
    """
    rzy, rxy, rxz = (np.asarray(a, float) for a in (validity, validity_selector,
                                                     correlation_with_selector))
    sr = np.asarray(selection_ratio, float)
    z = norm.isf(sr)
    lam = mean_selected_z(sr)
    with np.errstate(invalid="ignore"):  # no selection (SR = 1): z is -inf and lambda 0
        shrink = np.where(sr >= 1, 0.0, 1.0 - (1 + z * lam - lam**2))  # 1 - u^2
    return (rzy - rxy * rxz * shrink) / np.sqrt((1 - rxy**2 * shrink) * (1 - rxz**2 * shrink))
