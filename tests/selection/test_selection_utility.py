"""Taylor-Russell success ratios and Brogden-Cronbach-Gleser utility."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm

from foresight.selection import (
    bcg_gain_per_hire,
    bivariate_normal_cdf,
    mean_selected_z,
    taylor_russell,
    taylor_russell_table,
)


def test_taylor_russell_matches_published_table_values():
    table = taylor_russell_table()
    assert len(table) >= 3
    got = taylor_russell(table["validity"], table["selection_ratio"], table["base_rate"])
    # the tables print two decimals: agree within half a unit in the last place
    np.testing.assert_allclose(got, table["success_ratio"], atol=0.005)


def test_taylor_russell_closed_form_at_the_median():
    # BR = SR = 0.5: P(X>0, Y>0) = 1/4 + arcsin(r)/(2 pi), success ratio = twice that
    for r in (0.1, 0.3, 0.5, 0.9):
        assert taylor_russell(r, 0.5, 0.5) == pytest.approx(0.5 + np.arcsin(r) / np.pi, abs=1e-12)


def test_taylor_russell_zero_validity_gives_base_rate():
    np.testing.assert_allclose(taylor_russell(0.0, [0.1, 0.4, 0.9], 0.3), 0.3, atol=1e-12)


@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-0.95, 0.95))
def test_bivariate_cdf_agrees_with_scipy(h, k, rho):
    ref = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([h, k])
    assert bivariate_normal_cdf(h, k, rho) == pytest.approx(ref, abs=2e-6)


def test_bivariate_cdf_at_zero_and_axes():
    assert bivariate_normal_cdf(0, 0, 0.5) == pytest.approx(0.25 + np.arcsin(0.5) / (2 * np.pi))
    assert bivariate_normal_cdf(0, 1.0, 0.0) == pytest.approx(0.5 * norm.cdf(1.0))


@given(st.floats(0.0, 0.9), st.floats(0.05, 0.95), st.floats(0.05, 0.95))
def test_success_ratio_rises_with_validity(r, sr, br):
    assert taylor_russell(r + 0.05, sr, br) >= taylor_russell(r, sr, br) - 1e-12


def test_bcg_case_worked_by_hand():
    # r = 0.5, SR = 0.5: z cut 0, phi(0) = 0.398942, mean z of those hired 0.797885
    # gain = 0.5 * 10000 * 0.797885 = 3989.42; cost per hire = 100 / 0.5 = 200
    assert mean_selected_z(0.5) == pytest.approx(0.7978846, abs=1e-7)
    assert bcg_gain_per_hire(0.5, 0.5, sd_y=10_000, cost_per_applicant=100) == pytest.approx(3789.42, abs=0.01)
    # SR = 0.1: z cut 1.28155, phi = 0.175498, mean z 1.75498; r .44, 2 years, SDy 1
    assert bcg_gain_per_hire(0.44, 0.1, tenure=2) == pytest.approx(2 * 0.44 * 1.754983, abs=1e-5)


def test_bcg_simulated_top_down_selection():
    rng = np.random.default_rng(3)
    n = 400_000
    x = rng.standard_normal(n)
    y = 0.4 * x + np.sqrt(1 - 0.16) * rng.standard_normal(n)
    top = x >= np.quantile(x, 0.8)
    assert y[top].mean() == pytest.approx(float(bcg_gain_per_hire(0.4, 0.2)), abs=0.01)


def test_utility_rejects_bad_ratios():
    with pytest.raises(ValueError):
        taylor_russell(0.3, 0.0, 0.5)
    with pytest.raises(ValueError):
        mean_selected_z(1.5)


def test_restricted_validity_by_hand_and_by_simulation():
    from foresight.selection.utility import restricted_validity

    # SR = 0.5: z = 0, lambda = 0.797885, u^2 = 1 - 0.63662 = 0.36338
    u = np.sqrt(1 - 0.7978846**2)
    assert restricted_validity(0.5, 0.5) == pytest.approx(0.5 * u / np.sqrt(1 - 0.25 + 0.25 * u**2), abs=1e-6)
    rng = np.random.default_rng(9)
    x = rng.standard_normal(600_000)
    y = 0.44 * x + np.sqrt(1 - 0.44**2) * rng.standard_normal(x.size)
    keep = x > np.quantile(x, 0.9)
    assert np.corrcoef(x[keep], y[keep])[0, 1] == pytest.approx(float(restricted_validity(0.44, 0.1)), abs=0.01)


def test_indirect_restriction_matches_a_seeded_simulation():
    """Select the top 10% on the formula X; the holistic score Z is related to Y only through X."""
    from foresight.selection.utility import restricted_validity, restricted_validity_indirect

    r_m, r_c, sr = 0.44, 0.28, 0.10
    rng = np.random.default_rng(20240516)
    n = 2_000_000
    x = rng.standard_normal(n)
    y = r_m * x + np.sqrt(1 - r_m**2) * rng.standard_normal(n)
    a = r_c / r_m  # corr(Z, X); corr(Z, Y) = a * r_m = r_c, and Z carries nothing else about Y
    z = a * x + np.sqrt(1 - a**2) * rng.standard_normal(n)
    keep = x >= np.quantile(x, 1 - sr)
    sim_m = np.corrcoef(x[keep], y[keep])[0, 1]
    sim_c = np.corrcoef(z[keep], y[keep])[0, 1]
    assert np.corrcoef(z, y)[0, 1] == pytest.approx(r_c, abs=0.002)
    # 200,000 kept: the Monte Carlo SE of a correlation is about 0.0022
    assert restricted_validity(r_m, sr) == pytest.approx(sim_m, abs=0.008)
    assert restricted_validity_indirect(r_c, r_m, a, sr) == pytest.approx(sim_c, abs=0.008)
    # the direct formula, as if the pool had been chosen on Z, is far off
    assert abs(restricted_validity(r_c, sr) - sim_c) > 0.04
    # with Z = X case III is the direct formula; with no selection nothing changes
    assert restricted_validity_indirect(r_m, r_m, 1.0, sr) == pytest.approx(restricted_validity(r_m, sr))
    assert restricted_validity_indirect(r_c, r_m, a, 1.0) == pytest.approx(r_c)
