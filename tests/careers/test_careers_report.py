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
    assert (d["Verdict"] == "match").all()
    # 23/35 = 65.71 % is printed as 66 %
    assert d.loc["share of participants currently doing the PhD", "Reproduced"] == pytest.approx(65.71)


def test_influence_and_recommendation_tables(study):
    inf = report.influence_display(study)
    assert len(inf) == len(study.influences)
    assert inf.loc["The new junior doctor contract (longer standard hours, less out-of-hours pay)",
                   "Reported in"] == "all groups, T3"
    rec = report.recommendation_display(study)
    assert "gender discrimination" in rec.loc[
        "Guard against discrimination through managerial and diversity training.", "Addresses"]


def test_exchange_comparison(study):
    d = report.exchange_comparison(study, project_summary(read_qdpx(demo_qdpx_path()), study))
    assert (d["Verdict"] == "match").all()
    assert d["Cases without intention code"].tolist() == [0, 0, 2, 0]


def test_statement_checks(study):
    d = report.statement_checks(study)
    assert (d["Counts in the data"] == "holds").all()
    # with a stayer interval of 5-8 in the third group, "the majority stayed" is only possible
    raw = study.raw
    raw_t3 = next(t for t in raw["typologies"] if t["id"] == "T3")
    old = raw_t3["stay"]["low"]
    try:
        raw_t3["stay"]["low"] = 5
        altered = type(study)(raw, study.label)
        d2 = report.statement_checks(altered)
        assert d2["Counts in the data"].iloc[2] == "possible"
    finally:
        raw_t3["stay"]["low"] = old


def test_coreq_display(study):
    d = report.coreq_display(load_coreq(study=study))
    assert list(d.index) == list(range(1, 33))
    assert d.loc[4, "Where in the paper"] == "—"
