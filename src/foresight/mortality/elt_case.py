"""The English Life Tables case study: the ONS method on decennial tables, and the long history.

Before the UK's annual deaths and exposures were shipped (:mod:`foresight.mortality.uk`),
the book ran the ONS procedure on five English Life Tables of England and Wales
(1960-62 to 2000-02); the run remains as a case study of projecting from sparse
tables (:func:`smooth_elt_surfaces`, :func:`elt_backtest`). The English Life
Tables from 1841 on also give the chapter its long history: the survival curves
and median ages at death of 1851 to 2031 (ONS Figures 4.10 and 4.11) join the
smoothed tables to a projection (:func:`long_history_surfaces`,
:func:`survival_curves`, :func:`median_ages`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.mortality.history import elt_by_sex, mix_life_tables
from foresight.mortality.leecarter import fit_lee_carter
from foresight.mortality.lifetable import cohort_rates, life_expectancy, life_tables, median_age_at_death
from foresight.mortality.ons import Projection, ProjectionAssumptions, kannisto_extend, project_mortality
from foresight.mortality.pspline import fit_pspline_2d_gaussian
from foresight.mortality.soa import elt_tables

__all__ = [
    "LONG_HISTORY_ELTS",
    "elt_backtest",
    "elt_observed_expectancy",
    "elt_smoothing_rms",
    "long_history_surfaces",
    "median_ages",
    "smooth_elt_surfaces",
    "survival_curves",
]

SEXES = ("male", "female")

def smooth_elt_surfaces(
    elts: Sequence[int] = (12, 13, 14, 15, 16),
    *,
    max_age: int = 100,
    extend_to: int = 110,
    lambdas: tuple[float, float] | None = None,
    forecast_to: int | None = None,
    knot_spacing: tuple[float, float] = (5.0, 5.0),
) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """Smooth log ``mx`` of English Life Tables over age x calendar year.

    The case study of projecting from sparse tables (the book's main run uses
    the UK's annual deaths and exposures, :mod:`foresight.mortality.uk`): the
    decennial English Life Tables (England and Wales): each table's ``mx`` (from the life-table engine) is
    placed at the middle year of its period (1961, 1971, ... 2001; half
    years rounded up) on an annual grid, the years in between get weight zero, and the weighted
    Gaussian P-spline (:func:`fit_pspline_2d_gaussian`) smooths and
    interpolates log ``mx`` over ages ``0 .. max_age``. The surface is then
    extended to ``extend_to`` with :func:`kannisto_extend` (fitted on ages
    80 to ``max_age``), so that life tables close at an age few reach rather
    than at 100, where the open interval would otherwise absorb a century of
    assumed improvement in a cohort table.

    Returns
    -------
    (surfaces, fits)
        ``surfaces[sex]``: smoothed ``mx`` (ages x years from the first to the
        last mid-year, or to ``forecast_to``); ``fits[sex]``: the
        :class:`~foresight.mortality.pspline.PSplineFit`.
    """
    cat = elt_tables().drop_duplicates("elt").set_index("elt")
    elts = list(elts)
    unknown = [e for e in elts if e not in cat.index]
    if unknown:
        raise DataError(f"no English Life Table number {unknown}", column="elt")
    # tables whose period has a half-year middle (1871-80: 1875.5) sit at the next year
    mid = np.ceil(cat.loc[elts, "mid_year"].to_numpy(dtype=float)).astype(int)
    years = np.arange(mid.min(), mid.max() + 1)
    ages = np.arange(0, max_age + 1)
    surfaces, fits = {}, {}
    tables = elt_by_sex()
    for sex in SEXES:
        lt = tables[sex]
        mx = lt.column("mx").reindex(index=ages).loc[:, elts].to_numpy(dtype=float)
        # a table's open (last) age and the ages beyond it carry no single-age rate
        open_age = lt.ages[lt.omega[[list(lt.labels).index(e) for e in elts]]]
        mx = np.where(ages[:, None] < open_age[None, :], mx, np.nan)
        if np.all(np.isnan(mx[-1])):
            raise DataError(f"no ELT {sex} table reaches age {max_age}", column="mx",
                            expected="at least one table covering the top age")
        z = np.full((ages.size, years.size), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            z[:, mid - years[0]] = np.where(mx > 0, np.log(mx), np.nan)
        fit = fit_pspline_2d_gaussian(
            z, ages=ages, years=years, lambdas=lambdas, forecast_to=forecast_to, knot_spacing=knot_spacing
        )
        smooth = pd.DataFrame(
            fit.rates, index=pd.Index(ages, name="age"), columns=pd.Index(fit.years.astype(int), name="year")
        )
        surfaces[sex] = kannisto_extend(smooth, to_age=extend_to, fit_ages=(80, max_age))
        fits[sex] = fit
    return surfaces, fits


def elt_smoothing_rms(
    fits: Mapping[str, object],
    elts: Sequence[int] = (12, 13, 14, 15, 16),
    *,
    age_groups: Sequence[tuple[int, int]] = ((0, 4), (5, 100)),
) -> pd.DataFrame:
    """Root-mean-square difference of smoothed and tabulated log ``mx``, by sex and age group.

    Compares the fits of :func:`smooth_elt_surfaces` with the tables they
    smoothed, at the tables' middle years. Index ``sex``, one column per age
    group (``"0-4"``, ...).
    """

    cat = elt_tables().drop_duplicates("elt").set_index("elt")
    mid = np.ceil(cat.loc[list(elts), "mid_year"].to_numpy(dtype=float)).astype(int)
    tables = elt_by_sex()
    rows = {}
    for sex in SEXES:
        fit = fits[sex]
        ages = np.asarray(fit.ages, dtype=int)
        cols = [int(np.flatnonzero(fit.years == y)[0]) for y in mid]
        obs = np.log(tables[sex].column("mx").reindex(index=ages).loc[:, list(elts)].to_numpy(dtype=float))
        res = obs - fit.log_rates[:, cols]
        rows[sex] = {
            f"{lo}-{hi}": float(np.sqrt(np.nanmean(res[(ages >= lo) & (ages <= hi)] ** 2)))
            for lo, hi in age_groups
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("sex")


def elt_observed_expectancy(elts: Sequence[int], age: int = 0) -> pd.DataFrame:
    """Period life expectancy at ``age`` of English Life Tables: index mid-year, columns ``male, female``."""

    cat = elt_tables().drop_duplicates("elt").set_index("elt")
    tables = elt_by_sex()
    out = {
        sex: np.asarray(life_expectancy(tables[sex], age), dtype=float)[
            [list(tables[sex].labels).index(e) for e in elts]
        ]
        for sex in SEXES
    }
    return pd.DataFrame(out, index=pd.Index(cat.loc[list(elts), "mid_year"].astype(int).to_numpy(), name="year"))



def elt_backtest(
    fit_elts: Sequence[int] = (12, 13, 14),
    test_elts: Sequence[int] = (15, 16),
    *,
    target_rate: float = 0.012,
) -> pd.DataFrame:
    """Back-test on the English Life Tables: fit to 1961-81, project 1991 and 2001.

    Three methods start from the same tables: the ONS-style projection
    (smoothed surface ending at the last fitted table, base year = that year,
    uniform target ``target_rate`` - the 2014-based cohort targets use
    knowledge from after 1981 and are not applied), Lee-Carter on the raw
    tables (drift per calendar year), and the P-spline's own forecast
    (zero-weight padding). Returns one row per method, sex, year and measure
    (``e0``, ``e65``): ``projected``, ``actual`` (the ELT) and ``error``
    (projected minus actual, years).
    """

    cat = elt_tables().drop_duplicates("elt").set_index("elt")
    test_years = cat.loc[list(test_elts), "mid_year"].astype(int).to_numpy()
    last_fit_year = int(cat.loc[list(fit_elts), "mid_year"].max())
    surfaces, _ = smooth_elt_surfaces(fit_elts)
    a = ProjectionAssumptions(base_year=last_fit_year, target_rate=target_rate, cohort_targets=())
    ons = project_mortality(surfaces, a)
    padded, _ = smooth_elt_surfaces(fit_elts, forecast_to=int(test_years.max()))
    tables = elt_by_sex()
    top = int(surfaces["male"].index[-1])
    ages = np.arange(0, 101)  # Lee-Carter on the tables' own ages, then Kannisto above 100
    fit_years = cat.loc[list(fit_elts), "mid_year"].astype(int).to_numpy()
    rows = []
    for sex in SEXES:
        raw = tables[sex].column("mx").loc[ages, list(fit_elts)]
        raw.columns = pd.Index(fit_years, name="year")
        lc = kannisto_extend(fit_lee_carter(raw).forecast(test_years), to_age=top)
        methods = {
            "ONS-style": ons.mx[sex].loc[:, test_years],
            "Lee-Carter": lc,
            "P-spline forecast": padded[sex].loc[:, test_years],
        }
        actual = {
            age: np.asarray(life_expectancy(tables[sex], age), dtype=float)[
                [list(tables[sex].labels).index(e) for e in test_elts]
            ]
            for age in (0, 65)
        }
        for method, mx in methods.items():
            lt = life_tables(mx, sex=sex)
            for age in (0, 65):
                proj = np.asarray(life_expectancy(lt, age), dtype=float)
                for j, year in enumerate(test_years):
                    rows.append({"method": method, "sex": sex, "year": int(year), "measure": f"e{age}",
                                 "projected": float(proj[j]), "actual": float(actual[age][j]),
                                 "error": float(proj[j] - actual[age][j])})
    return pd.DataFrame(rows).sort_values(["measure", "sex", "year", "method"], ignore_index=True)



#: English Life Tables used for the long history (ELT 1, 2 overlap ELT 3; ELT 10
#: lacks ages under 5 and is left out by the life-table reader).
LONG_HISTORY_ELTS: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16)


def long_history_surfaces(
    projection: Projection,
    *,
    elts: Sequence[int] = LONG_HISTORY_ELTS,
    knot_spacing_years: float = 10.0,
) -> dict[str, pd.DataFrame]:
    """Annual rates from the 1840s to the end of a projection, for cohort tables.

    The English Life Tables from 1841-50 to 2000-02 are smoothed together
    with the Gaussian P-spline on an annual grid (tables at their mid-years,
    the decades between them filled by the penalty through zero weights, one
    knot every ``knot_spacing_years``) and extended to the projection's top
    age; from the first year of the projection's surface on, the
    projection's own rates are used.
    """
    top = int(projection.ages[-1])
    long, _ = smooth_elt_surfaces(
        elts, max_age=100, extend_to=top, knot_spacing=(5.0, knot_spacing_years)
    )
    out = {}
    for sex in SEXES:
        recent = projection.mx[sex]
        early = long[sex].loc[:, long[sex].columns < recent.columns[0]]
        out[sex] = pd.concat([early, recent], axis=1)
    return out


def survival_curves(
    surfaces: Mapping[str, pd.DataFrame], years: Sequence[int], *, kind: str = "period"
) -> pd.DataFrame:
    """Survivors (% of births) by age, both sexes mixed half and half.

    ``kind="period"``: life tables of the rates of each year;
    ``"cohort"``: of the cohorts born in each year (read along the
    diagonals). Columns are the years; index the age.
    """

    tables = {}
    for sex in SEXES:
        if kind == "period":
            frame = surfaces[sex].loc[:, list(years)]
        elif kind == "cohort":
            diag = cohort_rates(surfaces[sex])
            frame = diag.loc[:, list(years)]
            if frame.isna().any().any():
                raise ValueError("some cohorts are not covered at every age")
        else:
            raise ValueError("kind must be 'period' or 'cohort'")
        tables[sex] = life_tables(frame, sex=sex)
    mixed = mix_life_tables(tables["male"], tables["female"], weight_b=0.5)
    lx = mixed.lx / mixed.radix * 100.0
    return pd.DataFrame(lx, index=pd.Index(mixed.ages, name="age"), columns=pd.Index(list(years), name=kind))


def median_ages(surfaces: Mapping[str, pd.DataFrame], years: Sequence[int]) -> pd.DataFrame:
    """Median age at death (sexes mixed) on a period and on a cohort basis, by year."""

    out = {}
    for kind in ("period", "cohort"):
        tables = {}
        for sex in SEXES:
            frame = surfaces[sex].loc[:, list(years)] if kind == "period" else cohort_rates(surfaces[sex]).loc[:, list(years)]
            tables[sex] = life_tables(frame, sex=sex)
        mixed = mix_life_tables(tables["male"], tables["female"], weight_b=0.5)
        out[kind] = np.asarray(median_age_at_death(mixed), dtype=float)
    return pd.DataFrame(out, index=pd.Index(list(years), name="year"))

