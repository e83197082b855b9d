"""The synthetic cohort: deterministic, in the survey format, calibrated to the paper."""

import numpy as np
import pandas as pd
import pytest

from foresight.data import published
from foresight.sle import (
    analyse,
    calibration_basis,
    headline_comparison,
    synthetic_cohort,
    table1,
    table1_comparison,
)
from foresight.sle.describe import HEADLINE_FIGURES
from foresight.sle.synthetic import PATTERN_COUNTS


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_cohort())


def test_deterministic_and_seed_dependent():
    a = synthetic_cohort(n=300, seed=1)
    pd.testing.assert_frame_equal(a, synthetic_cohort(n=300, seed=1))
    assert not a.equals(synthetic_cohort(n=300, seed=2))


def test_pattern_counts_scale_with_n():
    _, truth = synthetic_cohort(n=2446, seed=4, with_truth=True)
    counts = truth["pattern"].value_counts()
    for k, v in PATTERN_COUNTS.items():
        assert counts[k] == 2 * v


def test_headline_calibrated_within_tolerance(analysis):
    ids = [f"sle_{k}" for k in HEADLINE_FIGURES]
    cmp = headline_comparison(analysis.headline, published("rappange2017sle"), calibration_basis(ids))
    assert (cmp["verdict"] == "calibrated").all(), cmp[cmp["verdict"] != "calibrated"]


def test_table1_calibrated(analysis):
    basis = calibration_basis(table1(analysis.sample).index)
    cmp = table1_comparison(analysis.sample, published("rappange2017sle"), basis)
    ages = ["sle_t1_age_mean", "sle_t1_age_sd"]
    # shares are drawn with the paper's counts of 737, so they match to the printed decimal
    assert (cmp.drop(ages)["verdict"] == "calibrated").all()
    assert (cmp.drop(ages)["difference"].abs() <= 0.05).all()
    # age is uniform within the published groups, not tuned to its mean and SD
    assert (cmp.loc[ages, "verdict"] == "not comparable").all()


def test_calibration_basis():
    b = calibration_basis(["sle_mean_sle", "sle_t1_age_sd", "sle_t2_m3_male_coef", "sle_t2_m4_male_coef"])
    assert b == {"sle_mean_sle": "calibrated", "sle_t1_age_sd": "not comparable",
                 "sle_t2_m3_male_coef": "calibrated", "sle_t2_m4_male_coef": "not comparable"}


def test_other_seed_still_close():
    h = analyse(synthetic_cohort(seed=99)).headline
    assert abs(h["mean_ssp_pe"] - h["mean_sle"] - 3.4) < 1.5
    assert 0.4 < h["corr"] < 0.65


def test_generator_constants_equal_the_published_figures():
    """Table 1 shares, Table 2 effects and pattern counts in synthetic.py are the paper's."""
    from foresight.data import published
    from foresight.sle import synthetic as S

    v = published("rappange2017sle")["value"]
    t1 = {("age_group", "20-35"): "age_20_35", ("age_group", "36-59"): "age_36_59",
          ("sex", "male"): "male", ("marital", "alone"): "marital_alone",
          ("marital", "together"): "marital_together", ("employed", True): "employed",
          ("severe_disorder", True): "severe", ("chronic_disease", True): "chronic",
          **{("education", k): f"educ_{k}" for k in ("low", "middle", "high")},
          **{("income", k): f"income_{k}" for k in ("low", "middle", "high")},
          **{("smoking", k): f"smoke_{k}" for k in ("never", "occasionally", "daily")},
          ("kin_age_at_death", "<75"): "kin_lt75", ("kin_age_at_death", "75-85"): "kin_75_85",
          ("kin_age_at_death", ">=85"): "kin_ge85"}
    for (var, level), fid in t1.items():
        assert S.TABLE1_SHARES[var][level] == v[f"sle_t1_{fid}"], fid
    for shares in S.TABLE1_SHARES.values():  # complements (female, not employed, ...) add to 100
        assert sum(shares.values()) == pytest.approx(100.0)
    for m, beta in ((1, S.BETA_SLE), (2, S.BETA_SSP)):
        for term, b in beta.items():
            assert b == v[f"sle_t2_m{m}_{term}_coef"], (m, term)
    c = S.PATTERN_COUNTS
    assert S.PAPER_N == v["sle_initial_sample"]
    assert c["speeder"] == v["sle_excl_speeders"]
    assert c["age_18_19"] == v["sle_excl_age_1819"]
    assert c["age_18_19"] + c["age_60_65"] == v["sle_after_speeders"] - v["sle_after_age"]
    assert c["identical_50"] == v["sle_excl_all50"]
    assert c["identical_50"] + c["identical_other"] == v["sle_excl_identical"]
    for key, fid in (("sle_below_age", "sle_excl_sle_below_age"), ("sle_outside", "sle_excl_sle_outside"),
                     ("increasing", "sle_excl_increasing"), ("no_crossing", "sle_excl_no_crossing")):
        assert c[key] == v[fid], key
    assert S.PAPER_N - sum(c.values()) == v["sle_analysis_sample"]
