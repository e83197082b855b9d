"""History helpers: sexes-mixed tables, the ONS statements checked, ELT-based summaries."""

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


def test_changing_life_table_checks_cover_the_five_statements():
    v = h.changing_life_table_checks()
    figs = h.changing_life_table_figures()
    from foresight.mortality.statements import statement_record

    assert list(v.index) == list(figs.index) == list(statement_record("mort-tab-verdicts").index)
    assert sorted(set(figs["number"].str[0])) == ["1", "2", "3", "4", "5"]
    assert v["source and section"].str.match(r"ONS \(2015\), \d+\. ").all()
    np.testing.assert_allclose(v["difference"], v["reproduced"] - v["published"])
    # statements about the UK, another window or cohorts are not comparable with the ELTs
    from foresight.mortality.statements import basis

    not_comparable = [k for k, b in basis("mort-tab-verdicts").items() if b == "not comparable"]
    assert sorted(not_comparable) == ["gap_e0_1980", "gap_e0_peak", "improvement_female", "improvement_male",
                                      "young_share_female", "young_share_male"]
    assert (v.loc[not_comparable, "verdict"] == "not comparable").all()
    # the sex gap row reads ELT 14 and the peak row the ELT with the largest gap (1970-72)
    hist = h.elt_history()
    assert v.loc["gap_e0_1980", "reproduced"] == pytest.approx(hist.loc[14, "gap_e0"])
    assert v.loc["gap_e0_peak", "reproduced"] == 1971
    # the entropy change is that of the first and the last table
    h_all = hist["entropy"].to_numpy()
    assert v.loc["entropy_change", "reproduced"] == pytest.approx(h_all[-1] - h_all[0])
