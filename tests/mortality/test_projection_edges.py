"""Edges of the ONS-style projection that mutation testing found unexercised (issue 22).

Each test states the rule it pins; expected values are worked out from the definitions in
:mod:`foresight.mortality.ons`, not read back from the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from foresight.errors import DataError
from foresight.mortality.lifetable import life_expectancy, life_tables
from foresight.mortality.projection import kannisto_extend, project_mortality

AGES = np.arange(60, 101)
A, B = np.exp(-10.5), 0.11


def _logistic(x, shift=1.0):
    return A * np.exp(B * x) * shift / (1 + A * np.exp(B * x) * shift)


def _surface(years=(2000, 2001)):
    return pd.DataFrame({y: _logistic(AGES, 1 - 0.01 * i) for i, y in enumerate(years)},
                        index=pd.Index(AGES, name="age"))


def test_kannisto_accepts_three_fitting_ages_and_refuses_two():
    """A line needs two points; the module asks for at least three ages (hi - lo >= 2)."""
    m = _surface()
    ext = kannisto_extend(m, to_age=110, fit_ages=(90, 92))
    np.testing.assert_allclose(ext.loc[110].to_numpy(), [_logistic(110), _logistic(110, 0.99)], rtol=1e-9)
    with pytest.raises(DataError, match="fit ages"):
        kannisto_extend(m, to_age=110, fit_ages=(90, 91))


def test_kannisto_leaves_out_a_zero_rate_and_fits_the_rest_by_ordinary_least_squares():
    """A year with no deaths at one fitting age: that age drops out of the year's fit, and the
    line through the other ages is the ordinary least-squares line on them alone."""
    m = _surface()
    noisy = m.copy()
    rng = np.random.default_rng(3)
    noisy.loc[80:90] *= np.exp(rng.normal(0, 0.05, size=(11, 2)))  # a line no longer fits exactly
    noisy.loc[84, 2001] = 0.0
    ext = kannisto_extend(noisy, to_age=105, fit_ages=(80, 90))
    assert ext.loc[84, 2001] == 0.0  # observed zero kept
    for year in (2000, 2001):
        x = np.arange(80, 91)
        y = noisy.loc[80:90, year].to_numpy()
        keep = y > 0
        slope, intercept = np.polyfit(x[keep], np.log(y[keep] / (1 - y[keep])), 1)
        want = 1 / (1 + np.exp(-(intercept + slope * np.arange(101, 106))))
        np.testing.assert_allclose(ext.loc[101:105, year].to_numpy(), want, rtol=1e-9)


def test_kannisto_needs_two_positive_rates_and_two_are_enough():
    m = _surface()
    two = m.copy()
    two.loc[[80], 2001] = 0.0  # ages 80-82: one zero leaves two positive rates
    ext = kannisto_extend(two, to_age=100 + 3, fit_ages=(80, 82))
    x, y = np.array([81.0, 82.0]), two.loc[[81, 82], 2001].to_numpy()
    slope = np.diff(np.log(y / (1 - y)))[0]
    want = np.log(y[1] / (1 - y[1])) + slope * (103 - 82)
    assert ext.loc[103, 2001] == pytest.approx(1 / (1 + np.exp(-want)), rel=1e-9)
    one = two.copy()
    one.loc[81, 2001] = 0.0
    one.loc[80, 2000] = 0.0  # 2000 keeps two positive rates: the error names 2001, not 2000
    with pytest.raises(DataError, match="fewer than two positive rates at ages 80-82 in 2001"):
        kannisto_extend(one, to_age=103, fit_ages=(80, 82))


def test_kannisto_refuses_a_repeated_year():
    m = _surface()
    m.columns = [2000, 2000]
    with pytest.raises(DataError, match="consecutive whole numbers"):
        kannisto_extend(m, to_age=105)


def _falling_surface(years=np.arange(2007, 2012), improvement=0.012):
    """Gompertz-Makeham rates at ages 0-100 over ``years``, falling by ``improvement`` a year
    (a number, or one per age) up to the last year."""
    ages = np.arange(0, 101)
    base = 5e-4 + 3e-5 * np.exp(0.1 * ages)
    fall = (1 - np.broadcast_to(improvement, ages.shape))[:, None] ** (years - years[-1])[None, :]
    return ages, pd.DataFrame(base[:, None] * fall, index=pd.Index(ages, name="age"),
                              columns=pd.Index(years, name="year"))


def test_a_zero_rate_in_a_projection_is_reported_with_its_cell():
    _, m = _falling_surface()
    s = {"male": m * 1.3, "female": m.copy()}
    s["male"].loc[50, 2010] = 0.0
    with pytest.raises(DataError, match="age 50, year 2010"):
        project_mortality(s)


def test_period_expectancy_defaults_to_birth():
    ages, m = _falling_surface()
    p = project_mortality({"male": m * 1.3, "female": m})
    got = p.period_expectancy(years=[2011])
    e0 = float(np.asarray(life_expectancy(life_tables(m[[2011]], sex="female", ages=ages), 0)).ravel()[0])
    assert got.loc[2011, "female"] == pytest.approx(e0, rel=1e-9)
    assert got.equals(p.period_expectancy(0, [2011]))


@pytest.mark.parametrize("split", [1960, 2030])
def test_data_ending_in_the_base_year_start_the_convergence_from_their_own_last_improvement(split):
    """With the last data year equal to the base year, nothing is carried forward: in the first
    projected year a cohort born before the split converges from the improvement it had a
    year younger in the data, r0(x - 1), an age-group after it from r0(x). A late split (2030)
    leaves cohorts before it even in the last projected year; nothing changes."""
    from foresight.mortality.projection import ProjectionAssumptions, convergence_weight

    r0 = 0.002 + 0.0003 * np.arange(0, 101)  # improvement varies by age, so a wrong source age shows
    _, m = _falling_surface(np.arange(2010, 2015), r0)
    a = ProjectionAssumptions(base_year=2014, target_rate=0.012, cohort_targets=(), cohort_split=split,
                              male_not_below_female=False, end_year=2120)
    p = project_mortality({"male": m * 1.2, "female": m}, a)
    got = p.improvement["female"][2015]
    w = convergence_weight(np.array(1 / 25), a.convergence_power["female"])
    for x in (30, 80, 95):  # cohorts 1985 (by age), 1935 and 1920 (by cohort)
        start = r0[x] if 2015 - x >= split else r0[x - 1]
        assert got.loc[x] == pytest.approx(0.012 + (start - 0.012) * w, rel=1e-9), x
