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
    ref = pd.read_csv(REFERENCE, dtype={"id": str}).set_index("id")
    figures = ref.assign(source="issue 25 review", section="independent re-computation",
                         file=str(REFERENCE.relative_to(Path(__file__).parents[2])))
    table = compare(figures, {i: reproduced[i] for i in ref.index})
    assert table["verdict"].to_dict() == ref["expected_verdict"].to_dict()
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
