"""The survival engine behind every benchmark: hand-sized benchmarks, checked by hand."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from foresight.data import published
from foresight.sle import analyse, synthetic_cohort
from foresight.sle import benchmark as B
from foresight.sle.dutch import DutchBenchmark


@dataclass(frozen=True)
class Falling:
    """Rates 0.1 in 1991 at every age, falling by ``r`` a year (one for both sexes)."""

    survey_year: int = 2012
    r: float = 0.1

    def rates(self, sex, years):
        t = np.asarray(years, float) - 1991
        return np.broadcast_to(0.1 * (1 - self.r) ** t, (111, t.size)).copy()


def q(m):
    return m / (1 + m / 2)  # the life-table engine's conversion at adult ages (a = 1/2)


def test_cohort_survival_by_hand():
    # aged 42 in 2012 (born 1970): m at 42 is the rate of 2012, at 43 that of 2013
    m42, m43 = 0.1 * 0.9 ** 21, 0.1 * 0.9 ** 22
    S = B.survival(Falling(), [42], ["male"], (43, 44))[0]
    np.testing.assert_allclose(S, [100 * (1 - q(m42)), 100 * (1 - q(m42)) * (1 - q(m43))], rtol=1e-12)
    # the period table freezes 2012's rate at every age
    P = B.survival(Falling(), [42], ["male"], (44,), basis="period")[0]
    assert P[0] == pytest.approx(100 * (1 - q(m42)) ** 2, rel=1e-12)
    assert S[1] > P[0]


def test_cohort_rates_are_diagonals():
    m = B.cohort_rates(Falling(), "female", [1950, 1990])
    assert m.shape == (111, 2)
    assert m[40, 0] == pytest.approx(0.1 * 0.9 ** (1990 - 1991))
    assert m[40, 1] == pytest.approx(0.1 * 0.9 ** (2030 - 1991))


def test_missing_sex_or_age_is_not_guessed_and_bad_ages_are_refused():
    S = B.survival(Falling(), [40, np.nan, 40], ["female", "male", None])
    assert np.isfinite(S[0]).all() and np.isnan(S[1:]).all()
    with pytest.raises(ValueError, match="whole age"):
        B.survival(Falling(), [40.5], ["female"])
    with pytest.raises(ValueError, match="basis"):
        B.survival(Falling(), [40], ["female"], basis="generation")


def test_median_age_at_death_halves_survival_and_expected_is_x_plus_ex():
    from foresight.mortality import life_tables

    bm = DutchBenchmark()
    ages = B.ages_at_death(bm, [30, 50], ["male", "female"])
    for x, s, med, exp in zip((30, 50), ("male", "female"), ages["median_age_at_death"],
                              ages["expected_age_at_death"]):
        lt = life_tables(B.cohort_rates(bm, s, [2012 - x]), sex=s)
        lx = lt.lx[:, 0]
        lo = int(np.floor(med))
        l_med = lx[lo] + (med - lo) * (lx[lo + 1] - lx[lo])
        assert l_med / lx[x] == pytest.approx(0.5)
        assert exp == pytest.approx(x + lt.ex[x, 0])


def test_sample_means_and_the_published_comparison():
    r = analyse(synthetic_cohort(n=600, seed=3))
    pub = published("rappange2017sle")
    bm = DutchBenchmark()
    p = B.published_comparison(r.sample, pub, bm)
    assert list(p.index) == list(B.PUBLISHED_IDS) and list(p["figure"]) == list(B.PUBLISHED_IDS.values())
    # the SSP point estimate twice: against the exact median and against footnote 3's reading
    assert list(p["subjective (published)"]) == [87.6, 13.4, 80.2, 83.6, 83.6]
    means = B.sample_means(r.sample, bm)
    for measure in B.PUBLISHED_IDS:
        assert p.loc[measure, "actuarial (cohort)"] == means[measure]
    for b in B.BASES:
        assert np.allclose(p[f"difference ({b})"], p["subjective (published)"] - p[f"actuarial ({b})"])
    # improvement carried along the remaining life: the cohort lives longer than the period table
    assert (p["actuarial (cohort)"] > p["actuarial (period)"]).all()
    t = B.variants_table(r.sample, {"a": ("x", bm, "cohort"), "b": ("y", bm, "period")})
    assert list(t["variant"]) == ["a", "b"] and t.loc[0, "survival_100"] == means["survival_100"]


def test_break_even_rate_solves_the_equation():
    r = analyse(synthetic_cohort(n=400, seed=5))

    def make(rate):
        return DutchBenchmark(rate=rate)

    target = 10.0
    rate = B.break_even_rate(r.sample, make, "survival_100", target)
    assert B.sample_means(r.sample, make(rate))["survival_100"] == pytest.approx(target, abs=1e-6)
    assert np.isnan(B.break_even_rate(r.sample, make, "survival_100", 99.0))


def test_realised_check_by_hand():
    years = [2012, 2013]
    ages = np.arange(0, 111)
    e = pd.DataFrame(1000.0, index=ages, columns=years)
    d = pd.DataFrame(100.0, index=ages, columns=years)

    @dataclass(frozen=True)
    class Half:
        survey_year: int = 2012

        def rates(self, sex, years):
            return np.full((111, len(years)), 0.05)  # half the observed 0.1

    out = B.realised_check({"half": Half()}, {"female": d, "male": d}, {"female": e, "male": e}, years,
                           bands=((60, 79), (90, 110)))
    assert len(out) == 4 and np.allclose(out["ratio"], 2.0)
    assert out.loc[0, "observed"] == 100.0 * 20 * 2 and out.loc[0, "expected"] == pytest.approx(50 * 20 * 2)


@dataclass(frozen=True)
class Constant:
    """The same rate at every age and year: 0.02 for women, 0.04 for men (or ``m`` for both)."""

    survey_year: int = 2012
    m: float | None = None

    def rates(self, sex, years):
        m = self.m if self.m is not None else (0.02 if sex == "female" else 0.04)
        return np.full((111, len(years)), m)


def test_footnote3_median_reads_the_benchmark_as_an_answer():
    """Aged 40 at a constant 0.02: survival to T is (1 - q)^(T - 40); footnote 3 interpolates
    linearly between the two target ages whose chances straddle 50%."""
    p = 1 - q(0.02)
    chances = {t: 100 * p ** (t - 40) for t in (60, 70, 80, 90, 100)}
    assert chances[70] > 50 > chances[80]
    by_hand = 70 + (chances[70] - 50) / (chances[70] - chances[80]) * 10
    got = B.footnote3_median(Constant(), [40, np.nan], ["female", "female"])
    assert got[0] == pytest.approx(by_hand, rel=1e-12) and np.isnan(got[1])
    # the exact median solves p^(T - 40) = 1/2 between whole ages (l linear within the year), a
    # different number: footnote 3 is a reading, not the median
    exact = B.ages_at_death(Constant(), [40], ["female"])["median_age_at_death"].iloc[0]
    k = np.floor(np.log(0.5) / np.log(p))
    assert exact == pytest.approx(40 + k + (p ** k - 0.5) / (p ** k - p ** (k + 1)), rel=1e-12)
    assert abs(got[0] - exact) > 0.2


def test_sex_gap_by_hand():
    """With a constant rate m the life table's expectation of life is 1/m at adult ages (deaths at
    mid-year, the open interval's L = l/m), so women at 0.02 and men at 0.04 differ by 25 years
    at any age; one rate for both gives no gap."""
    sample = pd.DataFrame({"age": [25, 40, 59], "sex": ["male", "male", "female"]})
    assert B.sex_gap(sample, Constant()) == pytest.approx(1 / 0.02 - 1 / 0.04, rel=1e-12)
    assert B.sex_gap(sample, Constant(m=0.03)) == pytest.approx(0.0, abs=1e-12)
    assert B.sex_gap(sample, Constant(), basis="period") == pytest.approx(25.0, rel=1e-12)
