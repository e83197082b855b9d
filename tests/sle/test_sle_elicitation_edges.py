"""Edges of the elicitation rules that mutation testing found unexercised (issue 22).

Expected values are worked by hand from footnote 3 and the certainty-score definition.
"""

from __future__ import annotations

import numpy as np
import pytest

from foresight.sle.elicitation import NON_MONOTONE, OK, OUTSIDE, certainty_score, ssp_point_estimate


def test_two_target_ages_are_enough_and_any_increasing_step_is_allowed():
    # 80 at age 60, 40 at age 61: 50 is crossed 30/40 of the way, at 60.75
    e = ssp_point_estimate([80, 40], ages=[60, 61])
    assert e.value[0] == pytest.approx(60.75) and e.reason[0] == OK
    e = ssp_point_estimate([80, 60, 40], ages=[60, 61, 62])
    assert e.value[0] == pytest.approx(61.5)
    for bad in ([60], [60, 60, 70], [70, 60, 80]):
        with pytest.raises(ValueError, match="strictly increasing"):
            ssp_point_estimate([80] * len(bad), ages=bad)


def test_a_rise_of_one_point_is_a_rise():
    """A survival curve cannot rise: 91 after 90 makes the answers non-monotone."""
    e = ssp_point_estimate([90, 91, 50, 40, 30])
    assert np.isnan(e.value[0]) and e.reason[0] == NON_MONOTONE
    first = ssp_point_estimate([90, 91, 50, 40, 30], non_monotone="first")
    assert first.value[0] == pytest.approx(80.0)


def test_an_sle_between_the_last_two_target_ages_is_inside_the_range():
    # SLE 95: between 90 (answer 20) and 100 (answer 10), interpolated 15
    c = certainty_score([95, 100, 101], [[95, 90, 80, 20, 10]] * 3)
    assert c.value[0] == pytest.approx(15.0) and c.reason[0] == OK
    assert c.value[1] == pytest.approx(10.0) and c.reason[1] == OK
    assert np.isnan(c.value[2]) and c.reason[2] == OUTSIDE


def test_an_sle_between_the_first_two_target_ages_is_inside_the_range():
    c = certainty_score([65, 60, 59], [[95, 90, 80, 20, 10]] * 3)
    assert c.value[0] == pytest.approx(92.5) and c.reason[0] == OK
    assert c.value[1] == pytest.approx(95.0) and c.reason[1] == OK
    assert np.isnan(c.value[2]) and c.reason[2] == OUTSIDE
