"""Edges of the life-table engine that mutation testing found unexercised (issue 22).

Every expected value is worked out by hand from the definitions in the module's docstrings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import foresight.mortality as fm
from foresight import DataError


def test_the_default_radix_is_one_hundred_thousand():
    for lt in (fm.life_tables([0.1, 0.2], sex="female", ages=[50, 51]),
               fm.life_tables_from_qx([0.1, 0.4], sex="male", ages=[50, 51])):
        assert lt.radix == 100_000 and lt.lx[0, 0] == 100_000
    assert fm.period_life_table([0.1, 0.2], sex="female", ages=[50, 51]).loc[50, "lx"] == 100_000
    assert fm.life_table_from_qx([0.1, 0.4], sex="male", ages=[50, 51]).loc[50, "lx"] == 100_000


def test_a_table_built_from_qx_closes_its_last_age_with_m_from_q_at_a_half():
    """q = (0.1, 0.4) at ages 50, 51 (no a0 at age 50), worked by hand.

    Age 50: d = 10,000, a = 0.5, so L50 = 90,000 + 5,000 = 95,000.
    Open age 51: m = 0.4 / (1 - 0.5 * 0.4) = 0.5, q = 1, a = 1/m = 2, L51 = l51 / m = 180,000,
    e51 = 2 and e50 = (95,000 + 180,000) / 100,000 = 2.75.
    """
    t = fm.life_table_from_qx([0.1, 0.4], sex="female", ages=[50, 51])
    assert t.loc[50, "mx"] == pytest.approx(0.1 / 0.95, rel=1e-12)
    assert t.loc[51, "mx"] == pytest.approx(0.5, rel=1e-12)
    assert t.loc[51, "qx"] == 1.0 and t.loc[51, "ax"] == pytest.approx(2.0, rel=1e-12)
    assert t.loc[50, "Lx"] == pytest.approx(95_000, rel=1e-12)
    assert t.loc[51, "Lx"] == pytest.approx(180_000, rel=1e-12)
    assert t.loc[51, "ex"] == pytest.approx(2.0, rel=1e-12)
    assert t.loc[50, "ex"] == pytest.approx(2.75, rel=1e-12)
    # a certain death at the last age is m = 2 (q = 1 with a = 0.5): half a year left
    last = fm.life_table_from_qx([0.0, 1.0], sex="female", ages=[60, 61])
    assert last.loc[61, "mx"] == pytest.approx(2.0) and last.loc[61, "ex"] == pytest.approx(0.5)


def _with_dx(dx: list[float], start: int = 0) -> fm.LifeTables:
    """A life table whose deaths by age are ``dx`` (per 100,000), closed by a large last rate."""
    dx = np.asarray(dx, dtype=float)
    lx = 100_000 - np.concatenate([[0.0], np.cumsum(dx)[:-1]])
    with np.errstate(invalid="ignore"):  # 0 / 0 at an empty last age, replaced just below
        q = dx / lx
    q[-1] = 1.0
    return fm.life_tables_from_qx(q, sex="female", ages=np.arange(start, start + dx.size))


def test_the_modal_age_is_refined_by_a_parabola_through_its_neighbours():
    """dx 10, 20, 40, 30, 5 at ages 10-14: peak at 12; the parabola through (11, 20), (12, 40),
    (13, 30) peaks at 12 + 0.5 (20 - 30) / (20 - 80 + 30) = 12 + 1/6; the mode is that + 0.5."""
    lt = _with_dx([10_000, 20_000, 40_000, 30_000, 0.0], start=10)
    assert fm.modal_age_at_death(lt) == pytest.approx(12 + 1 / 6 + 0.5, rel=1e-12)


def test_a_mode_at_the_first_admissible_age_is_not_shifted():
    """The largest dx at min_age has no admissible left neighbour: the mode is min_age + 0.5."""
    lt = _with_dx([30_000, 50_000, 10_000, 5_000, 0.0], start=9)  # age 9 excluded by min_age 10
    assert fm.modal_age_at_death(lt, min_age=10) == pytest.approx(10.5, rel=1e-12)
    # and at the last closed age (the open interval is never a mode) it has no right neighbour
    lt = _with_dx([5_000, 10_000, 20_000, 40_000, 25_000], start=10)
    assert fm.modal_age_at_death(lt) == pytest.approx(13.5, rel=1e-12)


def test_arriaga_refuses_tables_on_other_ages_or_with_other_schedules():
    a = fm.life_tables(np.full((3, 2), 0.1), sex="female", ages=[50, 51, 52])
    other_ages = fm.life_tables(np.full((3, 2), 0.1), sex="female", ages=[60, 61, 62])
    one = fm.life_tables(np.full((3, 1), 0.1), sex="female", ages=[50, 51, 52])
    with pytest.raises(DataError, match="differ in ages or number of schedules"):
        fm.arriaga(a, other_ages)
    with pytest.raises(DataError, match="differ in ages or number of schedules"):
        fm.arriaga(a, one)
    assert fm.arriaga(a, a).drop(columns="lower").to_numpy().sum() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("ages, years", [
    ([50, 51, 53], [2000, 2001]),  # a gap in the ages only
    ([50, 51, 52], [2000, 2002]),  # a gap in the years only
    ([50.5, 51.5, 52.5], [2000, 2001]),  # ages not whole
    ([50, 51, 52], [2000.5, 2001.5]),  # years not whole
])
def test_cohort_rates_refuses_a_surface_that_is_not_a_whole_grid(ages, years):
    surface = pd.DataFrame(np.full((len(ages), len(years)), 0.01), index=ages, columns=years)
    with pytest.raises(DataError, match="consecutive whole numbers"):
        fm.cohort_rates(surface)


def test_an_a0_of_zero_is_refused():
    """a0 is the mean time lived by infants who die, strictly inside (0, 1): 0 is refused like 1."""
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(DataError, match="a0"):
            fm.life_tables([0.01, 0.02, 0.5], sex="female", ages=[0, 1, 2], a0=bad)
    fm.life_tables([0.01, 0.02, 0.5], sex="female", ages=[0, 1, 2], a0=1e-6)  # just inside


def test_open_interval_expectancy_is_one_over_m_when_survivors_underflow():
    """Rates so high that lx underflows to 0 before the open age: e there is still 1 / m."""
    mx = [800.0] * 60 + [4.0]
    lt = fm.life_tables(mx, sex="male", ages=list(range(50, 111)))
    assert lt.lx[-1, 0] == 0.0
    assert lt.ex[-1, 0] == pytest.approx(1 / 4.0)


def test_modal_age_is_the_vertex_of_the_parabola_through_the_peak_and_its_neighbours():
    """dx = 3000, 4000, 3500 at ages 70, 71, 72 (the peak): by hand the parabola's vertex lies
    0.5 * (3000 - 3500) / (3000 - 8000 + 3500) = 1/6 of a year after 71, so the mode is
    71 + 0.5 + 1/6. Ages 73 and 74 hold less, so taking the next-but-one age changes it."""
    dx = np.array([1000.0, 2000.0, 3000.0, 4000.0, 3500.0, 1000.0, 500.0])
    ages = np.arange(68, 75)
    lx = 15_000.0 - np.concatenate([[0.0], np.cumsum(dx)[:-1]])
    qx = dx / lx
    qx[-1] = 1.0
    lt = fm.life_tables_from_qx(qx, sex="female", ages=ages, radix=15_000.0)
    np.testing.assert_allclose(lt.dx[:, 0], dx)
    assert float(fm.modal_age_at_death(lt)) == pytest.approx(71 + 0.5 + 1 / 6)


def test_arriaga_keeps_the_schedules_labels():
    mx = pd.DataFrame(np.full((3, 2), 0.1), index=pd.Index([50, 51, 52], name="age"), columns=["1990", "2000"])
    a = fm.life_tables(mx, sex="female")
    b = fm.life_tables(mx * 0.9, sex="female")
    assert list(fm.arriaga(a, b).columns) == ["lower", "1990", "2000"]


def test_a_quantile_reached_within_the_first_year_is_interpolated_in_it():
    """q0 = 0.6: half the cohort has died 0.5 / 0.6 of the way through the first year."""
    lt = fm.life_tables_from_qx([0.6, 0.1, 0.2, 1.0], sex="female", ages=[0, 1, 2, 3])
    assert float(fm.median_age_at_death(lt)) == pytest.approx(0.5 / 0.6, rel=1e-12)
