"""Derailers: expected value by hand, break-even, the 1%/50% reading."""

import numpy as np
import pytest
from scipy.stats import norm

from foresight.selection import (
    break_even_detection,
    expected_value_per_hire,
    implied_cost_ratio,
    strategy_values,
)


def test_no_derailers_reduces_to_bcg():
    ev = expected_value_per_hire(0.44, 0.3, 0.0, 10.0)
    assert ev == pytest.approx(0.44 * norm.pdf(norm.isf(0.3)) / 0.3)


def test_expected_value_by_hand_with_a_veto():
    # p = 0.02, d = 0.5, f = 0.1: q = 0.01 + 0.98*0.9 = 0.892; SR' = 0.2/0.892
    # derailer share among hires = 0.01/0.892; EV = r*phi(z')/SR' - K*share
    q = 0.02 * 0.5 + 0.98 * 0.9
    s = 0.2 / q
    expected = 0.3 * norm.pdf(norm.isf(s)) / s - 20 * 0.01 / q
    got = expected_value_per_hire(0.3, 0.2, 0.02, 20.0, detection=0.5, false_alarm=0.1)
    assert got == pytest.approx(expected)


def test_pool_too_small_gives_nan():
    assert np.isnan(expected_value_per_hire(0.3, 0.9, 0.01, 1.0, detection=0.0, false_alarm=0.5))


def test_implied_cost_ratio_of_one_percent_fifty_percent():
    assert implied_cost_ratio(0.01, 0.5) == pytest.approx(99.0)
    assert implied_cost_ratio(0.1, 0.1) == pytest.approx(1.0)


def test_break_even_detection_solves_the_equality():
    args = dict(r_mechanical=0.44, r_clinical=0.28, selection_ratio=0.3, prevalence=0.01, cost=40.0)
    d = break_even_detection(**args, false_alarm=0.05)
    vals = strategy_values(0.44, 0.28, 0.3, 0.01, 40.0, d, 0.05)
    assert vals["clinical"] == pytest.approx(vals["mechanical"], abs=1e-8)
    # cheaper derailers need better detection; without derailer costs no detection suffices
    assert break_even_detection(**{**args, "cost": 20.0}, false_alarm=0.05) > d
    assert np.isnan(break_even_detection(**{**args, "cost": 0.0}))


def test_hybrid_dominates_clinical_when_the_formula_is_more_valid():
    v = strategy_values(0.44, 0.28, 0.3, 0.01, np.linspace(0, 80, 9)[:, None],
                        np.linspace(0, 1, 11)[None, :], 0.05)
    assert np.all(v["hybrid"] > v["clinical"])


def test_hybrid_break_even_with_and_without_false_alarms():
    # with no false alarms any detection helps the formula-plus-veto strategy
    assert break_even_detection(0.44, 0.28, 0.3, 0.01, 40.0, false_alarm=0.0, strategy="hybrid") == 0.0
    # false alarms shrink the pool, so some detection is needed to pay for them
    d = break_even_detection(0.44, 0.28, 0.3, 0.01, 40.0, false_alarm=0.1, strategy="hybrid")
    assert 0.0 < d < 1.0
    v = strategy_values(0.44, 0.28, 0.3, 0.01, 40.0, d, 0.1)
    assert v["hybrid"] == pytest.approx(v["mechanical"], abs=1e-8)


def test_min_cost_for_break_even_is_solved_not_gridded():
    from foresight.selection.derailers import min_cost_for_break_even, strategy_values

    args = (0.44, 0.28, 0.3, 0.01, 0.05)
    c = min_cost_for_break_even(*args)
    v = strategy_values(*args[:4], c, 1.0, args[4])
    assert float(v["clinical"] - v["mechanical"]) == pytest.approx(0.0, abs=1e-9)
    # just below it, even perfect detection loses; just above, it wins
    for dc, sign in ((-1e-3, -1), (1e-3, 1)):
        w = strategy_values(*args[:4], c + dc, 1.0, args[4])
        assert np.sign(float(w["clinical"] - w["mechanical"])) == sign
    # the closed form: both values are linear in the cost, so the root is the ratio of the
    # validity loss to the cost saved by the veto
    base = strategy_values(*args[:4], 0.0, 1.0, args[4])
    slope = (strategy_values(*args[:4], 1.0, 1.0, args[4])["clinical"] - base["clinical"]) - \
            (strategy_values(*args[:4], 1.0, 1.0, args[4])["mechanical"] - base["mechanical"])
    assert c == pytest.approx(-float(base["clinical"] - base["mechanical"]) / float(slope), rel=1e-9)
    assert min_cost_for_break_even(0.44, 0.50, 0.3, 0.01, 0.0) == 0.0  # holistic more valid: wins at once
