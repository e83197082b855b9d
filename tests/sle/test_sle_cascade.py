"""Each exclusion rule on a crafted respondent, and the rules' order."""

import pandas as pd
import pytest

from foresight.data import published
from foresight.sle import CascadeOptions, apply_cascade, flow_vs_published, parse_survey, synthetic_cohort
from foresight.sle.survey import SURVEY_SPEC

HEADER = ",".join(c.name for c in SURVEY_SPEC.columns)
COV = "female,middle,middle,together,1,0,0,never,75-85"


def row(rid, age=40, minutes=30, sle=80, ssp=(95, 90, 70, 40, 10)):
    s = ",".join("" if x is None else str(x) for x in ssp)
    sle_s = "" if sle is None else str(sle)
    return f"{rid},{age},{COV},{minutes},{sle_s},{s}"


def survey(*rows):
    return parse_survey("\n".join([HEADER, *rows]) + "\n", label="crafted.csv")


CASES = {
    "ok": row("ok"),
    "speeder": row("speeder", minutes=14.9),
    "young": row("young", age=19),
    "old": row("old", age=60, ssp=(None, 90, 70, 40, 10)),
    "missing_sle": row("missing_sle", sle=None),
    "missing_ssp": row("missing_ssp", ssp=(95, 90, None, 40, 10)),
    "below_age": row("below_age", age=58, sle=57, ssp=(95, 90, 70, 40, 10)),
    "sle_low": row("sle_low", age=30, sle=59),
    "sle_high": row("sle_high", sle=101),
    "identical": row("identical", ssp=(50, 50, 50, 50, 50)),
    "identical80": row("identical80", ssp=(80, 80, 80, 80, 80)),
    "increasing": row("increasing", ssp=(90, 80, 85, 40, 10)),
    "above50": row("above50", ssp=(100, 95, 90, 80, 60)),
    "below50": row("below50", ssp=(40, 30, 20, 10, 0)),
}
EXPECTED = {
    "ok": "", "speeder": "speeder", "young": "age", "old": "age", "missing_sle": "missing",
    "missing_ssp": "missing", "below_age": "sle_below_age", "sle_low": "sle_outside",
    "sle_high": "sle_outside", "identical": "identical", "identical80": "identical",
    "increasing": "increasing", "above50": "no_crossing", "below50": "no_crossing",
}


def test_each_rule_on_a_crafted_respondent():
    df = survey(*CASES.values())
    res = apply_cascade(df)
    got = dict(zip(df["id"], res.excluded_by))
    assert got == EXPECTED
    assert list(res.kept["id"]) == ["ok"]
    flow = res.flow.set_index("rule")
    assert flow.loc["initial", "remaining"] == len(CASES)
    assert flow.loc["no_crossing", "remaining"] == 1
    assert flow["excluded"].sum() == len(CASES) - 1


def test_boundaries_are_kept():
    # exactly 15 minutes, ages 20 and 59, SLE 60 and 100, SLE equal to age: all kept
    df = survey(row("a", minutes=15), row("b", age=20, sle=60), row("c", age=59, sle=59 + 1),
                row("d", sle=100), row("e", age=60 - 1, sle=60))
    assert apply_cascade(df).kept.shape[0] == 5


def test_an_sle_equal_to_the_age_is_not_below_it():
    """SLE == age passes the 'below age' rule; at 59 it then fails the 60-100 range instead."""
    res = apply_cascade(survey(row("eq", age=59, sle=59)))
    assert res.excluded_by.tolist() == ["sle_outside"]


def test_a_rise_of_one_point_is_an_increase():
    """Any rise between consecutive target ages counts, however small (here 70 -> 71)."""
    res = apply_cascade(survey(row("rise1", ssp=(80, 70, 71, 40, 10)), row("flat", ssp=(80, 70, 70, 40, 10))))
    assert res.excluded_by.tolist() == ["increasing", ""]


def test_flow_numbers_every_step_and_kept_rows_keep_the_survey_columns():
    df = survey(*CASES.values())
    res = apply_cascade(df)
    assert res.flow["step"].tolist() == list(range(9))
    assert res.flow["rule"].tolist()[0] == "initial" and res.flow["excluded"].iloc[0] == 0
    assert list(res.kept.columns) == list(df.columns)
    assert list(res.kept.index) == list(range(len(res.kept)))


def test_options_and_results_are_immutable():
    """The defaults are shared (a default argument): nobody may change them in place."""
    import dataclasses

    res = apply_cascade(survey(row("ok")))
    for obj, field in ((CascadeOptions(), "min_age"), (res, "options")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, field, None)


def test_first_failing_rule_counts():
    # a speeder who is also too young and answers identically counts as a speeder only
    df = survey(row("x", minutes=5, age=18, ssp=(50, 50, 50, 50, 50)))
    res = apply_cascade(df)
    assert res.excluded_by.tolist() == ["speeder"]
    assert res.flow.set_index("rule").loc["identical", "excluded"] == 0


def test_skip_and_all50_options():
    df = survey(*CASES.values())
    res = apply_cascade(df, CascadeOptions(skip=("speeder",)))
    assert "speeder" in set(res.kept["id"])
    res = apply_cascade(df, CascadeOptions(identical_only_all_50=True))
    # all-80 answers are no longer 'identical' but never cross 50 -> removed later
    assert dict(zip(df["id"], res.excluded_by))["identical80"] == "no_crossing"
    assert dict(zip(df["id"], res.excluded_by))["identical"] == "identical"


def test_synthetic_patterns_land_at_their_rule():
    df, truth = synthetic_cohort(with_truth=True)
    res = apply_cascade(df)
    designed = {"speeder": "speeder", "age_18_19": "age", "age_60_65": "age",
                "sle_below_age": "sle_below_age", "sle_outside": "sle_outside",
                "identical_50": "identical", "identical_other": "identical",
                "increasing": "increasing", "no_crossing": "no_crossing", "consistent": ""}
    assert (truth["pattern"].map(designed).to_numpy() == res.excluded_by.to_numpy()).all()


def test_flow_matches_paper_counts_on_synthetic():
    res = apply_cascade(synthetic_cohort())
    table = flow_vs_published(res.flow, published("rappange2017sle"))
    assert table["remaining"].tolist() == table["published_remaining"].astype(int).tolist()
    assert table["remaining"].iloc[-1] == 737
    paper = table.dropna(subset=["published_excluded"])
    assert (paper["excluded"] == paper["published_excluded"]).all()


def test_paper_counts_add_up():
    # independent arithmetic check of the published cascade: 878 - 3 - 37 - 25 - 24 - 52 = 737
    v = published("rappange2017sle")["value"]
    assert v["sle_initial_sample"] - v["sle_excl_speeders"] == v["sle_after_speeders"]
    steps = ["sle_excl_sle_below_age", "sle_excl_sle_outside", "sle_excl_identical",
             "sle_excl_increasing", "sle_excl_no_crossing"]
    assert v["sle_after_age"] - sum(v[s] for s in steps) == v["sle_analysis_sample"]
    assert v["sle_excl_identical"] + v["sle_excl_increasing"] == v["sle_ssp_inconsistent"]
    assert round(100 * v["sle_analysis_sample"] / v["sle_initial_sample"], 1) == v["sle_analysis_sample_pct"]
    assert round(100 * v["sle_excl_speeders"] / v["sle_initial_sample"], 1) == v["sle_excl_speeders_pct"]


def test_documented_example_file_paths():
    # data/sle/README.md documents which rule removes each example respondent
    from foresight.sle import add_estimates, example_survey

    df = example_survey()
    res = apply_cascade(df)
    assert dict(zip(df["id"], res.excluded_by)) == {
        "E01": "", "E02": "", "E03": "", "E04": "speeder", "E05": "age", "E06": "age",
        "E07": "missing", "E08": "sle_below_age", "E09": "sle_outside", "E10": "identical",
        "E11": "increasing", "E12": "no_crossing", "E13": ""}
    est = add_estimates(res.kept).set_index("id")["ssp_pe"]
    assert est.to_dict() == {"E01": 85.0, "E02": 80.0, "E03": 95.0, "E13": 88.0}


from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.integers(60, 300))
def test_cascade_invariants(seed, n):
    from foresight.sle.cascade import rule_masks

    df = synthetic_cohort(n=n, seed=seed)
    res = apply_cascade(df)
    flow = res.flow
    # counts add up, remaining never increases, kept rows pass every rule
    assert flow["excluded"].sum() + flow["remaining"].iloc[-1] == n
    assert (flow["remaining"].diff().dropna() <= 0).all()
    masks = rule_masks(res.kept)
    assert not any(m.any() for m in masks.values())
    # each excluded respondent fails the rule that removed them
    all_masks = rule_masks(df)
    for rule in set(res.excluded_by) - {""}:
        assert all_masks[rule][(res.excluded_by == rule).to_numpy()].all()


def test_a_rise_of_one_point_excludes_as_increasing():
    """A survival curve cannot rise, by one point or by more: 91 after 90 is 'increasing'."""
    res = apply_cascade(survey(row("rise1", ssp=(90, 91, 70, 40, 10)), row("flat", ssp=(90, 90, 70, 40, 10))))
    assert res.excluded_by.tolist() == ["increasing", ""]
