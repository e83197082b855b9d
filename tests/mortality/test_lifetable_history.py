"""History helpers: sexes-mixed tables, tolerances, verdicts, ELT-based summaries."""

import numpy as np
import pandas as pd
import pytest

import foresight.mortality as fm
from foresight.mortality import history as h


def test_mix_of_identical_tables_is_the_table():
    mx = np.exp(np.linspace(-7, 0, 101))
    lt = fm.life_tables(mx, sex="female")
    mix = fm.mix_life_tables(lt, lt)
    np.testing.assert_allclose(mix.lx, lt.lx)
    np.testing.assert_allclose(mix.ex, lt.ex)
    np.testing.assert_allclose(mix.qx[:-1], lt.qx[:-1])


def test_mix_e0_is_weighted_mean_and_survival_is_average():
    a = fm.life_tables(np.full(120, 0.02), sex="male")
    b = fm.life_tables(np.full(120, 0.05), sex="female")
    mix = fm.mix_life_tables(a, b, weight_b=0.25)
    assert mix.ex[0, 0] == pytest.approx(0.75 * a.ex[0, 0] + 0.25 * b.ex[0, 0])
    np.testing.assert_allclose(mix.lx[:, 0], 0.75 * a.lx[:, 0] + 0.25 * b.lx[:, 0])
    # the median of the mix lies between the two medians
    assert a.ages[0] < fm.median_age_at_death(b) < fm.median_age_at_death(mix) \
        < fm.median_age_at_death(a)


@pytest.mark.parametrize("decimals,qualifier,expected", [
    (0, "about", 1.0), (1, "about", 0.1), (1, "exact", 0.05), (2, "exact", 0.005),
])
def test_tolerance_rule(decimals, qualifier, expected):
    assert fm.tolerance_for(decimals, qualifier) == pytest.approx(expected)


def test_compare_published():
    assert fm.compare_published(46, 45.4, tolerance=1) == "agrees"
    assert fm.compare_published(46, 44.9, tolerance=1) == "differs"
    assert fm.compare_published(10, 9.96, tolerance=0.05, qualifier="at least") == "agrees"
    assert fm.compare_published(10, 9.9, tolerance=0.05, qualifier="at least") == "differs"
    assert fm.compare_published(10, 99, tolerance=0.05, qualifier="at least") == "agrees"


def test_history_gap_and_arriaga_consistent_with_e0():
    hist = h.elt_history()
    np.testing.assert_allclose(hist["gap_e0"], hist["e0_female"] - hist["e0_male"])
    dec = h.elt_arriaga(3, 11)
    gain = hist.loc[11, ["e0_female", "e0_male"]].to_numpy() - \
        hist.loc[3, ["e0_female", "e0_male"]].to_numpy()
    np.testing.assert_allclose(dec[["female", "male"]].sum().to_numpy(), gain, rtol=1e-10)
    # the sexes-mixed e0 is the mean of the two sexes' e0 (equal mix of births)
    np.testing.assert_allclose(hist["e0_both"], (hist["e0_female"] + hist["e0_male"]) / 2)


def test_improvement_matches_hand_calculation():
    imp = h.elt_improvement(8, 16)
    for sex in ("female", "male"):
        r = imp.loc[sex, "asmr_end"] / imp.loc[sex, "asmr_start"]
        assert imp.loc[sex, "improvement"] == pytest.approx(100 * (1 - r ** (1 / 90)))
    assert fm.annual_improvement(1.0, 0.5, 1) == pytest.approx(50.0)
    assert fm.annual_improvement(2.0, 2.0 * 0.99 ** 10, 10) == pytest.approx(1.0)


def test_esp2013_weights():
    esp = fm.european_standard_population()
    assert esp["weight"].sum() == 100_000
    assert esp.loc[esp["age_group"] == "90+", "weight"].item() == 1000
    assert len(esp) == 20


def test_age_standardised_rate_of_constant_rates_is_that_rate():
    lt = fm.life_tables(np.full((111, 2), 0.01) * np.array([1.0, 3.0]), sex="male")
    asr = fm.age_standardised_rate(lt)
    # with ax = 0.5 the group rate sum(dx)/sum(Lx) equals m at every closed age
    np.testing.assert_allclose(asr[1:], 0.03, rtol=1e-3)
    np.testing.assert_allclose(asr[0], 0.01, rtol=1e-3)


def test_verdict_table_covers_five_statements():
    v = h.changing_life_table_verdicts()
    assert len(v) == 7
    assert set(v["verdict"]) <= {"agrees", "differs"}
    assert v["section"].str.match(r"\d+\. ").all()
