"""Projection methods behind one interface: the data up to an origin in, rates by age and year out.

Every method is a :class:`Forecaster`: an object with a ``name`` and
``project(history, years)``, which returns ``{"male": mx, "female": mx}``, central death
rates by single year of age (0 to :data:`TOP_AGE`) and calendar year. A method sees only a
:class:`History`, which holds the deaths and exposures of one population *up to its origin*
and nothing later (it is built from :meth:`~foresight.mortality.populations.HMDPopulation.truncated`),
so no method can look past the origin; the back-test engine
(:func:`foresight.mortality.backtest.backtest`) never knows which method it runs, and a
leakage test proves that a projection from origin ``T`` is the same when the files
themselves end at ``T``.

The methods:

:class:`ONSStyle`
    The ONS 2014-based procedure (:func:`~foresight.mortality.ons.project_mortality`):
    improvement rates of the smoothed surface two years before the origin, carried to the
    year after it, converging over 25 years to a long-term target that a :class:`TargetRule`
    sets from the data up to the origin (:class:`CenturyTrend`, the default) or that is
    fixed (:class:`FixedTarget`, e.g. the 1.2% chosen in 2014, a hindsight variant before 2014).
:class:`LeeCarter`
    Lee and Carter (1992), the observed rates of the origin as jump-off (Lee and Miller 2001).
:class:`LiLee`
    The coherent model of Li and Lee (2005) for the two sexes together, from the observed
    rates of the origin as Lee-Carter.
:class:`PSplineForecast`
    The smoothed surface continued past the origin as its penalty continues it
    (:func:`~foresight.mortality.pspline.extrapolate_years`).
:class:`ConstantImprovement`
    Each age keeps its average smoothed improvement of the last ten years.

Shared conventions: each method fits the :data:`WINDOW` years before the origin and the
origin itself, both sexes. The P-spline smooths ages 0 to :data:`DATA_TOP_AGE`; every
method delivers its own rates for ages 0 to :data:`RATE_TOP_AGE` (the methods on observed
rates fit those ages only), and the rates above come from the Kannisto model fitted at ages
:data:`KANNISTO_FROM` to :data:`RATE_TOP_AGE` (:func:`~foresight.mortality.ons.kannisto_extend`),
as do those of the observed life tables the projections are scored against. Above 95 the
single-year rates of small populations are too noisy to carry (some exceed 1 in the 1950s,
where the logistic model is undefined), and one closure for every table means that an
error compares rates, not closures. The P-spline smoothing of a history is computed once
and shared by the methods that start from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Mapping, Protocol, Sequence, runtime_checkable

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.mortality.leecarter import fit_lee_carter, fit_li_lee
from foresight.mortality.ons import (
    ONS_2014_CONVERGENCE_POWER,
    ProjectionAssumptions,
    kannisto_extend,
    project_mortality,
)
from foresight.mortality.populations import HMDPopulation
from foresight.mortality.pspline import PSplineFit, extrapolate_years, fit_pspline_2d

__all__ = [
    "DATA_TOP_AGE",
    "KANNISTO_FROM",
    "RATE_TOP_AGE",
    "LAMBDA_GRID",
    "TOP_AGE",
    "WINDOW",
    "CenturyTrend",
    "ConstantImprovement",
    "FixedTarget",
    "Forecaster",
    "History",
    "LeeCarter",
    "LiLee",
    "ONSStyle",
    "PSplineForecast",
    "TargetRule",
    "asmr_trend",
]

SEXES = ("male", "female")

#: Years of data before the origin that a method fits (the origin is added: 31 years).
WINDOW = 30
#: Top single age the P-spline smooths, both sexes (the ONS used 100 for males, 105 for
#: females in the UK; small populations have too few deaths above 100 for a second rule).
DATA_TOP_AGE = 100
#: Last age whose rates a method delivers from the data; older ages come from the Kannisto model.
RATE_TOP_AGE = 94
#: Top age of every projected life table (an open interval).
TOP_AGE = 110
#: First age of the Kannisto fit that extends rates above :data:`DATA_TOP_AGE`.
KANNISTO_FROM = 80
#: Coarse grid that starts the P-spline's search for its smoothing parameters (log10 lambda);
#: a test checks that the search reaches the optimum of the default five-point grid.
LAMBDA_GRID: tuple[float, ...] = (-2.0, 3.0)
#: Deaths put into a cell with none, where a method needs a positive rate to take its log.
ZERO_DEATHS = 0.5


class History:
    """What a projection method may see: one population's data up to its origin.

    Parameters
    ----------
    population
        The population (any :class:`~foresight.mortality.populations.HMDPopulation`);
        only its years up to ``origin`` are kept.
    origin
        The last year of data.
    window
        Years before the origin that the methods fit (:data:`WINDOW`).
    max_age
        Top single age of the data used (:data:`DATA_TOP_AGE`).

    Raises
    ------
    DataError
        When the population does not reach the origin or does not have the ``window``
        years before it.
    """

    def __init__(self, population: HMDPopulation, origin: int, *, window: int = WINDOW,
                 max_age: int = DATA_TOP_AGE) -> None:
        origin = int(origin)
        if population.last_year < origin:
            raise DataError(f"{population.code} ends in {population.last_year}, before the origin {origin}",
                            column="origin", expected=f"an origin up to {population.last_year}")
        if population.first_year > origin - window:
            raise DataError(f"{population.code} starts in {population.first_year}: origin {origin} has fewer "
                            f"than {window} years of data before it", column="origin",
                            expected=f"an origin from {population.first_year + window}")
        self.population = population.truncated(origin)  # nothing after the origin is kept
        self.code, self.name, self.origin = population.code, population.name, origin
        self.window, self.max_age = int(window), int(max_age)
        self.first_fit_year = origin - self.window

    @cached_property
    def counts(self) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
        """Deaths and exposures by sex (``"male"``, ``"female"``, ``"total"``), ages 0 to
        ``max_age``, every year of the data up to the origin."""
        out = {}
        for sex in (*SEXES, "total"):
            out[sex] = _surfaces(self.population, sex, self.max_age)
        return out

    def window_counts(self, sex: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Deaths and exposures of the fitting window (the origin and the ``window`` years before)."""
        d, e = self.counts[sex]
        return d.loc[:, self.first_fit_year:], e.loc[:, self.first_fit_year:]

    def rates(self, sex: str) -> pd.DataFrame:
        """Observed rates of the window, ages 0 to :data:`RATE_TOP_AGE`, every cell positive:
        a cell with no deaths gets :data:`ZERO_DEATHS` deaths (methods that take logs of
        observed rates need this)."""
        d, e = self.window_counts(sex)
        d, e = d.loc[:RATE_TOP_AGE], e.loc[:RATE_TOP_AGE]
        return d.where(d > 0, ZERO_DEATHS) / e

    @cached_property
    def smoothed(self) -> dict[str, tuple[pd.DataFrame, PSplineFit]]:
        """The 2-D Poisson P-spline (overdispersion, BIC) of the window, by sex.

        ``(surface, fit)``: the smoothed rates of the window's years, ages 0 to
        :data:`RATE_TOP_AGE`, extended to :data:`TOP_AGE` with the Kannisto model; and
        the fit (ages 0 to ``max_age``).
        """
        out = {}
        for sex in SEXES:
            d, e = self.window_counts(sex)
            fit = fit_pspline_2d(d.to_numpy(dtype=float), e.to_numpy(dtype=float),
                                 ages=np.asarray(d.index), years=np.asarray(d.columns),
                                 lambda_grid=LAMBDA_GRID)
            surface = pd.DataFrame(fit.rates, index=d.index, columns=d.columns)
            out[sex] = (extend(surface), fit)
        return out


def _surfaces(population: HMDPopulation, sex: str, max_age: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if sex == "total":
        dm, em = population.surfaces("male", max_age=max_age)
        df, ef = population.surfaces("female", max_age=max_age)
        return dm + df, em + ef
    return population.surfaces(sex, max_age=max_age)


def extend(surface: pd.DataFrame) -> pd.DataFrame:
    """The rates to :data:`RATE_TOP_AGE`, and above it the Kannisto model fitted at ages
    :data:`KANNISTO_FROM` to :data:`RATE_TOP_AGE`, to :data:`TOP_AGE`."""
    return kannisto_extend(surface.loc[:RATE_TOP_AGE], to_age=TOP_AGE,
                           fit_ages=(KANNISTO_FROM, RATE_TOP_AGE))


@runtime_checkable
class Forecaster(Protocol):
    """A projection method: ``project(history, years)`` -> ``{"male": mx, "female": mx}``.

    The rates are indexed by age 0 to :data:`TOP_AGE` (rows) with one column per
    requested year, all after ``history.origin``.
    """

    name: str

    def project(self, history: History, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        ...


def _years(history: History, years: Sequence[int]) -> np.ndarray:
    years = np.asarray(list(years), dtype=int)
    if years.size == 0 or years.min() <= history.origin:
        raise DataError(f"projection years must follow the origin {history.origin}", column="year",
                        expected=f"years from {history.origin + 1}")
    return years


# ------------------------------------------------------------------ targets an expert could set
class TargetRule(Protocol):
    """How the ONS-style method's long-term target is set at an origin (a fraction a year)."""

    label: str

    def __call__(self, history: History) -> float:
        ...


def asmr_trend(history: History, *, max_years: int | None = 100, max_age: int = 99) -> float:
    """Average annual improvement of the age-standardised death rate, up to the origin.

    Both sexes together, ages 0 to ``max_age``, standardised directly on the
    population's own exposures (both sexes) in the origin year, which are known at
    the origin. The average is the least-squares trend of the log of the
    standardised rate over the ``max_years`` years before the origin and the origin
    (all years when ``None`` or when the data are shorter), so a single odd end year
    (a war, an epidemic) does not set it. Returns a fraction a year (0.012 = 1.2%).
    """
    deaths, exposures = history.counts["total"]
    first = int(deaths.columns[0]) if max_years is None else max(int(deaths.columns[0]),
                                                                  history.origin - int(max_years))
    d = deaths.loc[:max_age, first:].to_numpy(dtype=float)
    e = exposures.loc[:max_age, first:].to_numpy(dtype=float)
    weight = e[:, -1] / e[:, -1].sum()
    asr = weight @ (d / e)
    years = np.asarray(deaths.loc[:, first:].columns, dtype=float)  # the history ends at the origin
    slope = np.polyfit(years - years.mean(), np.log(asr), 1)[0]
    return float(1.0 - np.exp(slope))


@dataclass(frozen=True)
class CenturyTrend:
    """The target rule of the tournament: the past century's average improvement, as ONS reasoned.

    ONS set 1.2% a year as "equivalent to the average annual rate of improvement over
    the period 1913 to 2013" (section 7). The rule does the same at any origin with the
    data then available: :func:`asmr_trend` over the hundred years to the origin
    (``max_years``; all years where the series is shorter, ``None`` for all years).
    """

    max_years: int | None = 100
    label: str = "average improvement of the century to the origin"

    def __call__(self, history: History) -> float:
        return asmr_trend(history, max_years=self.max_years)


@dataclass(frozen=True)
class FixedTarget:
    """A target fixed in advance, the same at every origin (a fraction a year)."""

    rate: float
    label: str = ""

    def __call__(self, history: History) -> float:
        return float(self.rate)


# ------------------------------------------------------------------ the methods
@dataclass(frozen=True)
class ONSStyle:
    """The ONS 2014-based procedure from an origin ``T``, with a long-term target from ``target``.

    Improvement rates of the smoothed surface in ``T - 2`` (from ``T - 3`` to ``T - 2``;
    ONS: 2011 for data to 2013) are carried to the base year ``T + 1`` (by cohort for
    those aged 54 or more in the base year, as ONS's split at the 1960 cohort in 2014) and
    converge over ``convergence_years`` to a uniform target (the cohort targets of 2014
    knew the data of 2014 and are not used), with the book's convergence exponents; male
    rates are kept from falling below female rates. Rates above the data's top age in the
    carried years are interpolated to the target (ONS section 4).
    """

    target: TargetRule | float = field(default_factory=CenturyTrend)
    name: str = "ONS-style"
    convergence_years: int = 25
    convergence_power: Mapping[str, float] = field(default_factory=lambda: dict(ONS_2014_CONVERGENCE_POWER))
    cohort_age: int = 54

    def target_rate(self, history: History) -> float:
        """The long-term target at this origin (a fraction a year)."""
        rule = self.target
        return float(rule) if isinstance(rule, (int, float)) else float(rule(history))

    def project(self, history: History, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        years = _years(history, years)
        initial = history.origin - 2
        surfaces = {sex: history.smoothed[sex][0].loc[:, :initial] for sex in SEXES}
        base = history.origin + 1
        a = ProjectionAssumptions(base_year=base, convergence_years=self.convergence_years,
                                  target_rate=self.target_rate(history), cohort_targets=(),
                                  cohort_split=base - self.cohort_age,
                                  convergence_power=dict(self.convergence_power))
        a = replace(a, end_year=max(a.end_year, int(years.max()), a.target_year))
        proj = project_mortality(surfaces, a, data_top_age={s: RATE_TOP_AGE for s in SEXES})
        return {sex: proj.mx[sex].loc[:, years] for sex in SEXES}


@dataclass(frozen=True)
class LeeCarter:
    """Lee-Carter on the window's observed rates, forecast by the drift of ``k``.

    ``jump_off="observed"`` starts from the observed rates of the origin (Lee and Miller
    2001, which removes the bias of a fitted jump-off); ``"fitted"`` from the fitted ones.
    """

    jump_off: str = "observed"
    name: str = "Lee-Carter"

    def project(self, history: History, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        years = _years(history, years)
        out = {}
        for sex in SEXES:
            fit = fit_lee_carter(history.rates(sex), jump_off=self.jump_off)
            out[sex] = extend(fit.forecast(years))
        return out


@dataclass(frozen=True)
class LiLee:
    """The coherent model of Li and Lee (2005), the two sexes as the group.

    ``jump_off="observed"`` (the default here) starts from the observed rates of the
    origin, as :class:`LeeCarter` does, so that the two differ in coherence only;
    ``"fitted"`` is Li and Lee's own start from the fitted rates.
    """

    jump_off: str = "observed"
    name: str = "Li-Lee coherent"

    def project(self, history: History, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        years = _years(history, years)
        fit = fit_li_lee({sex: history.rates(sex) for sex in SEXES}, history.rates("total"),
                         jump_off=self.jump_off)
        forecast = fit.forecast(years)
        return {sex: extend(forecast[sex]) for sex in SEXES}


@dataclass(frozen=True)
class PSplineForecast:
    """The smoothed surface continued past the origin by its own penalty (log-linear in time)."""

    name: str = "P-spline forecast"

    def project(self, history: History, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        years = _years(history, years)
        out = {}
        for sex in SEXES:
            surface, fit = history.smoothed[sex]
            log_m = extrapolate_years(fit, years)
            rates = pd.DataFrame(np.exp(log_m), index=pd.Index(fit.ages.astype(int), name="age"),
                                 columns=pd.Index(years, name="year"))
            out[sex] = extend(rates)
        return out


@dataclass(frozen=True)
class ConstantImprovement:
    """The naive rule: each age keeps the average improvement of its smoothed rate over the
    last ``years`` years, applied to the smoothed rate of the origin."""

    years: int = 10
    name: str = "constant improvement"

    def project(self, history: History, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        years = _years(history, years)
        origin = history.origin
        out = {}
        for sex in SEXES:
            smooth = history.smoothed[sex][0]
            imp = 1.0 - (smooth[origin] / smooth[origin - self.years]) ** (1.0 / self.years)
            steps = (years - origin)[None, :]
            out[sex] = pd.DataFrame(smooth[origin].to_numpy()[:, None] * (1.0 - imp.to_numpy()[:, None]) ** steps,
                                    index=smooth.index, columns=pd.Index(years, name="year"))
        return out
