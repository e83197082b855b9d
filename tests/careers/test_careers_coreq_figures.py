"""COREQ checklist data and the figure/chart tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import yaml

from foresight import DataError
from foresight.careers import coreq_summary, load_coreq, load_study
from foresight.careers.coreq import parse_coreq
from foresight.careers.figures import (flow_counts, flow_figure, framework_matrix,
                                       influence_graph, influence_map, matrix_heatmap)

ROOT = Path(__file__).resolve().parents[2]
COREQ_TEXT = (ROOT / "data" / "careers" / "coreq.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def study():
    return load_study()


def test_coreq_has_32_items_in_three_domains(study):
    c = load_coreq(study=study)
    assert c["n"].tolist() == list(range(1, 33))
    # Tong et al. (2007): domain 1 has items 1-8, domain 2 items 9-23, domain 3 items 24-32
    assert c.groupby("domain")["n"].agg(["min", "max"]).values.tolist() == [[1, 8], [9, 23], [24, 32]]
    assert ((c["status"] == "not reported") == (c["where"] == "—")).all()
    # the paper names NVivo 11 (item 27) and a 45-minute interview length (item 21)
    assert c.loc[c["n"] == 27, "status"].item() == "reported"
    assert "method-analysis ¶1 s1" in c.loc[c["n"] == 27, "where"].item()
    s = coreq_summary(c)
    assert s.to_numpy().sum() == 32 and list(s.index)[0] == "Research team and reflexivity"


def _bad(fn):
    d = yaml.safe_load(COREQ_TEXT)
    fn(d)
    return yaml.safe_dump(d, sort_keys=False)


@pytest.mark.parametrize("fn, fragment", [
    (lambda d: d["items"].pop(), "items 1 to 32"),
    (lambda d: d["items"][3].update(status="reported"), "'not reported' exactly when"),
    (lambda d: d["items"][0]["locations"][0].update(section="nowhere"), "unknown section 'nowhere'"),
    (lambda d: d["items"][5].update(domain=9), "domain 9 does not exist"),
    (lambda d: d["items"][5].update(status="maybe"), "'maybe' is not allowed"),
])
def test_bad_coreq(study, fn, fragment):
    with pytest.raises(DataError) as err:
        parse_coreq(_bad(fn), "coreq-bad.yaml", study)
    assert str(err.value).startswith("coreq-bad.yaml, line ") and fragment in str(err.value)


def test_flow_counts_rows_sum_to_sizes(study):
    f = flow_counts(study)
    assert f.sum(axis=1).tolist() == [5, 15, 11, 4]
    assert f.loc["T3"].tolist() == [6, 3, 2]  # "most" stay, 3 named leavers, 2 open


def test_framework_matrix_charting(study):
    m = framework_matrix(study)
    assert list(m.index) == ["T1", "T2", "T3", "T4", "across"]
    assert list(m.columns) == ["intrapersonal", "contextual", "uncontrollable"]
    cell_ids = {i for i, _, _ in m.loc["T3", "intrapersonal"]}
    assert {"burnout", "deskilled", "newfound_interest", "less_research"} <= cell_ids
    assert m.loc["across", "intrapersonal"] == []
    # every mention lands in exactly one cell
    assert sum(len(v) for v in m.to_numpy().ravel()) == len(
        study.mentions.drop_duplicates(["influence", "typology"]))


def test_influence_graph(study):
    g = influence_graph(study)
    assert g.number_of_edges() == len(study.mentions.drop_duplicates(["influence", "typology"]))
    assert g.nodes["funding_gap"]["system"] == "uncontrollable"
    assert set(g["T4"]) >= {"desire_to_learn", "patient_contact", "family_priorities"}


def test_figures_draw(study):
    for make in (flow_figure, matrix_heatmap, influence_map):
        fig = make(study)
        assert fig.axes and fig.axes[0].get_title()
        plt.close(fig)


def test_locators_read_as_the_articles_headings_paragraphs_and_sentences():
    from foresight.careers.report import readable_locations

    sections = {"results-t1": "Results > Undertaking a PhD to pursue a clinical academic career",
                "method-analysis": "Method > Data analysis"}
    assert readable_locations("results-t1 ¶1 s2; method-analysis ¶3 s10", sections) == (
        "Results: Undertaking a PhD to pursue a clinical academic career, paragraph 1, sentence 2; "
        "Method: Data analysis, paragraph 3, sentence 10")
    assert readable_locations("—", sections) == "—"
