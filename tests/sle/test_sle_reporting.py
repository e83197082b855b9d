"""Comparison tables, worked examples, summaries and figures used by the chapter."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import foresight.sle as sle
from foresight.data import published
from foresight.sle import plots
from foresight.sle.models import TERMS
from foresight.sle.parametric import compare_fits, fit_summary
from foresight.sle.report import styled
from foresight.sle.survey import ssp_matrix


@pytest.fixture(scope="module")
def pub():
    return published("rappange2017sle")


@pytest.fixture(scope="module")
def result():
    return sle.analyse(sle.synthetic_cohort(n=700, seed=21))


def test_published_table2_long_reads_stars(pub):
    t = sle.published_table2_long(pub)
    assert len(t) == 4 * len(TERMS)
    row = t[(t["model"] == 1) & (t["term"] == "kin_low")].iloc[0]
    assert (row["coef"], row["se"], row["stars"]) == (-4.64, 0.729, "***")
    row = t[(t["model"] == 4) & (t["term"] == "income_high")].iloc[0]
    assert (row["coef"], row["stars"]) == (-3.55, "**")
    assert t[(t["model"] == 1) & (t["term"] == "male")]["stars"].iloc[0] == ""


def test_published_stars_agree_with_published_t_ratios(pub):
    # independent check of the transcription: stars follow |coef / se| against t(725)
    from scipy import stats

    t = sle.published_table2_long(pub)
    p = 2 * stats.t.sf(np.abs(t["coef"] / t["se"]), df=737 - 12)
    from foresight.sle.models import stars

    mismatch = t[np.array(stars(p)) != t["stars"].to_numpy()]
    assert mismatch.empty, mismatch
    check = sle.published_star_check(pub)
    assert check.attrs["df"] == 725
    np.testing.assert_allclose(check["p"], p)
    assert (check["stars_recomputed"] == check["stars"]).all()


def test_side_by_side_layout(result, pub):
    side = sle.table2_side_by_side(result.fits, pub)
    assert side.shape == (len(TERMS) + 3, 9)
    assert side.loc[0, "model 1, published"] == "\u22120.54 (0.587)"
    assert side.iloc[-3]["model 2, published"] == "737"
    assert side.iloc[-3]["model 2, synthetic"] == str(int(result.fits[2].results.nobs))


def test_table2_comparison_tolerance_is_two_published_se(result, pub):
    t = sle.table2_comparison(result.fits, pub)
    row = t.loc["sle_t2_m1_male_coef"]
    assert row["tolerance"] == pytest.approx(2 * 0.587)
    assert row["verdict"] == ("agrees" if abs(row["difference"]) <= 2 * 0.587 else "differs")
    assert row["figure"] == "model 1: Male"


def test_table2_tolerances_in_the_data_are_two_published_se(pub):
    """The explicit tolerances of data/published match the SE rows they are computed from."""
    coef = pub[pub.index.str.match(r"sle_t2_m\d_.*_coef$")]
    se = pub.loc[coef.index.str.replace("_coef", "_se"), "value"].to_numpy()
    np.testing.assert_allclose(coef["tolerance"].to_numpy(), 2 * se, rtol=1e-12)
    assert coef["tolerance_basis"].str.startswith("two published standard errors").all()


def test_sign_agreement_counts(result, pub):
    s = sle.sign_agreement(result.fits, pub)
    assert list(s["model"]) == [1, 2, 3, 4]
    assert (s["slopes"] == 11).all() and (s["same_sign"] <= 11).all()
    assert s.loc[0, "r2_published"] == 0.19


def test_flow_comparison_verdicts(pub):
    res = sle.apply_cascade(sle.synthetic_cohort())
    t = sle.flow_comparison(res.flow, pub)
    assert (t["verdict"] == "agrees").all()
    assert t.loc["sle_after_age", "reproduced"] == 878 and t.loc["sle_analysis_sample", "reproduced"] == 737
    # 737 / 1223 = 60.26 % printed as 60.3
    assert t.loc["sle_analysis_sample_pct", "reproduced"] == pytest.approx(100 * 737 / 1223)
    # one respondent fewer at the end must flip the verdict
    flow = res.flow.copy()
    flow.loc[flow.index[-1], "remaining"] -= 1
    assert sle.flow_comparison(flow, pub).loc["sle_analysis_sample", "verdict"] == "differs"


def test_table1_by_hand():
    df = sle.example_survey()
    kept = sle.apply_cascade(df).kept  # E01, E02, E03, E13
    t = sle.table1(kept)
    assert t["sle_t1_male"] == pytest.approx(25.0)  # E02 only
    assert t["sle_t1_age_mean"] == pytest.approx((40 + 52 + 33 + 36) / 4)
    # E13 has no kin answer: shares over the three who answered
    assert t["sle_t1_kin_75_85"] == pytest.approx(100 / 3)


def test_heaping_and_worked_examples():
    h = sle.heaping(pd.DataFrame({"sle": pd.array([60, 65, 70, 80, 85], dtype="Int64")}))
    assert h["whipple_sle"] == 500.0
    ex = sle.worked_examples()
    assert ex["SSP point estimate"].iloc[:4].tolist() == [85.0, 80.0, 85.0, 92.5]
    assert ex["certainty score"].iloc[3] == 70.0
    assert ex["note"].iloc[4] == "never falls to 50"


def test_fit_summary(result):
    fits = compare_fits(result.sample, ssp_matrix(result.sample))
    s = fit_summary(fits)
    assert list(s["model"]) == ["Gompertz", "Weibull"]
    g = fits["gompertz_median"] - fits["ssp_pe"]
    assert s.loc[0, "median minus crossing"] == pytest.approx(g.mean())
    assert 0 <= s.loc[0, "at a bound (%)"] <= 100


def test_styled_is_deterministic():
    df = pd.DataFrame({"a": [1.234, np.nan], "b": ["x", "y"]})
    h1 = styled(df, "k", precision=1)._repr_html_()
    assert h1 == styled(df, "k", precision=1)._repr_html_()
    assert ">1.2<" in h1 and ">1.234<" not in h1  # shown at one decimal (data-value keeps the value)
    assert ">—<" in h1  # a missing value is a dash, never "nan" or an empty cell
    h2 = styled(pd.DataFrame({"a": [-0.01, -0.2]}), "k", precision=1)._repr_html_()
    assert ">0.0<" in h2 and "-0.0" not in h2 and ">-0.2<" in h2


def test_figures_say_synthetic(result):
    fits = compare_fits(result.sample, ssp_matrix(result.sample))
    figs = [plots.answers_figure(result.sample),
            plots.ssp_by_age_figure(result.ssp_by_age, {60: (87.6, 13.6)}),
            plots.difference_figure(result.sample),
            plots.rounding_figure(result.sample),
            plots.fits_figure(result.sample, fits),
            plots.sensitivity_figure(pd.DataFrame({"variant": ["a", "b"], "gap": [3.0, 3.2],
                                                   "ci_low": [2.5, 2.6], "ci_high": [3.5, 3.8]}))]
    for f in figs:
        titles = [f._suptitle.get_text()] if f._suptitle else []
        titles += [ax.get_title() for ax in f.axes]
        assert any("synthetic" in t for t in titles)
        plt.close(f)
    f = plots.difference_figure(result.sample, synthetic=False)
    assert "synthetic" not in f.axes[0].get_title()
    plt.close(f)


def test_analyse_pipeline_consistency(result):
    assert result.headline["n"] == len(result.sample) == result.flow["remaining"].iloc[-1]
    assert int(result.fits[1].results.nobs) == len(result.sample)
    assert result.table2().shape[0] == 2 * len(TERMS) + 3


def test_rounding_figure_shares_sum_to_100(result):
    f = plots.rounding_figure(result.sample)
    bars = f.axes[0].patches
    k = 5
    tops = np.zeros(k)
    for i, bar in enumerate(bars):
        tops[i % k] += bar.get_height()
    np.testing.assert_allclose(tops, 100.0)
    plt.close(f)
