"""How a comparison table is shown: published figures as printed, tolerances as needed,
units with the figure, default bases abbreviated with a key, values recorded."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from foresight.data import compare, comparison_display


def _figures() -> pd.DataFrame:
    return pd.DataFrame({
        "quantity": ["gap in 1980", "life expectancy", "share staying", "median age", "count"],
        "value": [6.0, 83.0, 75.0, 46.0, 35.0],
        "decimals": [1, 1, 0, 0, 0],
        "qualifier": ["exact", "about", "more than", "exact", "exact"],
        "source": "Doc (2015)", "section": "s. 1",
    }, index=["gap", "e0", "stay", "median", "n"])


def test_published_figures_keep_their_printed_decimals():
    t = comparison_display(compare(_figures(), {"gap": 6.062, "e0": 82.95, "stay": 80.0,
                                                "median": 45.35, "n": 35.0}), "t")
    shown = t.data.set_index("Figure")["Published"]
    assert list(shown) == ["6.0", "83.0", "75", "46", "35"]  # not "6" and "83"
    # tolerance: as many decimals as it needs, at least the figure's
    assert list(t.data["Tolerance"]) == ["0.05", "0.1", "0", "0.5", "0.5"]
    # reproduced and difference: two decimals more than printed, a whole count stays whole
    assert list(t.data["Reproduced"]) == ["6.062", "82.950", "80", "45.35", "35"]


def test_default_bases_are_abbreviated_and_explained_under_the_table():
    t = comparison_display(compare(_figures(), {"gap": 6.0, "e0": 83.0, "stay": 80.0,
                                                "median": 46.0, "n": 35.0}), "t")
    assert list(t.data["Basis of the tolerance"]) == ["rounding", "'about'", "'more than' (bound)",
                                                      "rounding", "rounding"]
    assert len(t.notes) == 1
    key = t.notes[0]
    for word in ("rounding:", "'about'", "bound:"):
        assert key.count(word) == 1, (word, key)  # each rule explained once
    assert "'almost'" not in key  # only the rules the table uses


def test_a_reason_stated_in_the_data_is_shown_in_full():
    fig = _figures().iloc[:1].assign(tolerance=0.3, tolerance_basis="sampling noise of a synthetic draw")
    t = comparison_display(compare(fig, {"gap": 6.2}), "t")
    assert list(t.data["Basis of the tolerance"]) == ["sampling noise of a synthetic draw"]
    assert t.data["Tolerance"].tolist() == ["0.3"] and t.notes == []


def test_units_follow_the_figure_unless_it_names_them():
    cmp = compare(_figures(), {"gap": 6.0, "e0": 83.0, "stay": 80.0, "median": 46.0, "n": 35.0})
    cmp.attrs["units"] = {"gap": "years", "e0": "years", "stay": "%", "median": "years", "n": "count"}
    cmp.loc["median", "figure"] = "median age in years"
    names = list(comparison_display(cmp, "t").data["Figure"])
    assert names == ["gap in 1980 (years)", "life expectancy (years)", "share staying (%)",
                     "median age in years", "count"]


def test_units_of_published_figures_are_looked_up():
    from foresight.data import published

    pub = published()
    row = pub.index[pub["unit"].eq("years")][0]
    cmp = compare(pub, {row: float(pub.loc[row, "value"])})
    assert comparison_display(cmp, "t").data["Figure"].iloc[0].endswith("(years)")


def test_number_cells_record_the_values_compared():
    t = comparison_display(compare(_figures(), {"gap": 6.062, "e0": 82.95, "stay": 80.0,
                                                "median": 45.35, "n": 35.0}), "t")
    html = t._repr_html_()
    recorded = dict((b, a) for a, b in re.findall(r'data-value="([^"]+)">([^<]*)<', html))
    assert float(recorded["6.062"]) == 6.062 and float(recorded["6.0"]) == 6.0
    assert np.isclose(float(recorded["-0.65"]), 45.35 - 46.0)


def test_row_labels_given_by_the_text_are_shown_first_under_their_name():
    """Row ids are internal; an ``index`` mapping turns them into the labels the text cites."""
    cmp = compare(_figures(), {"gap": 6.0, "e0": 83.0, "stay": 80.0, "median": 46.0, "n": 35.0})
    labelled = comparison_display(cmp, "t", index={k: f"S{i + 1}" for i, k in enumerate(cmp.index)},
                                  index_name="Statement")
    assert labelled.headers[0] == "Statement" and list(labelled.data.iloc[:, 0])[:2] == ["S1", "S2"]
    plain = comparison_display(cmp, "t")
    assert plain.headers == labelled.headers[1:]  # without a mapping the ids stay out of sight
