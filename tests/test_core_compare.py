"""The comparison engine: every qualifier rule on hand-worked examples, boundaries included.

Each case states the printed figure, how the document qualifies it, a reproduced value and
the verdict worked out by hand from the rule in ``foresight.data.compare`` (also in the
README). Values sit exactly on, just inside and just outside every end of every range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from foresight.data import COLUMNS, DataError, QUALIFIERS, VERDICTS, compare, published, verdict_counts
from foresight.data.compare import check_figures, within


def figures(value, decimals, qualifier, tolerance=np.nan, basis=None, fid="f"):
    return pd.DataFrame({"quantity": ["a figure"], "value": [float(value)], "decimals": [decimals],
                         "qualifier": [qualifier], "tolerance": [tolerance],
                         "tolerance_basis": [basis], "source": ["Doc (2020)"], "section": ["p. 1"]},
                        index=[fid])


def verdict(value, decimals, qualifier, reproduced, **kw):
    return compare(figures(value, decimals, qualifier, **kw), {"f": reproduced}).loc["f", "verdict"]


# (printed value, decimals, qualifier, reproduced, verdict by hand)
HAND_WORKED = [
    # a plain printed number: the rounding interval, ends included
    (3.7, 1, "exact", 3.7, "agrees"),
    (3.7, 1, "exact", 3.75, "agrees"),        # 3.75 could print as 3.7 or 3.8
    (3.7, 1, "exact", 3.65, "agrees"),
    (3.7, 1, "exact", 3.7501, "differs"),      # prints as 3.8
    (3.7, 1, "exact", 3.6499, "differs"),      # prints as 3.6
    (66, 0, "exact", 65.71, "agrees"),         # 23/35 of the careers sample, printed 66 %
    (66, 0, "exact", 65.49, "differs"),
    (1223, 0, "exact", 1223, "agrees"),        # a count must match
    (1223, 0, "exact", 1224, "differs"),
    # "about" / "around" / "approximately": one whole unit either side
    (46, 0, "about", 45.0, "agrees"),
    (46, 0, "about", 47.0, "agrees"),
    (46, 0, "about", 44.99, "differs"),
    (46, 0, "about", 47.01, "differs"),
    (18, 0, "around", 16.9, "differs"),
    (18, 0, "around", 17.0, "agrees"),
    (0.5, 1, "approximately", 0.6, "agrees"),
    (0.5, 1, "approximately", 0.61, "differs"),
    # "almost" / "nearly": up to one unit below, never at or above
    (95, 0, "almost", 94.22, "agrees"),
    (95, 0, "almost", 94.0, "agrees"),
    (95, 0, "almost", 93.99, "differs"),
    (95, 0, "almost", 95.0, "differs"),
    (95, 0, "almost", 95.3, "differs"),
    (2.0, 1, "nearly", 1.95, "agrees"),
    (2.0, 1, "nearly", 2.0, "differs"),
    # "more than" / "over": above the figure, not at it, no tolerance below
    (75, 0, "more than", 72.0, "differs"),     # the case a symmetric tolerance got wrong
    (75, 0, "more than", 74.9, "differs"),
    (75, 0, "more than", 75.0, "differs"),
    (75, 0, "more than", 75.01, "agrees"),
    (75, 0, "more than", 99.0, "agrees"),      # a bound is only a bound
    (50, 0, "over", 50.5, "agrees"),
    # "at least": the figure itself included
    (6, 0, "at least", 6, "agrees"),
    (6, 0, "at least", 8, "agrees"),
    (6, 0, "at least", 5, "differs"),
    (6, 0, "at least", 5.99, "differs"),
    # "less than" / "under" / "fewer than": below the figure, not at it
    (10, 0, "less than", 9.99, "agrees"),
    (10, 0, "less than", 10.0, "differs"),
    (10, 0, "under", 10.2, "differs"),
    (10, 0, "fewer than", 9, "agrees"),
    # "at most": the figure itself included
    (10, 0, "at most", 10.0, "agrees"),
    (10, 0, "at most", 10.01, "differs"),
    (10, 0, "at most", -3.0, "agrees"),
]


@pytest.mark.parametrize("value, decimals, qualifier, reproduced, expected", HAND_WORKED)
def test_hand_worked_verdicts(value, decimals, qualifier, reproduced, expected):
    assert verdict(value, decimals, qualifier, reproduced) == expected


def test_every_qualifier_has_a_hand_worked_case():
    assert {q for _, _, q, _, _ in HAND_WORKED} == set(QUALIFIERS)


def test_one_sided_is_one_sided():
    """'More than 75' accepts no value at or below 75, however close; 'less than' mirrors it."""
    below = np.linspace(60, 75, 301)
    assert not within(75, below, 0, "more than").any()
    assert within(75, below + 15.0001, 0, "more than").all()
    assert not within(10, np.linspace(10, 40, 301), 0, "less than").any()


def test_default_tolerances_and_their_basis():
    t = compare(pd.concat([figures(3.7, 1, "exact", fid="a"), figures(46, 0, "about", fid="b"),
                           figures(95, 0, "almost", fid="c"), figures(75, 0, "more than", fid="d")]),
                {"a": 3.7, "b": 46, "c": 94.5, "d": 80})
    assert t["tolerance"].tolist() == pytest.approx([0.05, 1.0, 1.0, 0.0])
    assert t.loc["a", "basis of the tolerance"].startswith("rounding of the printed figure")
    assert "'about'" in t.loc["b", "basis of the tolerance"]
    assert "one-sided" in t.loc["d", "basis of the tolerance"]


def test_explicit_tolerance_replaces_the_default_and_shows_its_reason():
    f = figures(20, 0, "about", tolerance=3.0, basis="sampling noise of a synthetic draw")
    t = compare(f, {"f": 17.2})
    assert t.loc["f", "verdict"] == "agrees"  # |17.2 - 20| = 2.8 <= 3, though > 1
    assert t.loc["f", "tolerance"] == 3.0
    assert t.loc["f", "basis of the tolerance"] == "sampling noise of a synthetic draw"
    assert compare(f, {"f": 16.9}).loc["f", "verdict"] == "differs"
    # "almost" with an explicit width: 92 <= r < 95
    g = figures(95, 0, "almost", tolerance=3.0, basis="why")
    assert [compare(g, {"f": r}).loc["f", "verdict"] for r in (92.0, 91.9, 94.9, 95.0)] == \
        ["agrees", "differs", "agrees", "differs"]


def test_a_bound_takes_no_tolerance():
    with pytest.raises(DataError, match="takes no tolerance"):
        compare(figures(75, 0, "more than", tolerance=3.0, basis="why"), {"f": 73.0})
    with pytest.raises(DataError, match=r"x.csv, line 2, column tolerance"):
        check_figures(figures(75, 0, "at least", tolerance=1.0, basis="why"), "x.csv")


def test_tolerance_and_reason_go_together():
    with pytest.raises(DataError, match=r"x.csv, line 4, column tolerance_basis"):
        check_figures(pd.concat([figures(1, 0, "exact", fid=i) for i in "ab"]
                                + [figures(1, 0, "exact", tolerance=0.2, fid="c")]), "x.csv")
    with pytest.raises(DataError, match=r"x.csv, line 2, column tolerance:.*without a tolerance"):
        check_figures(figures(1, 0, "exact", basis="a reason"), "x.csv")


def test_unknown_qualifier_is_an_error():
    with pytest.raises(DataError, match="unknown qualifier 'roughly'"):
        compare(figures(10, 0, "roughly"), {"f": 10})
    with pytest.raises(DataError, match=r"y.csv, line 2, column qualifier: unknown qualifier"):
        check_figures(figures(10, 0, "some"), "y.csv")


def test_unknown_qualifier_in_a_published_file_names_file_line_and_column(tmp_path, monkeypatch):
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "ons2015mortality.csv").write_text(
        "id,document,section,quantity,value,unit,decimals,qualifier,note,tolerance,tolerance_basis,"
        "use,printed,wording\n"
        "a,ons2015mortality,s,q,1.0,years,1,exact,,,,context,1.0,it was 1.0 years\n"
        "b,ons2015mortality,s,q,1.0,years,1,roughly,,,,context,1.0,it was roughly 1.0 years\n",
        encoding="utf-8")
    monkeypatch.setenv("FORESIGHT_DATA", str(tmp_path))
    from foresight.data import _published_all

    _published_all.cache_clear()
    try:
        with pytest.raises(DataError,
                           match=r"data/published/ons2015mortality.csv, line 3, column qualifier"):
            published()
    finally:
        _published_all.cache_clear()


def test_verdicts_by_basis():
    f = pd.concat([figures(10, 0, "exact", fid=i) for i in "abcdef"])
    rep = {"a": 10.2, "b": 11, "c": 10.2, "d": 11, "e": 10.2, "f": 30}
    basis = {"a": "reproduction", "b": "reproduction", "c": "calibrated", "d": "calibrated",
             "e": "not comparable", "f": "not comparable"}
    t = compare(f, rep, basis=basis)
    assert t["verdict"].tolist() == ["agrees", "differs", "calibrated", "differs",
                                     "not comparable", "not comparable"]
    assert t.loc["f", "difference"] == 20.0  # not comparable: the difference is still shown
    assert verdict_counts(t) == {"agrees": 1, "differs": 2, "calibrated": 1, "not comparable": 2}
    assert set(t["verdict"]) <= set(VERDICTS)


def test_columns_order_labels_and_rows_against_one_figure():
    f = figures(6, 0, "at least", fid="stay_most")
    t = compare(f, pd.Series({"low": 6.0, "high": 8.0}),
                figure_ids={"low": "stay_most", "high": "stay_most"},
                labels={"low": "stayers, fewest the text admits", "high": "stayers, most"})
    assert tuple(t.columns) == COLUMNS
    assert t.index.name == "id" and t.index.tolist() == ["low", "high"]
    assert t["figure"].tolist() == ["stayers, fewest the text admits", "stayers, most"]
    assert t["source and section"].tolist() == ["Doc (2020), p. 1"] * 2
    assert t["difference"].tolist() == [0.0, 2.0]


def test_bad_input():
    f = figures(10, 0, "exact")
    with pytest.raises(DataError, match="no figure with id 'g'"):
        compare(f, {"g": 1.0})
    with pytest.raises(ValueError, match="unknown basis"):
        compare(f, {"f": 1.0}, basis="replicated")
    with pytest.raises(ValueError, match="no basis for row 'f'"):
        compare(f, {"f": 1.0}, basis={})
    with pytest.raises(ValueError, match="not a finite number"):
        compare(f, {"f": np.nan})


def test_published_files_use_the_stated_words():
    """The qualifiers of data/published follow the words quoted in the notes."""
    p = published()
    assert p.loc["sle_share_ssp_tens", "qualifier"] == "more than"  # 'more than 75 %'
    assert p.loc["sle_share_ssp_fives", "qualifier"] == "almost"  # 'almost 95 %'
    assert p.loc["sle_share_ssp80_50", "qualifier"] == "around"  # 'around 18 %'
    assert p["source"].notna().all()


# --- edges that mutation testing found unexercised (issue 22) ----------------------------------

@pytest.mark.parametrize("qualifier", ["more than", "over", "at least", "less than", "under",
                                       "fewer than", "at most"])
def test_every_bound_shows_a_tolerance_of_zero(qualifier):
    """A bound has no width: the tolerance column says 0 for each of the one-sided words."""
    t = compare(figures(75, 0, qualifier), {"f": 75.0})
    assert t.loc["f", "tolerance"] == 0.0


def test_the_round_off_allowance_is_relative_to_the_figure_above_one_and_absolute_below():
    """1e-9 * max(1, |v|): at v = 1000 the allowance is 1e-6, at v = 0.5 it is 1e-9."""
    # exact 1000 allows up to 1000.5; 1000.5 + 5e-7 is within 1e-6 of the end, 1000.5 + 2e-6 not
    assert within(1000, 1000.5 + 5e-7, 0, "exact")[0]
    assert not within(1000, 1000.5 + 2e-6, 0, "exact")[0]
    # exact 0.5 (1 decimal) allows up to 0.55; 1.5e-9 beyond is outside, 0.5e-9 inside
    assert within(0.5, 0.55 + 0.5e-9, 1, "exact")[0]
    assert not within(0.5, 0.55 + 1.5e-9, 1, "exact")[0]
    assert not within(0.5, 0.45 - 1.5e-9, 1, "exact")[0]


def test_a_value_equal_to_a_bound_within_round_off_counts_as_equal():
    """At the allowance's own edge a value is 'equal': not more than, not less than, but at least."""
    v = 75.0
    eps = 1e-9 * v
    assert not within(v, v + eps, 0, "more than")[0]  # equal, so not more
    assert not within(v, v - eps, 0, "less than")[0]  # equal, so not less
    assert within(v, v - eps, 0, "at least")[0]  # equal, so at least
    assert within(v, v + eps, 0, "at most")[0]  # equal, so at most


def test_rules_are_immutable():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        QUALIFIERS["exact"].width_units = 1.0


def test_figures_without_source_or_section_give_an_empty_column():
    f = figures(3.7, 1, "exact").drop(columns=["source", "section"])
    assert compare(f, {"f": 3.7})["source and section"].tolist() == [""]


def test_comparison_display_precision_and_signs():
    """Reproduced and difference get two more decimals than printed; a whole count stays whole;
    negative zero is shown as 0 and a real negative keeps its sign."""
    from foresight.data import comparison_display

    f = pd.concat([figures(83.0, 1, "exact", fid="e0"), figures(35, 0, "exact", fid="n"),
                   figures(35, 0, "exact", fid="share"), figures(3.7, 1, "exact", fid="gap"),
                   figures(46, 0, "about", fid="neg")])
    t = compare(f, {"e0": 83.123, "n": 35.0, "share": 35.4, "gap": 3.7000001, "neg": 44.75})
    shown = comparison_display(t, "test").data.set_axis(list(t.index))
    assert shown.loc["e0", "Reproduced"] == "83.123"  # 1 + 2 decimals
    assert shown.loc["n", "Reproduced"] == "35" and shown.loc["n", "Difference"] == "0"
    assert shown.loc["share", "Reproduced"] == "35.40"  # not whole: 0 + 2 decimals
    assert shown.loc["gap", "Difference"] == "0.000"  # 1e-7, no '-' or sign noise
    assert shown.loc["neg", "Difference"] == "-1.25"
    t2 = compare(figures(3.7, 1, "exact", fid="g"), {"g": 3.6999999})
    assert comparison_display(t2, "test").data["Difference"].tolist() == ["0.000"]  # not "-0.000"
