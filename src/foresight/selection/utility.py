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


def _shrink(selection_ratio: ArrayLike) -> np.ndarray:
    """``1 - u^2``: the share of a selector's variance that top-down selection removes."""
    sr = np.asarray(selection_ratio, float)
    z = norm.isf(sr)
    lam = mean_selected_z(sr)
    with np.errstate(invalid="ignore"):
        return np.where(sr >= 1, 0.0, 1.0 - (1 + z * lam - lam**2))


def break_even_selector_correlation(validity: float, validity_selector: float, target: float,
                                    selection_ratio: float) -> float:
    """The correlation with the selector at which a score's restricted validity equals ``target``.

    Solves ``restricted_validity_indirect(validity, validity_selector, s,
    selection_ratio) = target`` for ``s`` in closed form. With ``k = 1 - u^2``
    (:func:`restricted_validity_indirect`) and ``c = target sqrt(1 -
    validity_selector^2 k)``, squaring ``validity - validity_selector k s = c
    sqrt(1 - k s^2)`` gives the quadratic

    ``(v_s^2 k^2 + c^2 k) s^2 - 2 v v_s k s + (v^2 - c^2) = 0``

    whose root with ``v - v_s k s >= 0`` (the side the unsquared equation
    needs, as ``c > 0``) is returned.

    Parameters
    ----------
    validity
        ``r_zy``: the score's validity in the unrestricted population.
    validity_selector
        ``r_xy``: the validity of the score the pool was selected on.
    target
        The restricted validity to reach, in (0, 1).
    selection_ratio
        Share kept (top-down on the selector), in (0, 1).

    Returns
    -------
    float
        The correlation ``s`` in [-1, 1]; NaN if no correlation reaches the
        target. Below it the score's restricted validity is higher.
    """
    v, vs, t = float(validity), float(validity_selector), float(target)
    k = float(_shrink(selection_ratio))
    if not (0 < k < 1) or not (0 < t < 1):
        return float("nan")
    c = t * np.sqrt(1 - vs**2 * k)
    a = vs**2 * k**2 + c**2 * k
    b = -2 * v * vs * k
    cc = v**2 - c**2
    disc = b**2 - 4 * a * cc
    if a <= 0 or disc < 0:
        return float("nan")
    roots = [(-b - np.sqrt(disc)) / (2 * a), (-b + np.sqrt(disc)) / (2 * a)]
    ok = [s for s in roots if -1 <= s <= 1 and v - vs * k * s >= -1e-12]
    if len(ok) != 1:
        return float("nan") if not ok else float(min(ok))
    return float(ok[0])


def restriction_table(mechanical: float, holistic: float, correlations: ArrayLike,
                      selection_ratios: ArrayLike) -> "pd.DataFrame":
    """Validity of the formula and of the holistic score in a pool chosen on the formula.

    For every selection ratio and every correlation ``r_xz`` between the
    holistic score and the formula (Thorndike's case III,
    :func:`restricted_validity_indirect`): the formula's validity within the
    pool (direct restriction), the holistic score's, and the relative loss
    ``1 - holistic / formula`` (negative where the holistic score is the more
    valid in the pool). Rows where ``(formula, holistic, criterion)`` would have
    no valid correlation matrix are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``selection_ratio, r_xz, formula, holistic, loss``.
    """
    import pandas as pd

    r = np.asarray(correlations, float)
    sr = np.asarray(selection_ratios, float)
    S, R = np.meshgrid(sr, r, indexing="ij")
    det = 1 - mechanical**2 - holistic**2 - R**2 + 2 * mechanical * holistic * R
    f = np.broadcast_to(restricted_validity(mechanical, S), S.shape)
    h = restricted_validity_indirect(holistic, mechanical, R, S)
    out = pd.DataFrame({"selection_ratio": S.ravel(), "r_xz": R.ravel(), "formula": f.ravel(),
                        "holistic": h.ravel(), "loss": 1 - (h / f).ravel()})
    return out[det.ravel() > 0].reset_index(drop=True)


def partial_validity(validity: float, validity_other: float, correlation: float) -> float:
    """Partial correlation of a score with the criterion, holding another score fixed.

    ``(r_zy - r_xy r_xz) / sqrt((1 - r_xy^2)(1 - r_xz^2))``: what the score
    ``Z`` knows about the criterion beyond ``X``. Zero when ``r_xz = r_zy /
    r_xy``, the case in which ``Z`` carries nothing the formula lacks.
    """
    return float((validity - validity_other * correlation)
                 / np.sqrt((1 - validity_other**2) * (1 - correlation**2)))


def career_filter_table(mechanical: float, holistic: float, career_validities: ArrayLike,
                        career_formula: ArrayLike, selection_ratio: float) -> "pd.DataFrame":
    """A final round reached through earlier careers: both scores restricted only indirectly.

    The pool is the top ``selection_ratio`` on a career record ``W`` whose
    validity for the criterion is ``r_wy`` and whose correlations with the
    formula and the holistic score are ``r_wx`` and ``r_wz``. By Pearson and
    Lawley (:func:`restricted_validity_indirect` with ``W`` as the selector),
    each score's validity within the pool depends on its own validity and its
    own correlation with ``W``; the correlation between the two scores does
    not enter.

    For every ``r_wy`` in ``career_validities`` and ``r_wx`` in
    ``career_formula``: the formula's standard deviation in the pool as a
    share of its standard deviation in the full pool,
    ``sqrt(1 - r_wx^2 (1 - u^2))`` (how alike the finalists are on the
    formula; ``u`` the ratio of the record's restricted to unrestricted SD,
    :func:`restricted_validity_indirect`); the formula's validity in the
    pool; the holistic score's and the relative loss when ``r_wz = r_wx``
    (the record tied equally to both); and the break-even ``r_wz``
    (:func:`break_even_selector_correlation`): the holistic score is the more
    valid in the pool only if its correlation with the record is below it.

    The two range-restriction scenarios are ends of one continuum: with
    ``r_wx = 1`` and ``r_wy = r_xy`` the record *is* the formula, and the
    break-even ``r_wz`` is the break-even ``r_xz`` of a pool chosen on the
    formula. Rows whose correlations of ``(W, X, Y)`` form no valid
    correlation matrix are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``r_wy, r_wx, formula_sd, formula, holistic_equal,
        loss_equal, break_even_r_wz``.
    """
    import pandas as pd

    k = float(_shrink(selection_ratio))
    rows = []
    for rwy in np.asarray(career_validities, float):
        for rwx in np.asarray(career_formula, float):
            if 1 - rwy**2 - rwx**2 - mechanical**2 + 2 * rwy * rwx * mechanical < -1e-12:
                continue  # no valid correlation matrix of (W, X, Y)
            f = float(restricted_validity_indirect(mechanical, rwy, rwx, selection_ratio))
            h = float(restricted_validity_indirect(holistic, rwy, rwx, selection_ratio))
            rows.append({"r_wy": float(rwy), "r_wx": float(rwx), "formula_sd": float(np.sqrt(1 - rwx**2 * k)),
                         "formula": f, "holistic_equal": h, "loss_equal": 1 - h / f,
                         "break_even_r_wz": break_even_selector_correlation(holistic, rwy, f, selection_ratio)})
    return pd.DataFrame(rows)
