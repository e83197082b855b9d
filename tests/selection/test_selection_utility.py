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


def test_break_even_correlation_closed_form_by_root_finding_and_simulation():
    """The r_xz at which the holistic score is as valid as the formula in a pool chosen on the
    formula: the closed form against Brent's method and against a seeded simulation."""
    from scipy.optimize import brentq

    from foresight.selection.utility import (
        break_even_selector_correlation,
        partial_validity,
        restricted_validity,
        restricted_validity_indirect,
    )

    r_m, r_c, sr = 0.44, 0.28, 0.10
    target = float(restricted_validity(r_m, sr))
    s = break_even_selector_correlation(r_c, r_m, target, sr)
    root = brentq(lambda x: float(restricted_validity_indirect(r_c, r_m, x, sr)) - target, 0.0, r_c / r_m)
    assert s == pytest.approx(root, abs=1e-12)
    # by hand: k = 1 - u^2, s = r_c / r_m - sqrt((1 - k)(r_m^2 - r_c^2) / k) / r_m
    z = norm.isf(sr)
    lam = norm.pdf(z) / sr
    k = 1 - (1 + z * lam - lam**2)
    assert s == pytest.approx(r_c / r_m - np.sqrt((1 - k) * (r_m**2 - r_c**2) / k) / r_m, abs=1e-12)
    # below it the holistic score is the more valid in the pool, above it the formula
    assert restricted_validity_indirect(r_c, r_m, s - 0.02, sr) > target > restricted_validity_indirect(
        r_c, r_m, s + 0.02, sr)
    # seeded simulation at the break-even: the two restricted correlations agree
    rng = np.random.default_rng(25)
    n = 2_000_000
    x = rng.standard_normal(n)
    y = r_m * x + np.sqrt(1 - r_m**2) * rng.standard_normal(n)
    # z with corr(z, x) = s and corr(z, y) = r_c: z = a x + b e_y + c e, e_y the part of y off x
    e_y = (y - r_m * x) / np.sqrt(1 - r_m**2)
    a = s
    b = (r_c - r_m * s) / np.sqrt(1 - r_m**2)
    zz = a * x + b * e_y + np.sqrt(1 - a**2 - b**2) * rng.standard_normal(n)
    keep = x >= np.quantile(x, 1 - sr)
    assert np.corrcoef(zz[keep], y[keep])[0, 1] == pytest.approx(np.corrcoef(x[keep], y[keep])[0, 1], abs=0.01)
    # the break-even's partial correlation (what Z knows beyond X), and zero at r_c / r_m
    assert partial_validity(r_c, r_m, r_c / r_m) == pytest.approx(0.0, abs=1e-15)
    assert partial_validity(r_c, r_m, s) == pytest.approx(b / np.sqrt(1 - s**2), rel=1e-12)
    # no selection: no break-even
    assert np.isnan(break_even_selector_correlation(r_c, r_m, r_m, 1.0))


def test_restriction_table_identities():
    from foresight.selection.utility import restricted_validity, restricted_validity_indirect, restriction_table

    t = restriction_table(0.44, 0.28, np.linspace(0, 0.9, 19), [0.05, 0.1])
    np.testing.assert_allclose(t["loss"], 1 - t["holistic"] / t["formula"])
    np.testing.assert_allclose(t["formula"], restricted_validity(0.44, t["selection_ratio"]))
    row = t[(t["selection_ratio"] == 0.1) & np.isclose(t["r_xz"], 0.5)].iloc[0]
    assert row["holistic"] == pytest.approx(float(restricted_validity_indirect(0.28, 0.44, 0.5, 0.1)))
    # the review's independent figures: 40%, 21% and 2% at r_xz = 0.5, 0.4, 0.3 (top 10%)
    for rxz, loss in ((0.5, 0.40), (0.4, 0.21), (0.3, 0.02)):
        r = t[(t["selection_ratio"] == 0.1) & np.isclose(t["r_xz"], rxz)].iloc[0]
        assert r["loss"] == pytest.approx(loss, abs=0.005)
    for _, g in t.groupby("selection_ratio"):
        assert g["loss"].is_monotonic_increasing
    # impossible correlation matrices are left out
    t2 = restriction_table(0.9, 0.0, [0.0, 0.5, 0.95], [0.1])
    assert list(t2["r_xz"]) == [0.0]


def test_career_filter_by_hand_and_by_simulation():
    from foresight.selection.utility import career_filter_table, restricted_validity_indirect

    t = career_filter_table(0.44, 0.28, [0.3], [0.4], 0.1).iloc[0]
    assert t["formula"] == pytest.approx(float(restricted_validity_indirect(0.44, 0.3, 0.4, 0.1)))
    assert t["holistic_equal"] == pytest.approx(float(restricted_validity_indirect(0.28, 0.3, 0.4, 0.1)))
    assert restricted_validity_indirect(0.28, 0.3, t["break_even_r_wz"], 0.1) == pytest.approx(t["formula"])
    # simulate (W, X, Z, Y) jointly normal with r_wy .3, r_wx .4, r_wz .4, r_xy .44, r_zy .28,
    # r_xz .5, keep the top 10% on W
    R = np.array([[1, .4, .4, .3], [.4, 1, .5, .44], [.4, .5, 1, .28], [.3, .44, .28, 1]])
    rng = np.random.default_rng(2014)
    w, x, z, y = (rng.standard_normal((1_500_000, 4)) @ np.linalg.cholesky(R).T).T
    keep = w >= np.quantile(w, 0.9)
    assert np.corrcoef(x[keep], y[keep])[0, 1] == pytest.approx(t["formula"], abs=0.01)
    assert np.corrcoef(z[keep], y[keep])[0, 1] == pytest.approx(t["holistic_equal"], abs=0.01)


def test_career_filter_formula_sd_and_the_continuum():
    """The formula's SD in a pool chosen on the record: sqrt(1 - r_wx^2 k) by hand, and the SD of
    X among the simulated finalists; with the record equal to the formula (r_wx = 1, r_wy = r_xy)
    the second scenario is the first one."""
    from foresight.selection.utility import (
        break_even_selector_correlation,
        career_filter_table,
        restricted_validity,
    )

    z = norm.isf(0.1)
    lam = norm.pdf(z) / 0.1
    k = 1 - (1 + z * lam - lam**2)
    t = career_filter_table(0.44, 0.28, [0.5], [0.6, 0.9], 0.1).set_index("r_wx")
    np.testing.assert_allclose(t["formula_sd"], np.sqrt(1 - np.array([0.36, 0.81]) * k), rtol=1e-12)
    R = np.array([[1, .9, .5], [.9, 1, .44], [.5, .44, 1]])
    rng = np.random.default_rng(7)
    w, x, y = (rng.standard_normal((1_000_000, 3)) @ np.linalg.cholesky(R).T).T
    keep = w >= np.quantile(w, 0.9)
    assert x[keep].std() == pytest.approx(t.loc[0.9, "formula_sd"], abs=0.005)
    same = career_filter_table(0.44, 0.28, [0.44], [1.0], 0.1).iloc[0]
    assert same["formula"] == pytest.approx(float(restricted_validity(0.44, 0.1)), rel=1e-12)
    assert same["break_even_r_wz"] == pytest.approx(
        break_even_selector_correlation(0.28, 0.44, float(restricted_validity(0.44, 0.1)), 0.1), rel=1e-12)
    # a record more valid than the formula cannot also equal it: no valid matrix, no row
    assert career_filter_table(0.44, 0.28, [0.5], [1.0], 0.1).empty


def test_career_filter_loss_is_the_relative_shortfall_of_the_holistic_validity():
    """Where the career record is tied to neither formula nor performance, the pool is not
    restricted on them: both keep their full validity and the loss is 1 - holistic / formula."""
    from foresight.selection.utility import career_filter_table

    t = career_filter_table(0.40, 0.30, [0.0], [0.0], 0.3)
    assert t.loc[0, "formula"] == pytest.approx(0.40) and t.loc[0, "holistic_equal"] == pytest.approx(0.30)
    assert t.loc[0, "loss_equal"] == pytest.approx(0.25)
    same = career_filter_table(0.40, 0.40, [0.2, 0.4], [0.3], 0.3)
    assert np.allclose(same["loss_equal"], 0.0)


def test_break_even_round_trips_and_refuses_targets_outside_its_domain():
    """Every correlation returned reaches the target (the root of the squared equation that the
    unsquared one admits, never its spurious twin), and where none is returned no correlation in
    [-1, 1] reaches the target. Targets of 0 or 1 and selection ratios of 0 or 1 are outside the
    documented domain and give NaN."""
    from foresight.selection.utility import break_even_selector_correlation, restricted_validity_indirect

    s_grid = np.linspace(-1, 1, 4001)
    found = 0
    for v in (0.1, 0.3, 0.6):
        for vs in (0.2, 0.5, 0.8):
            for t in (0.05, 0.2, 0.5):
                for sr in (0.05, 0.3):
                    s = break_even_selector_correlation(v, vs, t, sr)
                    curve = np.asarray(restricted_validity_indirect(v, vs, s_grid, sr), float)
                    if np.isnan(s):
                        ok = np.isfinite(curve)
                        assert not ((curve[ok].min() < t - 1e-3) and (curve[ok].max() > t + 1e-3)), (v, vs, t, sr)
                    else:
                        found += 1
                        assert -1 <= s <= 1
                        assert float(restricted_validity_indirect(v, vs, s, sr)) == pytest.approx(t, abs=1e-9)
    assert found >= 20
    for t, sr in ((0.0, 0.1), (1.0, 0.1), (0.3, 1.0)):
        assert np.isnan(break_even_selector_correlation(0.3, 0.5, t, sr)), (t, sr)


def test_restriction_table_has_the_documented_columns_and_a_fresh_index():
    from foresight.selection.utility import restriction_table

    t = restriction_table(0.9, 0.0, [0.0, 0.5, 0.95], [0.1, 0.2])
    assert list(t.columns) == ["selection_ratio", "r_xz", "formula", "holistic", "loss"]
    assert list(t.index) == list(range(len(t)))


def test_hiring_everyone_succeeds_at_exactly_the_base_rate():
    """With a selection ratio of 1 every applicant is hired, so the success ratio is the base
    rate itself, exactly, whatever the validity (no detour through the bivariate normal)."""
    from foresight.selection.utility import taylor_russell

    for r, br in ((0.3, 0.4), (0.9, 0.1), (-0.5, 0.2), (0.6, 0.35)):
        assert taylor_russell(r, 1.0, br) == br


def test_an_unreachable_target_gives_nan_without_warnings():
    """A target the squared equation has no real root for (negative discriminant: validity 0.1,
    selector validity 0.05, target 0.05, top 5%) is refused as NaN, quietly."""
    import warnings

    from foresight.selection.utility import break_even_selector_correlation

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(break_even_selector_correlation(0.1, 0.05, 0.05, 0.05))
