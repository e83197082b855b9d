"""Remaining public helpers: quantiles, LifeTables methods, SOA index, ELT display, figures."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import foresight.mortality as fm
from foresight.mortality import history as h
from foresight.mortality import history_plots as hp


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.9])
def test_quantile_of_exponential_survival(p):
    m = 0.04
    # start at age 1 (no a0); with ax = 0.5, 1 - qx = (1 - m/2)/(1 + m/2) ~ exp(-m)
    lt = fm.life_tables(np.full((500, 1), m), sex="female", ages=np.arange(1, 501))
    assert fm.age_at_death_quantile(lt, p) == pytest.approx(1 - math.log(1 - p) / m, rel=2e-3)


def test_quantile_in_open_interval():
    # one closed age then an open interval with rate 0.1: survival exp(-0.1 (x - 1)) beyond 1
    lt = fm.life_tables(np.array([[1e-9], [0.1]]), sex="male")
    assert fm.age_at_death_quantile(lt, 0.5) == pytest.approx(1 + math.log(2) / 0.1, rel=1e-6)
    with pytest.raises(ValueError):
        fm.age_at_death_quantile(lt, 1.0)


def test_take_relabel_column_table():
    mx = pd.DataFrame(np.exp(np.linspace(-6, 0, 30))[:, None] * [1.0, 0.8, 0.6],
                      columns=pd.Index([1990, 2000, 2010], name="year"))
    lt = fm.life_tables(mx, sex="male")
    sub = lt.take([0, 2])
    assert list(sub.labels) == [1990, 2010]
    np.testing.assert_array_equal(sub.ex[:, 1], lt.ex[:, 2])
    rel = sub.relabel(["a", "b"])
    assert rel.table("b").loc[0, "ex"] == lt.ex[0, 2]
    col = lt.column("qx")
    assert col.shape == (30, 3) and col.index.name == "age"
    with pytest.raises(KeyError):
        lt.column("nope")
    with pytest.raises(KeyError):
        lt.table(1985)


def test_soa_index_lists_elt_tables():
    idx = fm.soa_tables()
    assert idx["table_id"].is_monotonic_increasing
    assert len(idx) > 1000
    names = idx.set_index("table_id")["name"]
    assert "ELT No. 3" in names[1602]
    assert set(fm.elt_tables()["table_id"]) <= set(idx["table_id"])


def test_elt_catalogue_table_one_row_per_elt():
    t = h.elt_catalogue_table()
    assert list(t.index) == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]
    assert t.loc[10, "ages (female)"] == "5-90"
    assert t.loc[3, "SOA id (male)"] == 1602


def test_improvement_by_age_matches_rates():
    by_age = h.elt_improvement_by_age(8, 16)
    mx = h.elt_by_sex()["female"].column("mx")
    expect = fm.annual_improvement(mx.loc[40, 8], mx.loc[40, 16], 90)
    assert by_age.loc[40, "female"] == pytest.approx(expect)
    assert by_age.index.max() == 99


def test_figures_draw_expected_series():
    hist = h.elt_history()
    both = h.elt_both_sexes()
    fig = hp.survival_figure(both, hist)
    assert len(fig.axes[0].lines) == len(hist) + 1  # one curve per ELT plus the 50% line
    plt.close(fig)
    fig = hp.life_expectancy_figure(hist)
    assert len(fig.axes) == 2 and all(len(ax.lines) == 2 for ax in fig.axes)
    plt.close(fig)
    fig = hp.sex_gap_figure(hist, published=6.0)
    assert len(fig.axes[0].lines) == 3
    plt.close(fig)
    dec = h.elt_arriaga(3, 11)
    fig = hp.arriaga_figure(dec, "a", "b")
    assert len(fig.axes[0].patches) == 2 * len(dec)
    plt.close(fig)
    fig = hp.rectangularisation_figure(hist)
    assert len(fig.axes) == 2
    plt.close(fig)
    fig = hp.improvement_by_age_figure(h.elt_improvement_by_age(), reference=1.2)
    assert len(fig.axes[0].lines) == 4
    plt.close(fig)
