"""The anchoring test of the paper's Discussion (Fig. 4) as a function of two groups."""

import numpy as np
import pandas as pd
import pytest

from foresight.errors import DataError
from foresight.sle.anchoring import anchoring_comparison, anchoring_groups
from foresight.sle.survey import SSP_COLUMNS


def _group(rows, ages):
    f = pd.DataFrame(rows, columns=SSP_COLUMNS, dtype=float)
    return f.assign(age=ages)


def test_pure_anchoring_is_a_curve_moved_by_ten_years():
    # the older group answers its k-th question exactly as the younger group does
    young = _group([[90, 70, 50, 20, 5], [80, 60, 40, 20, 10]], [52, 57])
    old = _group([[np.nan, 90, 70, 50, 20], [np.nan, 80, 60, 40, 20]], [61, 64])
    r = anchoring_comparison(young, old)
    pos = r.to_frame().query("alignment == 'by position'")
    assert list(pos["younger_target"]) == [60, 70, 80, 90]
    assert list(pos["older_target"]) == [70, 80, 90, 100]
    assert r.gap("by position") == 0
    # by target age: older means 85, 65, 45, 20 against younger 65, 45, 20, 7.5 (by hand)
    tgt = r.to_frame().query("alignment == 'by target age'")
    np.testing.assert_allclose(tgt["difference"], [20, 20, 25, 12.5])
    assert r.gap("by target age") == pytest.approx(19.375)
    assert "by question position" in r.summary()


def test_missing_answers_are_left_out_of_the_means():
    young = _group([[90, 70, 50, 20, 5], [80, np.nan, 40, 20, 10]], [52, 57])
    old = _group([[np.nan, 90, 70, 50, 20]], [61])
    t = anchoring_comparison(young, old).to_frame()
    assert t.loc[(t.alignment == "by target age") & (t.younger_target == 70), "younger_mean"].item() == 70


def test_groups_and_bad_input():
    survey = pd.concat([
        _group([[90, 70, 50, 20, 5], [90, 95, 50, 20, 5]], [55, 55]),  # the second rises: out
        _group([[np.nan, 90, 70, 50, 20], [np.nan, 90, 70, np.nan, 20]], [66, 62]),  # missing: out
        _group([[90, 70, 50, 20, 5]], [40]),
    ], ignore_index=True)
    young, old = anchoring_groups(survey)
    assert list(young.index) == [0] and list(old.index) == [2]
    with pytest.raises(DataError, match="empty"):
        anchoring_comparison(young.iloc[:0], old)
    with pytest.raises(DataError, match="ssp_60"):
        anchoring_comparison(young.drop(columns="ssp_60"), old)
    # the error names the group the column is missing from, by the caller's labels
    for which in (0, 1):
        groups = [young, old]
        groups[which] = groups[which].drop(columns="ssp_80")
        with pytest.raises(DataError) as err:
            anchoring_comparison(*groups, labels=("young.csv", "old.csv"))
        assert err.value.file == ("young.csv", "old.csv")[which]
    with pytest.raises(ValueError, match="multiple"):
        anchoring_comparison(young, old, shift=5)


def test_groups_take_their_age_ranges_inclusively_and_check_the_older_sequence_from_70():
    """Younger: 50-59, all five answers. Older: 60-69, answers from target age 70 on (the
    question about 60 was not put to them), none missing and none rising."""
    rows = {
        "y50": (50, [90, 80, 60, 40, 10]), "y59": (59, [90, 80, 60, 40, 10]),
        "y49": (49, [90, 80, 60, 40, 10]), "y_rise": (55, [90, 91, 60, 40, 10]),
        "o60": (60, [np.nan, 80, 60, 40, 10]), "o69": (69, [np.nan, 80, 60, 40, 10]),
        "o70": (70, [np.nan, 80, 60, 40, 10]),
        "o_rise_70_80": (65, [np.nan, 60, 61, 40, 10]), "o_missing_70": (65, [np.nan, np.nan, 60, 40, 10]),
        "o60_full": (60, [95, 80, 60, 40, 10]),  # answered about 60 too: still only the older group
        "y_flat": (52, [90, 80, 80, 40, 10]), "o_flat": (66, [np.nan, 80, 80, 40, 10]),  # level is not rising
    }
    survey = _group([r for _, r in rows.values()], [a for a, _ in rows.values()]).set_axis(list(rows))
    young, old = anchoring_groups(survey)
    assert list(young.index) == ["y50", "y59", "y_flat"]
    assert list(old.index) == ["o60", "o69", "o60_full", "o_flat"]


def test_a_one_person_group_is_compared_and_results_are_frozen():
    import dataclasses

    young = _group([[90, 70, 50, 20, 5]], [52])
    old = _group([[np.nan, 90, 70, 50, 20]], [61])
    res = anchoring_comparison(young, old)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.shift = 20
    with pytest.raises(ValueError, match="positive multiple"):
        anchoring_comparison(young, old, shift=0)
