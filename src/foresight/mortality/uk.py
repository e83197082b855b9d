"""The ONS 2014-based procedure on the United Kingdom's own data (HMD).

ONS (section 4) smoothed UK deaths and population estimates for 1961-2013,
ages 0-100 for males and 0-105 for females, with a Poisson P-spline allowing
for overdispersion; read the improvement of 2011 from the smoothed rates of
2010 and 2011; carried it to 2014 and converged to the 2039 targets. This
module does the same on the Human Mortality Database's United Kingdom files
shipped in ``data/mortality/hmd/`` (:func:`~foresight.mortality.hmd.hmd_uk`):

* :class:`UKRun` names every choice of the data step (HMD version, years,
  top ages by sex, the year of the initial improvement, the old-age
  extension); :func:`smooth_uk` fits and extends; :func:`uk_projection` runs
  :func:`~foresight.mortality.ons.project_mortality` on the result.
* :func:`uk_rates` and :func:`uk_expectancy` are the *observed* (unsmoothed)
  rates and period life expectancy of one HMD version, for the statements
  about the past and for holding the projection against what happened.
* :func:`calibrate_convergence_power` is the calibration that gives the
  convergence exponent the book uses,
  :data:`~foresight.mortality.ons.ONS_2014_CONVERGENCE_POWER` (ONS do not
  publish the curve; see the function).

No result mixes the two HMD versions: each function takes one ``version``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from foresight.errors import DataError
from foresight.mortality.hmd import hmd_surface, hmd_uk
from foresight.mortality.lifetable import life_expectancy, life_tables
from foresight.mortality.ons import (
    Projection,
    ProjectionAssumptions,
    kannisto_extend,
    project_mortality,
)
from foresight.mortality.pspline import PSplineFit, fit_pspline_2d

__all__ = [
    "CALIBRATION_FEMALE_SHARE",
    "CALIBRATION_TOLERANCE",
    "UKRun",
    "calibrate_convergence_power",
    "fit_uk",
    "smooth_uk",
    "uk_assumptions",
    "uk_counts",
    "uk_expectancy",
    "uk_projection",
    "uk_rates",
    "window_surface",
]

SEXES = ("male", "female")

#: Share of the male departure from linear convergence given to females.
CALIBRATION_FEMALE_SHARE = 0.5

#: Tolerance (years) of the root search in :func:`calibrate_convergence_power`.
CALIBRATION_TOLERANCE = 1e-6


@dataclass(frozen=True)
class UKRun:
    """The data step of the ONS procedure on HMD United Kingdom files.

    Attributes
    ----------
    version
        HMD version (``"v2025"``: deaths and exposures 1950-2022).
    first_year, last_year
        Years smoothed (ONS: 1961-2013).
    max_age
        Top age smoothed, by sex (ONS: 100 for males, 105 for females).
    initial_year
        Year whose improvement (from the smoothed rates of the year before and
        itself) starts the projection (ONS: 2011, two years before the end of
        the data, where a P-spline's end effects have faded).
    extend_to
        Top age of the life tables; the smoothed rates are extended above
        ``max_age`` with the Kannisto model (:func:`kannisto_extend`).
    kannisto_from
        First age of the Kannisto fit, which runs to the sex's ``max_age``.
    lambda_grid
        ``log10`` values of the coarse grid that starts the smoothing search
        (:func:`~foresight.mortality.pspline.fit_pspline_2d`). Two points
        suffice on the UK surfaces and halve the time; a test checks that the
        search reaches the same optimum as from the default five-point grid.
        ``None``: the default grid.
    """

    version: str = "v2025"
    first_year: int = 1961
    last_year: int = 2013
    max_age: Mapping[str, int] = field(default_factory=lambda: {"male": 100, "female": 105})
    initial_year: int = 2011
    extend_to: int = 110
    kannisto_from: int = 80
    lambda_grid: tuple[float, ...] | None = (-2.0, 3.0)

    def check(self) -> None:
        """Refuse inconsistent settings with a :class:`DataError` naming the setting."""
        if not self.first_year + 4 <= self.initial_year <= self.last_year:
            raise DataError(f"initial year {self.initial_year} is outside the smoothed years",
                            column="initial_year",
                            expected=f"a year from {self.first_year + 4} to {self.last_year}")
        for sex in SEXES:
            top = self.max_age.get(sex)
            if top is None or not self.kannisto_from + 2 <= top <= self.extend_to:
                raise DataError(f"max_age for {sex} is {top!r}", column="max_age",
                                expected=f"an age from {self.kannisto_from + 2} to {self.extend_to}")


def uk_counts(version: str = "v2025") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deaths and exposures of one HMD version, as read (tidy; see :func:`read_hmd`).

    ``v2018`` ships death *rates* and exposures; its deaths are rebuilt as
    rate x exposure (the HMD's own definition of the rate, so the product is
    exact up to the printed six decimals). The files are read and checked
    once per process; the frames returned are copies.
    """
    deaths, exposures = _uk_counts(version)
    return deaths.copy(), exposures.copy()


@lru_cache(maxsize=None)
def _uk_counts(version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    exposures = _light(hmd_uk("Exposures_1x1.txt", version))
    if version == "v2018":
        rates = _light(hmd_uk("Mx_1x1.txt", version))
        deaths = rates.copy()
        for col in ("female", "male", "total"):
            deaths[col] = rates[col] * exposures[col]
    else:
        deaths = _light(hmd_uk("Deaths_1x1.txt", version))
    return deaths, exposures


def _light(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without its per-line map (validated files need no line numbers any more;
    pandas deep-copies ``attrs`` on every operation, which made each step cost ~0.1 s)."""
    frame.attrs = {k: v for k, v in frame.attrs.items() if k != "line"}
    return frame


def window_surface(frame: pd.DataFrame, sex: str, first: int, last: int, max_age: int) -> pd.DataFrame:
    """One sex of a tidy HMD frame as an age x year surface: years ``first``-``last``, ages to ``max_age``."""
    sel = (frame["year"] >= first) & (frame["year"] <= last) & (frame["age"] <= max_age)
    return hmd_surface(frame[sel], sex)


def fit_uk(run: UKRun | None = None, *, forecast_to: int | None = None,
           counts: tuple[pd.DataFrame, pd.DataFrame] | None = None,
           ) -> tuple[dict[str, pd.DataFrame], dict[str, PSplineFit]]:
    """Fit the P-spline to the UK counts of ``run`` and extend it to ``run.extend_to``.

    ``forecast_to``: also forecast to that year (zero-weight padding, the
    P-spline's own extrapolation). ``counts``: other deaths and exposures in
    the tidy layout of :func:`~foresight.mortality.hmd.read_hmd` (e.g. England
    and Wales, :mod:`foresight.mortality.ew`) instead of the UK's of
    ``run.version``. Returns every fitted year, extended by age with
    :func:`kannisto_extend`, and the fits.
    """
    run = UKRun() if run is None else run
    run.check()
    deaths, exposures = uk_counts(run.version) if counts is None else counts
    surfaces, fits = {}, {}
    for sex in SEXES:
        top = int(run.max_age[sex])
        d = window_surface(deaths, sex, run.first_year, run.last_year, top)
        e = window_surface(exposures, sex, run.first_year, run.last_year, top)
        if int(d.columns[0]) != run.first_year or int(d.columns[-1]) != run.last_year:
            raise DataError(f"HMD {run.version} covers {int(d.columns[0])}-{int(d.columns[-1])}",
                            column="Year",
                            expected=f"the years {run.first_year}-{run.last_year}")
        fit = fit_pspline_2d(d.to_numpy(dtype=float), e.to_numpy(dtype=float),
                             ages=np.asarray(d.index), years=np.asarray(d.columns),
                             forecast_to=forecast_to, lambda_grid=run.lambda_grid)
        smooth = pd.DataFrame(fit.rates, index=pd.Index(d.index.astype(int), name="age"),
                              columns=pd.Index(np.asarray(fit.years).astype(int), name="year"))
        surfaces[sex] = kannisto_extend(smooth, to_age=run.extend_to, fit_ages=(run.kannisto_from, top))
        fits[sex] = fit
    return surfaces, fits


def smooth_uk(run: UKRun | None = None, *, counts: tuple[pd.DataFrame, pd.DataFrame] | None = None,
              ) -> tuple[dict[str, pd.DataFrame], dict[str, PSplineFit]]:
    """Smooth the UK rates as ONS did and extend them to ``run.extend_to``.

    Returns
    -------
    (surfaces, fits)
        ``surfaces[sex]``: smoothed central death rates, ages 0 to
        ``run.extend_to`` (Kannisto above the sex's ``max_age``, fitted from
        ``run.kannisto_from``), years ``run.first_year`` to
        ``run.initial_year`` (the smoothed years after it are not used, as in
        ONS's procedure); ``fits[sex]``: the P-spline fit over all smoothed
        years (:class:`PSplineFit`).
    """
    run = UKRun() if run is None else run
    full, fits = fit_uk(run, counts=counts)
    return {sex: full[sex].loc[:, : run.initial_year] for sex in SEXES}, fits


def uk_assumptions(**changes) -> ProjectionAssumptions:
    """The ONS 2014-based assumptions (with the book's convergence exponent), changed as given."""
    return replace(ProjectionAssumptions(), **changes)


def uk_projection(
    surfaces: Mapping[str, pd.DataFrame],
    assumptions: ProjectionAssumptions | None = None,
    *,
    run: UKRun | None = None,
) -> Projection:
    """:func:`project_mortality` on surfaces from :func:`smooth_uk` (top ages from ``run``)."""
    run = UKRun() if run is None else run
    a = uk_assumptions() if assumptions is None else assumptions
    return project_mortality(surfaces, a, data_top_age=dict(run.max_age))


def calibrate_convergence_power(
    surfaces: Mapping[str, pd.DataFrame],
    cohort_e0_male: float,
    *,
    run: UKRun | None = None,
    female_share: float = CALIBRATION_FEMALE_SHARE,
    bounds: tuple[float, float] = (1.0, 4.0),
) -> dict[str, float]:
    """The exponent that gives a boy born in the base year the cohort e0 ``cohort_e0_male``.

    ONS state two properties of the convergence (section 7): faster than
    linear where the initial rate is above the target, and faster for males
    than for females; they publish no curve. The book keeps the power-law
    path of :func:`~foresight.mortality.ons.convergence_weight` and fixes its
    male exponent by one published figure, the cohort life expectancy at
    birth of a boy born in 2014 (the figure then becomes a calibration check,
    not a reproduction); the female exponent is
    ``1 + female_share * (p_male - 1)``, so that females converge more slowly
    but still faster than linearly. The root is found with Brent's method to
    :data:`CALIBRATION_TOLERANCE` years of cohort e0.

    Raises
    ------
    DataError
        When no exponent within ``bounds`` gives the figure.
    """
    run = UKRun() if run is None else run
    base = ProjectionAssumptions()

    def powers(p: float) -> dict[str, float]:
        return {"male": float(p), "female": 1.0 + female_share * (float(p) - 1.0)}

    def excess(p: float) -> float:
        a = replace(base, convergence_power=powers(p))
        proj = project_mortality(surfaces, a, data_top_age=dict(run.max_age))
        return float(proj.cohort_expectancy(0, [a.base_year]).iloc[0]["male"]) - cohort_e0_male

    lo, hi = excess(bounds[0]), excess(bounds[1])
    if np.sign(lo) == np.sign(hi):
        raise DataError(f"no convergence exponent in {bounds} gives a male cohort e0 of {cohort_e0_male}",
                        column="convergence_power",
                        expected=f"a cohort e0 between {hi + cohort_e0_male:.2f} and {lo + cohort_e0_male:.2f}")
    p = brentq(excess, *bounds, xtol=1e-10, rtol=1e-12, maxiter=200)
    if abs(excess(p)) > CALIBRATION_TOLERANCE:
        raise DataError("the calibration of the convergence exponent did not converge",
                        column="convergence_power")
    return powers(p)


def uk_rates(version: str = "v2025", *, open_age: int = 100,
             years: tuple[int, int] | None = None) -> dict[str, pd.DataFrame]:
    """Observed central death rates ``D / E`` by sex, ages 0 to ``open_age`` (open interval).

    Deaths and exposures from ``open_age`` up are pooled into the open
    interval, as in the national life tables, which close at 100 (male
    exposures above 104 are zero in some years of both versions).
    ``years``: an inclusive range, default all.
    """
    deaths, exposures = uk_counts(version)
    if years is not None:
        sel = (deaths["year"] >= years[0]) & (deaths["year"] <= years[1])
        deaths, exposures = deaths[sel], exposures[sel]
    out = {}
    for sex in SEXES:
        d, e = hmd_surface(deaths, sex), hmd_surface(exposures, sex)
        d = pd.concat([d.loc[: open_age - 1], d.loc[open_age:].sum().to_frame(open_age).T])
        e = pd.concat([e.loc[: open_age - 1], e.loc[open_age:].sum().to_frame(open_age).T])
        if (e <= 0).any().any():
            raise DataError("a zero exposure in the observed UK rates", column=sex,
                            expected="positive exposures at every age and year used")
        rates = d / e
        rates.index = pd.Index(rates.index.astype(int), name="age")
        rates.columns = pd.Index(rates.columns.astype(int), name="year")
        out[sex] = rates
    return out


def uk_expectancy(version: str = "v2025", *, ages: tuple[int, ...] = (0, 65),
                  years: tuple[int, int] | None = None, open_age: int = 100,
                  closure: str = "open", run: UKRun | None = None) -> pd.DataFrame:
    """Observed period life expectancy by year: columns ``e{age}_{sex}`` (HMD protocol tables).

    ``closure="open"``: the tables close with an open interval at
    ``open_age`` (:func:`uk_rates`), as the national life tables do.
    ``closure="kannisto"``: the observed single-age rates up to the top ages of
    ``run`` and the Kannisto extension above them, exactly as the projection's
    tables are closed, so that projected and observed life expectancy differ
    only by their rates (used for the realised errors and the back-test).
    """
    if closure == "open":
        rates = uk_rates(version, open_age=open_age, years=years)
    elif closure == "kannisto":
        run = UKRun() if run is None else run
        deaths, exposures = uk_counts(version)
        lo, hi = (int(deaths["year"].min()), int(deaths["year"].max())) if years is None else years
        rates = {}
        for sex in SEXES:
            top = int(run.max_age[sex])
            m = window_surface(deaths, sex, lo, hi, top) / window_surface(exposures, sex, lo, hi, top)
            m.index = pd.Index(m.index.astype(int), name="age")
            m.columns = pd.Index(m.columns.astype(int), name="year")
            rates[sex] = kannisto_extend(m, to_age=run.extend_to, fit_ages=(run.kannisto_from, top))
    else:
        raise DataError(f"unknown closure {closure!r}", column="closure", expected="open or kannisto")
    cols = {}
    for sex in SEXES:
        lt = life_tables(rates[sex], sex=sex)
        for age in ages:
            cols[f"e{age}_{sex}"] = np.asarray(life_expectancy(lt, age), dtype=float)
    return pd.DataFrame(cols, index=pd.Index(rates["male"].columns, name="year"))
