"""Exact intervals and the exact test, against closed forms, scipy and hand counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from foresight.careers import (clopper_pearson, fisher_freeman_halton, intention_test,
                               interval_ci, load_study, overall_stay, typology_table)


def test_clopper_pearson_closed_forms():
    # k = 0: upper bound solves (1-p)^n = a/2;  k = n: lower bound solves p^n = a/2
    lo, hi = clopper_pearson(0, 10)
    assert lo == 0 and hi == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-12)  # 0.3085
    lo, hi = clopper_pearson(5, 5)
    assert hi == 1 and lo == pytest.approx(0.025 ** (1 / 5), abs=1e-12)  # 0.4782
    # n = 1, k = 1 at 95%: lower = 0.025
    assert clopper_pearson(1, 1)[0] == pytest.approx(0.025)


def test_clopper_pearson_textbook_value():
    # 7 successes in 15 trials: 95% exact interval 0.213 to 0.734 (standard tables)
    lo, hi = clopper_pearson(7, 15)
    assert (round(float(lo), 3), round(float(hi), 3)) == (0.213, 0.734)


@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_clopper_pearson_matches_binomtest_and_tail_definition(kn):
    k, n = kn
    lo, hi = clopper_pearson(k, n)
    ref = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
    assert float(lo) == pytest.approx(ref.low, abs=1e-9)
    assert float(hi) == pytest.approx(ref.high, abs=1e-9)
    # defining property: the bounds are where a one-sided tail equals 2.5%
    if k > 0:
        assert stats.binom.sf(k - 1, n, float(lo)) == pytest.approx(0.025, abs=1e-7)
    if k < n:
        assert stats.binom.cdf(k, n, float(hi)) == pytest.approx(0.025, abs=1e-7)
    # symmetry: swapping successes and failures mirrors the interval
    lo2, hi2 = clopper_pearson(n - k, n)
    assert float(lo) == pytest.approx(1 - float(hi2), abs=1e-9)


def test_clopper_pearson_rejects_bad_input():
    with pytest.raises(ValueError):
        clopper_pearson(6, 5)
    with pytest.raises(ValueError):
        clopper_pearson(1.5, 5)


def test_interval_ci_is_union():
    lo, hi = interval_ci(6, 8, 11)
    assert float(lo) == pytest.approx(float(clopper_pearson(6, 11)[0]))
    assert float(hi) == pytest.approx(float(clopper_pearson(8, 11)[1]))
    for k in (6, 7, 8):
        a, b = clopper_pearson(k, 11)
        assert lo <= a and b <= hi


def test_ffh_hand_examples():
    # [[2,0],[0,2]]: top-row tables x = 0,1,2 with probabilities 1/6, 4/6, 1/6 -> p = 1/3
    p, p_obs = fisher_freeman_halton([[2, 0], [0, 2]])
    assert p_obs == pytest.approx(1 / 6) and p == pytest.approx(1 / 3)
    # three singleton columns, one success: all three tables equally likely -> p = 1
    p, p_obs = fisher_freeman_halton([[1, 0, 0], [0, 1, 1]])
    assert p_obs == pytest.approx(1 / 3) and p == pytest.approx(1.0)


@given(st.lists(st.integers(0, 6), min_size=4, max_size=4),
       st.lists(st.integers(0, 6), min_size=4, max_size=4))
def test_ffh_2x2_equals_scipy_fisher(a, b):
    table = np.array([a[:2], b[:2]])
    if table.sum(axis=0).min() == 0 or table.sum(axis=1).min() == 0:
        return
    p, _ = fisher_freeman_halton(table)
    assert p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-6)


def test_ffh_2xc_agrees_with_scipy_monte_carlo():
    table = np.array([[5, 7, 6, 2], [0, 8, 5, 2]])
    p, _ = fisher_freeman_halton(table)
    mc = stats.fisher_exact(table, method=stats.MonteCarloMethod(
        n_resamples=40_000, rng=np.random.default_rng(7))).pvalue
    assert abs(p - mc) < 0.01  # MC standard error is about 0.002


def test_typology_table_and_overall():
    s = load_study()
    t = typology_table(s)
    assert t["stay_text"].tolist() == ["5", "7", "6–8", "2"]
    assert t.loc["T1", "ci_low"] == pytest.approx(0.025 ** (1 / 5))
    o = overall_stay(s)
    assert (o["stay_low"], o["stay_high"], o["n"]) == (20, 22, 35)


def test_intention_test_covers_every_completion():
    r = intention_test(load_study())
    assert r.completions["T3"].tolist() == [6, 7, 8]
    assert (r.completions["T1"] == 5).all()
    for _, row in r.completions.iterrows():
        table = [[row.T1, row.T2, row.T3, row.T4], [0, 8, 11 - row.T3, 2]]
        assert row.p_value == pytest.approx(fisher_freeman_halton(table)[0])
    assert r.p_min <= r.p_max < 1
