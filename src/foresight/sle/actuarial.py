"""The earlier benchmark: Dutch population tables of 1989-93, graduated and carried forward.

Before the HMD series for the Netherlands was available to the book, the SLE
chapter benchmarked respondents against the Dutch population tables that
``pymort`` ships (Statistics Netherlands' *Gehele Bevolking* tables, GBM for
men and GBV for women, via :func:`foresight.mortality.read_soa_table`): the
observed GBM/GBV 1989-93, ages 50-89 only, graduated with a Gompertz law and
carried from 1991 to the survey year at a uniform rate of improvement. The
chapter keeps it as a labelled variant (:class:`TablesBenchmark`) beside the
benchmark built from observed Dutch mortality
(:class:`foresight.sle.dutch.DutchBenchmark`), because it shows how much of a
conclusion came from the graduation and the assumed rate.

Graduation (:func:`gompertz_graduation`): ``log mu_x = a + b x`` fitted by
least squares to ``mu_x = -log(1 - q_x)`` over ``fit_ages`` and used at every
age 0-110. Which fitting ages is a choice with consequences: the women's
1989-93 table is flat from 50 to 62, so a fit from 50 pulls the slope down and
the law understates the table at 80-89 (:func:`graduation_check`); the HMD's
observed rates of the same years do not show the flat stretch
(:func:`dutch_tables_check`). The book fits 70-89 (:data:`FIT_AGES`) and shows
50-89 and 60-89 beside it.

Every function takes ``basis="cohort"`` (the default: the rates a respondent
meets year by year as they age) or ``basis="period"`` (the survey year's rates
frozen at every age); the survival engine is :mod:`foresight.sle.benchmark`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.sle import benchmark as _engine
from foresight.sle.survey import TARGET_AGES

#: Dutch population tables in pymort: (period, sex) -> SOA table id.
DUTCH_TABLES: dict[tuple[str, str], int] = {
    ("1961-65", "male"): 960, ("1961-65", "female"): 961,
    ("1971-75", "male"): 962, ("1971-75", "female"): 963,
    ("1976-80", "male"): 964, ("1976-80", "female"): 965,
    ("1980-85", "male"): 966, ("1980-85", "female"): 967,
    ("1985-90", "male"): 647, ("1985-90", "female"): 648,
    ("1989-93", "male"): 968, ("1989-93", "female"): 969,
}
#: The base tables and their central calendar year.
BASE_PERIOD = "1989-93"
BASE_YEAR = 1991.0
#: Assumed fieldwork year of the survey (the paper does not state it).
SURVEY_YEAR = 2012
#: The UK expert target for long-term improvement (ONS 2014-based), used here only as a
#: labelled variant: no Dutch source gives it (fraction per year).
IMPROVEMENT_RATE = 0.012
#: Ages of the Gompertz fit the book uses, and the alternatives it shows.
FIT_AGES: tuple[int, int] = (70, 89)
FIT_AGES_ALTERNATIVES: tuple[tuple[int, int], ...] = ((50, 89), (60, 89), (70, 89))
MAX_AGE = 110
#: The two ways of carrying improvement into survival: along each respondent's life
#: (cohort, the default) or frozen at the survey year (period).
BASES: tuple[str, ...] = ("cohort", "period")


def _period_years(period: str) -> np.ndarray:
    """Calendar years of a table's period label: "1989-93" -> 1989..1993."""
    first, last = period.split("-")
    lo = int(first)
    hi = int(first[: len(first) - len(last)] + last)
    return np.arange(lo, hi + 1)


def dutch_tables_check() -> pd.DataFrame:
    """Every Dutch population table in pymort with a plausibility summary.

    Columns: ``period, sex, table_id, name, min_age, max_age, q60, q80`` and
    ``p60_85`` (probability of surviving from 60 to 85, the product of
    ``1 - q_x`` over ages 60-84, available in every table), then
    ``ratio_to_previous``: ``q`` averaged over ages 50-89 relative to the
    previous table of the same sex; and ``ratio_to_hmd``, ``ratio_to_hmd_min``,
    ``ratio_to_hmd_max``: the table's ``q`` at ages 50-89 over the HMD's
    observed Dutch ``q`` of the same calendar years (pooled deaths over pooled
    exposures, ``q = m / (1 + m/2)``), averaged over the ages, and its smallest
    and largest value.
    """
    from foresight.mortality import read_soa_table
    from foresight.sle.dutch import netherlands_counts

    counts = {s: netherlands_counts(s) for s in ("female", "male")}
    rows = []
    for (period, sex), tid in DUTCH_TABLES.items():
        q = read_soa_table(tid)
        d, e = counts[sex]
        years = _period_years(period)
        m = d.loc[50:89, years].sum(axis=1) / e.loc[50:89, years].sum(axis=1)
        ratio_hmd = q.loc[50:89].to_numpy() / (m / (1 + 0.5 * m)).to_numpy()
        rows.append({
            "period": period, "sex": sex, "table_id": tid, "name": q.attrs.get("name", ""),
            "min_age": int(q.index.min()), "max_age": int(q.index.max()),
            "q60": float(q.loc[60]), "q80": float(q.loc[80]),
            "p60_85": float(np.prod(1 - q.loc[60:84].to_numpy())),
            "_q": q.loc[50:89].to_numpy(),
            "ratio_to_hmd": float(ratio_hmd.mean()), "ratio_to_hmd_min": float(ratio_hmd.min()),
            "ratio_to_hmd_max": float(ratio_hmd.max()),
        })
    out = pd.DataFrame(rows).sort_values(["sex", "period"], kind="stable").reset_index(drop=True)
    ratio = [np.nan]
    for i in range(1, len(out)):
        same = out.loc[i, "sex"] == out.loc[i - 1, "sex"]
        ratio.append(float(np.mean(out.loc[i, "_q"] / out.loc[i - 1, "_q"])) if same else np.nan)
    out.insert(out.columns.get_loc("_q"), "ratio_to_previous", ratio)
    return out.drop(columns="_q")


def gompertz_graduation(qx: pd.Series, fit_ages: tuple[int, int] = FIT_AGES,
                        ages: Sequence[int] | None = None) -> pd.Series:
    """Gompertz-graduated force of mortality ``mu_x = exp(a + b x)``.

    The law is fitted by least squares to ``log(-log(1 - q_x))`` over
    ``fit_ages`` (inclusive) and evaluated at ``ages`` (default 0 to 110).

    Returns
    -------
    pandas.Series
        ``mu_x`` per person-year by age, used as the central death rate
        ``m_x`` of a period life table (constant force within each year of
        age). ``attrs`` holds ``a``, ``b``, the fit range and the source
        table's attributes.
    """
    lo, hi = fit_ages
    sub = qx.loc[lo:hi]
    x = sub.index.to_numpy(dtype=float)
    mu = -np.log1p(-sub.to_numpy(dtype=float))
    b, a = np.polyfit(x, np.log(mu), 1)
    grid = np.arange(0, MAX_AGE + 1) if ages is None else np.asarray(ages)
    out = pd.Series(np.exp(a + b * grid), index=pd.Index(grid, name="age"), name="mx")
    out.attrs = {**qx.attrs, "graduation": "Gompertz", "a": float(a), "b": float(b),
                 "fit_ages": f"{lo}-{hi}"}
    return out


def base_mx(fit_ages: tuple[int, int] = FIT_AGES) -> dict[str, pd.Series]:
    """Graduated 1989-93 death rates by sex (``mu_x``, ages 0-110)."""
    return {s: _base(s, tuple(int(a) for a in fit_ages)).copy() for s in ("male", "female")}


@lru_cache(maxsize=16)
def _base(sex: str, fit_ages: tuple[int, int]) -> pd.Series:
    from foresight.mortality import read_soa_table

    return gompertz_graduation(read_soa_table(DUTCH_TABLES[(BASE_PERIOD, sex)]), fit_ages)


def graduation_check(fits: Sequence[tuple[int, int]] = FIT_AGES_ALTERNATIVES,
                     ages: Sequence[int] = tuple(range(80, 90))) -> pd.DataFrame:
    """Observed over fitted force of mortality of the 1989-93 tables, by age, sex and fit.

    Returns
    -------
    pandas.DataFrame
        Index ``age``; one column per sex and fitting range, named
        ``"<sex>, fitted <lo>-<hi>"``: ``-log(1 - q_x)`` of the table over the
        Gompertz law fitted on that range (1 = the law reproduces the table).
    """
    from foresight.mortality import read_soa_table

    ages = list(ages)
    out = {}
    for sex in ("female", "male"):
        q = read_soa_table(DUTCH_TABLES[(BASE_PERIOD, sex)])
        observed = -np.log1p(-q.loc[ages].to_numpy(dtype=float))
        for lo, hi in fits:
            fitted = gompertz_graduation(q, (lo, hi), ages=ages).to_numpy()
            out[f"{sex}, fitted {lo}-{hi}"] = observed / fitted
    return pd.DataFrame(out, index=pd.Index(ages, name="age"))


def extension_check(fits: Sequence[tuple[int, int]] = FIT_AGES_ALTERNATIVES,
                    bands: Sequence[tuple[int, int]] = ((80, 89), (90, 94), (95, 99), (100, 104))
                    ) -> pd.DataFrame:
    """The Gompertz law of the 1989-93 tables against the deaths the HMD observed in 1989-93.

    For each sex, fitting range and age band: observed Dutch deaths (HMD,
    1989-93) over the deaths the graduated law gives on the HMD's exposures.
    Above 89 this checks the extrapolation against what happened.

    Returns
    -------
    pandas.DataFrame
        Columns ``sex, fit, ages, observed, expected, ratio``.
    """
    from foresight.sle.dutch import netherlands_counts

    years = _period_years(BASE_PERIOD)
    rows = []
    for sex in ("female", "male"):
        d, e = netherlands_counts(sex)
        for lo, hi in fits:
            mu = _base(sex, (lo, hi))
            for a0, a1 in bands:
                a = np.arange(a0, a1 + 1)
                obs = float(d.loc[a, years].to_numpy().sum())
                exp = float((e.loc[a, years].to_numpy() * mu.loc[a].to_numpy()[:, None]).sum())
                rows.append({"sex": sex, "fit": f"{lo}-{hi}", "ages": f"{a0}-{a1}", "observed": obs,
                             "expected": exp, "ratio": obs / exp})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TablesBenchmark:
    """The 1989-93 tables, Gompertz-graduated over ``fit_ages``, improved at ``rate`` a year.

    ``rates(sex, years)``: ``m(x, t) = mu_1991(x) (1 - rate) ** (t - 1991)`` at
    ages 0-110, the same constant improvement before and after 1991.
    """

    survey_year: int = SURVEY_YEAR
    rate: float = IMPROVEMENT_RATE
    fit_ages: tuple[int, int] = FIT_AGES

    def with_(self, **changes) -> "TablesBenchmark":
        """A copy with some settings changed."""
        return replace(self, **changes)

    def rates(self, sex: str, years) -> np.ndarray:
        """Death rates, array ``(111 ages, len(years))``."""
        base = _base(sex, tuple(int(a) for a in self.fit_ages)).to_numpy()
        t = np.asarray(years, dtype=float) - BASE_YEAR
        return base[:, None] * (1.0 - float(self.rate)) ** t[None, :]


@lru_cache(maxsize=32)
def improved_mx(to_year: int = SURVEY_YEAR, rate: float = IMPROVEMENT_RATE,
                fit_ages: tuple[int, int] = FIT_AGES) -> dict[str, pd.Series]:
    """Death rates of both sexes carried from 1991 to ``to_year`` at ``rate`` a year.

    Uses the mortality chapter's projection,
    :func:`foresight.mortality.projection.project_mortality`, with a uniform
    target equal to the initial rate (no cohort-specific targets), so every
    rate falls by the fraction ``rate`` each year: ``m(x, t) = m(x, 1991)
    (1 - rate) ** (t - 1991)``, the surface :class:`TablesBenchmark` gives.
    The two-year input surface (1990, 1991) is built so that the observed
    improvement in 1991 is exactly ``rate``.
    """
    from foresight.mortality.projection import ProjectionAssumptions, project_mortality

    base = base_mx(fit_ages)
    y0 = int(BASE_YEAR)
    if to_year < y0:
        raise ValueError(f"to_year must be {y0} or later")
    surfaces = {s: pd.DataFrame({y0 - 1: m / (1.0 - rate), y0: m}) for s, m in base.items()}
    assumptions = ProjectionAssumptions(base_year=y0, target_rate=rate, cohort_targets=(),
                                        male_not_below_female=False)
    proj = project_mortality(surfaces, assumptions)
    return {s: proj.mx[s][to_year].rename("mx") for s in ("male", "female")}


def life_table(sex: str, *, to_year: int = SURVEY_YEAR, rate: float = IMPROVEMENT_RATE,
               fit_ages: tuple[int, int] = FIT_AGES) -> pd.DataFrame:
    """Period life table (mortality chapter's engine) of the improved Dutch rates."""
    from foresight.mortality import period_life_table

    return period_life_table(improved_mx(int(to_year), float(rate), tuple(fit_ages))[sex], sex=sex)


def cohort_mx(sex: str, birth_year: int, rate: float = IMPROVEMENT_RATE,
              fit_ages: tuple[int, int] = FIT_AGES) -> pd.Series:
    """Death rates met by the cohort born in ``birth_year``, at ages 0 to 110.

    The rate at age ``x`` is the improved rate of calendar year
    ``birth_year + x``: ``m(x) = m_1991(x) (1 - rate) ** (birth_year + x -
    1991)``, the diagonal of the surface :func:`improved_mx` gives year by
    year. Only the ages from a respondent's current age onwards affect the
    survival of that respondent; the younger ages complete the table.
    """
    bm = TablesBenchmark(rate=float(rate), fit_ages=tuple(fit_ages))
    m = _engine.cohort_rates(bm, sex, [int(birth_year)])[:, 0]
    out = pd.Series(m, index=pd.Index(np.arange(0, MAX_AGE + 1), name="age"), name="mx")
    out.attrs = {**_base(sex, tuple(fit_ages)).attrs, "basis": "cohort", "birth_year": int(birth_year),
                 "rate": float(rate)}
    return out


def cohort_life_table(sex: str, birth_year: int, *, rate: float = IMPROVEMENT_RATE,
                      fit_ages: tuple[int, int] = FIT_AGES) -> pd.DataFrame:
    """Life table of the cohort born in ``birth_year`` (:func:`cohort_mx`), ages 0-110."""
    from foresight.mortality import period_life_table

    return period_life_table(cohort_mx(sex, birth_year, rate, fit_ages), sex=sex)


def _by_year(to_year, age: np.ndarray):
    year = np.broadcast_to(np.asarray(to_year, dtype=float), age.shape)
    for y in np.unique(year[~np.isnan(year)]):  # one survey year in the book
        yield year == y, int(y)


def actuarial_survival(age, sex, target_ages: Sequence[int] = TARGET_AGES, *,
                       basis: str = "cohort", to_year=SURVEY_YEAR, rate: float = IMPROVEMENT_RATE,
                       fit_ages: tuple[int, int] = FIT_AGES) -> np.ndarray:
    """Chance (%) of living from ``age`` to each target age on the 1989-93 tables, ``(n, k)``.

    ``age`` in completed years at the survey, ``sex`` ``"male"``/``"female"``
    per respondent, ``to_year`` the survey year (one, or one per respondent).
    :func:`foresight.sle.benchmark.survival` of a :class:`TablesBenchmark`;
    NaN where sex or age is missing.
    """
    age = np.asarray(age, dtype=float)
    out = np.full((age.size, len(target_ages)), np.nan)
    for m, y in _by_year(to_year, age):
        bm = TablesBenchmark(survey_year=y, rate=float(rate), fit_ages=tuple(fit_ages))
        out[m] = _engine.survival(bm, age[m], np.asarray(sex, dtype=object)[m], target_ages, basis=basis)
    return out


def actuarial_ages(age, sex, *, basis: str = "cohort", to_year=SURVEY_YEAR,
                   rate: float = IMPROVEMENT_RATE, fit_ages: tuple[int, int] = FIT_AGES) -> pd.DataFrame:
    """Expected and median age at death for each respondent on the 1989-93 tables.

    :func:`foresight.sle.benchmark.ages_at_death` of a :class:`TablesBenchmark`.
    """
    age = np.asarray(age, dtype=float)
    out = pd.DataFrame({"expected_age_at_death": np.full(age.size, np.nan),
                        "median_age_at_death": np.full(age.size, np.nan)})
    for m, y in _by_year(to_year, age):
        bm = TablesBenchmark(survey_year=y, rate=float(rate), fit_ages=tuple(fit_ages))
        out.loc[m] = _engine.ages_at_death(bm, age[m], np.asarray(sex, dtype=object)[m],
                                           basis=basis).to_numpy()
    return out


def assumption_sensitivity(sample: pd.DataFrame, rates: Sequence[float] = (0.0, 0.008, 0.012, 0.016),
                           years: Sequence[int] = (2010, 2012, 2014),
                           bases: Sequence[str] = BASES,
                           fits: Sequence[tuple[int, int]] = (FIT_AGES,)) -> pd.DataFrame:
    """Benchmark averages for the sample on the 1989-93 tables under other assumptions.

    Columns: ``fit_ages`` (text), ``basis``, ``rate`` (% per year),
    ``survey_year``, ``survival_60``, ``survival_100`` (%),
    ``expected_age_at_death``, ``median_age_at_death``.
    """
    rows = []
    for f in fits:
        for b in bases:
            for r in rates:
                for y in years:
                    bm = TablesBenchmark(survey_year=int(y), rate=float(r), fit_ages=tuple(f))
                    rows.append({"fit_ages": f"{f[0]}-{f[1]}", "basis": b, "rate": 100 * r,
                                 "survey_year": y, **_engine.sample_means(sample, bm, basis=b)})
    return pd.DataFrame(rows)
