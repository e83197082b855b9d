"""The synthesis table draws its numbers from the domain packages and published data."""

import numpy as np
import pandas as pd
import pytest

from foresight import synthesis
from foresight.data import published


@pytest.fixture(scope="module")
def table():
    return synthesis.judgement_table()  # builds its own mortality report, as a reader would


def test_covers_every_chapter(table):
    assert set(table["chapter"]) == {"mortality", "sle", "careers", "selection"}
    assert list(table.columns) == synthesis.COLUMNS


def test_ratio_is_judgement_over_reference(table):
    np.testing.assert_allclose(table["ratio"], table["judgement_value"] / table["reference_value"])
    assert (table["ratio_low"] <= table["ratio"] + 1e-12).all()
    assert (table["ratio_high"] >= table["ratio"] - 1e-12).all()


def test_published_values_enter_unchanged(table):
    pub = published()["value"]
    sle = table[table.chapter == "sle"].iloc[0]
    chances = table[table.case.str.startswith("chance of living")]
    assert list(chances["judgement_value"]) == [pub["sle_mean_ssp60"], pub["sle_mean_ssp100"]]
    # actuarial chances are probabilities in per cent, and fall with the target age
    assert chances["reference_value"].between(0, 100).all()
    assert chances["reference_value"].iloc[0] > chances["reference_value"].iloc[1]
    assert sle["judgement_value"] == pub["sle_mean_sle"] == 80.2  # Rappange et al., Results
    assert sle["reference_value"] == pub["sle_mean_ssp_pe"] == 83.6
    targets = table[table.case.str.startswith("improvement target")]
    assert len(targets) == 2
    assert (targets["judgement_value"] == pub["ons_target_improvement_2039"]).all()


def test_careers_interval_is_the_exact_ci_over_the_survey_share(table):
    import foresight.careers as careers

    row = table[table.chapter == "careers"].iloc[0]
    overall = careers.overall_stay(careers.load_study())
    assert row["ratio_low"] == pytest.approx(overall["ci_low"] / 0.5)
    assert row["ratio_high"] == pytest.approx(overall["ci_high"] / 0.5)
    # 20 to 22 of 35 intend to stay (ranges from the paper's wording)
    assert row["judgement_value"] == pytest.approx((20 / 35 + 22 / 35) / 2)


def test_chapter_summary_departure_is_symmetric_in_log():
    t = pd.DataFrame({"chapter": ["a", "b"], "case": ["x", "y"], "ratio": [0.8, 1.25]})
    s = synthesis.chapter_summary(t)
    assert s.loc["a", "max_departure_pct"] == pytest.approx(25.0)
    assert s.loc["b", "max_departure_pct"] == pytest.approx(25.0)


def test_plot_has_one_marker_per_case(table):
    fig = synthesis.plot_ratios(table)
    ax = fig.axes[0]
    markers = [l for l in ax.lines if l.get_marker() == "o"]
    assert len(markers) == len(table)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_mortality_spreads_come_from_the_projection(table, mortality_report):
    sens = mortality_report.sensitivity.reset_index()
    row = table[table.case == "spread of e0 in 2039, males"].iloc[0]
    assert row["judgement_value"] == pytest.approx(sens["e0_male"].max() - sens["e0_male"].min())
    # a higher target means longer lives: the sensitivity is monotone
    assert sens["e0_male"].is_monotonic_increasing
    assert row["reference_value"] > 0
    # the tournament row: the expert-target method against the best extrapolation without a target
    from foresight.mortality import backtest, tournament

    t = tournament.results()
    bands = backtest.band_summary(t.main).set_index(["method", "band"])["mae_e0"].xs("6-10", level="band")
    bt = table[table.case.str.startswith("tournament")].iloc[0]
    assert bt["judgement_value"] == pytest.approx(bands[tournament.RULE_METHOD])
    rivals = bands.drop([tournament.RULE_METHOD, tournament.HINDSIGHT_METHOD])
    assert bt["reference_value"] == pytest.approx(rivals.min())
    assert rivals.idxmin() in bt["reference"]
