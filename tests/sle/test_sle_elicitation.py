"""Footnotes 3 and 4 of Rappange et al. (2017), worked by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foresight.sle import certainty_score, interpolate_ssp, ssp_point_estimate
from foresight.sle.elicitation import ABOVE_50, BELOW_50, MISSING, NON_MONOTONE, OUTSIDE

NAN = float("nan")


@pytest.mark.parametrize(
    "answers, expected",
    [
        # between 80 (60 %) and 90 (40 %): 80 + (60 - 50) / (60 - 40) * 10 = 85
        ([90, 80, 60, 40, 10], 85.0),
        # exactly 50 at one target age gives that age
        ([90, 70, 50, 40, 10], 80.0),
        ([50, 40, 30, 20, 10], 60.0),
        ([100, 100, 90, 80, 50], 100.0),
        # 50 at consecutive target ages: their mean
        ([90, 70, 50, 50, 20], 85.0),
        ([90, 50, 50, 50, 20], 80.0),
        ([80, 50, 50, 50, 50], 85.0),
        # interpolation between 60 (75 %) and 70 (25 %): 60 + 25/50 * 10 = 65
        ([75, 25, 10, 5, 0], 65.0),
        # between 90 (55 %) and 100 (0 %): 90 + 5/55 * 10
        ([100, 90, 80, 55, 0], 90 + 50 / 55),
        # all 50: mean of all target ages (the paper removes these earlier)
        ([50, 50, 50, 50, 50], 80.0),
    ],
)
def test_footnote3_hand_cases(answers, expected):
    est = ssp_point_estimate(answers)
    assert est.value[0] == pytest.approx(expected)
    assert est.reason[0] == "ok"


@pytest.mark.parametrize(
    "answers, reason",
    [
        ([100, 90, 80, 70, 60], ABOVE_50),
        ([40, 30, 20, 10, 0], BELOW_50),
        ([90, 95, 50, 40, 10], NON_MONOTONE),
        ([90, 60, NAN, 40, 10], MISSING),
    ],
)
def test_footnote3_undefined_cases_are_nan_with_reason(answers, reason):
    est = ssp_point_estimate(answers)
    assert np.isnan(est.value[0])
    assert est.reason[0] == reason


def test_non_monotone_first_crossing_option():
    # first crossing: 50 at 80 after 90, 95 -> 80
    est = ssp_point_estimate([90, 95, 50, 40, 10], non_monotone="first")
    assert est.value[0] == 80.0
    # second dip below 50 is ignored: first crossing between 60 (60) and 70 (40)
    est = ssp_point_estimate([60, 40, 70, 30, 10], non_monotone="first")
    assert est.value[0] == pytest.approx(65.0)


def test_vectorised_rows_are_independent():
    rows = [[90, 80, 60, 40, 10], [100, 90, 80, 70, 60], [90, 70, 50, 50, 20]]
    est = ssp_point_estimate(np.array(rows))
    np.testing.assert_allclose(est.value, [85.0, NAN, 85.0])
    assert list(est.reason) == ["ok", ABOVE_50, "ok"]


def test_other_target_ages():
    # unequal spacing: 50 crossed between 65 (70 %) and 75 (30 %)
    est = ssp_point_estimate([[90, 70, 30]], ages=(55, 65, 75))
    assert est.value[0] == pytest.approx(70.0)


def test_bad_shapes_raise():
    with pytest.raises(ValueError):
        ssp_point_estimate([[90, 80, 60]])
    with pytest.raises(ValueError):
        ssp_point_estimate([90, 80], ages=(70, 60))


def _reference_point_estimate(p, ages=(60, 70, 80, 90, 100)):
    """Plain-Python restatement of footnote 3 for non-increasing answers."""
    fifty = [a for a, x in zip(ages, p) if x == 50]
    if fifty:
        return sum(fifty) / len(fifty)
    for (a0, x0), (a1, x1) in zip(zip(ages, p), zip(ages[1:], p[1:])):
        if x0 > 50 > x1:
            return a0 + (x0 - 50) / (x0 - x1) * (a1 - a0)
    return NAN


decreasing = st.lists(st.integers(0, 100), min_size=5, max_size=5).map(lambda v: sorted(v, reverse=True))


@settings(max_examples=200, deadline=None)
@given(decreasing)
def test_matches_plain_reference_and_crosses_50(p):
    est = ssp_point_estimate(p)
    ref = _reference_point_estimate(p)
    if np.isnan(ref):
        assert np.isnan(est.value[0])
    else:
        assert est.value[0] == pytest.approx(ref)
        assert 60 <= est.value[0] <= 100
        # the interpolated survival curve passes through 50 % at the estimate
        assert interpolate_ssp([p], [est.value[0]])[0] == pytest.approx(50.0)


# ---- footnote 4 -------------------------------------------------------------

def test_footnote4_hand_cases():
    ssp = [[95, 90, 80, 70, 20]]
    # SLE equal to a target age: that answer (the paper's example: 90 -> 70 %)
    assert certainty_score([90], ssp).value[0] == 70.0
    # SLE 85: halfway between 80 % (age 80) and 70 % (age 90)
    assert certainty_score([85], ssp).value[0] == pytest.approx(75.0)
    # SLE 62: 95 + 0.2 * (90 - 95) = 94
    assert certainty_score([62], ssp).value[0] == pytest.approx(94.0)
    assert certainty_score([100], ssp).value[0] == 20.0
    assert certainty_score([60], ssp).value[0] == 95.0


def test_footnote4_undefined():
    ssp = [[95, 90, 80, 70, 20]] * 3
    est = certainty_score([59, 101, NAN], ssp)
    assert np.isnan(est.value).all()
    assert list(est.reason[:2]) == [OUTSIDE, OUTSIDE]
    assert est.reason[2] == "missing SLE"
    # exact target age needs only that answer; interpolation needs both
    est = certainty_score([70, 75], [[95, 90, NAN, 70, 20]] * 2)
    assert est.value[0] == 90.0
    assert np.isnan(est.value[1]) and est.reason[1] == MISSING


@settings(max_examples=100, deadline=None)
@given(decreasing, st.floats(60, 100))
def test_certainty_lies_between_surrounding_answers(p, sle):
    v = certainty_score([sle], [p]).value[0]
    i = min(int((sle - 60) // 10), 3)
    assert min(p[i], p[i + 1]) - 1e-9 <= v <= max(p[i], p[i + 1]) + 1e-9
