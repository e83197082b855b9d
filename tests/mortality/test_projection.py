"""Tests of the ONS-style projection (foresight.mortality.projection)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foresight.data import published
from foresight.errors import DataError
from foresight.mortality.projection import (
    ProjectionAssumptions,
    cohort_target_rates,
    convergence_weight,
    improvement_surface,
    project_mortality,
)

AGES = np.arange(0, 101)


def surface(t0=2011, n_years=5, improvement=0.012, sex_shift=0.0):
    """Gompertz-Makeham rates falling at a given rate per year (scalar or by age)."""
    years = np.arange(t0 - n_years + 1, t0 + 1)
    base = 5e-4 + 3e-5 * np.exp(0.1 * AGES) * (1 + sex_shift)
    r = np.broadcast_to(np.asarray(improvement, dtype=float), AGES.shape)
    m = base[:, None] * (1 - r[:, None]) ** (years - t0)[None, :]
    return pd.DataFrame(np.minimum(m, 2.0), index=pd.Index(AGES, name="age"), columns=pd.Index(years, name="year"))


def both(**kw):
    return {"male": surface(sex_shift=0.3, **kw), "female": surface(**kw)}


def test_cohort_targets_match_the_published_2014_assumptions():
    pub = published("ons2015mortality")["value"]
    c = np.array([1895, 1902, 1906.5, 1911, 1915, 1922, 1923, 1924, 1927, 1931, 1932, 1935.5, 1939, 1950, 1990])
    got = cohort_target_rates(c)
    # section 7: 1.2% for those born before 1924 and in 1924 (the higher targets are those of
    # the cohorts born 1925 to 1938), rising linearly to 2.5% for 1931
    expected = [0.001, 0.001, 0.0055, 0.010, 0.010, 0.010, 0.012, 0.012, 0.012 + 0.013 * 3 / 7, 0.025,
                0.025, 0.0185, 0.012, 0.012, 0.012]
    assert np.allclose(got, expected)
    assert cohort_target_rates([1925])[0] > 0.012 and cohort_target_rates([1938])[0] > 0.012
    assert cohort_target_rates([1931])[0] == pytest.approx(pub["ons_proj_target_peak_1931"] / 100)
    assert cohort_target_rates([1922])[0] == pytest.approx(pub["ons_proj_target_1922"] / 100)
    assert cohort_target_rates([1902])[0] == pytest.approx(pub["ons_proj_target_1902"] / 100)
    assert ProjectionAssumptions().target_rate == pytest.approx(pub["ons_target_improvement_2039"] / 100)
    assert ProjectionAssumptions().target_year == 2039
    flat = ProjectionAssumptions(cohort_targets=())
    assert np.all(cohort_target_rates([1900, 1931, 2000], flat) == 0.012)
    shifted = ProjectionAssumptions().with_target(0.02)
    assert cohort_target_rates([1931, 1960], shifted) == pytest.approx([0.033, 0.02])


@given(
    r0=st.floats(-0.01, 0.05),
    target=st.floats(0.0, 0.03),
    power=st.floats(1.01, 4.0),
)
@settings(max_examples=60, deadline=None)
def test_convex_convergence_has_the_two_properties_ons_state(r0, target, power):
    k = np.arange(1, 26)
    linear = target + (r0 - target) * convergence_weight(k / 25, 1.0)
    curved = target + (r0 - target) * convergence_weight(k / 25, power)
    assert convergence_weight(0.0, power) == 1.0 and convergence_weight(1.0, power) == 0.0
    if r0 > target + 1e-6:  # above the target: less cumulative reduction than linear
        assert curved.sum() < linear.sum()
    elif r0 < target - 1e-6:  # below the target: more cumulative reduction than linear
        assert curved.sum() > linear.sum()


def test_improvement_surface_by_hand():
    m = pd.DataFrame(
        [[0.1, 0.09, 0.0891], [0.2, 0.2, 0.21]], index=pd.Index([60, 61], name="age"), columns=[2000, 2001, 2002]
    )
    imp = improvement_surface(m)
    assert list(imp.columns) == [2001, 2002]
    assert np.allclose(imp.to_numpy(), [[0.1, 0.01], [0.0, -0.05]])


def test_constant_improvement_at_the_target_is_kept_exactly():
    a = ProjectionAssumptions(cohort_targets=(), male_not_below_female=False)
    p = project_mortality(both(improvement=0.012), a)
    f = p.mx["female"]
    t = np.array([2012, 2014, 2039, 2114])
    expected = f[2011].to_numpy()[:, None] * (1 - 0.012) ** (t - 2011)[None, :]
    assert np.allclose(f.loc[:, t].to_numpy(), expected, rtol=1e-12)
    assert np.allclose(p.improvement["male"].loc[:, 2012:].to_numpy(), 0.012)
    assert p.years[-1] >= 2114 and p.last_data_year == 2011


def test_carry_forward_by_cohort_before_1960_and_by_age_after():
    r = 0.005 + 0.0003 * AGES  # improvement rising with age in 2011
    a = ProjectionAssumptions(cohort_targets=(), male_not_below_female=False)
    p = project_mortality(both(improvement=r), a)
    imp = p.improvement["female"]
    for year in (2012, 2013, 2014):
        k = year - 2011
        for age in (30, 45, 53, 54, 60, 90):
            born = year - age
            expected = r[age - k] if born < 1960 else r[age]
            assert imp.loc[age, year] == pytest.approx(expected, abs=1e-12)


def test_linear_convergence_to_target_and_cohort_targets_for_life():
    a = ProjectionAssumptions(convergence_power={"male": 1.0, "female": 1.0}, male_not_below_female=False)
    p = project_mortality(both(improvement=0.03), a)
    imp = p.improvement["female"]
    # born 1970 (by age): 3 % in 2014 falling linearly to 1.2 % in 2039
    for year in (2014, 2020, 2030, 2039, 2050):
        s = min(1.0, (year - 2014) / 25)
        assert imp.loc[year - 1970, year] == pytest.approx(0.012 + (0.03 - 0.012) * (1 - s), abs=1e-12)
    # born 1931 (by cohort): converges to its own 2.5 % target and keeps it
    # (with a 2011 base and 10-year convergence, so that the cohort is under 100)
    early = ProjectionAssumptions(
        base_year=2011, convergence_years=10, convergence_power={"male": 1.0, "female": 1.0}
    )
    q = project_mortality(both(improvement=0.03), early)
    for year in (2021, 2025, 2030):
        assert q.improvement["female"].loc[year - 1931, year] == pytest.approx(0.025, abs=1e-12)
        assert q.improvement["female"].loc[year - 1935, year] == pytest.approx(0.025 - 3 * 0.013 / 7, abs=1e-12)
    # faster convergence for males with the default powers
    d = project_mortality(both(improvement=0.03))
    assert d.improvement["male"].loc[2020 - 1970, 2020] < d.improvement["female"].loc[2020 - 1970, 2020]


def test_male_rates_not_below_female_rates():
    surfaces = {"male": surface(sex_shift=-0.2, improvement=0.01), "female": surface(improvement=0.02)}
    p = project_mortality(surfaces)
    m, f = p.mx["male"], p.mx["female"]
    proj = m.columns >= 2014
    assert np.all(m.loc[:, proj].to_numpy() >= f.loc[:, proj].to_numpy())
    assert np.allclose(m.loc[:, 2011], surfaces["male"][2011])  # history untouched
    free = project_mortality(surfaces, ProjectionAssumptions(male_not_below_female=False))
    assert np.any(free.mx["male"].loc[:, proj].to_numpy() < f.loc[:, proj].to_numpy())


def test_cohort_equals_period_when_mortality_does_not_change():
    a = ProjectionAssumptions(target_rate=0.0, cohort_targets=(), male_not_below_female=False)
    p = project_mortality(both(improvement=0.0), a)
    per = p.period_expectancy(0, [2014])
    coh = p.cohort_expectancy(0, [2014])
    assert np.allclose(per.to_numpy(), coh.to_numpy(), atol=1e-9)
    per65 = p.period_expectancy(65, [2030])
    coh65 = p.cohort_expectancy(65, [2030])
    assert np.allclose(per65.to_numpy(), coh65.to_numpy(), atol=1e-9)
    # with improvement, the cohort outlives the period table
    q = project_mortality(both(improvement=0.015))
    assert np.all(q.cohort_expectancy(0, [2014]).to_numpy() > q.period_expectancy(0, [2014]).to_numpy() + 2)
    assert q.median_age_at_death("cohort", 2031) > q.median_age_at_death("period", 2031)
    tidy = q.to_frame(first_year=2014)
    assert set(tidy["sex"]) == {"male", "female"} and tidy["year"].min() == 2014
    assert len(tidy) == 2 * AGES.size * (q.years[-1] - 2014 + 1)


def test_bad_surfaces_are_reported_with_their_cell():
    s = both()
    s["female"].loc[40, 2009] = np.nan
    with pytest.raises(DataError, match="age 40, year 2009"):
        project_mortality(s)
    with pytest.raises(DataError, match="base year"):
        project_mortality(both(t0=2016))
    with pytest.raises(DataError, match="male"):
        project_mortality({"male": surface()})
    with pytest.raises(DataError, match="2114"):
        project_mortality(both(), ProjectionAssumptions(end_year=2100))


def test_elt_smoothing_keeps_the_tables_life_expectancy():
    from foresight.mortality.projection import elt_observed_expectancy, smooth_elt_surfaces
    from foresight.mortality.lifetable import life_expectancy, life_tables

    surfaces, fits = smooth_elt_surfaces()
    obs = elt_observed_expectancy([12, 13, 14, 15, 16])
    for sex in ("male", "female"):
        lt = life_tables(surfaces[sex].loc[:, obs.index], sex=sex)
        e0 = np.asarray(life_expectancy(lt, 0), dtype=float)
        # the same tables, closed at 100 instead of ~110 and smoothed over
        # years: e0 moves by at most about half a year (the stagnant male
        # table of 1970-72 is pulled towards the trend), 0.3 on average
        err = np.abs(e0 - obs[sex].to_numpy())
        assert np.max(err) < 0.6 and np.mean(err) < 0.3
        assert fits[sex].n_obs == 101 * 5


def test_kannisto_extension_is_exact_on_a_logistic_surface():
    from foresight.mortality.projection import kannisto_extend

    ages = np.arange(60, 101)
    years = [2000, 2001]
    a, b = np.exp(-10.5), 0.11
    logistic = lambda x, shift: a * np.exp(b * x) * shift / (1 + a * np.exp(b * x) * shift)  # noqa: E731
    m = pd.DataFrame({y: logistic(ages, 1 - 0.01 * i) for i, y in enumerate(years)}, index=pd.Index(ages, name="age"))
    ext = kannisto_extend(m, to_age=115, fit_ages=(80, 100))
    assert list(ext.index) == list(range(60, 116))
    for i, y in enumerate(years):
        assert np.allclose(ext[y].to_numpy(), logistic(np.arange(60, 116), 1 - 0.01 * i), rtol=1e-9)
    assert ext.to_numpy().max() < 1
    with pytest.raises(DataError, match="fit ages"):
        kannisto_extend(m, fit_ages=(50, 100))


def test_ons_figures_sensitivity_uncertainty_and_backtest_on_the_elts():
    from foresight.data import compare, published
    from foresight.mortality.projection import (
        elt_backtest,
        improvement_uncertainty,
        ons_figures,
        smooth_elt_surfaces,
        target_sensitivity,
    )

    surfaces, fits = smooth_elt_surfaces()
    p = project_mortality(surfaces)

    def ons_comparison(projection, basis="not comparable"):
        return compare(published("ons2015mortality"), ons_figures(projection), basis=basis)

    table = ons_comparison(p)
    pub = published("ons2015mortality")
    assert np.allclose(table["published"], pub.loc[table.index, "value"].to_numpy())
    assert np.allclose(table["difference"], table["reproduced"] - table["published"])
    # England and Wales life tables to 2001 against UK annual data to 2013: no pass or fail
    assert set(table["verdict"]) == {"not comparable"}
    assert table["source and section"].str.startswith("ONS (2015), ").all() and len(table) == 9
    # on the same data as ONS it would be a reproduction
    assert set(ons_comparison(p, basis="reproduction")["verdict"]) <= {"agrees", "differs"}
    # cohort beats period for a boy born in 2014 and for a man aged 65 in 2014
    r = table["reproduced"]
    assert r["ons_proj_cohort_e0_male_2014"] > r["ons_proj_e0_male_2014"] + 5
    assert r["ons_proj_cohort_e65_male_2014"] > r["ons_proj_e65_male_2014"]
    sens = target_sensitivity(surfaces, targets=(0.0, 0.012, 0.025))
    assert np.all(np.diff(sens["e0_male"]) > 0) and np.all(np.diff(sens["cohort_e0_female"]) > 0)
    central = sens.set_index("target").loc[0.012]
    assert central["e0_male"] == pytest.approx(p.period_expectancy(0, [2039]).loc[2039, "male"])
    unc = improvement_uncertainty(surfaces, fits).set_index(["sex", "scenario"])
    for sex in ("male", "female"):
        e = unc.loc[sex, "e0_2039"]
        assert e["low"] < e["central"] < e["high"]
        assert e["central"] == pytest.approx(p.period_expectancy(0, [2039]).loc[2039, sex])
    bt = elt_backtest()
    assert set(bt["method"]) == {"ONS-style", "Lee-Carter", "P-spline forecast"}
    assert set(bt["year"]) == {1991, 2001} and len(bt) == 3 * 2 * 2 * 2
    assert np.allclose(bt["error"], bt["projected"] - bt["actual"])


@given(
    r_m=st.floats(-0.01, 0.04),
    r_f=st.floats(-0.01, 0.04),
    shift=st.floats(-0.5, 0.5),
    target=st.floats(0.0, 0.025),
)
@settings(max_examples=15, deadline=None)
def test_projection_invariants(r_m, r_f, shift, target):
    surfaces = {"male": surface(sex_shift=shift, improvement=r_m), "female": surface(improvement=r_f)}
    p = project_mortality(surfaces, ProjectionAssumptions().with_target(target))
    m, f = p.mx["male"], p.mx["female"]
    proj = m.columns >= 2014
    assert np.all(np.isfinite(m.to_numpy())) and np.all(m.to_numpy() > 0)
    assert np.all(m.loc[:, proj].to_numpy() >= f.loc[:, proj].to_numpy())
    # born 1960 or later: exactly the general target from the target year on (female rates are unconstrained)
    assert np.allclose(p.improvement["female"].loc[0:40, 2045].to_numpy(), target, atol=1e-12)


def test_elt_smoothing_rms_is_zero_for_an_interpolating_fit_and_larger_at_young_ages():
    from foresight.mortality.projection import elt_smoothing_rms, smooth_elt_surfaces

    _, tight = smooth_elt_surfaces(lambdas=(1e-8, 1e-8), knot_spacing=(1.0, 10.0), max_age=30, extend_to=30)
    rms_tight = elt_smoothing_rms(tight, age_groups=((0, 30),))
    assert (rms_tight["0-30"] < 1e-3).all()  # a spline per age through the five tables
    _, fits = smooth_elt_surfaces()
    rms = elt_smoothing_rms(fits)
    assert list(rms.index) == ["male", "female"]
    assert (rms["0-4"] > rms["5-100"]).all()
