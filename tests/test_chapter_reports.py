"""The report modules: each returns every value, table and figure its chapter glues.

The chapters only narrate and call ``glue_all(r.values(), r.tables(), r.figures())``; these
tests read the chapters' Markdown for every glue reference and check that the report
provides it, with the right kind of object, and check a few values by hand.
"""

from __future__ import annotations

import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from conftest import ROOT
from foresight.data import VERDICTS, published
from foresight.display import HouseTable, as_table

CHAPTERS = ("mortality", "sle", "selection", "careers", "synthesis")
ROLE = re.compile(r"\{glue(?::text|:md|:any)?\}`([^`]+)`")
FIGURE = re.compile(r"```\{glue:figure\}\s+(\S+)")


def notebook(chapter: str) -> dict:
    return json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))


def glue_references(chapter: str) -> dict[str, set[str]]:
    """Glue keys used in a chapter's Markdown, by the notebook that glues them."""
    text = "\n".join("".join(c["source"]) for c in notebook(chapter)["cells"]
                     if c["cell_type"] == "markdown")
    refs: dict[str, set[str]] = {}
    for content in ROLE.findall(text):
        doc, _, rest = content.rpartition("::")
        owner = doc.removesuffix(".ipynb") if doc else chapter
        refs.setdefault(owner, set()).add(rest.split(":")[0])
    refs.setdefault(chapter, set()).update(FIGURE.findall(text))
    return refs


@pytest.fixture(scope="module")
def provided(reports):
    out = {}
    for chapter, r in reports.items():
        figures = r.figures()
        out[chapter] = {"values": r.values(), "tables": r.tables(), "figures": set(figures)}
        for fig in figures.values():
            assert isinstance(fig, Figure)
            plt.close(fig)
    return out


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_report_provides_every_glue_key_the_chapters_use(provided, chapter):
    for owner, keys in glue_references(chapter).items():
        p = provided[owner]
        have = set(p["values"]) | set(p["tables"]) | p["figures"]
        assert keys <= have, f"{chapter} uses keys of {owner} that its report lacks: {sorted(keys - have)}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_report_objects_have_the_right_kinds(provided, chapter):
    p = provided[chapter]
    for key, value in p["values"].items():
        assert type(value) in (int, float, str) or isinstance(value, str), (key, type(value))
        if isinstance(value, float):
            assert np.isfinite(value), key
    for key, value in p["tables"].items():
        assert isinstance(value, (pd.DataFrame, HouseTable)), key
        assert not isinstance(value, Styler), key  # every table goes through the house formatter
    assert not (set(p["values"]) & set(p["tables"])) and not (set(p["tables"]) & p["figures"])


SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_tables_show_labelled_headers_and_no_internal_ids(provided, chapter):
    """As the reader sees them (through the house formatter): no snake_case header or
    cell, no NaN, no 0..n-1 index column, every header non-empty."""
    for key, value in provided[chapter]["tables"].items():
        t = as_table(value)
        assert all(h.strip() for h in t.headers), key
        assert not [h for h in t.headers if SNAKE.match(h)], (key, t.headers)
        cells = {c for col in t.data.columns for c in t.data[col]}
        assert not [c for c in cells if SNAKE.match(c)], (key, sorted(c for c in cells if SNAKE.match(c)))
        assert not {"nan", "NaN", "None", "<NA>"} & cells, key
        assert t.headers[0] not in ("index", "level_0"), key


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapters_are_narration_plus_short_calls(chapter):
    """No function definitions, positional indexing, typed numbers or direct glue calls in cells."""
    code = ["".join(c["source"]) for c in notebook(chapter)["cells"] if c["cell_type"] == "code"]
    text = "\n".join(code)
    assert not re.search(r"^\s*def |lambda", text, re.M)
    assert ".iloc[" not in text and not re.search(r"\.loc\[\d", text)
    assert not re.findall(r"(?<![\w.])(\d*\.\d+|\d{2,})(?![\w.])", text), "a number typed in a cell"
    assert not re.search(r"\bglue\(", text)
    assert sum(len(c.splitlines()) for c in code) <= 15


def test_comparison_tables_use_the_one_column_set(comparisons):
    from foresight.data import COLUMNS

    for name, table in comparisons.items():
        assert tuple(table.columns) == COLUMNS, name
        assert set(table["verdict"]) <= set(VERDICTS), name
        assert table.index.is_unique, name


# ---------------------------------------------------------------- values checked by hand
def test_mortality_values(provided):
    v = provided["mortality"]["values"]
    assert v["mort_n_tables"] == 2 * v["mort_n_elt"]  # one table per sex
    assert v["mort_cited_dead_ages"] == "1, 5, 10 and 20"  # the ages of Wehle's list (data file)
    assert v["mort_hmd_diff"] <= v["mort_hmd_tol"]
    assert v["mort_gap_peak_elt"] == 13  # ELT 13 is 1970-72, where ONS put the turn
    assert v["mortp_rep_cp0"] == pytest.approx(v["mortp_rep_cohe0m"] - v["mortp_rep_e0m"])
    assert v["mortp_pub_cp0"] == pytest.approx(90.4 - 79.3)  # ONS Table 4.4 and section 3
    assert v["mortp_sens_m_lo"] < v["mortp_unc_m_lo"] < v["mortp_unc_m_c"] < v["mortp_unc_m_hi"] \
        < v["mortp_sens_m_hi"]
    assert v["mort_esp_groups"] == 20 and v["mort_esp_open"] == 90  # ESP 2013: 0, 1-4, 5-9, ..., 90+
    assert v["mortp_n_rows"] == 13


def test_sle_values(provided):
    v = provided["sle"]["values"]
    assert v["sle_syn_n_initial"] == 1223  # the paper's web sample
    assert v["sle_syn_n_final"] == 737
    # footnote 3 by hand: 60 at 80 and 40 at 90 cross 50 half-way; a run of 50s at 80, 90 -> 85
    assert (v["sle_ex_interp"], v["sle_ex_exact"], v["sle_ex_run"]) == (85, 80, 85)
    assert v["sle_ex_cert"] == 70  # footnote 4: 80 % at 80, 60 % at 90, SLE 85 -> 70 %
    assert v["sle_t2_df"] == 737 - 12
    assert v["sle_flow_agree"] == v["sle_flow_rows"]  # built with the paper's counts
    assert v["sle_t2_within"] <= v["sle_t2_checked"] < v["sle_t2_rows"]
    assert v["sle_act_s60_diff"] == pytest.approx(87.6 - v["sle_act_s60"])


def test_selection_values(provided):
    v = provided["selection"]["values"]
    assert v["sel_pub_drop"] == 25 and v["sel_jp_mech"] == 0.44 and v["sel_jp_hol"] == 0.28
    assert v["sel_jp_loss"] == pytest.approx(1 - 0.28 / 0.44)
    assert v["sel_lens_gap"] < 1e-10  # Tucker's identity holds exactly on the sample
    assert v["sel_sim_loss"] == pytest.approx(1 - v["sel_sim_clin"] / v["sel_sim_reg"])
    assert v["sel_bcg_diff"] == pytest.approx(v["sel_bcg_m"] - v["sel_bcg_c"])
    assert v["sel_sh_agree"] + v["sel_sh_calibrated"] == v["sel_sh_n"] == 5
    assert v["sel_cost_ratio"] == pytest.approx(0.5 / 0.01 * 0.99 / 0.5, rel=0.05)
    assert v["sel_date_first"] == "15 August 2013" and v["sel_date_last"] == "8 April 2014"


def test_synthesis_counts_every_comparison(provided, comparisons):
    v = provided["synthesis"]["values"]
    assert v["syn_cmp_tables"] == len(comparisons)
    assert v["syn_cmp_rows"] == sum(len(t) for t in comparisons.values())
    assert sum(v[f"syn_cmp_{k.replace(' ', '_')}"] for k in VERDICTS) == v["syn_cmp_rows"]
    total = pd.concat(comparisons.values())["verdict"].value_counts()
    assert v["syn_cmp_not_comparable"] == total["not comparable"]


def test_glued_published_values_are_the_published_ones(provided):
    pub = published()["value"]
    v = provided["sle"]["values"]
    assert all(v[k] == pub[k] for k in pub.index if k.startswith("sle_"))
    assert provided["mortality"]["values"]["mort_imp_pub"] == pub["ons_improvement_last_100y"]
