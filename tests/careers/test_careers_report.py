"""Chapter tables and glue values: checked against the paper and hand arithmetic."""

from __future__ import annotations

import pytest

from foresight.careers import load_coreq, load_study, project_summary, read_qdpx
from foresight.careers import report
from foresight.careers.coding import demo_qdpx_path
from foresight.data import published


@pytest.fixture(scope="module")
def study():
    return load_study()


def test_glue_values(study):
    v = report.glue_values(study, load_coreq(study=study))
    assert all(k.startswith("car_") for k in v)
    assert all(type(x) in (int, float) for x in v.values())
    assert (v["car_total"], v["car_men"], v["car_women"]) == (35, 21, 14)
    assert (v["car_all_stay_low"], v["car_all_stay_high"]) == (20, 22)  # 5+7+6+2, 5+7+8+2
    assert v["car_all_pct_low"] == pytest.approx(100 * 20 / 35)
    assert v["car_t1_ci_low"] == pytest.approx(100 * 0.025 ** (1 / 5))
    assert v["car_t3_named_leavers"] == 3
    assert v["car_coreq_items"] == 32
    assert sum(v[f"car_coreq_{s}"] for s in ("reported", "partly", "not_reported", "judgement")) == 32
    assert 0 < v["car_p_min"] <= v["car_p_max"] < 1


def test_typology_display(study):
    d = report.typology_display(study)
    assert d["Stay after PhD"].tolist() == ["5", "7", "6–8", "2"]
    assert d["Share staying (%)"].tolist() == ["100", "47", "55–73", "50"]  # 7/15, 6/11, 8/11
    assert d["Exact 95% CI (%)"].iloc[0] == "48–100"


def test_published_comparison_matches(study):
    d = report.published_comparison(study, published("ranieri2018careers"))
    assert (d["verdict"] == "agrees").all()
    # 23/35 = 65.71 % is printed as 66 %
    assert d.loc["careers_current_pct", "reproduced"] == pytest.approx(100 * 23 / 35)
    assert d.loc["careers_current_pct", "tolerance"] == 0.5


def test_influence_and_recommendation_tables(study):
    inf = report.influence_display(study)
    assert len(inf) == len(study.influences)
    assert inf.loc["The new junior doctor contract (longer standard hours, less out-of-hours pay)",
                   "Reported in"] == "all groups, T3"
    rec = report.recommendation_display(study)
    assert "gender discrimination" in rec.loc[
        "Guard against discrimination through managerial and diversity training.", "Addresses"]


def test_exchange_comparison(study):
    summary = project_summary(read_qdpx(demo_qdpx_path()), study)
    d = report.exchange_comparison(study, summary)
    assert (d["verdict"] == "agrees").all() and len(d) == 12
    # the open interval of the third group comes back as 6 coded stayers and 2 uncoded cases
    assert (d.loc["T3_stay_low", "reproduced"], d.loc["T3_stay_high", "reproduced"]) == (6, 8)
    # one stayer fewer in the coded project must show
    summary.typologies.loc["T2", "stay_low"] -= 1
    assert report.exchange_comparison(study, summary).loc["T2_stay_low", "verdict"] == "differs"


def test_statement_checks(study):
    pub = published("ranieri2018careers")
    d = report.statement_checks(study, pub)
    assert (d["verdict"] == "agrees").all()
    # "more than half" of 15 leave: 8 > 7.5; "most" of 11 stay: 6 and 8 are at least 6
    assert d.loc["t2_leave", "reproduced"] == 8 and d.loc["t2_leave", "published"] == 7.5
    assert d.loc[["t3_stay_low", "t3_stay_high"], "reproduced"].tolist() == [6, 8]
    # 20 to 22 of 35 intend to stay: 57.1 % to 62.9 %, more than the survey's half
    assert d.loc["all_stay_low", "reproduced"] == pytest.approx(100 * 20 / 35)
    # with a stayer interval of 5-8 in the third group, "the majority stayed" holds only at one end
    raw = study.raw
    raw_t3 = next(t for t in raw["typologies"] if t["id"] == "T3")
    old = raw_t3["stay"]["low"]
    try:
        raw_t3["stay"]["low"] = 5
        altered = type(study)(raw, study.label)
        d2 = report.statement_checks(altered, pub)
        assert d2.loc["t3_stay_low", "verdict"] == "differs"
        assert d2.loc["t3_stay_high", "verdict"] == "agrees"
    finally:
        raw_t3["stay"]["low"] = old


def test_coreq_display(study):
    d = report.coreq_display(load_coreq(study=study))
    assert list(d.index) == list(range(1, 33))
    assert d.loc[4, "Where in the paper"] == "—"
