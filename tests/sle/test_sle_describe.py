"""Rounding, heaping and headline statistics on crafted answers."""

import numpy as np
import pandas as pd
import pytest

from foresight.sle import add_estimates, headline, mean_ssp_by_age, myers_index, parse_survey, rounding_table, share_multiple, whipple_index
from foresight.sle.survey import SURVEY_SPEC

HEADER = ",".join(c.name for c in SURVEY_SPEC.columns)
COV = "female,middle,middle,together,1,0,0,never,75-85,30"


def test_share_multiple():
    assert share_multiple([80, 85, 83, 90, np.nan], 10) == 0.5
    assert share_multiple([80, 85, 83, 90], 5) == 0.75
    assert np.isnan(share_multiple([np.nan], 5))


def test_whipple_bounds():
    assert whipple_index(np.arange(60, 100), 60, 99) == 100.0  # one of each value
    assert whipple_index([60, 65, 70, 80, 100], 60, 100) == 500.0
    assert whipple_index([61, 62, 63], 60, 99) == 0.0


def test_myers_bounds():
    assert myers_index(np.arange(20, 70), 20) == pytest.approx(0.0)
    assert myers_index(np.full(50, 40), 20) == pytest.approx(90.0)
    # half the answers on 0, the rest spread evenly: between the bounds
    x = np.concatenate([np.arange(20, 70), np.full(50, 40)])
    assert 0 < myers_index(x, 20) < 90


def _sample(rows):
    text = HEADER + "\n" + "\n".join(f"R{i},40,{COV},{sle},{','.join(map(str, s))}"
                                     for i, (sle, s) in enumerate(rows)) + "\n"
    return add_estimates(parse_survey(text))


def test_headline_hand_values():
    s = _sample([(80, (90, 80, 60, 40, 10)),   # PE 85, certainty 60
                 (70, (80, 50, 40, 20, 0)),    # PE 70, certainty 50
                 (90, (100, 90, 70, 50, 20))])  # PE 90, certainty 50
    h = headline(s)
    assert h["mean_sle"] == 80 and h["mean_ssp_pe"] == pytest.approx(245 / 3)
    assert h["mean_diff"] == pytest.approx(5 / 3)  # (5 + 0 + 0) / 3, SSP minus SLE
    assert h["certainty"] == pytest.approx(160 / 3)
    assert h["corr"] == pytest.approx(np.corrcoef([80, 70, 90], [85, 70, 90])[0, 1])
    assert h["share_sle_80"] == pytest.approx(100 / 3)
    assert h["mean_ssp60"] == pytest.approx(90) and h["sd_ssp60"] == pytest.approx(10)
    assert list(s["sle_minus_ssp"]) == [-5, 0, 0]


def test_rounding_table_counts():
    s = _sample([(80, (95, 80, 50, 50, 12)), (83, (90, 85, 50, 40, 3))])
    t = rounding_table(s).set_index("question")
    assert t.loc["SLE point estimate", "multiple_of_10"] == 50
    assert t.loc["SSP, target age 80", "exactly_50"] == 100
    assert t.loc["SSP, target age 90", "exactly_50"] == 50
    # pooled: 10 answers, multiples of 10: 80,50,50,90,50,40 -> 60 %; of 5: + 95, 85 -> 80 %
    assert t.loc["SSP, all target ages", "multiple_of_10"] == pytest.approx(60)
    assert t.loc["SSP, all target ages", "multiple_of_5"] == pytest.approx(80)


def test_mean_ssp_by_age():
    s = _sample([(80, (90, 80, 60, 40, 10)), (70, (80, 50, 40, 20, 0))])
    t = mean_ssp_by_age(s)
    assert t["mean"].tolist() == [85, 65, 50, 30, 5]
    assert t["sd"].iloc[0] == pytest.approx(np.sqrt(50))


def test_modal_answers():
    from foresight.sle import modal_answers

    assert modal_answers([80, 80, 80, 75, 75, 85, 85, 90, np.nan]) == [75, 80, 85]
    # tie between 70 and 90 for third place: the smaller wins
    assert modal_answers([80, 80, 75, 75, 90, 70]) == [70, 75, 80]
    assert modal_answers([]) == []
