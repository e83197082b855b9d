"""Life-table engine: hand-worked tables, a0 branches, invariants, summaries, Arriaga."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import foresight.mortality as fm
from foresight import DataError


# ------------------------------------------------------------ hand-worked table
def test_hand_worked_three_age_table():
    # ages 0, 1, 2+ ; male ; m0 = 0.01 (< 0.023 -> a0 = 0.14929 - 1.99545 * 0.01)
    m = [0.01, 0.002, 0.5]
    lt = fm.period_life_table(m, sex="male", radix=1000)
    a0 = 0.14929 - 1.99545 * 0.01
    q0 = 0.01 / (1 + (1 - a0) * 0.01)
    q1 = 0.002 / (1 + 0.5 * 0.002)
    l1 = 1000 * (1 - q0)
    l2 = l1 * (1 - q1)
    L0 = l1 + a0 * 1000 * q0
    L1 = l2 + 0.5 * l1 * q1
    L2 = l2 / 0.5
    assert lt.loc[0, "ax"] == pytest.approx(a0)
    assert lt.loc[0, "qx"] == pytest.approx(q0)
    assert lt.loc[1, "lx"] == pytest.approx(l1)
    assert lt.loc[2, "lx"] == pytest.approx(l2)
    assert lt.loc[2, "qx"] == 1.0
    assert lt.loc[2, "ax"] == pytest.approx(2.0)
    assert lt.loc[0, "Lx"] == pytest.approx(L0)
    assert lt.loc[1, "Lx"] == pytest.approx(L1)
    assert lt.loc[2, "Lx"] == pytest.approx(L2)
    assert lt.loc[0, "Tx"] == pytest.approx(L0 + L1 + L2)
    assert lt.loc[0, "ex"] == pytest.approx((L0 + L1 + L2) / 1000)
    assert lt.loc[2, "ex"] == pytest.approx(2.0)
    assert list(lt.columns) == ["mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex"]
    assert lt.index.name == "age"


def test_from_qx_hand_worked():
    # female, q0 = 0.1 (>= 0.0658 -> a0 = 0.3141), q1 = 0.2, last age q = 0.5 -> m = 2/3
    lt = fm.life_table_from_qx([0.1, 0.2, 0.5], sex="female", radix=1)
    assert lt.loc[0, "ax"] == pytest.approx(0.3141)
    assert lt.loc[1, "lx"] == pytest.approx(0.9)
    assert lt.loc[2, "lx"] == pytest.approx(0.72)
    m_last = 0.5 / (1 - 0.5 * 0.5)
    assert lt.loc[2, "mx"] == pytest.approx(m_last)
    e0 = (0.9 + 0.3141 * 0.1) + (0.72 + 0.5 * 0.18) + 0.72 / m_last
    assert lt.loc[0, "ex"] == pytest.approx(e0)
    assert lt.loc[1, "mx"] == pytest.approx(0.2 / (1 - 0.5 * 0.2))


# ------------------------------------------------------------ a0 branches
@pytest.mark.parametrize("sex,m0,expected", [
    ("male", 0.01, 0.14929 - 1.99545 * 0.01),
    ("male", 0.05, 0.02832 + 3.26201 * 0.05),
    ("male", 0.10, 0.29915),
    ("female", 0.01, 0.14903 - 2.05527 * 0.01),
    ("female", 0.04, 0.04667 + 3.88089 * 0.04),
    ("female", 0.09, 0.31411),
])
def test_a0_m0_branches(sex, m0, expected):
    assert fm.a0_andreev_kingkade(m0=m0, sex=sex)[0] == pytest.approx(expected)
    lt = fm.period_life_table([m0, 0.5], sex=sex)
    assert lt.loc[0, "ax"] == pytest.approx(expected)


@pytest.mark.parametrize("sex,q0,expected", [
    ("male", 0.01, 0.1493 - 2.0367 * 0.01),
    ("male", 0.05, 0.0244 + 3.4994 * 0.05),
    ("male", 0.10, 0.2991),
    ("female", 0.01, 0.1490 - 2.0867 * 0.01),
    ("female", 0.04, 0.0438 + 4.1075 * 0.04),
    ("female", 0.09, 0.3141),
])
def test_a0_q0_branches(sex, q0, expected):
    assert fm.a0_andreev_kingkade(q0=q0, sex=sex)[0] == pytest.approx(expected)


def test_a0_continuity_at_m0_breakpoints():
    # Andreev-Kingkade segments meet (approximately) at the published breakpoints
    for sex, b in (("male", 0.02300), ("male", 0.08307), ("female", 0.01724), ("female", 0.06891)):
        lo, hi = fm.a0_andreev_kingkade(m0=[b - 1e-9, b + 1e-9], sex=[sex, sex])
        assert abs(lo - hi) < 2e-3


def test_unknown_sex_raises():
    with pytest.raises(DataError, match="sex"):
        fm.period_life_table([0.1, 0.2], sex="both")


# ------------------------------------------------------------ invariants
rates = arrays(np.float64, st.integers(2, 40),
               elements=st.floats(1e-5, 1.4, allow_nan=False, allow_infinity=False))


@settings(max_examples=60, deadline=None)
@given(mx=rates, sex=st.sampled_from(["male", "female"]))
def test_invariants(mx, sex):
    lt = fm.period_life_table(mx, sex=sex)
    lx = lt["lx"].to_numpy()
    assert np.all(np.diff(lx) <= 1e-9)
    assert np.all((lt["qx"] >= 0) & (lt["qx"] <= 1))
    assert lt.loc[0, "ex"] == pytest.approx(lt.loc[0, "Tx"] / lt.loc[0, "lx"])
    assert np.all(lt["ex"] > 0)
    assert lt["dx"].sum() == pytest.approx(100_000)
    # Lx lies between l_{x+1} and l_x
    assert np.all(lt["Lx"].to_numpy()[:-1] <= lx[:-1] + 1e-6)


@settings(max_examples=40, deadline=None)
@given(q=arrays(np.float64, st.integers(2, 30), elements=st.floats(0.0, 0.99)),
       sex=st.sampled_from(["male", "female"]))
def test_invariants_from_qx(q, sex):
    q[-1] = max(q[-1], 1e-3)
    lt = fm.life_table_from_qx(q, sex=sex)
    assert np.all(np.diff(lt["lx"].to_numpy()) <= 1e-9)
    assert np.all((lt["qx"] >= 0) & (lt["qx"] <= 1))
    assert np.all(lt["ex"] > 0)
    # round trip: the engine's qx equals the input below the open age
    np.testing.assert_allclose(lt["qx"].to_numpy()[:-1], q[:-1], atol=1e-12)


def test_round_trip_mx_qx():
    mx = np.linspace(0.001, 0.3, 50)
    lt = fm.period_life_table(mx, sex="female")
    back = fm.life_table_from_qx(lt["qx"].to_numpy()[:-1], sex="female")
    # ax differs only at age 0 (m0 vs q0 formula); elsewhere mx comes back exactly
    np.testing.assert_allclose(back["mx"].to_numpy()[1:-1], mx[1:-2], rtol=1e-12)


def test_vectorised_equals_single():
    rng = np.random.default_rng(1)
    mx = np.exp(rng.uniform(-9, 0, size=(111, 5)))
    sexes = ["male", "female", "male", "female", "male"]
    many = fm.life_tables(mx, sex=sexes)
    for j in range(5):
        one = fm.period_life_table(mx[:, j], sex=sexes[j])
        np.testing.assert_allclose(many.ex[:, j], one["ex"].to_numpy(), rtol=1e-12)


def test_ragged_schedules_use_own_open_age():
    mx = np.array([[0.01, 0.01], [0.1, 0.1], [0.5, np.nan]])
    many = fm.life_tables(mx, sex="female")
    short = fm.period_life_table([0.01, 0.1], sex="female")
    assert many.ex[0, 1] == pytest.approx(short.loc[0, "ex"])
    assert list(many.omega) == [2, 1]
    assert np.isnan(many.ex[2, 1])


def test_missing_rate_inside_range_raises():
    mx = np.array([[0.01], [np.nan], [0.5]])
    with pytest.raises(DataError, match="missing"):
        fm.life_tables(mx, sex="male")


def test_non_consecutive_ages_raise():
    with pytest.raises(DataError, match="consecutive"):
        fm.period_life_table(pd.Series([0.1, 0.2], index=[0, 2]), sex="male")


# ------------------------------------------------------------ summaries
def test_constant_hazard_summaries():
    # constant hazard m from age 0 to a far open age: exponential survival
    m = 0.05
    mx = np.full(400, m)
    lt = fm.life_tables(mx[:, None], sex="male", ages=np.arange(400))
    # ages >= 1 use ax = 0.5 (trapezoid); median of the exponential is ln 2 / m
    med = fm.median_age_at_death(lt)
    assert med == pytest.approx(math.log(2) / m, rel=5e-3)
    iqr = fm.interquartile_range(lt)
    assert iqr == pytest.approx(math.log(3) / m, rel=5e-3)
    # entropy of an exponential distribution is 1
    assert fm.keyfitz_entropy(lt) == pytest.approx(1.0, abs=0.01)


def test_rectangular_survival_has_low_entropy_and_iqr():
    # almost everybody dies at age 80
    mx = np.full(101, 1e-6)
    mx[80:] = 5.0
    lt = fm.life_tables(mx, sex="female")
    assert fm.keyfitz_entropy(lt) < 0.02
    assert fm.interquartile_range(lt) < 1.0
    assert 80 <= fm.median_age_at_death(lt) <= 81
    assert fm.modal_age_at_death(lt) == pytest.approx(80.5, abs=0.6)


def test_life_expectancy_at_age_and_labels():
    mx = pd.DataFrame({2000: [0.01, 0.02, 0.5], 2001: [0.008, 0.015, 0.4]},
                      index=pd.Index([0, 1, 2], name="age"))
    lt = fm.life_tables(mx, sex="female")
    e1 = fm.life_expectancy(lt, 1)
    assert list(e1.index) == [2000, 2001]
    assert e1[2000] == pytest.approx(lt.table(2000).loc[1, "ex"])
    with pytest.raises(DataError, match="age 5"):
        fm.life_expectancy(lt, 5)


def test_modal_age_known_peak():
    # dx peaks at a known age when qx is built to give a triangle of deaths
    ages = np.arange(0, 101)
    d = np.maximum(0, 30 - np.abs(ages - 70)).astype(float)
    d /= d.sum()
    lx = 1 - np.r_[0, np.cumsum(d)[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(lx > 0, d / lx, 1.0)
    q = np.clip(np.nan_to_num(q, nan=1.0), 0, 1)
    q[-1] = 1.0
    lt = fm.life_tables_from_qx(q, sex="male")
    assert fm.modal_age_at_death(lt) == pytest.approx(70.5, abs=0.05)


# ------------------------------------------------------------ Arriaga
def test_arriaga_sums_to_difference():
    rng = np.random.default_rng(7)
    base = np.exp(np.linspace(-6, 0, 101))
    mx1 = base[:, None] * rng.uniform(0.8, 1.2, size=(101, 3))
    mx2 = mx1 * np.linspace(0.5, 0.95, 101)[:, None]
    lt1 = fm.life_tables(mx1, sex="male")
    lt2 = fm.life_tables(mx2, sex="male")
    dec = fm.arriaga(lt1, lt2, breaks=[0, 1, 5, 15, 45, 65, 85])
    diff = lt2.ex[0] - lt1.ex[0]
    np.testing.assert_allclose(dec.drop(columns="lower").sum().to_numpy(), diff, rtol=1e-10)
    assert list(dec.index) == ["0", "1-4", "5-14", "15-44", "45-64", "65-84", "85+"]


def test_arriaga_change_at_one_age_is_local():
    mx1 = np.exp(np.linspace(-7, 0, 91))
    mx2 = mx1.copy()
    mx2[30] *= 0.5
    dec = fm.arriaga(fm.life_tables(mx1, sex="female"), fm.life_tables(mx2, sex="female"))
    contrib = dec.drop(columns="lower").iloc[:, 0]
    assert contrib.drop("30").abs().max() < 1e-12
    assert contrib["30"] > 0


def test_arriaga_from_age_65():
    mx1 = np.exp(np.linspace(-7, 0, 91))
    mx2 = mx1 * 0.9
    lt1, lt2 = fm.life_tables(mx1, sex="male"), fm.life_tables(mx2, sex="male")
    dec = fm.arriaga(lt1, lt2, age=65, breaks=[65, 75, 85])
    assert dec.drop(columns="lower").sum().iloc[0] == pytest.approx(lt2.ex[65, 0] - lt1.ex[65, 0])


# ------------------------------------------------------------ cohort rates
def test_cohort_rates_diagonals():
    ages = np.arange(0, 4)
    years = np.arange(2000, 2006)
    surface = pd.DataFrame(ages[:, None] * 100 + (years[None, :] - 2000),
                           index=ages, columns=years, dtype=float)
    coh = fm.cohort_rates(surface)
    # cohort 2001 is aged 2 in 2003: value 2*100 + 3
    assert coh.loc[2, 2001] == 203
    assert coh.columns.name == "cohort"
    assert np.isnan(coh.loc[3, 2005])  # aged 3 in 2008: outside the surface
    full = fm.cohort_rates(surface, complete=True)
    assert list(full.columns) == [2000, 2001, 2002]
    assert full[2000].tolist() == [0, 101, 202, 303]


@settings(max_examples=30, deadline=None)
@given(n_age=st.integers(1, 8), n_year=st.integers(1, 8), x=st.integers(0, 7), t=st.integers(0, 7))
def test_cohort_rates_property(n_age, n_year, x, t):
    surface = pd.DataFrame(np.arange(n_age * n_year, dtype=float).reshape(n_age, n_year),
                           index=np.arange(10, 10 + n_age), columns=np.arange(1950, 1950 + n_year))
    coh = fm.cohort_rates(surface)
    x, t = x % n_age, t % n_year
    age, year = 10 + x, 1950 + t
    assert coh.loc[age, year - age] == surface.loc[age, year]


def test_single_schedule_wrappers_reject_many_schedules_and_gaps():
    import numpy as np
    import pytest

    from foresight import DataError
    from foresight.mortality import life_table_from_qx, period_life_table

    with pytest.raises(DataError, match=r"column mx: missing mx"):
        period_life_table([0.01, np.nan, 0.3], sex="male")
    with pytest.raises(DataError, match=r"column qx: missing qx"):
        life_table_from_qx([0.01, np.nan, 1.0], sex="female")
    with pytest.raises(DataError, match="takes one schedule"):
        period_life_table(np.full((3, 2), 0.1), sex="male")
    with pytest.raises(DataError, match="use life_tables_from_qx for many"):
        life_table_from_qx(np.full((3, 2), 0.1), sex="male")
