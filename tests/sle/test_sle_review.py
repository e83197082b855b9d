"""The hinges of the SLE benchmark, pinned through the comparison engine.

An independent review (issue 25) re-computed the chapter's earlier benchmark with its own
code. Its figures are kept as reference data in ``reference/review_issue25.csv`` (the
statsmodels pattern: another program's results next to the test), and every one is set
against the package's value by :func:`foresight.data.compare`, with the verdict the file
records: the graduation check (observed over fitted at the top of the 1989-93 tables), the
fitting ages varied beside the rate, and the rate at which "shorter lives" starts to hold.
"""

from pathlib import Path

import pandas as pd
import pytest
from conftest import compare_with_review

from foresight.data import compare, published
from foresight.sle import actuarial as A
from foresight.sle import analyse, benchmark, synthetic_cohort

REFERENCE = Path(__file__).parent / "reference" / "review_issue25.csv"


@pytest.fixture(scope="module")
def reproduced():
    sample = analyse(synthetic_cohort()).sample

    def means(fit, rate, basis="cohort"):
        return benchmark.sample_means(sample, A.TablesBenchmark(rate=rate, fit_ages=fit), basis=basis)

    g = A.graduation_check()
    ranges = [means(f, r)["survival_100"] for f in ((60, 89), (70, 89)) for r in (0.008, 0.016)]
    stated = float(published("rappange2017sle").loc["sle_mean_ssp_pe", "value"])
    rate = benchmark.break_even_rate(sample, lambda r: A.TablesBenchmark(rate=r, fit_ages=(50, 89)),
                                     "median_age_at_death", stated)
    return {
        "s100_tables_50_89": means((50, 89), 0.012)["survival_100"],
        "obs_fit_female_85": g.loc[85, "female, fitted 50-89"],
        "obs_fit_female_89": g.loc[89, "female, fitted 50-89"],
        "s100_tables_60_89": means((60, 89), 0.012)["survival_100"],
        "s100_tables_70_89": means((70, 89), 0.012)["survival_100"],
        "period_s100_tables_60_89": means((60, 89), 0.012, "period")["survival_100"],
        "period_s100_tables_70_89": means((70, 89), 0.012, "period")["survival_100"],
        "s100_tables_range_lo": min(ranges),
        "s100_tables_range_hi": max(ranges),
        "median_tables_rate0": means((50, 89), 0.0)["median_age_at_death"],
        "rate_median_tables": 100 * rate,
    }


def test_review_figures_through_the_comparison_engine(reproduced):
    ref, table = compare_with_review(REFERENCE, reproduced, source="issue 25 review", section="independent re-computation")
    # the rows that differ are pinned to a narrow band, with the reason in the note
    pinned = ref["difference_low"].notna()
    assert set(ref.index[pinned]) == set(ref.index[ref["expected_verdict"] == "differs"])
    d = table.loc[pinned, "difference"]
    assert ((d >= ref.loc[pinned, "difference_low"]) & (d <= ref.loc[pinned, "difference_high"])).all(), d


def test_the_pins_bite(reproduced):
    """Moving the graduation check by one unit of its last digit changes the verdict."""
    ref = pd.read_csv(REFERENCE, dtype={"id": str}).set_index("id")
    moved = dict(reproduced, obs_fit_female_89=reproduced["obs_fit_female_89"] + 0.01)
    table = compare(ref.loc[["obs_fit_female_89"]], {"obs_fit_female_89": moved["obs_fit_female_89"]})
    assert table["verdict"].iloc[0] == "differs"


# ---------------------------------------------------------------- the referee's second round
REFEREE = Path(__file__).parent / "reference" / "review_issue25_referee.csv"


@pytest.fixture(scope="module")
def referee_reproduced():
    """The referee's figures, recomputed with the chapter's earlier rule (each sex's own trend of
    crude group rates) where they describe it, and with the book's functions throughout."""
    from foresight.sle import dutch as D

    sample = analyse(synthetic_cohort()).sample
    old = D.DutchBenchmark(by_sex=True, standardised=False)
    counts = {s: D.netherlands_counts(s) for s in D.SEXES}

    def imp(sex, origin, window, standardised):
        t = D.improvement_table(*counts[sex], origin=origin, window=window, standardised=standardised)
        return 100 * t.set_index("age_from")["improvement"]

    def ratio(age, year):
        return float(old.rates("male", [year])[age, 0] / old.rates("female", [year])[age, 0])

    def gap(basis):
        a = benchmark.ages_at_death(old, sample["age"].astype(float), sample["sex"].astype(object), basis=basis)
        by_sex = a["expected_age_at_death"].groupby(sample["sex"].to_numpy()).mean()
        return float(by_sex["female"] - by_sex["male"])

    crude = {s: imp(s, 2011, 20, False) for s in D.SEXES}
    finer = [benchmark.sample_means(sample, old.with_(groups=g))["survival_100"]
             for g in (D.SINGLE_OLD_GROUPS, D.FIVE_YEAR_GROUPS)]
    return {
        "own_crude_f_50": crude["female"][50], "own_crude_m_50": crude["male"][50],
        "own_crude_f_60": crude["female"][60], "own_crude_m_60": crude["male"][60],
        "ratio60_2010_old": ratio(60, 2010), "ratio60_2040_old": ratio(60, 2040),
        "ratio60_2080_old": ratio(60, 2080), "ratio70_2060_old": ratio(70, 2060),
        "sexgap_cohort_old": gap("cohort"), "sexgap_period_old": gap("period"),
        "median3_rate0": benchmark.sample_means(sample, old.with_(rate=0.0))["median_footnote3"],
        "median3_period_old": benchmark.sample_means(sample, old, basis="period")["median_footnote3"],
        "median3_old": benchmark.sample_means(sample, old)["median_footnote3"],
        "s100_old": benchmark.sample_means(sample, old)["survival_100"],
        "hindsight_old": benchmark.sample_means(sample, old.with_(origin=2019))["survival_100"],
        "imp_after_f_90_std": imp("female", 2019, 8, True)[90],
        "imp_after_f_90_crude": imp("female", 2019, 8, False)[90],
        "imp_f_90_std": imp("female", 2011, 20, True)[90],
        "imp_f_90_crude": imp("female", 2011, 20, False)[90],
        "finer_groups_lo": finer[0], "finer_groups_hi": finer[1],
    }


def test_referee_figures_through_the_comparison_engine(referee_reproduced):
    ref, table = compare_with_review(REFEREE, referee_reproduced, source="issue 25 referee", section="second review")
    pinned = ref["difference_low"].notna()
    assert set(ref.index[pinned]) == set(ref.index[ref["expected_verdict"] == "differs"])
    d = table.loc[pinned, "difference"]
    assert ((d >= ref.loc[pinned, "difference_low"]) & (d <= ref.loc[pinned, "difference_high"])).all(), d


def test_the_book_departs_from_the_referees_rule_where_it_should(referee_reproduced):
    """The fixes move the figures the referee found wrong: under the book's rule the sexes keep
    their base ratio (no crossing at 60), and the stall at 90+ is smaller in standardised rates."""
    from foresight.sle import dutch as D

    rule = D.DutchBenchmark()
    r2080 = rule.rates("male", [2080])[60, 0] / rule.rates("female", [2080])[60, 0]
    assert r2080 > 1 > referee_reproduced["ratio60_2080_old"]
    assert referee_reproduced["imp_after_f_90_crude"] < referee_reproduced["imp_after_f_90_std"] < 0


def test_the_referee_pins_bite(referee_reproduced):
    """One unit of the last printed digit moves each of the like-for-like medians out of its range."""
    ref = pd.read_csv(REFEREE, dtype={"id": str}).set_index("id")
    for key in ("median3_rate0", "median3_period_old", "median3_old"):
        table = compare(ref.loc[[key]], {key: referee_reproduced[key] + 0.01})
        assert table["verdict"].iloc[0] == "differs", key
