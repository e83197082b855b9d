"""Stanines: band shares, conversions, norm-group comparison."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from foresight.selection import (
    STANINE_PERCENTS,
    normal_band_shares,
    stanine_against_norm,
    stanine_from_percentile,
    stanine_from_score,
    stanine_from_z,
    stanine_z_interval,
)


def test_normal_band_shares_round_to_the_stanine_percentages():
    shares = normal_band_shares()
    assert shares.sum() == pytest.approx(1.0)
    # half-SD bands of a normal distribution: 4-7-12-17-20-17-12-7-4 per cent
    assert np.round(100 * shares).astype(int).tolist() == list(STANINE_PERCENTS)
    # hand values: Phi(-1.75) = 0.0401, Phi(0.25) - Phi(-0.25) = 0.1974
    assert shares[0] == pytest.approx(0.04006, abs=1e-5)
    assert shares[4] == pytest.approx(0.19741, abs=1e-5)


def test_stanine_percentages_sum_to_100():
    assert sum(STANINE_PERCENTS) == 100


def test_stanine_from_z_edges_and_centre():
    assert stanine_from_z([-3, -1.75, -1.7499, 0, 0.2499, 0.25, 1.75, 5]).tolist() == [1, 2, 2, 5, 5, 6, 9, 9]


def test_stanine_from_percentile_hand_values():
    # cumulative edges 4, 11, 23, 40, 60, 77, 89, 96
    assert stanine_from_percentile([0, 3.9, 4, 10.9, 11, 50, 59.9, 60, 96, 100]).tolist() == \
        [1, 1, 2, 2, 3, 5, 5, 6, 9, 9]
    with pytest.raises(ValueError):
        stanine_from_percentile([101])


@given(st.floats(min_value=-4, max_value=4))
def test_z_and_percentile_routes_differ_by_at_most_one(z):
    a = int(stanine_from_z(z))
    b = int(stanine_from_percentile(100 * norm.cdf(z)))
    assert abs(a - b) <= 1


def test_empirical_shares_of_a_large_normal_sample():
    z = np.random.default_rng(7).standard_normal(400_000)
    counts = np.bincount(stanine_from_z(z), minlength=10)[1:] / z.size
    np.testing.assert_allclose(counts, normal_band_shares(), atol=0.003)


def test_same_score_different_norm_group():
    # a z of 0 is stanine 5 in the general population; against a group whose
    # mean is 0.8 SD higher with SD 0.85 it is (0 - 0.8)/0.85 = -0.94 -> stanine 3
    assert int(stanine_from_z(0.0)) == 5
    assert int(stanine_against_norm(0.0, 0.8, 0.85)) == 3
    assert int(stanine_from_score(115, 100, 15)) == 7  # z = 1.0


def test_stanine_interval():
    assert stanine_z_interval(5) == (-0.25, 0.25)
    assert stanine_z_interval(1)[0] == -np.inf
    with pytest.raises(ValueError):
        stanine_z_interval(10)
