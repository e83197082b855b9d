"""The house table formatter: labels, index, missing values, alignment, precision, HTML."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from foresight.display import MISSING, TALL_ROWS, HouseTable, as_table, house_table, label


def test_labels_turn_snake_case_into_words_and_capitalise():
    assert label("mean_sle") == "Mean sle"
    assert label("p60_85") == "P(survive 60 to 85)"  # from LABELS: words alone cannot say it
    assert label("mean_sle", {"mean_sle": "mean SLE"}) == "Mean SLE"  # every header starts with a capital
    assert label("table_id") == "Table" and label("n", {"n": "n"}) == "n"
    assert label("published") == "Published"
    assert label("e0") == "e0" and label("no.") == "no."
    assert label("men, 20-59") == "Men, 20-59" and label("rule's target (% a year)") == "Rule's target (% a year)"
    assert label("population-origin pairs") == "Population-origin pairs" and label("q(60)") == "q(60)"


def test_plain_range_index_is_dropped_and_a_named_index_is_a_column():
    df = pd.DataFrame({"count": [1, 2]})
    assert house_table(df).headers == ["Count"]
    named = df.set_axis(pd.Index(["a", "b"], name="ELT"))
    t = house_table(named)
    assert t.headers == ["ELT", "Count"] and list(t.data["ELT"]) == ["a", "b"]
    # a named 1..n range (item numbers) means something; an unnamed one does not
    items = pd.DataFrame({"count": [5, 6]}, index=pd.RangeIndex(1, 3, name="No."))
    assert house_table(items).headers == ["No.", "Count"]
    assert house_table(named, index=False).headers == ["Count"]


def test_missing_values_are_a_dash_and_numbers_right_aligned():
    df = pd.DataFrame({"name": ["a", None, ""], "value": [1.234, np.nan, -0.0001],
                       "text_number": ["12.5", "", "3"]})
    t = house_table(df, precision=2)
    assert list(t.data["Name"]) == ["a", MISSING, MISSING]
    assert list(t.data["Value"]) == ["1.23", MISSING, "0.00"]  # no "-0.00"
    assert t.numeric == [False, True, True]
    html = t._repr_html_()
    assert html.count('class="num') == 2 + 2 * 3  # two headers, six cells
    assert "nan" not in html.lower().replace("—", "")


def test_round_off_around_zero_is_shown_as_zero_and_sets_no_decimals():
    """A value below the zero floor is zero: no "-0.000", no column switched to 4 decimals."""
    exact = house_table(pd.DataFrame({"gap": [0.0, 0.0], "share": [0.5, 0.0]}))
    noisy = house_table(pd.DataFrame({"gap": [0.0, 1.1102230246251565e-16],
                                      "share": [0.5, -2e-17]}))
    assert list(noisy.data["Gap"]) == list(exact.data["Gap"]) == ["0", "0"]
    assert list(noisy.data["Share"]) == list(exact.data["Share"]) == ["0.500", "0.000"]
    # explicit formats see the snapped value too
    pct = house_table(pd.DataFrame({"change": [-3e-18, 0.25]}), formats={"change": "{:.1%}"})
    assert list(pct.data["Change"]) == ["0.0%", "25.0%"]
    # a small real number is not round-off
    assert list(house_table(pd.DataFrame({"rate": [2e-4, 3e-4]})).data["Rate"]) == ["0.0002", "0.0003"]


def test_a_value_on_a_rounding_edge_prints_the_same_whatever_its_round_off():
    """1.17 / 0.80 - 1 = 0.4625 exactly; machines compute it a hair either side (issue 23)."""
    below, above = 0.46249999999999997, 0.4625000000000001
    assert f"{below:.1%}" != f"{above:.1%}"  # the trap: plain formatting splits them
    for fmt in ({"gain": "{:.1%}"}, {}):
        a = house_table(pd.DataFrame({"gain": [below]}), formats=fmt).data["Gain"].tolist()
        b = house_table(pd.DataFrame({"gain": [above]}), formats=fmt).data["Gain"].tolist()
        assert a == b, fmt
    tight = house_table(pd.DataFrame({"gain": [below, 0.1]}), precision=3).data["Gain"].tolist()
    assert tight == house_table(pd.DataFrame({"gain": [above, 0.1]}), precision=3).data["Gain"].tolist()


def test_glue_all_glues_round_off_as_zero(monkeypatch):
    import myst_nb

    from foresight.chapter import glue_all

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: glued.update({name: value}))
    glue_all({"gap": 1.1102230246251565e-16, "neg": np.float64(-0.0), "real": 2e-4, "n": 0,
              "text": "1e-17", "edge": 1.17 / 0.80 - 1})
    assert glued["gap"] == 0.0 and repr(glued["gap"]) == "0.0"
    assert repr(glued["edge"]) == "0.4625"  # 12 significant digits: the same on every machine
    assert repr(glued["neg"]) == "0.0"  # not -0.0
    assert glued["real"] == 2e-4 and glued["n"] == 0 and glued["text"] == "1e-17"


def test_precision_defaults_to_three_significant_digits():
    t = house_table(pd.DataFrame({"big": [81.234, 79.9], "small": [0.01234, 0.0456],
                                  "whole": [1.0, 2.0]}))
    assert list(t.data["Big"]) == ["81.2", "79.9"]
    assert list(t.data["Small"]) == ["0.0123", "0.0456"]
    assert list(t.data["Whole"]) == ["1", "2"]


def test_formats_win_over_precision_and_html_is_escaped_and_wrapped():
    t = house_table(pd.DataFrame({"share": [0.125], "name": ["<b>x</b>"]}), precision=3,
                    formats={"share": "{:.1%}"})
    assert list(t.data["Share"]) == ["12.5%"]
    html = t._repr_html_()
    assert html.startswith('<div class="house-table-wrap"') and "&lt;b&gt;" in html
    tall = house_table(pd.DataFrame({"x": range(TALL_ROWS + 1)}))
    assert "house-table-tall" in tall._repr_html_()


def test_as_table_accepts_tables_only():
    t = as_table(pd.DataFrame({"mean_age": [1]}))
    assert isinstance(t, HouseTable) and t.headers == ["Mean age"]
    assert as_table(t) is t
    with pytest.raises(TypeError):
        as_table(pd.DataFrame({"x": [1]}).style)


def test_number_cells_record_the_value_they_show():
    """data-value holds the number a cell was formatted from (12 significant digits), so a
    prose number and a cell can be matched by value; a cell showing zero records nothing
    (it could be round-off in disguise)."""
    import re

    t = house_table(pd.DataFrame({"name": ["a", "b", "c"], "value": [45.34912345678912, 2.6e-7, np.nan]}),
                    precision=2)
    html = t._repr_html_()
    assert list(t.data["Value"]) == ["45.35", "0.00", MISSING]
    assert re.findall(r'data-value="([^"]+)">([^<]*)<', html) == [("45.3491234568", "45.35")]
    # a table of text numbers records the values it is given
    shown = pd.DataFrame({"v": ["6.0", "83.0"]})
    given = house_table(shown, values=pd.DataFrame({"v": [6.0, 83.0]}))
    assert re.findall(r'data-value="([^"]+)">([^<]*)<', given._repr_html_()) == [("6.0", "6.0"), ("83.0", "83.0")]


def test_row_decimals_print_each_value_at_its_own_precision():
    df = pd.DataFrame({"value": [6.0, 83.0, 1.2, 46.0]})
    t = house_table(df, row_decimals={"value": [1, 1, 1, 0]})
    assert list(t.data["Value"]) == ["6.0", "83.0", "1.2", "46"]
    with pytest.raises(ValueError, match="3 entries for 4 rows"):
        house_table(df, row_decimals={"value": [1, 1, 1]})


def test_a_key_follows_the_table():
    t = house_table(pd.DataFrame({"a": [1]}), notes=["Key: x means y."])
    html = t._repr_html_()
    assert html.endswith('<p class="house-table-key">Key: x means y.</p>')
    assert html.index("</table>") < html.index("house-table-key")
    assert repr(t).endswith("Key: x means y.")
