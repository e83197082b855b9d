"""England and Wales: the population of many ONS statements, on its own HMD series.

Several statements of the ONS chapter describe England and Wales, not the UK: the
age-standardised improvement of 1971-2011, the cohorts of Figures 4.8 and 4.9, the
survival curves and medians of Figures 4.10 and 4.11, and the 80-year improvement of
Table 4.3. The HMD's England and Wales series (``GBRCENW``, the civilian population,
deaths and exposures 1841-2018; :func:`~foresight.mortality.populations.hmd_population`)
checks them on the population they describe:

* :func:`smooth_ew` and :func:`ew_projection` run the book's ONS procedure on England
  and Wales exactly as on the UK (:mod:`foresight.mortality.uk`: 1961-2013, ages to 100
  and 105, initial rates of 2011, the 2014-based assumptions);
* :func:`ew_history_surfaces` joins the observed rates from 1841 to that projection, for
  period and cohort life tables from 1851 to 2031;
* :func:`ew_figures` gives the value of every statement about England and Wales, keyed
  by the row ids of ``data/mortality/ons_statements.csv``.

Observed rates are ``D / E`` by single year of age; tables are closed like the projection's
(Kannisto above the top ages). Standardised rates use the UK 2011 population as ONS did
(:func:`foresight.mortality.checks.uk_standard_population`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.mortality.lifetable import cohort_rates, keyfitz_entropy, life_expectancy, life_tables
from foresight.mortality.ons import Projection
from foresight.mortality.populations import HMDPopulation, hmd_population
from foresight.mortality.standard import annual_improvement
from foresight.mortality.uk import UKRun, smooth_uk, uk_projection

__all__ = ["EW_CODE", "FIGURE_YEARS", "ew_figures", "ew_history_surfaces", "ew_observed_rates",
           "ew_population", "ew_projection", "smooth_ew"]

SEXES = ("male", "female")

#: The HMD code of England and Wales (civilian population).
EW_CODE = "GBRCENW"
#: The years of the period survival curves of ONS Figure 4.10 that the data cover (twenty-year steps).
FIGURE_YEARS: tuple[int, ...] = (1851, 1871, 1891, 1911, 1931, 1951, 1971, 1991, 2011)


def ew_population() -> HMDPopulation:
    """The HMD England and Wales series (civilian population, 1841-2018)."""
    return hmd_population(EW_CODE)


def smooth_ew(run: UKRun | None = None):
    """The ONS smoothing of :func:`foresight.mortality.uk.smooth_uk`, on England and Wales."""
    p = ew_population()
    return smooth_uk(UKRun() if run is None else run, counts=(p.deaths, p.exposures))


def ew_projection(surfaces: Mapping[str, pd.DataFrame], run: UKRun | None = None) -> Projection:
    """The ONS 2014-based projection (the book's assumptions) from smoothed England and Wales rates."""
    return uk_projection(surfaces, run=UKRun() if run is None else run)


def ew_observed_rates(years: tuple[int, int], *, open_age: int | None = None) -> dict[str, pd.DataFrame]:
    """Observed rates by sex, single ages: pooled into an open interval at ``open_age``, or
    (``None``) to age 94 and the Kannisto model above, fitted at 80-94 (the closure of the
    tournament, :func:`foresight.mortality.forecasters.extend`: in the nineteenth century the
    rates above 95 are too noisy to carry, and some exceed 1)."""
    from foresight.mortality.forecasters import extend

    p = ew_population()
    out = {}
    for sex in SEXES:
        if open_age is not None:
            d, e = p.surfaces(sex, first=years[0], last=years[1], max_age=110)
            d = pd.concat([d.loc[: open_age - 1], d.loc[open_age:].sum().to_frame(open_age).T])
            e = pd.concat([e.loc[: open_age - 1], e.loc[open_age:].sum().to_frame(open_age).T])
            rates = d / e
            rates.index = pd.Index(rates.index.astype(int), name="age")
        else:
            d, e = p.surfaces(sex, first=years[0], last=years[1], max_age=100)
            rates = extend(d / e)
        out[sex] = rates
    return out


def ew_history_surfaces(projection: Projection, *, first: int = 1841) -> dict[str, pd.DataFrame]:
    """Observed rates from ``first`` to the projection's last data year, then the projection.

    The observed rates are closed at 94 (:func:`ew_observed_rates`); a cohort born in 1851
    lives through observed rates to 1961 and a cohort born in 2031 through projected ones.
    """
    t0 = int(projection.last_data_year)
    observed = ew_observed_rates((first, t0))
    out = {}
    for sex in SEXES:
        later = projection.mx[sex].loc[:, projection.mx[sex].columns > t0]
        out[sex] = pd.concat([observed[sex].reindex(later.index), later], axis=1)
    return out


def _mixed(surfaces: Mapping[str, pd.DataFrame], years: Sequence[int], kind: str):
    from foresight.mortality.history import mix_life_tables

    tables = {}
    for sex in SEXES:
        frame = surfaces[sex] if kind == "period" else cohort_rates(surfaces[sex])
        tables[sex] = life_tables(frame.loc[:, list(years)], sex=sex)
    return mix_life_tables(tables["male"], tables["female"], weight_b=0.5)


def _cohort_e65(rates: pd.DataFrame, years_at_65: Sequence[int], sex: str) -> np.ndarray:
    diag = cohort_rates(rates)
    sub = diag.loc[diag.index >= 65, [int(y) - 65 for y in years_at_65]]
    return np.asarray(life_expectancy(life_tables(sub, sex=sex, ages=np.asarray(sub.index)), 65), dtype=float)


def _asr(rates: Mapping[str, pd.DataFrame], years: Sequence[int], standards: Mapping[str, pd.DataFrame],
         max_age: int = 99) -> pd.DataFrame:
    from foresight.mortality.checks import _asr as asr

    return pd.concat({sex: asr(rates, years, standards[sex], max_age)[sex] for sex in SEXES}, axis=1)


def ew_figures(projection: Projection) -> pd.Series:
    """The England and Wales value of every ONS statement about it, by row id.

    Row ids are those of ``data/mortality/ons_statements.csv`` (a published figure's id,
    with ``_male``/``_female`` for one check per sex and ``_own`` for the reading that
    standardises each sex on its own 2011 population). ``projection``: :func:`ew_projection`.
    """
    from foresight.mortality.checks import annualised_improvement, uk_standard_population

    both = uk_standard_population()
    standards = {"both": {s: both for s in SEXES},
                 "own": {s: uk_standard_population(sex=s) for s in SEXES}}
    v: dict[str, float] = {}
    long = ew_history_surfaces(projection)
    # Figures 4.10 and 4.11: medians of 1851 and the rectangularising curves (observed)
    period = _mixed(long, FIGURE_YEARS, "period")
    from foresight.mortality.lifetable import median_age_at_death

    medians = np.asarray(median_age_at_death(period), dtype=float)
    v["ons_median_age_death_1851"] = float(medians[0])
    v["ons_proj_median_cohort_1851"] = float(np.asarray(median_age_at_death(_mixed(long, [1851], "cohort")))[0])
    entropy = np.asarray(keyfitz_entropy(period), dtype=float)
    v["ons_rectangular_progressively"] = float(100.0 * np.mean(np.diff(entropy) < 0))
    # section 7: standardised improvement 1971-2011 and over the hundred years 1913-2013
    rates = ew_observed_rates((1913, 2013), open_age=100)
    for reading, suffix in (("both", ""), ("own", "_own")):
        asr = _asr(rates, [1913, 1971, 1991, 2011, 2013], standards[reading])
        for sex in SEXES:
            whole = annual_improvement(asr.loc[1971, sex], asr.loc[2011, sex], 40)
            v[f"ons_asmr_improvement_1971_2011_{sex}{suffix}"] = float(whole)
            v[f"ons_improvement_last_100y_{sex}{suffix}"] = float(
                annual_improvement(asr.loc[1913, sex], asr.loc[2013, sex], 100))
            if reading == "both":
                first = annual_improvement(asr.loc[1971, sex], asr.loc[1991, sex], 20)
                second = annual_improvement(asr.loc[1991, sex], asr.loc[2011, sex], 20)
                v[f"ons_asmr_second_half_faster_{sex}"] = float(second - first)
    v["ons_asmr_acceleration_male_minus_female"] = (v["ons_asmr_second_half_faster_male"]
                                                    - v["ons_asmr_second_half_faster_female"])
    # section 9: cohort life expectancy at 65 of those reaching 65 in 1930-1970 (observed to 2015)
    observed = ew_observed_rates((1865, 2018))
    gains = {}
    for sex in SEXES:
        e65 = _cohort_e65(observed[sex], range(1930, 1971, 10), sex)
        gains[sex] = np.diff(e65)
        v[f"_cohort_e65_{sex}_1930"], v[f"_cohort_e65_{sex}_1970"] = float(e65[0]), float(e65[-1])
    v["ons_cohort_e65_male_gain_share_1930_1970"] = float(gains["male"].sum() / gains["female"].sum())
    v["ons_cohort_e65_female_steady_1930s"] = float(gains["female"].min())
    # section 9: cohort e0 of those born in 1950 (observed 1950-1960, then the projection)
    early = ew_observed_rates((1950, 1960))
    for sex in SEXES:
        recent = projection.mx[sex]
        joined = pd.concat([early[sex].reindex(recent.index).loc[:, :1960], recent], axis=1)
        diag = cohort_rates(joined).loc[:, [1950]]
        v[f"ons_cohort_e0_1950_{sex}"] = float(np.asarray(life_expectancy(life_tables(diag, sex=sex), 0))[0])
    # section 12 (projected): medians of 2031; section 7: improvement over the next 80 years
    v["ons_proj_median_period_2031"] = projection.median_age_at_death("period", 2031)
    v["ons_proj_median_cohort_2031"] = projection.median_age_at_death("cohort", 2031)
    imp80 = annualised_improvement(projection, 2014, 2094)
    for sex in SEXES:
        v[f"ons_proj_annualised_{sex}_80y"] = float(imp80[sex])
    # section 7: future improvement against the corresponding past periods (30 and 50 years)
    past_rates = ew_observed_rates((1963, 2013), open_age=100)
    past = _asr(past_rates, [1963, 1983, 2013], standards["both"])
    for years in (30, 50):
        future = annualised_improvement(projection, 2014, 2014 + years)
        for sex in SEXES:
            before = annual_improvement(past.loc[2013 - years, sex], past.loc[2013, sex], years)
            key = (f"ons_future_below_past_male_{years}y" if sex == "male"
                   else f"ons_future_above_past_female_{years}y")
            v[key] = float(future[sex] - before)
    return pd.Series({k: float(x) for k, x in v.items()}, name="reproduced")
