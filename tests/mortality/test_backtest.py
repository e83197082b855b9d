"""The one back-test engine: rows, scoring, summaries and the sign test, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from foresight.errors import DataError
from foresight.mortality import backtest as bt
from foresight.mortality import forecasters as F
from foresight.mortality import populations as pops
from foresight.mortality.lifetable import life_expectancy, life_tables


@pytest.fixture(scope="module")
def population():
    return pops.hmd_population("DEUTW")  # 1956-2017: short histories, quick


@pytest.fixture(scope="module")
def table(population):
    return bt.backtest(population, [F.PSplineForecast(), F.ConstantImprovement()], [2000, 2010], last_year=2014)


def test_rows_cover_every_method_sex_origin_measure_and_later_year(table):
    assert tuple(table.columns) == bt.COLUMNS
    assert len(table) == 2 * 2 * 2 * (14 + 4)  # methods x sexes x measures x (2001-2014, 2011-2014)
    assert set(table["population"]) == {"DEUTW"}
    assert list(dict.fromkeys(table["method"])) == ["P-spline forecast", "constant improvement"]
    np.testing.assert_array_equal(table["horizon"], table["year"] - table["origin"])
    np.testing.assert_allclose(table["error"], table["projected"] - table["observed"], rtol=0, atol=0)
    assert table.groupby(["method", "sex", "measure", "origin"])["year"].min().eq(
        table.groupby(["method", "sex", "measure", "origin"])["origin"].first() + 1).all()


def test_observed_values_are_the_observed_life_tables_closed_like_the_projections(population, table):
    d, e = population.surfaces("female", first=2012, last=2012)
    m = F.extend(d / e)  # one year is enough for a table
    lt = life_tables(m, sex="female")
    row = table[(table["sex"] == "female") & (table["year"] == 2012)].set_index(["method", "measure", "origin"])
    assert row.loc[("P-spline forecast", "e0", 2000), "observed"] == pytest.approx(
        float(np.asarray(life_expectancy(lt, 0))[0]), rel=1e-13)
    assert row.loc[("constant improvement", "e65", 2010), "observed"] == pytest.approx(
        float(np.asarray(life_expectancy(lt, 65))[0]), rel=1e-13)
    # the closure: rates above 94 come from the Kannisto fit at 80-94, not from the noisy data
    assert (m.loc[95:110].to_numpy() != (d / e).reindex(range(95, 111)).to_numpy()).all()


def test_the_engine_refuses_what_it_cannot_score(population):
    methods = [F.PSplineForecast()]
    with pytest.raises(DataError, match="fewer than 30 years"):
        bt.backtest(population, methods, [1980], last_year=2010)
    with pytest.raises(DataError, match="leaves no year to score"):
        bt.backtest(population, methods, [2010], last_year=2010)
    with pytest.raises(DataError, match="after the data"):
        bt.backtest(population, methods, [2000], last_year=2020)
    with pytest.raises(DataError, match="share the name"):
        bt.backtest(population, [F.PSplineForecast(), F.PSplineForecast()], [2000], last_year=2010)
    short = population.truncated(1990)
    with pytest.raises(DataError, match="no origin"):
        bt.backtest(short, methods)
    assert bt.default_origins(population) == [1990, 1995, 2000, 2005, 2010, 2015]
    assert bt.default_origins(population, last_year=2015) == [1990, 1995, 2000, 2005, 2010]


# ------------------------------------------------------------------ summaries on a table built by hand
def hand_table() -> pd.DataFrame:
    """Two populations, two methods, errors chosen so that every summary can be done by hand."""
    rows = []
    errors = {  # (population, method, origin) -> error at horizons 1..3 (both sexes, both measures)
        ("A", "m1", 2000): [0.1, 0.2, 0.3], ("A", "m2", 2000): [-0.2, -0.4, -0.6],
        ("A", "m1", 2001): [0.1, -0.1, None], ("A", "m2", 2001): [0.3, 0.3, None],
        ("B", "m1", 2000): [1.0, 1.0, 1.0], ("B", "m2", 2000): [0.5, 0.5, 0.5],
    }
    for (pop, method, origin), errs in errors.items():
        for h, err in enumerate(errs, start=1):
            if err is None:
                continue
            for sex in ("male", "female"):
                for measure, scale in (("e0", 1.0), ("e65", 0.5)):
                    rows.append({"population": pop, "sex": sex, "method": method, "origin": origin,
                                 "year": origin + h, "horizon": h, "measure": measure,
                                 "projected": 80 + scale * err, "observed": 80.0, "error": scale * err})
    return pd.DataFrame(rows, columns=bt.COLUMNS)


def test_band_summary_by_hand():
    s = bt.band_summary(hand_table(), bands=((1, 1), (2, 3))).set_index(["method", "band"])
    # m1, horizon 1: errors 0.1 (A 2000), 0.1 (A 2001), 1.0 (B): mean 0.4, and |.| the same
    assert s.loc[("m1", "1-1"), "mae_e0"] == pytest.approx(0.4)
    assert s.loc[("m1", "1-1"), "bias_e0"] == pytest.approx(0.4)
    assert s.loc[("m1", "1-1"), "mae_e65"] == pytest.approx(0.2)
    # m2, horizons 2-3: -0.4, -0.6, 0.3, 0.5, 0.5 -> |.| mean 2.3 / 5, signed mean 0.3 / 5
    assert s.loc[("m2", "2-3"), "mae_e0"] == pytest.approx(2.3 / 5)
    assert s.loc[("m2", "2-3"), "bias_e0"] == pytest.approx(0.3 / 5)
    # pairs: (A, 2000), (A, 2001), (B, 2000) at horizon 2; the years are per sex and measure
    assert s.loc[("m2", "2-3"), "pairs"] == 3 and s.loc[("m2", "2-3"), "years"] == 5
    assert list(s.index.get_level_values("method").unique()) == ["m1", "m2"]


def test_sign_test_by_hand():
    t = hand_table()
    # horizon 1, population A: m1 |0.1|, |0.1| -> 0.1; m2 |-0.2|, |0.3| -> 0.25 (m1 wins); B: m1 1.0, m2 0.5
    s = bt.sign_tests(t, "m1", ["m2"], horizon=1).iloc[0]
    assert (s["populations"], s["wins"], s["losses"], s["ties"]) == (2, 1, 1, 0)
    assert s["p_value"] == pytest.approx(1.0)
    assert s["median_difference"] == pytest.approx(np.median([0.1 - 0.25, 1.0 - 0.5]))
    # twelve populations where the method always wins: p = 2 / 2^12
    many = pd.concat([t[t["population"] == "A"].assign(population=f"P{i}") for i in range(12)])
    s = bt.sign_tests(many, "m1", ["m2"], horizon=1).iloc[0]
    assert (s["wins"], s["losses"]) == (12, 0) and s["p_value"] == pytest.approx(2 / 2**12)
    with pytest.raises(DataError, match="no projection 4 years ahead"):
        bt.sign_tests(t, "m1", ["m2"], horizon=4, populations=["A", "B"])


def test_horizon_curve_by_hand():
    c = bt.horizon_curve(hand_table()).set_index(["method", "measure", "horizon"])
    assert c.loc[("m2", "e0", 2), "mae"] == pytest.approx((0.4 + 0.3 + 0.5) / 3)
    assert c.loc[("m2", "e0", 3), "pairs"] == 2 and c.loc[("m2", "e0", 3), "populations"] == 2
    assert c.loc[("m1", "e65", 1), "bias"] == pytest.approx(0.5 * 0.4)
