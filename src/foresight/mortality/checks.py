"""Checks of the ONS-style projection: statements, realised errors, back-tests, sensitivities.

* :func:`ons_figures` and :func:`uk_history_figures`: the value the UK data
  gives for every quantitative ONS statement it can speak to, keyed by figure
  id in ``data/published/ons2015mortality.csv``; :func:`ons_statements`
  sets them beside the published figures (:func:`foresight.data.compare`).
* :func:`realised_errors`: the 2014-based path against the observed period
  life expectancy of 2015-2022, with the pandemic years apart.
* Does judgement beat extrapolation? That is the tournament's question
  (:mod:`foresight.mortality.tournament`), on thirteen populations with one engine.
* :func:`target_sensitivity`, :func:`power_sensitivity`,
  :func:`improvement_uncertainty`: how the results move with the assumptions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.data import compare, published
from foresight.mortality.lifetable import cohort_rates, life_expectancy, life_tables
from foresight.mortality.ons import (
    Projection,
    ProjectionAssumptions,
    kannisto_extend,
    project_mortality,
)
from foresight.mortality.standard import (
    age_standardised_rate,
    annual_improvement,
    european_standard_population,
)
from foresight.mortality.uk import (
    UKRun,
    fit_uk,
    uk_assumptions,
    uk_counts,
    uk_expectancy,
    uk_rates,
    window_surface,
)

__all__ = [
    "CALIBRATED_FIGURES",
    "DECADE_GAIN_YEARS",
    "annualised_improvement",
    "asmr_improvement_variants",
    "improvement_uncertainty",
    "ons_figures",
    "ons_statements",
    "power_sensitivity",
    "realised_errors",
    "target_sensitivity",
    "uk_history_figures",
    "uk_standard_population",
]

SEXES = ("male", "female")

#: Years over which "since the 1980s" the decade gain in period e0 is measured
#: (least-squares slope of the observed e0, times ten), to 2013, the last year of ONS's data.
DECADE_GAIN_YEARS: tuple[int, int] = (1980, 2013)

#: Figures that fix an assumption of the book's run, so their check is a calibration
#: check and not a reproduction (see :func:`foresight.mortality.uk.calibrate_convergence_power`;
#: the record ``data/mortality/ons_statements.csv`` gives them the role ``calibrated``).
CALIBRATED_FIGURES: tuple[str, ...] = ("ons_proj_cohort_e0_male_2014",)


def uk_standard_population(version: str = "v2025", *, year: int = 2011, max_age: int = 99,
                           sex: str = "total") -> pd.DataFrame:
    """The UK population of ``year`` (HMD exposures) as a standard, single ages.

    ONS standardise with "the 2011 population estimates for the UK" (section
    7); the HMD exposure of 2011 is the mid-year population in person-years.
    The wording allows both sexes together (``sex="total"``, the book's main
    reading) or each sex's own population (``"male"``, ``"female"``).
    Columns ``lower`` (age) and ``weight`` (persons), ages 0 to ``max_age``.
    """
    _, exposures = uk_counts(version)
    sel = (exposures["year"] == year) & (exposures["age"] <= max_age)
    frame = exposures.loc[sel, ["age", sex]]
    return pd.DataFrame({"lower": frame["age"].to_numpy(dtype=int),
                         "weight": frame[sex].to_numpy(dtype=float)})


def _asr(rates: Mapping[str, pd.DataFrame], years: Sequence[int], standard: pd.DataFrame,
         max_age: int) -> pd.DataFrame:
    out = {}
    for sex in SEXES:
        lt = life_tables(rates[sex].loc[:, list(years)], sex=sex)
        out[sex] = np.asarray(age_standardised_rate(lt, standard=standard, max_age=max_age), dtype=float)
    return pd.DataFrame(out, index=pd.Index(list(years), name="year"))


def annualised_improvement(projection: Projection, start: int, end: int, *, max_age: int = 99,
                           standard: pd.DataFrame | None = None) -> pd.Series:
    """Average annual improvement (%) in age-standardised death rates, ``start`` to ``end``.

    Rates are standardised directly over ages 0 to ``max_age`` with
    ``standard`` (default: the UK population of 2011, as ONS Table 4.3;
    :func:`uk_standard_population`). Returns a Series by sex (% a year).
    """
    std = uk_standard_population(max_age=max_age) if standard is None else standard
    asr = _asr(projection.mx, [start, end], std, max_age)
    return pd.Series({sex: float(annual_improvement(asr.loc[start, sex], asr.loc[end, sex], end - start))
                      for sex in SEXES}, name="annualised improvement (%)")


def asmr_improvement_variants(version: str = "v2025", *, start: int = 1971, end: int = 2011,
                              max_age: int = 99) -> pd.DataFrame:
    """The 1971-2011 improvement in age-standardised rates, measured four ways (% a year).

    Rows by sex; columns ``endpoints`` (the book's measure: the two years'
    rates, UK 2011 standard), ``log-linear trend`` (slope of log ASR over
    every year), ``mean of annual changes`` and ``ESP 2013`` (endpoints, the
    European Standard Population). Shows whether a miss depends on how the
    average is taken.
    """
    rates = uk_rates(version, years=(start, end))
    years = list(range(start, end + 1))
    uk_std = _asr(rates, years, uk_standard_population(version, max_age=max_age), max_age)
    esp = _asr(rates, [start, end], european_standard_population(), max_age)
    rows = {}
    for sex in SEXES:
        a = uk_std[sex].to_numpy()
        rows[sex] = {
            "endpoints": float(annual_improvement(a[0], a[-1], end - start)),
            "log-linear trend": float(-100.0 * np.polyfit(np.asarray(years, dtype=float), np.log(a), 1)[0]),
            "mean of annual changes": float(100.0 * np.mean(1.0 - a[1:] / a[:-1])),
            "ESP 2013": float(annual_improvement(esp.loc[start, sex], esp.loc[end, sex], end - start)),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("sex")


def ons_figures(projection: Projection) -> pd.Series:
    """The projection's value of every figure ONS publish for the UK's 2014-based projection.

    The medians of 2031 and the 80-year improvement describe England and Wales and are
    checked on its own projection (:func:`foresight.mortality.ew.ew_figures`).

    Returns
    -------
    pandas.Series
        Indexed by the figure's id in ``data/published/ons2015mortality.csv``
        (life expectancy and its sex gaps in years).
    """
    e0 = projection.period_expectancy(0, [2014, 2039])
    e65 = projection.period_expectancy(65, [2014, 2039])
    coh0 = projection.cohort_expectancy(0, [2014])
    coh65 = projection.cohort_expectancy(65, [2014])
    values = {
        "ons_proj_e0_male_2014": e0.loc[2014, "male"],
        "ons_proj_e0_female_2014": e0.loc[2014, "female"],
        "ons_proj_cohort_e0_male_2014": coh0.loc[2014, "male"],
        "ons_proj_e65_male_2014": e65.loc[2014, "male"],
        "ons_proj_cohort_e65_male_2014": coh65.loc[2014, "male"],
        "ons_sex_gap_e0_2014": e0.loc[2014, "female"] - e0.loc[2014, "male"],
        "ons_proj_sex_gap_e0_2039": e0.loc[2039, "female"] - e0.loc[2039, "male"],
        "ons_proj_sex_gap_e65_2014": e65.loc[2014, "female"] - e65.loc[2014, "male"],
        "ons_proj_sex_gap_e65_2039": e65.loc[2039, "female"] - e65.loc[2039, "male"],
    }
    return pd.Series({k: float(v) for k, v in values.items()}, name="reproduced")


def _slope_per_decade(series: pd.Series) -> float:
    x = np.asarray(series.index, dtype=float)
    return float(10.0 * np.polyfit(x - x.mean(), series.to_numpy(dtype=float), 1)[0])


#: Cohorts whose faster improvement ONS describe (born after 1924 and before 1939), their
#: neighbours on either side, and the years over which the improvement is averaged.
GOLDEN_COHORTS: tuple[int, int] = (1925, 1938)
GOLDEN_NEIGHBOURS: tuple[tuple[int, int], ...] = ((1910, 1924), (1939, 1953))
GOLDEN_YEARS: tuple[int, int] = (1987, 2011)


def golden_cohorts(projection: Projection, sex: str) -> dict[str, float]:
    """The smoothed improvement of the 1925-1938 cohorts and their neighbours over 1987-2011.

    Each improvement rate of the smoothed history (age ``x``, year ``t``) belongs to
    the cohort born ``t - x``. Returns ``faster`` (mean rate of the cohorts of
    :data:`GOLDEN_COHORTS` minus that of :data:`GOLDEN_NEIGHBOURS`, percentage points)
    and ``peak`` (the highest rate of those cohorts, % a year), over :data:`GOLDEN_YEARS`.
    """
    imp = projection.improvement[sex].loc[:, GOLDEN_YEARS[0]:GOLDEN_YEARS[1]]
    ages = np.asarray(imp.index, dtype=int)[:, None]
    cohort = np.asarray(imp.columns, dtype=int)[None, :] - ages
    values = 100.0 * imp.to_numpy(dtype=float)
    golden = (cohort >= GOLDEN_COHORTS[0]) & (cohort <= GOLDEN_COHORTS[1])
    near = np.zeros_like(golden)
    for lo, hi in GOLDEN_NEIGHBOURS:
        near |= (cohort >= lo) & (cohort <= hi)
    return {"faster": float(values[golden].mean() - values[near].mean()), "peak": float(values[golden].max())}


_SHORTER_FITS: dict[str, dict[str, pd.DataFrame]] = {}


def _shorter_fit(run: UKRun) -> dict[str, pd.DataFrame]:
    """:func:`fit_uk` of ``run``, kept for the process (the chapter and the synthesis both need it;
    the fit is a pure function of the run and the shipped files)."""
    key = repr(run)
    if key not in _SHORTER_FITS:
        _SHORTER_FITS[key] = fit_uk(run)[0]
    return {sex: frame.copy() for sex, frame in _SHORTER_FITS[key].items()}


def end_year_revisions(fits: Mapping[str, object], run: UKRun | None = None, *,
                       years_before: int = 6) -> dict[str, float]:
    """How much a year of data more moves the smoothed improvement rates of the last years.

    ``fits``: the P-spline fits of ``run`` (1961-2013). The same smoothing of
    1961-2012 is compared with them: for each year, the mean absolute change (over
    ages) of its improvement rate. Returns, by sex, the mean change of the last two
    years of the shorter fit (2011, 2012: ONS's "final and penultimate years") as a
    multiple of the largest change among the ``years_before`` years before them.
    """
    run = UKRun() if run is None else run
    short = _shorter_fit(replace(run, last_year=run.last_year - 1, initial_year=run.initial_year - 1))
    out = {}
    for sex in SEXES:
        top = int(run.max_age[sex])
        long = pd.DataFrame(fits[sex].rates, index=fits[sex].ages.astype(int),
                            columns=np.asarray(fits[sex].years).astype(int))
        a = 1.0 - long.loc[:top, :] / long.loc[:top, :].shift(1, axis=1)
        b = 1.0 - short[sex].loc[:top, :] / short[sex].loc[:top, :].shift(1, axis=1)
        last = run.last_year - 1
        years = list(range(last - 1 - years_before, last + 1))
        change = (a.loc[:, years] - b.loc[:, years]).abs().mean()
        out[sex] = float(change.loc[[last - 1, last]].mean() / change.loc[years[:-2]].max())
    return out


def uk_history_figures(projection: Projection, *, fits: Mapping[str, object] | None = None,
                       run: UKRun | None = None) -> pd.Series:
    """The UK data's value of every ONS statement about the UK's past.

    Observed rates and life tables are those of HMD v2025 (deaths and exposures
    1950-2022), except the statements that need years before 1950 (the hundred-year
    average, the gap in e0 from 1922), which use HMD v2018 (1922-2016) throughout.
    The faster-improving cohorts are read from the smoothed history of ``projection``;
    the revision of the last years compares ``fits`` (the P-spline fits of 1961-2013,
    refitted when ``None``) with the fit of 1961-2012. Statements about England and
    Wales are checked on its own series (:func:`foresight.mortality.ew.ew_figures`).
    Row ids: ``data/mortality/ons_statements.csv``.
    """
    run = UKRun() if run is None else run
    obs = uk_expectancy("v2025", years=(1950, 2013))
    v: dict[str, float] = {}
    window = obs.loc[DECADE_GAIN_YEARS[0]: DECADE_GAIN_YEARS[1]]
    for sex in SEXES:
        v[f"ons_decade_gain_e0_{sex}_1980s"] = _slope_per_decade(window[f"e0_{sex}"])
    v["ons_sex_gap_e0_1980"] = float(obs.loc[1980, "e0_female"] - obs.loc[1980, "e0_male"])
    late80s = obs.loc[1985:1989]
    v["ons_sex_gap_e65_late_1980s"] = float((late80s["e65_female"] - late80s["e65_male"]).mean())
    # the hundred-year average on the UK series, 1922-2013 (v2018): another window
    std = uk_standard_population()
    rates18 = uk_rates("v2018")
    asr18 = _asr(rates18, [1922, 2013], std, 99)
    for sex in SEXES:
        v[f"ons_improvement_last_100y_{sex}_uk"] = float(
            annual_improvement(asr18.loc[1922, sex], asr18.loc[2013, sex], 2013 - 1922))
    # the female advantage in e0 rose to about 1970, then fell (v2018, 1922-2016)
    obs18 = uk_expectancy("v2018")
    gap18 = obs18["e0_female"] - obs18["e0_male"]
    v["ons_sex_gap_e0_peak_year"] = float(gap18.idxmax())
    v["ons_sex_gap_e0_rise_1900_1970"] = _slope_per_decade(gap18.loc[:1970])
    # the cohorts born 1925-1938 improved faster over the 25 years to 2011
    for sex in SEXES:
        g = golden_cohorts(projection, sex)
        v[f"ons_golden_cohorts_faster_{sex}"] = g["faster"]
        v[f"ons_golden_cohorts_peak_{sex}"] = g["peak"]
    # the last two years move most when a year is added
    if fits is None:
        _, fits = fit_uk(run)
    for sex, ratio in end_year_revisions(fits, run).items():
        v[f"ons_revision_end_years_{sex}"] = ratio
    return pd.Series(v, name="reproduced")


def ons_statements(projection: Projection, ew_projection: Projection | None = None, *,
                   fits: Mapping[str, object] | None = None,
                   figures: pd.Series | None = None) -> pd.DataFrame:
    """Every ONS statement the annual series can speak to, beside the published figure.

    The rows of ``data/mortality/ons_statements.csv`` for this table, in its order:
    the UK's history (:func:`uk_history_figures`) and projection (:func:`ons_figures`),
    and England and Wales on its own series (:func:`foresight.mortality.ew.ew_figures`,
    from ``ew_projection``), compared with :func:`foresight.data.compare`. Each row's
    basis follows the record's one rule (:func:`foresight.mortality.statements.basis`):
    a statement is scored on the population it describes over the years it names, and
    is *not comparable* otherwise. ``figures`` (optional) replaces the computed values,
    for tests.
    """
    from foresight.mortality.statements import basis, role_marks, statement_record

    rec = statement_record("mortp-tab-ons")
    marks = role_marks("mortp-tab-ons")
    if figures is None:
        from foresight.mortality.ew import ew_figures

        parts = [uk_history_figures(projection, fits=fits), ons_figures(projection)]
        if ew_projection is not None:
            parts.append(ew_figures(ew_projection))
        figures = pd.concat(parts)
    figures = figures.reindex(rec.index)
    pub = published("ons2015mortality")
    labels = {}
    for row, r in rec.iterrows():
        part = ""
        for sex in SEXES:
            if f"_{sex}" in row and f"_{sex}" not in str(r["figure"]):
                part = f", {sex}s"
        if row.endswith("_own"):
            part += ", each sex on its own 2011 population"
        what = r["label"] if isinstance(r["label"], str) and r["label"] else pub.loc[r["figure"], "quantity"]
        mark = f" ({marks[row]})" if marks[row] else ""
        labels[row] = f"{what}{part} [{r['data']}]{mark}"
    return compare(pub, figures, basis=basis("mortp-tab-ons"), figure_ids=rec["figure"].to_dict(), labels=labels)


def realised_errors(projection: Projection, *, version: str = "v2025",
                    years: tuple[int, int] = (2015, 2022)) -> pd.DataFrame:
    """The projected period e0 and e65 against the observed, year by year, split in two parts.

    Returns one row per sex, age (0, 65) and year: ``projected``,
    ``observed`` (HMD ``version``), ``error`` (projected minus observed),
    ``base`` (the part already there in the base year: projected minus observed
    in ``projection.assumptions.base_year``), ``trend`` (the rest, ``error -
    base``: what the projected improvement added) and ``period``
    (``"2015-2019"`` before the pandemic, ``"2020-2022"`` from it). The observed
    tables are closed as the projection's are (observed rates to the top ages,
    Kannisto above), so the errors compare rates, not closures. These are the
    errors of this reproduction, not of the projection ONS published.
    """
    base_year = int(projection.assumptions.base_year)
    obs = uk_expectancy(version, years=(min(base_year, years[0]), years[1]), closure="kannisto")
    yrs = [y for y in obs.index if years[0] <= y <= years[1]]
    rows = []
    for age in (0, 65):
        proj = projection.period_expectancy(age, [base_year, *yrs])
        for sex in SEXES:
            base = float(proj.loc[base_year, sex]) - float(obs.loc[base_year, f"e{age}_{sex}"])
            for y in yrs:
                p, o = float(proj.loc[y, sex]), float(obs.loc[y, f"e{age}_{sex}"])
                rows.append({"sex": sex, "measure": f"e{age}", "year": int(y), "projected": p,
                             "observed": o, "error": p - o, "base": base, "trend": p - o - base,
                             "period": "2015-2019" if y <= 2019 else "2020-2022"})
    return pd.DataFrame(rows)


def target_sensitivity(
    surfaces: Mapping[str, pd.DataFrame],
    targets: Sequence[float] = (0.0, 0.005, 0.01, 0.012, 0.015, 0.02, 0.025),
    *,
    assumptions: ProjectionAssumptions | None = None,
    data_top_age: Mapping[str, int] | None = None,
    year: int = 2039,
) -> pd.DataFrame:
    """Period e0 in ``year`` and cohort e0 at birth in the base year for each long-term target.

    Every target is applied with :meth:`ProjectionAssumptions.with_target`
    (cohort differentials kept). Columns ``target, e0_male, e0_female,
    cohort_e0_male, cohort_e0_female``.
    """
    base = ProjectionAssumptions() if assumptions is None else assumptions
    rows = []
    for t in targets:
        p = project_mortality(surfaces, base.with_target(float(t)), data_top_age=data_top_age)
        e0 = p.period_expectancy(0, [year])
        coh = p.cohort_expectancy(0, [base.base_year])
        rows.append(
            {
                "target": float(t),
                "e0_male": e0.loc[year, "male"],
                "e0_female": e0.loc[year, "female"],
                "cohort_e0_male": coh.loc[base.base_year, "male"],
                "cohort_e0_female": coh.loc[base.base_year, "female"],
            }
        )
    return pd.DataFrame(rows)


def power_sensitivity(
    surfaces: Mapping[str, pd.DataFrame],
    variants: Mapping[str, ProjectionAssumptions],
    *,
    data_top_age: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """:func:`ons_figures` under each named set of assumptions: figures in rows, variants in columns."""
    cols = {name: ons_figures(project_mortality(surfaces, a, data_top_age=data_top_age))
            for name, a in variants.items()}
    return pd.DataFrame(cols)


def improvement_uncertainty(
    surfaces: Mapping[str, pd.DataFrame],
    fits: Mapping[str, object],
    *,
    z: float = 2.0,
    assumptions: ProjectionAssumptions | None = None,
    data_top_age: Mapping[str, int] | None = None,
    year: int = 2039,
) -> pd.DataFrame:
    """How the P-spline's standard errors of the initial improvement rates carry into e0.

    The initial improvement rates (last year of ``surfaces``) are moved by
    ``-z`` and ``+z`` standard errors (all ages together, a deliberately
    wide band since the errors of neighbouring ages are positively
    correlated) and the projection is rerun. Returns, by sex and scenario
    (``low``, ``central``, ``high`` initial improvement), period e0 in
    ``year`` and the mean initial improvement rate over the ages.
    """
    rows = []
    for label, sign in (("low", -1.0), ("central", 0.0), ("high", 1.0)):
        moved = {}
        for sex in SEXES:
            s = surfaces[sex]
            t0 = int(s.columns[-1])
            imp = fits[sex].improvement_rates(t0)
            n = len(imp)  # ages of the fit; ages above (Kannisto) move with the top age
            se = np.concatenate([imp["se"].to_numpy(), np.full(len(s) - n, imp["se"].to_numpy()[-1])])
            r = 1.0 - s[t0].to_numpy() / s[t0 - 1].to_numpy() + sign * z * se
            new = s.copy()
            new[t0] = s[t0 - 1].to_numpy() * (1.0 - r)
            moved[sex] = new
        p = project_mortality(moved, assumptions, data_top_age=data_top_age)
        e0 = p.period_expectancy(0, [year])
        for sex in SEXES:
            t0 = int(moved[sex].columns[-1])
            r = 1 - moved[sex][t0] / moved[sex][t0 - 1]
            rows.append({"scenario": label, "sex": sex, "mean_initial_improvement": float(r.mean()),
                         f"e0_{year}": float(e0.loc[year, sex])})
    return pd.DataFrame(rows)
