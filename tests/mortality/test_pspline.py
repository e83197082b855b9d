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
    # the two searches land on the same smoothing parameters (up to the
    # round-off that steers Nelder-Mead) ...
    assert np.allclose(g.lambdas, k.lambdas, rtol=1e-6)
    assert np.max(np.abs(g.log_rates - k.log_rates)) < 1e-6
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
