"""Actuarial benchmark: what Dutch population life tables say about the same survival.

The paper leaves for future work how the two elicitation formats compare
with objective survival. This module computes, for a respondent of a given
sex and age, the actuarial probability of living to each target age and the
actuarial expected and median age at death, from the Dutch population
tables that ``pymort`` ships (Statistics Netherlands' *Gehele Bevolking*
tables, GBM for men and GBV for women, via the mortality chapter's
:func:`foresight.mortality.read_soa_table` and
:func:`foresight.mortality.period_life_table`).

Choice of table (see :func:`dutch_tables_check`): the most recent tables in
``pymort`` are the *observed* GBM/GBV 1989-93, which cover ages 50-89 only.
They are graduated here with a Gompertz law (``log mu_x = a + b x`` fitted by
least squares to ``mu_x = -log(1 - q_x)`` over ages 50-89) and the law is
used at every age from 0 to 110, so that survival from ages 20-49 and to
ages 90-100 is an extrapolation. The complete GBV 1985-90 table (ages 0-113)
is not used: its probabilities are about half those of GBV 1980-85 at every
age from 50 to 89, which would mean a fall in women's mortality of some 45 %
in five years while men's fell by about a tenth.

Improvement to the survey year is applied with the mortality chapter's
projection code at a stated constant annual rate (see :func:`improved_mx`);
the survey year itself is an assumption, since the paper does not state
when the survey was fielded.

Period or cohort basis (``basis=``): a respondent aged 41 in 2012 would reach
100 in 2071, so the survival the respondent is asked about is that of a
*cohort*: the rates the respondent meets at each older age are those of the
calendar year in which the respondent reaches it, improved along the way
(:func:`cohort_mx`). The *period* basis freezes the rates of the survey year
at every age, the convention of a period life table, and understates the
survival of anyone whose remaining life lies in years of further
improvement. Every function here takes ``basis="cohort"`` (the default) or
``basis="period"``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.sle.survey import TARGET_AGES, as_float

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
#: Stated constant annual rate of mortality improvement (fraction per year).
IMPROVEMENT_RATE = 0.012
MAX_AGE = 110
#: The two ways of carrying improvement into survival: along each respondent's life
#: (cohort, the default) or frozen at the survey year (period).
BASES: tuple[str, ...] = ("cohort", "period")


def dutch_tables_check() -> pd.DataFrame:
    """Every Dutch population table in pymort with a plausibility summary.

    Columns: ``period, sex, table_id, name, min_age, max_age, q60, q80`` and
    ``p60_85`` (probability of surviving from 60 to 85, the product of
    ``1 - q_x`` over ages 60-84, available in every table), plus
    ``ratio_to_previous``: ``q`` averaged over ages 50-89 relative to the
    previous table of the same sex.
    """
    from foresight.mortality import read_soa_table

    rows = []
    for (period, sex), tid in DUTCH_TABLES.items():
        q = read_soa_table(tid)
        rows.append({
            "period": period, "sex": sex, "table_id": tid, "name": q.attrs.get("name", ""),
            "min_age": int(q.index.min()), "max_age": int(q.index.max()),
            "q60": float(q.loc[60]), "q80": float(q.loc[80]),
            "p60_85": float(np.prod(1 - q.loc[60:84].to_numpy())),
            "_q": q.loc[50:89].to_numpy(),
        })
    out = pd.DataFrame(rows).sort_values(["sex", "period"], kind="stable").reset_index(drop=True)
    ratio = [np.nan]
    for i in range(1, len(out)):
        same = out.loc[i, "sex"] == out.loc[i - 1, "sex"]
        ratio.append(float(np.mean(out.loc[i, "_q"] / out.loc[i - 1, "_q"])) if same else np.nan)
    out["ratio_to_previous"] = ratio
    return out.drop(columns="_q")


def gompertz_graduation(qx: pd.Series, fit_ages: tuple[int, int] = (50, 89),
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


def base_mx() -> dict[str, pd.Series]:
    """Graduated 1989-93 death rates by sex (``mu_x``, ages 0-110)."""
    from foresight.mortality import read_soa_table

    return {s: gompertz_graduation(read_soa_table(DUTCH_TABLES[(BASE_PERIOD, s)]))
            for s in ("male", "female")}


@lru_cache(maxsize=32)
def improved_mx(to_year: int = SURVEY_YEAR, rate: float = IMPROVEMENT_RATE) -> dict[str, pd.Series]:
    """Death rates of both sexes carried from 1991 to ``to_year`` at ``rate`` a year.

    Uses the mortality chapter's projection,
    :func:`foresight.mortality.projection.project_mortality`, with a uniform
    target equal to the initial rate (no cohort-specific targets), so every
    rate falls by the fraction ``rate`` each year: ``m(x, t) = m(x, 1991)
    (1 - rate) ** (t - 1991)``. The two-year input surface (1990, 1991) is
    built so that the observed improvement in 1991 is exactly ``rate``.
    """
    from foresight.mortality.projection import ProjectionAssumptions, project_mortality

    base = base_mx()
    y0 = int(BASE_YEAR)
    if to_year < y0:
        raise ValueError(f"to_year must be {y0} or later")
    surfaces = {s: pd.DataFrame({y0 - 1: m / (1.0 - rate), y0: m}) for s, m in base.items()}
    assumptions = ProjectionAssumptions(base_year=y0, target_rate=rate, cohort_targets=(),
                                        male_not_below_female=False)
    proj = project_mortality(surfaces, assumptions)
    return {s: proj.mx[s][to_year].rename("mx") for s in ("male", "female")}


@lru_cache(maxsize=64)
def _life_table(sex: str, to_year: int, rate: float) -> pd.DataFrame:
    from foresight.mortality import period_life_table

    return period_life_table(improved_mx(to_year, rate)[sex], sex=sex)


def life_table(sex: str, *, to_year: int = SURVEY_YEAR, rate: float = IMPROVEMENT_RATE) -> pd.DataFrame:
    """Period life table (mortality chapter's engine) of the improved Dutch rates."""
    return _life_table(sex, int(to_year), float(rate)).copy()


def cohort_mx(sex: str, birth_year: int, rate: float = IMPROVEMENT_RATE) -> pd.Series:
    """Death rates met by the cohort born in ``birth_year``, at ages 0 to 110.

    The rate at age ``x`` is the improved rate of calendar year
    ``birth_year + x``: ``m(x) = m_1991(x) (1 - rate) ** (birth_year + x -
    1991)``, the diagonal of the surface :func:`improved_mx` gives year by
    year (the same constant improvement, carried before 1991 at the same
    rate). Only the ages from a respondent's current age onwards affect the
    survival of that respondent; the younger ages complete the table.
    """
    base = base_mx()[sex]
    ages = base.index.to_numpy(dtype=float)
    out = base * (1.0 - float(rate)) ** (int(birth_year) + ages - BASE_YEAR)
    out.attrs = {**base.attrs, "basis": "cohort", "birth_year": int(birth_year), "rate": float(rate)}
    return out.rename("mx")


@lru_cache(maxsize=512)
def _cohort_life_table(sex: str, birth_year: int, rate: float) -> pd.DataFrame:
    from foresight.mortality import period_life_table

    # the mortality chapter's life-table engine applied to the cohort's own rates
    return period_life_table(cohort_mx(sex, birth_year, rate), sex=sex)


def cohort_life_table(sex: str, birth_year: int, *, rate: float = IMPROVEMENT_RATE) -> pd.DataFrame:
    """Life table of the cohort born in ``birth_year`` (:func:`cohort_mx`), ages 0-110."""
    return _cohort_life_table(sex, int(birth_year), float(rate)).copy()


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, not {basis!r}")


def _tables(age: np.ndarray, sex: np.ndarray, basis: str, to_year, rate: float):
    """(mask, table) pairs covering every respondent with an age and a sex.

    Period basis: one table per sex. Cohort basis: one per sex and birth year
    ``to_year - age`` (``to_year`` is the survey year, one for all or one per
    respondent).
    """
    _check_basis(basis)
    year = np.broadcast_to(np.asarray(to_year, dtype=float), age.shape)
    ok = ~np.isnan(age) & ~np.isnan(year)
    for s in ("female", "male"):  # two sexes, not respondents
        m = (sex == s) & ok
        if not m.any():
            continue
        if basis == "period":
            years = np.unique(year[m])
            for y in years:  # one survey year in the book
                yield m & (year == y), _life_table(s, int(y), float(rate))
        else:
            born = np.where(m, year - np.where(ok, age, 0.0), np.nan)
            for c in np.unique(born[m]):  # birth cohorts, not respondents
                yield m & (born == c), _cohort_life_table(s, int(c), float(rate))


def actuarial_survival(age, sex, target_ages: Sequence[int] = TARGET_AGES, *,
                       basis: str = "cohort", to_year=SURVEY_YEAR,
                       rate: float = IMPROVEMENT_RATE) -> np.ndarray:
    """Actuarial chance (%) of living from ``age`` to each target age, ``(n, k)``.

    ``age`` in completed years at the survey, ``sex`` ``"male"``/``"female"``
    per respondent, ``to_year`` the survey year (one, or one per respondent);
    ``S(T | x) = l_T / l_x`` from the life table of that sex: the cohort's own
    table (``basis="cohort"``, :func:`cohort_life_table`) or the period table
    of the survey year (``basis="period"``, :func:`life_table`). NaN where sex
    or age is missing.
    """
    age = np.asarray(age, dtype=float)
    sex = np.asarray(sex, dtype=object)
    out = np.full((age.size, len(target_ages)), np.nan)
    for m, lt in _tables(age, sex, basis, to_year, rate):
        lx = lt["lx"]
        lxa = lx.reindex(age[m].astype(int)).to_numpy()
        lt_ = lx.reindex(list(target_ages)).to_numpy()
        out[m] = 100.0 * lt_[None, :] / lxa[:, None]
    return out


def actuarial_ages(age, sex, *, basis: str = "cohort", to_year=SURVEY_YEAR,
                   rate: float = IMPROVEMENT_RATE) -> pd.DataFrame:
    """Expected and median age at death for each respondent, from the life table.

    ``expected = x + e_x``; ``median`` = the age where ``l_T / l_x = 1/2``,
    by linear interpolation in ``l`` between whole ages. ``basis`` as in
    :func:`actuarial_survival`.
    """
    age = np.asarray(age, dtype=float)
    sex = np.asarray(sex, dtype=object)
    exp_age = np.full(age.size, np.nan)
    med = np.full(age.size, np.nan)
    for m, lt in _tables(age, sex, basis, to_year, rate):
        x = age[m].astype(int)
        exp_age[m] = x + lt["ex"].reindex(x).to_numpy()
        lx = lt["lx"].to_numpy()
        grid = lt.index.to_numpy(dtype=float)
        half = 0.5 * lt["lx"].reindex(x).to_numpy()
        # lx is decreasing: interpolate age at half of l_x (np.interp needs increasing x)
        med[m] = np.interp(-half, -lx, grid)
    return pd.DataFrame({"expected_age_at_death": exp_age, "median_age_at_death": med})


def subjective_vs_actuarial(sample: pd.DataFrame, **kw) -> pd.DataFrame:
    """Mean subjective and actuarial survival by sex, age group and target age.

    Columns: ``sex, age_group, target_age, n, subjective, actuarial,
    difference`` (percentage points, subjective minus actuarial). Age groups
    are the paper's: 20-35 and 36-59.
    """
    from foresight.sle.survey import ssp_matrix

    age = as_float(sample["age"])
    sex = sample["sex"].astype(object).to_numpy()
    subj = ssp_matrix(sample)
    act = actuarial_survival(age, sex, **kw)
    group = np.where(age <= 35, "20-35", "36-59")
    rows = []
    for s in ("female", "male"):
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


def published_vs_actuarial(sample: pd.DataFrame, published: pd.DataFrame, **kw) -> pd.DataFrame:
    """The paper's published subjective averages next to actuarial ones, on both bases.

    The actuarial figures are averaged over the ages and sexes of ``sample``
    (for the synthetic cohort, Table 1's composition). Rows: mean SSP at 60
    and at 100 (%), mean SLE point estimate against the mean actuarial
    expected age at death, mean SSP point estimate against the mean
    actuarial median age at death (years). Columns: ``quantity,
    subjective (published)``, then ``actuarial (cohort)`` and
    ``difference (cohort)`` (subjective minus actuarial), and the same for
    the period basis; the index is the id of the published figure
    (``sle_mean_ssp60``, ``sle_mean_ssp100``, ``sle_mean_sle``,
    ``sle_mean_ssp_pe``). ``kw`` (``to_year``, ``rate``) goes to
    :func:`actuarial_survival` and :func:`actuarial_ages`.
    """
    age = as_float(sample["age"])
    sex = sample["sex"].astype(object).to_numpy()
    v = published["value"]
    ids = ["sle_mean_ssp60", "sle_mean_ssp100", "sle_mean_sle", "sle_mean_ssp_pe"]
    out = pd.DataFrame({
        "quantity": ["chance of living to 60 (%)", "chance of living to 100 (%)",
                     "SLE point estimate vs expected age at death (years)",
                     "SSP point estimate vs median age at death (years)"],
        "subjective (published)": [float(v[i]) for i in ids],
    }, index=pd.Index(ids, name="figure"))
    for basis in BASES:
        surv = actuarial_survival(age, sex, basis=basis, **kw)
        ages = actuarial_ages(age, sex, basis=basis, **kw)
        out[f"actuarial ({basis})"] = [np.nanmean(surv[:, 0]), np.nanmean(surv[:, -1]),
                                       np.nanmean(ages["expected_age_at_death"]),
                                       np.nanmean(ages["median_age_at_death"])]
        out[f"difference ({basis})"] = out["subjective (published)"] - out[f"actuarial ({basis})"]
    return out


def assumption_sensitivity(sample: pd.DataFrame, rates: Sequence[float] = (0.0, 0.008, 0.012, 0.016),
                           years: Sequence[int] = (2010, 2012, 2014),
                           bases: Sequence[str] = BASES) -> pd.DataFrame:
    """Actuarial averages for the sample under other improvement rates, survey years and bases.

    Columns: ``basis`` (cohort or period), ``rate`` (% per year),
    ``survey_year``, ``survival_60``, ``survival_100`` (%),
    ``expected_age_at_death``, ``median_age_at_death``.
    """
    age = as_float(sample["age"])
    sex = sample["sex"].astype(object).to_numpy()
    rows = []
    for b in bases:
        for r in rates:
            for y in years:
                s = actuarial_survival(age, sex, basis=b, rate=r, to_year=y)
                a = actuarial_ages(age, sex, basis=b, rate=r, to_year=y)
                rows.append({"basis": b, "rate": 100 * r, "survey_year": y,
                             "survival_60": float(np.nanmean(s[:, 0])),
                             "survival_100": float(np.nanmean(s[:, -1])),
                             "expected_age_at_death": float(np.nanmean(a["expected_age_at_death"])),
                             "median_age_at_death": float(np.nanmean(a["median_age_at_death"]))})
    return pd.DataFrame(rows)
