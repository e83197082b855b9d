"""Tests of the 2-D / 1-D P-spline smoothers (foresight.mortality.pspline)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foresight.errors import DataError
from foresight.mortality.pspline import (
    bspline_basis,
    difference_penalty,
    fit_pspline_1d,
    fit_pspline_2d,
    fit_pspline_2d_gaussian,
    row_tensor,
)


def gompertz_surface(ages, years):
    """A smooth log-rate surface: Gompertz in age, age-dependent linear decline in year."""
    a, t = np.meshgrid(ages, years, indexing="ij")
    return -9.0 + 0.085 * a - 0.02 * (t - years[0]) * (1.0 - a / 150.0) + 0.03 * np.sin((t - years[0]) / 6.0)


# --- bases ------------------------------------------------------------------------------


@given(st.integers(2, 60), st.floats(1.0, 10.0), st.integers(1, 3))
@settings(max_examples=30, deadline=None)
def test_bspline_basis_is_a_partition_of_unity(n, spacing, degree):
    x = np.arange(n, dtype=float)
    b = bspline_basis(x, spacing=spacing, degree=degree)
    assert np.allclose(b.sum(axis=1), 1.0)
    assert np.all(b >= -1e-12)
    assert b.shape[1] == max(1, round((n - 1) / spacing)) + degree


# Integer age ranges on which the last knot used to round to just below the
# oldest age, so that scipy raised "Out of bounds" (ages 0-109 at spacing 5 among them).
FORMERLY_UNCOVERED = [
    (0, 63, 5), (0, 109, 5), (0, 113, 5), (1, 64, 5), (1, 110, 5), (1, 114, 5), (2, 111, 5),
    (2, 115, 5), (3, 112, 5), (3, 116, 5), (4, 113, 5), (4, 117, 5), (5, 114, 5), (5, 118, 5),
    (6, 115, 5), (6, 119, 5), (7, 116, 5), (7, 120, 5), (8, 117, 5), (9, 118, 5), (10, 119, 5),
    (11, 120, 5), (0, 109, 10), (1, 110, 10), (2, 111, 10), (3, 112, 10), (4, 113, 10),
    (5, 114, 10), (6, 115, 10), (7, 116, 10), (8, 117, 10), (9, 118, 10), (10, 119, 10),
    (11, 120, 10),
]


@pytest.mark.parametrize("lo, hi, spacing", FORMERLY_UNCOVERED)
def test_bspline_basis_covers_every_age_range(lo, hi, spacing):
    b = bspline_basis(np.arange(lo, hi + 1), spacing=spacing)
    assert np.allclose(b.sum(axis=1), 1.0)
    assert b.shape[1] == round((hi - lo) / spacing) + 3


@given(st.floats(-500, 500), st.floats(0.5, 400), st.floats(0.7, 25.0), st.integers(2, 200))
@settings(max_examples=200, deadline=None)
def test_bspline_basis_covers_any_range(lo, width, spacing, n):
    x = np.linspace(lo, lo + width, n)
    b = bspline_basis(x, spacing=spacing)
    assert np.allclose(b.sum(axis=1), 1.0)


def test_one_dimensional_fit_on_ages_0_to_109():
    ages = np.arange(110)
    logm = -9 + 0.085 * ages + 2 * np.exp(-ages / 3)
    e = np.full(ages.shape, 2e5)
    d = np.random.default_rng(3).poisson(e * np.exp(logm)).astype(float)
    fit = fit_pspline_1d(d, e, ages=ages)
    assert fit.converged and fit.log_rates.shape == (110, 1)
    assert np.max(np.abs(fit.log_rates[5:, 0] - logm[5:])) < 0.1  # the infant bump is sharper than knots 5 apart


def test_bspline_basis_reproduces_cubics():
    x = np.linspace(0, 40, 41)
    b = bspline_basis(x, spacing=5)
    y = 1 + 0.3 * x - 0.02 * x**2 + 0.001 * x**3
    coef, *_ = np.linalg.lstsq(b, y, rcond=None)
    assert np.allclose(b @ coef, y, atol=1e-9)


def test_difference_penalty_second_order_by_hand():
    # D for n=4, order 2: [[1,-2,1,0],[0,1,-2,1]]; D'D worked by hand
    expected = np.array([[1, -2, 1, 0], [-2, 5, -4, 1], [1, -4, 5, -2], [0, 1, -2, 1]], float)
    assert np.array_equal(difference_penalty(4, 2), expected)


def test_row_tensor_definition():
    b = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.array_equal(row_tensor(b), np.array([[1, 2, 2, 4], [9, 12, 12, 16]], float))


# --- GLAM agrees with the explicit Kronecker product ------------------------------------


def small_poisson(seed=3, n_age=14, n_year=11):
    rng = np.random.default_rng(seed)
    ages = np.arange(40, 40 + n_age)
    years = np.arange(1990, 1990 + n_year)
    logm = gompertz_surface(ages, years) + 0.3 * np.sin(ages / 2.5)[:, None]
    e = rng.uniform(2e3, 2e4, size=logm.shape)
    d = rng.poisson(e * np.exp(logm)).astype(float)
    return d, e, ages, years, logm


@pytest.mark.parametrize("lambdas", [(10.0, 100.0), (0.5, 3.0)])
def test_glam_equals_kronecker_at_fixed_lambdas(lambdas):
    d, e, ages, years, _ = small_poisson()
    g = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lambdas, method="glam")
    k = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lambdas, method="kronecker")
    assert np.max(np.abs(g.log_rates - k.log_rates)) < 1e-8
    assert np.max(np.abs(g.se - k.se)) < 1e-8
    assert abs(g.effective_dim - k.effective_dim) < 1e-8
    assert abs(g.deviance - k.deviance) < 1e-8
    assert abs(g.overdispersion - k.overdispersion) < 1e-8


def test_glam_equals_kronecker_with_selection_and_forecast():
    d, e, ages, years, _ = small_poisson(seed=5)
    kw = dict(ages=ages, years=years, forecast_to=2005, lambda_grid=[-1.0, 1.0, 3.0])
    g = fit_pspline_2d(d, e, method="glam", **kw)
    k = fit_pspline_2d(d, e, method="kronecker", **kw)
    # the two searches land on the same smoothing parameters (the designs differ
    # only in round-off, and the search converges far below it) ...
    assert np.allclose(g.lambdas, k.lambdas, rtol=1e-8)
    assert np.max(np.abs(g.log_rates - k.log_rates)) < 1e-8
    # ... and at the same smoothing parameters the fits agree to 1e-8
    k2 = fit_pspline_2d(d, e, ages=ages, years=years, forecast_to=2005, lambdas=g.lambdas, method="kronecker")
    g2 = fit_pspline_2d(d, e, ages=ages, years=years, forecast_to=2005, lambdas=g.lambdas, method="glam")
    assert np.max(np.abs(g2.log_rates - k2.log_rates)) < 1e-8
    assert np.max(np.abs(g2.se - k2.se)) < 1e-8
    assert np.max(np.abs(g2.log_rates - g.log_rates)) < 1e-8


def test_gaussian_glam_equals_kronecker():
    _, _, ages, years, logm = small_poisson()
    rng = np.random.default_rng(0)
    z = logm + rng.normal(0, 0.05, logm.shape)
    w = rng.uniform(0.5, 2.0, logm.shape)
    g = fit_pspline_2d_gaussian(z, ages=ages, years=years, weights=w, lambdas=(2.0, 7.0))
    k = fit_pspline_2d_gaussian(z, ages=ages, years=years, weights=w, lambdas=(2.0, 7.0), method="kronecker")
    assert np.max(np.abs(g.log_rates - k.log_rates)) < 1e-8
    assert np.max(np.abs(g.se - k.se)) < 1e-8


# --- recovery of a known surface ----------------------------------------------------------


def test_recovers_known_smooth_surface_from_poisson_counts():
    rng = np.random.default_rng(11)
    ages = np.arange(30, 91)
    years = np.arange(1970, 2011)
    logm = gompertz_surface(ages, years)
    e = np.full(logm.shape, 5e4)
    d = rng.poisson(e * np.exp(logm)).astype(float)
    fit = fit_pspline_2d(d, e, ages=ages, years=years)
    raw = np.log(np.maximum(d, 0.5) / e)
    err_fit = np.abs(fit.log_rates - logm)
    err_raw = np.abs(raw - logm)
    # the smooth is far closer to the truth than the crude rates ...
    assert np.sqrt(np.mean(err_fit**2)) < 0.25 * np.sqrt(np.mean(err_raw**2))
    # ... and within a few of its own standard errors nearly everywhere
    z = (fit.log_rates - logm) / fit.se
    assert np.mean(np.abs(z) < 3) > 0.95
    assert fit.overdispersion == pytest.approx(1.0, abs=0.1)


def test_overdispersion_from_negative_binomial_counts_within_10_percent():
    rng = np.random.default_rng(2024)
    psi2 = 2.5
    ages = np.arange(20, 91)
    years = np.arange(1961, 2001)
    logm = gompertz_surface(ages, years)
    mu = 4e4 * np.exp(logm)
    # NB with variance psi2 * mu: n = mu / (psi2 - 1), p = 1 / psi2
    d = rng.negative_binomial(mu / (psi2 - 1.0), 1.0 / psi2).astype(float)
    fit = fit_pspline_2d(d, np.full(mu.shape, 4e4), ages=ages, years=years)
    assert abs(fit.overdispersion - psi2) / psi2 < 0.10
    # without the overdispersion iteration psi2 is reported as 1
    plain = fit_pspline_2d(d, np.full(mu.shape, 4e4), ages=ages, years=years, overdispersion=False)
    assert plain.overdispersion == 1.0
    # overdispersed data call for more smoothing (or at least no less)
    assert fit.effective_dim <= plain.effective_dim + 1e-6


def test_zero_deaths_and_zero_exposure_cells():
    d, e, ages, years, logm = small_poisson(seed=8)
    d[:3, :] = 0.0  # young ages: no deaths at all
    e2 = e.copy()
    e2[5, 4] = 0.0  # a hole
    d2 = d.copy()
    d2[5, 4] = 0.0
    e2[7, :] = np.nan  # a missing row of exposure
    fit = fit_pspline_2d(d2, e2, ages=ages, years=years, lambdas=(10.0, 10.0))
    assert np.all(np.isfinite(fit.log_rates)) and np.all(np.isfinite(fit.se))
    assert not fit.observed[5, 4] and not fit.observed[7].any()
    assert fit.n_obs == d.size - 1 - len(years)
    # the hole is interpolated: the same fit as leaving the cell's data out altogether
    d3, e3 = d2.copy(), e2.copy()
    d3[5, 4], e3[5, 4] = 123.0, np.nan
    again = fit_pspline_2d(d3, e3, ages=ages, years=years, lambdas=(10.0, 10.0))
    assert np.allclose(again.log_rates, fit.log_rates, atol=1e-10)
    # a row without data is less certain than the same row observed
    full = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=(10.0, 10.0))
    scaled = fit.se / np.sqrt(fit.overdispersion)
    assert np.all(scaled[7] > full.se[7] / np.sqrt(full.overdispersion))


def test_deaths_with_zero_exposure_and_negative_counts_are_errors():
    d, e, ages, years, _ = small_poisson()
    bad = d.copy()
    bad[2, 3] = -1
    with pytest.raises(DataError, match="negative"):
        fit_pspline_2d(bad, e, ages=ages, years=years)
    with pytest.raises(DataError, match="shape"):
        fit_pspline_2d(d[:, :-1], e[:, :-1] * 0 + e[:, :-1], ages=ages, years=years[:-1]) if False else fit_pspline_2d(d[:, :-1], e, ages=ages, years=years[:-1])
    with pytest.raises(DataError, match="ages"):
        fit_pspline_2d(d, e, ages=ages[:-1], years=years)


# --- forecasting and the Gaussian / 1-D variants ---------------------------------------


def test_forecast_by_zero_weight_padding_extends_linear_trend():
    ages = np.arange(50, 81)
    years = np.arange(1980, 2011)
    a, t = np.meshgrid(ages, years, indexing="ij")
    logm = -10 + 0.09 * a - 0.015 * (t - 1980)  # in the penalty's null space along years
    e = np.full(logm.shape, 1e7)
    d = np.round(e * np.exp(logm))
    fit = fit_pspline_2d(d, e, ages=ages, years=years, forecast_to=2030)
    assert fit.years[-1] == 2030 and fit.log_rates.shape == (31, 51)
    truth = -10 + 0.09 * ages[:, None] - 0.015 * (np.arange(2011, 2031) - 1980)
    assert np.max(np.abs(fit.log_rates[:, 31:] - truth)) < 0.01
    # uncertainty grows with the forecast horizon
    se_mid = fit.se[15]
    assert np.all(np.diff(se_mid[31:]) > 0)
    assert se_mid[-1] > 1.5 * se_mid[30]


def test_gaussian_reproduces_surfaces_in_the_penalty_null_space():
    ages = np.arange(0, 41)
    years = np.arange(1961, 2002)
    a, t = np.meshgrid(ages, years, indexing="ij")
    z = -8 + 0.05 * a - 0.01 * (t - 1961) + 0.0004 * a * (t - 1961)  # bilinear
    z_obs = np.where((t - 1961) % 10 == 0, z, np.nan)  # decennial tables only
    for lam in [(1e-2, 1e-2), (1e6, 1e6)]:
        fit = fit_pspline_2d_gaussian(z_obs, ages=ages, years=years, lambdas=lam)
        assert np.max(np.abs(fit.log_rates - z)) < 1e-6
    # with very heavy smoothing only the bilinear null space remains: ED -> 4
    heavy = fit_pspline_2d_gaussian(z_obs, ages=ages, years=years, lambdas=(1e10, 1e10))
    assert heavy.effective_dim == pytest.approx(4.0, abs=1e-3)
    assert heavy.n_obs == 41 * 5


def test_gaussian_selection_and_residual_variance():
    rng = np.random.default_rng(4)
    ages = np.arange(0, 61)
    years = np.arange(1961, 2002)
    truth = gompertz_surface(ages, years)
    z = truth + rng.normal(0, 0.05, truth.shape)
    fit = fit_pspline_2d_gaussian(z, ages=ages, years=years)
    assert np.sqrt(fit.overdispersion) == pytest.approx(0.05, rel=0.1)
    assert np.sqrt(np.mean((fit.log_rates - truth) ** 2)) < 0.5 * 0.05
    aic = fit_pspline_2d_gaussian(z, ages=ages, years=years, criterion="aic")
    assert aic.effective_dim >= fit.effective_dim - 1e-6  # AIC penalises dimension less
    # Gaussian criteria: n log(RSS / n) plus log n (BIC) or 2 (AIC) per effective dimension
    n = z.size
    assert fit.n_obs == n and fit.deviance == pytest.approx(np.sum((z - fit.log_rates) ** 2), rel=1e-9)
    assert fit.bic == pytest.approx(n * np.log(fit.deviance / n) + np.log(n) * fit.effective_dim, rel=1e-12)
    assert aic.aic == pytest.approx(n * np.log(aic.deviance / n) + 2.0 * aic.effective_dim, rel=1e-12)


def test_selected_lambdas_beat_the_grid():
    d, e, ages, years, _ = small_poisson(seed=9)
    fit = fit_pspline_2d(d, e, ages=ages, years=years, overdispersion=False)
    for la in [-2.0, 0.0, 2.0, 4.0]:
        for ly in [-2.0, 0.0, 2.0, 4.0]:
            other = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=(10**la, 10**ly), overdispersion=False)
            assert fit.bic <= other.bic + 1e-6


def test_one_dimensional_poisson_and_limits_of_effective_dimension():
    rng = np.random.default_rng(1)
    ages = np.arange(40, 101)
    logm = -10 + 0.1 * ages
    e = np.full(ages.shape, 1e5)
    d = rng.poisson(e * np.exp(logm)).astype(float)
    fit = fit_pspline_1d(d, e, ages=ages)
    assert np.max(np.abs(fit.log_rates[:, 0] - logm)) < 0.05
    stiff = fit_pspline_1d(d, e, ages=ages, lam=1e10)
    assert stiff.effective_dim == pytest.approx(2.0, abs=1e-3)  # a straight line
    loose = fit_pspline_1d(d, e, ages=ages, lam=1e-8)
    assert loose.effective_dim == pytest.approx(loose.coefficients.size, abs=1e-2)
    gauss = fit_pspline_1d(ages=ages, log_rates=logm, lam=1.0)
    assert np.allclose(gauss.log_rates[:, 0], logm, atol=1e-9)
    frame = fit.to_frame()
    assert list(frame.columns) == ["age", "log_rate", "se", "observed"]


def test_improvement_rates_and_their_standard_errors():
    ages = np.arange(50, 81)
    years = np.arange(1980, 2011)
    a, t = np.meshgrid(ages, years, indexing="ij")
    logm = -10 + 0.09 * a - 0.02 * (t - 1980)
    rng = np.random.default_rng(6)
    e = np.full(logm.shape, 2e5)
    d = rng.poisson(e * np.exp(logm)).astype(float)
    fit = fit_pspline_2d(d, e, ages=ages, years=years)
    imp = fit.improvement_rates(2010)
    assert np.allclose(imp["rate"], 1 - np.exp(-0.02), atol=0.004)
    assert np.all(imp["se"] > 0) and np.all(imp["se"] < 0.01)
    # the standard error of a difference is far smaller than if the years were independent
    naive = np.exp(-0.02) * np.sqrt(fit.se[:, -1] ** 2 + fit.se[:, -2] ** 2)
    assert np.all(imp["se"].to_numpy() < naive)
    tidy = fit.to_frame()
    assert len(tidy) == ages.size * years.size and tidy["observed"].all()
    assert "lambdas" in fit.summary()


def test_simulate_deaths_has_the_stated_mean_and_variance():
    from foresight.mortality.pspline import simulate_deaths

    log_m = np.full((200, 200), np.log(0.01))
    e = np.full(log_m.shape, 5000.0)  # mean 50
    pois = simulate_deaths(log_m, e, seed=1)
    assert pois.mean() == pytest.approx(50, rel=0.01) and pois.var() == pytest.approx(50, rel=0.05)
    nb = simulate_deaths(log_m, e, overdispersion=3.0, seed=1)
    assert nb.mean() == pytest.approx(50, rel=0.01) and nb.var() / nb.mean() == pytest.approx(3.0, rel=0.05)
    assert np.array_equal(nb, simulate_deaths(log_m, e, overdispersion=3.0, seed=1))
    with pytest.raises(ValueError):
        simulate_deaths(log_m, e, overdispersion=0.5)


def test_fit_figure_draws_crude_fitted_and_forecast():
    from foresight.mortality.pspline import fit_figure

    d, e, ages, years, logm = small_poisson()
    fit = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=(1.0, 10.0), forecast_to=2005)
    fig = fit_figure(fit, d, e, ages=[42, 50], title="synthetic")
    ax = fig.axes[0]
    assert len(ax.lines) == 4 and len(ax.collections) == 2  # two ages: points + line, and a band each
    assert len(ax.patches) == 1  # the shaded forecast years
    assert ax.get_title() == "synthetic"
    import matplotlib.pyplot as plt

    plt.close(fig)


@given(
    n_age=st.integers(8, 16),
    n_year=st.integers(6, 12),
    log_lam=st.tuples(st.floats(-1.0, 3.0), st.floats(-1.0, 3.0)),
    seed=st.integers(0, 10_000),
)
@settings(max_examples=20, deadline=None)
def test_glam_equals_kronecker_on_random_grids(n_age, n_year, log_lam, seed):
    rng = np.random.default_rng(seed)
    ages = np.arange(50, 50 + n_age)
    years = np.arange(2000, 2000 + n_year)
    logm = gompertz_surface(ages, years)
    e = rng.uniform(1e3, 1e4, size=logm.shape)
    e[rng.random(e.shape) < 0.1] = 0.0  # some empty cells
    d = rng.poisson(e * np.exp(logm)).astype(float)
    lam = (10 ** log_lam[0], 10 ** log_lam[1])
    g = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lam, knot_spacing=(3, 3))
    k = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lam, knot_spacing=(3, 3), method="kronecker")
    assert np.max(np.abs(g.log_rates - k.log_rates)) < 1e-8
    assert np.max(np.abs(g.se - k.se)) < 1e-8
    assert abs(g.effective_dim - k.effective_dim) < 1e-8


# --- smoothing-parameter search: derivatives, convergence, bounds --------------------------


def _problem_and_state(family, lambdas, seed=3):
    """A 2-D problem (Poisson counts or Gaussian log rates) and its fit at ``lambdas``."""
    from foresight.mortality import pspline as ps

    d, e, ages, years, logm = small_poisson(seed=seed)
    ba, by = ps.bspline_basis(ages), ps.bspline_basis(years)
    ua, sa = ps.penalty_eigenbasis(ba.shape[1])
    uy, sy = ps.penalty_eigenbasis(by.shape[1])
    pen = (np.kron(sa, np.ones(by.shape[1])), np.kron(np.ones(ba.shape[1]), sy))
    design = ps._Glam2D(ba @ ua, by @ uy)
    if family == "poisson":
        y, off, w = ps._poisson_arrays(d, e, 0)
        problem = ps._Problem(design, pen, "poisson", y, off, w, 100, 1e-12)
    else:
        z = logm + np.random.default_rng(seed).normal(0, 0.05, logm.shape)
        problem = ps._Problem(design, pen, "gaussian", z, np.zeros_like(z), np.ones_like(z), 1, 0.0)
    return ps, problem


@pytest.mark.parametrize("family", ["poisson", "gaussian"])
@pytest.mark.parametrize("which", ["bic", "aic"])
@pytest.mark.parametrize("rho", [(0.5, 1.5), (-1.0, 3.0), (2.5, -0.5)])
def test_analytic_gradient_of_the_criterion_matches_finite_differences(family, which, rho):
    ps, problem = _problem_and_state(family, None)
    psi2 = 1.7
    rho = np.array(rho)
    state = ps._solve(problem, tuple(10.0**rho))
    grad, sens = ps._gradient(problem, state, psi2, which)
    h = 1e-5
    for j in range(2):
        up, down = rho.copy(), rho.copy()
        up[j] += h
        down[j] -= h
        s_up, s_down = ps._solve(problem, tuple(10.0**up)), ps._solve(problem, tuple(10.0**down))
        v_up, v_down = (ps._criterion(problem, st, psi2, which) for st in (s_up, s_down))
        assert grad[j] == pytest.approx((v_up - v_down) / (2 * h), rel=1e-5, abs=1e-6)
        # the coefficients' derivatives, which predict the next fit's starting point
        np.testing.assert_allclose(sens[:, j], (s_up.theta - s_down.theta) / (2 * h), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_selected_lambdas_are_a_stationary_minimum(criterion):
    """No nearby pair of smoothing parameters does better, at the selected psi2."""
    d, e, ages, years, _ = small_poisson(seed=5)
    fit = fit_pspline_2d(d, e, ages=ages, years=years, criterion=criterion)
    assert fit.converged and not any(fit.lambda_at_bound)
    k = np.log(fit.n_obs) if criterion == "bic" else 2.0
    best = fit.deviance / fit.overdispersion + k * fit.effective_dim
    # the reported criteria are these sums (deviance over psi2, plus log n or 2 per effective dimension)
    assert fit.bic == pytest.approx(fit.deviance / fit.overdispersion + np.log(fit.n_obs) * fit.effective_dim,
                                    rel=1e-12)
    assert fit.aic == pytest.approx(fit.deviance / fit.overdispersion + 2.0 * fit.effective_dim, rel=1e-12)
    for factor in [(1.01, 1.0), (0.99, 1.0), (1.0, 1.01), (1.0, 0.99), (1.01, 1.01), (0.99, 0.99)]:
        lam = (fit.lambdas[0] * factor[0], fit.lambdas[1] * factor[1])
        other = fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lam)
        assert other.deviance / fit.overdispersion + k * other.effective_dim >= best - 1e-9


def test_overdispersion_is_a_fixed_point():
    """psi2 is Dev / (N - ED) of the fit it selected, to the stated tolerance."""
    from foresight.mortality.pspline import PSI2_RTOL

    rng = np.random.default_rng(2024)
    ages, years = np.arange(40, 91), np.arange(1971, 2001)
    mu = 4e4 * np.exp(gompertz_surface(ages, years))
    d = rng.negative_binomial(mu / 1.5, 1.0 / 2.5).astype(float)
    fit = fit_pspline_2d(d, np.full(mu.shape, 4e4), ages=ages, years=years)
    assert fit.converged
    again = fit.deviance / (fit.n_obs - fit.effective_dim)
    assert again == pytest.approx(fit.overdispersion, rel=10 * PSI2_RTOL)


def test_a_flat_criterion_stops_at_the_bound_and_says_so():
    """A surface linear in age is in the null space of the age penalty: lambda_age runs to its bound."""
    ages, years = np.arange(50, 81), np.arange(1980, 2011)
    a, t = np.meshgrid(ages, years, indexing="ij")
    logm = -10 + 0.09 * a - 0.015 * (t - 1980) + 0.05 * np.sin((t - 1980) / 4.0)
    e = np.full(logm.shape, 1e5)
    d = np.random.default_rng(0).poisson(e * np.exp(logm)).astype(float)
    fit = fit_pspline_2d(d, e, ages=ages, years=years, lambda_bounds=(-8.0, 6.0))
    assert fit.converged
    assert fit.lambda_at_bound == (True, False)
    assert fit.lambdas[0] == pytest.approx(1e6, rel=1e-12)
    assert "at a bound: age" in fit.summary()


def test_non_convergence_is_reported_not_hidden(monkeypatch):
    from foresight import ConvergenceWarning
    from foresight.mortality import pspline

    d, e, ages, years, _ = small_poisson(seed=5)
    monkeypatch.setattr(pspline, "PSI2_MAX_ROUNDS", 1)  # psi2 cannot settle in one round
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fit = fit_pspline_2d(d, e, ages=ages, years=years)
    assert not fit.converged
    assert "NOT CONVERGED" in fit.summary()
    monkeypatch.setattr(pspline, "PSI2_MAX_ROUNDS", 100)
    monkeypatch.setattr(pspline, "SELECT_MAX_ITER", 1)  # nor can the search in one step
    with pytest.warns(ConvergenceWarning):
        assert not fit_pspline_2d(d, e, ages=ages, years=years, overdispersion=False).converged


def test_search_needs_tens_of_fits_not_hundreds():
    d, e, ages, years, _ = small_poisson(seed=5)
    fit = fit_pspline_2d(d, e, ages=ages, years=years)
    # 25 on the coarse grid, then a few per Newton step and per overdispersion round
    assert fit.converged and fit.n_fits < 100


@pytest.mark.parametrize("n, order", [(5, 1), (13, 2), (23, 2), (9, 3)])
def test_penalty_eigenbasis_diagonalises_the_penalty(n, order):
    from foresight.mortality.pspline import penalty_eigenbasis

    u, s = penalty_eigenbasis(n, order)
    assert np.allclose(u.T @ u, np.eye(n), atol=1e-12)
    assert np.allclose(u @ np.diag(s) @ u.T, difference_penalty(n, order), atol=1e-10)
    assert np.sum(s == 0) == order  # polynomials of degree < order go unpenalised
    x = np.arange(n, dtype=float)
    assert np.allclose(u[:, :order] @ (u[:, :order].T @ x ** (order - 1)), x ** (order - 1))


def test_the_hessian_never_steps_beyond_the_upper_bound():
    """Forward differences, except within one step of the upper bound of log10 lambda, where
    the difference is taken backwards: no fit is evaluated outside the search range."""
    from foresight.mortality import pspline

    hi, h = 8.0, pspline.HESSIAN_STEP
    seen = []

    def evaluate(rho):
        seen.append(rho.copy())
        return None, None  # a failed fit: its column is NaN

    for rho in (np.array([2.0, 3.0]), np.array([hi - h / 2, 3.0]), np.array([hi, hi])):
        seen.clear()
        hess = pspline._hessian(None, rho, np.zeros(2), 1.0, "bic", evaluate, hi)
        assert np.isnan(hess).all() and len(seen) == 2
        for j, shifted in enumerate(seen):
            expected = rho[j] + (h if rho[j] + h <= hi else -h)
            assert shifted[j] == expected and shifted[1 - j] == rho[1 - j]
            assert shifted.max() <= hi


def _shrinking_psi2(k):
    """2, then relative changes 1e-2, 1e-3, ..., 1e-9, 1e-11, then none."""
    value = 2.0
    for change in ([10.0 ** -e for e in range(2, 10)] + [1e-11])[:k]:
        value *= 1.0 + change
    return value


def _alternating_psi2(step):
    """2, then alternately 2 (1 + step) and 2: the relative changes stop shrinking."""
    return lambda k: 2.0 if k == 0 else 2.0 * (1.0 + step) ** (k % 2)


@pytest.mark.parametrize("sequence, settles, rounds", [
    # each search runs to a tenth of the last change (at least SELECT_XTOL = 1e-9); the first
    # change within PSI2_RTOL (1e-10) once a search ran at SELECT_XTOL stops it: the tenth value
    (_shrinking_psi2, True, 10),
    # changes 1, s, s/(1+s), s below 1e-6: the fourth is no smaller than the third (the round-off
    # floor of a fit whose deviance is itself tiny), which counts as settled
    (_alternating_psi2(4e-7), True, 4),
    # changes that stop shrinking above 1e-6 never settle: flagged and announced
    (_alternating_psi2(3e-6), False, None),
])
def test_the_overdispersion_iteration_stops_by_its_two_rules(monkeypatch, sequence, settles, rounds):
    """psi2 is driven through a given sequence of values to show when its iteration stops."""
    import warnings

    from foresight import ConvergenceWarning
    from foresight.mortality import pspline

    assert pspline.PSI2_RTOL == 1e-10 and pspline.SELECT_XTOL == 1e-9
    d, e, ages, years, _ = small_poisson(seed=5)
    calls = iter(range(10_000))
    monkeypatch.setattr(pspline, "_psi2", lambda problem, state: sequence(next(calls)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_pspline_2d(d, e, ages=ages, years=years)
    flagged = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert fit.converged is settles and flagged is not settles
    assert next(calls) == (pspline.PSI2_MAX_ROUNDS if rounds is None else rounds)


def test_a_fit_prints_without_its_covariance_and_bases():
    """A fit shown in a notebook lists its results, not the coefficient covariance matrix and
    the B-spline bases (large arrays a reader does not want scrolled past)."""
    d, e, ages, years, _ = small_poisson(seed=5)
    text = repr(fit_pspline_2d(d, e, ages=ages, years=years, lambdas=(10.0, 100.0)))
    assert "lambdas=" in text and "effective_dim=" in text
    for hidden in ("covariance=", "basis_age=", "basis_year="):
        assert hidden not in text


@pytest.mark.parametrize("family", ["poisson", "gaussian"])
@pytest.mark.parametrize("which", ["bic", "aic"])
def test_the_search_minimises_the_documented_criterion(family, which):
    """What the smoothing-parameter search minimises is the documented criterion: deviance over
    psi2 (Poisson) or n log(RSS / n) (Gaussian), plus log n (BIC) or 2 (AIC) per effective
    dimension, the same sums the fit reports."""
    ps, problem = _problem_and_state(family, None)
    state = ps._solve(problem, (10.0, 100.0))
    psi2 = 1.7
    n = problem.n_obs
    fit_term = state.deviance / psi2 if family == "poisson" else n * np.log(state.deviance / n)
    k = np.log(n) if which == "bic" else 2.0
    assert ps._criterion(problem, state, psi2, which) == pytest.approx(fit_term + k * state.ed, rel=1e-12)
