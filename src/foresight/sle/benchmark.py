"""Actuarial survival for survey respondents under any benchmark, and what moves it.

A *benchmark* is any object with a ``survey_year`` and a method
``rates(sex, years) -> array (111 ages, len(years))`` giving the death rates
(per person-year, ages 0-110) of each calendar year. Two kinds exist:
:class:`foresight.sle.dutch.DutchBenchmark` (observed Dutch mortality from the
HMD, projected by age from its own trend) and
:class:`foresight.sle.actuarial.TablesBenchmark` (the 1989-93 CBS tables,
Gompertz-graduated, carried at a uniform rate). The engine here never knows
which it runs.

Two bases (``basis=``):

``cohort`` (the default)
    A respondent aged ``x`` in the survey year ``s`` (born ``s - x``) meets at
    each older age ``y`` the rate of calendar year ``s - x + y``: the diagonal
    of the benchmark's surface (:func:`cohort_rates`).
``period``
    The rates of the survey year at every age, the convention of a period
    life table.

Survival, expected and median age at death come from the mortality chapter's
life-table engine (:func:`foresight.mortality.life_tables`), one table per sex
and birth cohort, all at once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.sle.survey import TARGET_AGES, as_float

__all__ = ["BASES", "ages_at_death", "break_even_rate", "by_group", "cohort_rates", "footnote3_median",
           "published_comparison", "realised_check", "sample_means", "sex_gap", "survival", "variants_table"]

BASES: tuple[str, ...] = ("cohort", "period")
SEXES: tuple[str, ...] = ("female", "male")
MAX_AGE = 110
AGES = np.arange(0, MAX_AGE + 1)
#: The published figures the benchmark is set against, by measure (the SSP point estimate twice:
#: against the exact median and against the benchmark's curve read by the same footnote-3 rule).
PUBLISHED_IDS: dict[str, str] = {
    "survival_60": "sle_mean_ssp60", "survival_100": "sle_mean_ssp100",
    "expected_age_at_death": "sle_mean_sle", "median_age_at_death": "sle_mean_ssp_pe",
    "median_footnote3": "sle_mean_ssp_pe",
}
#: How each measure is named in the comparison table.
MEASURE_WORDS: dict[str, str] = {
    "survival_60": "chance of living to 60 (%)",
    "survival_100": "chance of living to 100 (%)",
    "expected_age_at_death": "SLE point estimate vs expected age at death (years)",
    "median_age_at_death": "SSP point estimate vs exact median age at death (years)",
    "median_footnote3": "SSP point estimate vs the benchmark read by footnote 3 (years)",
}


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, not {basis!r}")


def cohort_rates(benchmark, sex: str, births: Sequence[int] | np.ndarray) -> np.ndarray:
    """Rates met by each birth cohort at ages 0-110: ``m(x, birth + x)``, ``(111, len(births))``."""
    births = np.asarray(births, dtype=int)
    years = np.arange(births.min(), births.max() + MAX_AGE + 1)
    surface = benchmark.rates(sex, years)
    return surface[AGES[:, None], (births[None, :] + AGES[:, None]) - years[0]]


@lru_cache(maxsize=256)
def _tables(benchmark, sex: str, basis: str):
    """(first birth year, life tables) of one sex: every cohort born in the 110 years to the
    survey year (cohort basis), or the survey year's period table (one schedule)."""
    from foresight.mortality import life_tables

    s = int(benchmark.survey_year)
    if basis == "cohort":
        births = np.arange(s - MAX_AGE, s + 1)
        return int(births[0]), life_tables(cohort_rates(benchmark, sex, births), sex=sex)
    return None, life_tables(benchmark.rates(sex, [s]), sex=sex)


def _groups(benchmark, age: np.ndarray, sex: np.ndarray, basis: str):
    """(mask, column, life tables) for each sex: the column of each respondent's table."""
    _check_basis(basis)
    ok = ~np.isnan(age)
    for s in SEXES:
        m = (sex == s) & ok
        if not m.any():
            continue
        first, lt = _tables(benchmark, s, basis)
        col = (int(benchmark.survey_year) - age[m].astype(int) - first) if basis == "cohort" \
            else np.zeros(int(m.sum()), dtype=int)
        yield m, col, lt


def _as_arrays(age, sex) -> tuple[np.ndarray, np.ndarray]:
    age = np.asarray(age, dtype=float)
    sex = np.asarray(sex, dtype=object)
    bad = ~np.isnan(age) & ((age < 0) | (age > MAX_AGE) | (age != np.round(age)))
    if bad.any():
        raise ValueError(f"age {age[bad][0]} is not a whole age from 0 to {MAX_AGE}")
    return age, sex


def survival(benchmark, age, sex, target_ages: Sequence[int] = TARGET_AGES, *,
             basis: str = "cohort") -> np.ndarray:
    """Chance (%) of living from ``age`` (in the survey year) to each target age, ``(n, k)``.

    ``S(T | x) = l_T / l_x`` of the respondent's table; NaN where age or sex is
    missing (sex is never guessed).
    """
    age, sex = _as_arrays(age, sex)
    targets = np.asarray(list(target_ages), dtype=int)
    out = np.full((age.size, targets.size), np.nan)
    for m, col, lt in _groups(benchmark, age, sex, basis):
        x = age[m].astype(int)
        out[m] = 100.0 * lt.lx[targets[None, :], col[:, None]] / lt.lx[x, col][:, None]
    return out


def ages_at_death(benchmark, age, sex, *, basis: str = "cohort") -> pd.DataFrame:
    """Expected (``x + e_x``) and median age at death of each respondent.

    The median is the age where ``l_T / l_x = 1/2``, linear in ``l`` between
    whole ages; NaN if more than half would reach the table's last age.
    """
    age, sex = _as_arrays(age, sex)
    expected = np.full(age.size, np.nan)
    median = np.full(age.size, np.nan)
    for m, col, lt in _groups(benchmark, age, sex, basis):
        x = age[m].astype(int)
        expected[m] = x + lt.ex[x, col]
        lx = lt.lx[:, col]                        # (ages, respondents)
        half = 0.5 * lt.lx[x, col]
        below = lx < half[None, :]                # l falls below half at the first such age
        k = np.argmax(below, axis=0)              # first age with l_T < half (T > x)
        l_hi, l_lo = lx[k - 1, np.arange(k.size)], lx[k, np.arange(k.size)]
        median[m] = np.where(below.any(axis=0), (k - 1) + (l_hi - half) / (l_hi - l_lo), np.nan)
    return pd.DataFrame({"expected_age_at_death": expected, "median_age_at_death": median})


def footnote3_median(benchmark, age, sex, *, basis: str = "cohort") -> np.ndarray:
    """The benchmark's median age at death read the way the paper reads its respondents.

    The benchmark's chances of living to the five target ages
    (:func:`survival`) are treated as one respondent's answers and passed to
    :func:`foresight.sle.ssp_point_estimate` (footnote 3: linear interpolation
    between the two target ages whose chances straddle 50%). The straight
    line between target ages is not the curve, so this reading can differ
    from the exact median (:func:`ages_at_death`) by a fraction of a year
    either way; it is the like-for-like comparison for the respondents' SSP
    point estimate. NaN where age or sex is missing, or where the chance at
    100 is still above 50%.
    """
    from foresight.sle.elicitation import ssp_point_estimate

    s = survival(benchmark, age, sex, TARGET_AGES, basis=basis)
    out = np.full(s.shape[0], np.nan)
    ok = ~np.isnan(s).any(axis=1)
    if ok.any():
        out[ok] = ssp_point_estimate(s[ok]).value
    return out


def _sample(sample: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return as_float(sample["age"]), sample["sex"].astype(object).to_numpy()


def sample_means(sample: pd.DataFrame, benchmark, *, basis: str = "cohort") -> dict[str, float]:
    """Mean chance of living to 60 and to 100 (%), mean expected and median age at death, and the
    mean median read by footnote 3 (:func:`footnote3_median`)."""
    age, sex = _sample(sample)
    s = survival(benchmark, age, sex, (60, 100), basis=basis)
    a = ages_at_death(benchmark, age, sex, basis=basis)
    return {"survival_60": float(np.nanmean(s[:, 0])), "survival_100": float(np.nanmean(s[:, 1])),
            "expected_age_at_death": float(np.nanmean(a["expected_age_at_death"])),
            "median_age_at_death": float(np.nanmean(a["median_age_at_death"])),
            "median_footnote3": float(np.nanmean(footnote3_median(benchmark, age, sex, basis=basis)))}


def sex_gap(sample: pd.DataFrame, benchmark, *, basis: str = "cohort") -> float:
    """Women's minus men's expected age at death (years), at the ages of ``sample``.

    Every respondent's age is benchmarked twice, once as a woman and once as a
    man, and the mean difference is returned, so that the sample's mix of
    sexes by age does not enter: 0 for a benchmark whose two sexes share
    their rates.
    """
    age, _ = _sample(sample)
    age = age[~np.isnan(age)]
    women = ages_at_death(benchmark, age, np.full(age.size, "female", dtype=object), basis=basis)
    men = ages_at_death(benchmark, age, np.full(age.size, "male", dtype=object), basis=basis)
    return float((women["expected_age_at_death"] - men["expected_age_at_death"]).mean())


def published_comparison(sample: pd.DataFrame, published: pd.DataFrame, benchmark) -> pd.DataFrame:
    """The paper's subjective averages next to the benchmark's, on both bases.

    The benchmark figures are averaged over the ages and sexes of ``sample``.
    Index: the measures (:data:`PUBLISHED_IDS`, the keys of
    :func:`sample_means`); columns ``figure`` (the published id),
    ``quantity, subjective (published)``, then ``actuarial (<basis>)`` and
    ``difference (<basis>)`` (subjective minus actuarial) for each basis.
    """
    v = published["value"]
    out = pd.DataFrame({
        "figure": list(PUBLISHED_IDS.values()),
        "quantity": [MEASURE_WORDS[k] for k in PUBLISHED_IDS],
        "subjective (published)": [float(v[i]) for i in PUBLISHED_IDS.values()],
    }, index=pd.Index(list(PUBLISHED_IDS), name="measure"))
    for basis in BASES:
        means = sample_means(sample, benchmark, basis=basis)
        out[f"actuarial ({basis})"] = [means[k] for k in PUBLISHED_IDS]
        out[f"difference ({basis})"] = out["subjective (published)"] - out[f"actuarial ({basis})"]
    return out


def by_group(sample: pd.DataFrame, benchmark, *, basis: str = "cohort") -> pd.DataFrame:
    """Mean subjective and benchmark survival by sex, age group (20-35, 36-59) and target age.

    Columns ``sex, age_group, target_age, n, subjective, actuarial, difference``
    (percentage points, subjective minus actuarial).
    """
    from foresight.sle.survey import ssp_matrix

    age, sex = _sample(sample)
    subj = ssp_matrix(sample)
    act = survival(benchmark, age, sex, basis=basis)
    group = np.where(age <= 35, "20-35", "36-59")
    rows = []
    for s in SEXES:
        for g in ("20-35", "36-59"):
            m = (sex == s) & (group == g)
            for j, t in enumerate(TARGET_AGES):
                ok = m & ~np.isnan(subj[:, j]) & ~np.isnan(act[:, j])
                rows.append({"sex": s, "age_group": g, "target_age": t, "n": int(ok.sum()),
                             "subjective": float(subj[ok, j].mean()) if ok.any() else np.nan,
                             "actuarial": float(act[ok, j].mean()) if ok.any() else np.nan})
    out = pd.DataFrame(rows)
    out["difference"] = out["subjective"] - out["actuarial"]
    return out


def variants_table(sample: pd.DataFrame, variants: Mapping[str, tuple[str, object, str]]) -> pd.DataFrame:
    """The sample's mean benchmark figures under each variant.

    Parameters
    ----------
    variants
        Name -> ``(assumption, benchmark, basis)``: what the variant changes
        (for grouping), the benchmark object and ``"cohort"`` or ``"period"``.

    Returns
    -------
    pandas.DataFrame
        One row per variant, in order: ``assumption, variant, basis``,
        ``survival_60, survival_100`` (%), ``expected_age_at_death,
        median_age_at_death, median_footnote3`` (years).
    """
    rows = []
    for name, (assumption, bm, basis) in variants.items():
        rows.append({"assumption": assumption, "variant": name, "basis": basis,
                     **sample_means(sample, bm, basis=basis)})
    return pd.DataFrame(rows)


def break_even_rate(sample: pd.DataFrame, make: Callable[[float], object], measure: str, target: float,
                    *, bracket: tuple[float, float] = (-0.005, 0.025), xtol: float = 1e-9) -> float:
    """The uniform improvement at which the sample's mean ``measure`` equals ``target``.

    ``make(rate)`` returns the benchmark for a uniform rate; the cohort-basis
    mean of ``measure`` (a key of :func:`sample_means`) rises with the rate,
    and the root is found by Brent's method to ``xtol``. NaN when ``target``
    lies outside the values at the ends of ``bracket``.
    """
    from scipy.optimize import brentq

    def gap(r: float) -> float:
        return sample_means(sample, make(float(r)))[measure] - target

    lo, hi = bracket
    g_lo, g_hi = gap(lo), gap(hi)
    if np.sign(g_lo) == np.sign(g_hi):
        return float("nan")
    return float(brentq(gap, lo, hi, xtol=xtol, rtol=8.9e-16))


def realised_check(benchmarks: Mapping[str, object], deaths: Mapping[str, pd.DataFrame],
                   exposures: Mapping[str, pd.DataFrame], years: Sequence[int],
                   bands: Sequence[tuple[int, int]] = ((60, 79), (80, 89), (90, 110))) -> pd.DataFrame:
    """Observed deaths against those each benchmark's rates expected, in years after the survey.

    For each benchmark, sex and age band: ``A`` = observed deaths summed over
    ``years`` and the band's ages, ``E`` = the sum of observed exposure times
    the benchmark's rate for the same year and age. ``A / E`` above 1 means
    more deaths than the benchmark projected (its improvement was too fast).

    Returns
    -------
    pandas.DataFrame
        Columns ``benchmark, sex, ages, observed, expected, ratio``.
    """
    years = np.asarray(list(years), dtype=int)
    rows = []
    for name, bm in benchmarks.items():
        for s in SEXES:
            rates = bm.rates(s, years)
            d = deaths[s].loc[:, years].to_numpy()
            e = exposures[s].loc[:, years].to_numpy()
            for lo, hi in bands:
                a = slice(lo, hi + 1)
                obs = float(d[a].sum())
                exp = float((e[a] * rates[a]).sum())
                rows.append({"benchmark": name, "sex": s, "ages": f"{lo}-{hi}", "observed": obs,
                             "expected": exp, "ratio": obs / exp})
    return pd.DataFrame(rows)
