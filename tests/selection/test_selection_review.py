"""The hinges of the selection chapter, pinned through the comparison engine.

An independent review (issue 25) re-computed the range restriction and the readings of the
debate's "25%" with its own code. Its figures are kept as reference data in
``reference/review_issue25.csv`` and set against the chapter report's own values by
:func:`foresight.data.compare`: the restricted validities, the loss at three values of
r_xz, the break-even r_xz (bounded on both sides), each work-criteria reading, and the
break-even derailer cost.
"""

from pathlib import Path

import pandas as pd
import pytest
from conftest import compare_with_review

from foresight.data import compare
from foresight.selection.utility import restricted_validity, restricted_validity_indirect

REFERENCE = Path(__file__).parent / "reference" / "review_issue25.csv"


@pytest.fixture(scope="module")
def reproduced(selection_report):
    v = selection_report.values()
    drop = selection_report.comparisons()["sel-tab-drop-check"]["reproduced"]
    r_m, r_c = selection_report.job_performance
    sr = selection_report.a.senior_selection_ratio
    formula = float(restricted_validity(r_m, sr))

    def loss(rxz):
        return 100 * (1 - float(restricted_validity_indirect(r_c, r_m, rxz, sr)) / formula)

    return {
        "rr_formula": v["sel_rr_m"], "rr_holistic_no_insight": v["sel_rr_c"],
        "loss_rxz_050": loss(0.5), "loss_rxz_040": loss(0.4), "loss_rxz_030": loss(0.3),
        "break_even_above": v["sel_be_rxz"], "break_even_below": v["sel_be_rxz"],
        "work_mean": drop["drop_mean_work"], "work_ratio": drop["drop_ratio_work"],
        "job_performance": drop["drop_job_performance"],
        "min_cost_clinical": v["sel_min_cost_clin"],
    }


def test_review_figures_through_the_comparison_engine(reproduced):
    compare_with_review(REFERENCE, reproduced, source="issue 25 review", section="independent re-computation")


def test_the_break_even_pin_bites(reproduced):
    """A break-even of 0.28 or of 0.30 would fail the two one-sided rows."""
    ref = pd.read_csv(REFERENCE, dtype={"id": str}).set_index("id")
    rows = ref.loc[["break_even_above", "break_even_below"]]
    for wrong in (0.28, 0.30):
        table = compare(rows, {"break_even_above": wrong, "break_even_below": wrong})
        assert "differs" in set(table["verdict"])


# ---------------------------------------------------------------- the referee's second round
REFEREE = Path(__file__).parent / "reference" / "review_issue25_referee.csv"


@pytest.fixture(scope="module")
def referee_reproduced(selection_report):
    v = selection_report.values()
    c = selection_report.career.set_index(["r_wy", "r_wx"])
    return {
        "sd_rwx_060": float(c.loc[(0.5, 0.6), "formula_sd"]),
        "sd_rwx_080": v["sel_cf_sd_80"], "be_rwx_080": v["sel_cf_be_80"],
        "sd_rwx_090": v["sel_cf_sd_90"], "be_rwx_090": v["sel_cf_be_90"],
        "sd_rwx_095": v["sel_cf_sd_95"], "be_rwx_095": v["sel_cf_be_95"],
        "judge_rxz": v["sel_judge_rxz"], "break_even_rxz": v["sel_be_rxz"],
    }


def test_referee_figures_through_the_comparison_engine(referee_reproduced):
    compare_with_review(REFEREE, referee_reproduced, source="issue 25 referee", section="second review")


def test_the_career_pins_bite(referee_reproduced):
    """One unit of the second decimal moves each break-even out of its range."""
    ref = pd.read_csv(REFEREE, dtype={"id": str}).set_index("id")
    for key in ("be_rwx_080", "be_rwx_090", "be_rwx_095"):
        table = compare(ref.loc[[key]], {key: referee_reproduced[key] + 0.01})
        assert table["verdict"].iloc[0] == "differs", key
