"""Observed Dutch mortality (HMD Netherlands) and the benchmark an actuary could have made.

The SLE chapter compares what respondents say about their survival with what
an actuary would have told them in the survey year. The actuary's inputs here
are the Human Mortality Database's deaths and exposures for the Netherlands,
1850-2019 (release of 31 March 2021, shipped unchanged in
``data/mortality/hmd/NLD/``; :func:`hmd_netherlands` checks each file's
SHA-256 and reads it with :func:`foresight.mortality.read_hmd`'s parser).

The benchmark (:class:`DutchBenchmark`) has three stated parts:

1. **Base rates**: the central death rates ``sum D / sum E`` of the
   ``base_years`` calendar years up to the *origin* (the last year the actuary
   could have observed; by default the year before the survey), by single year
   of age, dated at the middle of those years. Pooling three years keeps one
   unusually mild or severe year from setting the level of every later year.
2. **Old ages**: above ``from_age`` the observed rates are replaced by
   Kannisto's logistic law, ``m(x) = a e^{b(x-80)} / (1 + a e^{b(x-80)})``
   (Thatcher, Kannisto & Vaupel 1998), fitted to the deaths and exposures at
   ``fit_ages`` by Poisson maximum likelihood (:func:`kannisto_fit`) and
   extended to age 110.
3. **Improvement**: for each age group (:data:`AGE_GROUPS`), the average
   annual fall in the group's death rate over the ``window`` years up to the
   origin, estimated as the slope of a least-squares line through the log of
   the group's *directly standardised* rate (the single-age rates of each year
   weighted by the group's exposures summed over the window, so that a group
   whose members grow older does not look as if its mortality stalled;
   :func:`improvement_table`), and held constant at every later year. By
   default both sexes take the average of the women's and the men's trends
   (:func:`two_sex_improvement`): period trends by sex carry the smoking history
   of each generation, and held for a century they would make men outlive
   women. Each sex's own trend is a labelled variant (``by_sex=True``), and a
   uniform ``rate`` at every age replaces the rule as another.

Every rate of a year after the origin is the base rate times
``(1 - r_x) ** (year - base date)``; every year up to the origin is the
observed (graduated) rate of that year. Nothing after the origin reaches a projected
rate (a test changes the later data and checks).

Conventions: rates per person-year; ages in completed years 0-110 (110 is the
open interval of the life tables built from them); improvement as a fraction
per year (0.01 = 1 % a year).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.errors import ConvergenceWarning, DataError
from foresight.results import summary_text

__all__ = [
    "AGE_GROUPS", "DutchBenchmark", "FIVE_YEAR_GROUPS", "SINGLE_OLD_GROUPS", "HMD_NLD_FILES", "HMD_NLD_RELEASE", "KannistoFit",
    "graduated_rates", "hmd_netherlands", "improvement_by_age", "improvement_table",
    "kannisto_fit", "netherlands_counts", "observed_rates", "spread_to_ages", "two_sex_improvement",
]

#: The HMD Netherlands files the book ships in ``data/mortality/hmd/NLD/``, unchanged:
#: file -> SHA-256 (as listed with their provenance in ``data/sle/README.md``).
HMD_NLD_FILES: dict[str, str] = {
    "Deaths_1x1.txt": "84b71ca03ef0011dc254ac385ac807508428a09f35cbb9bc3fc34f2c4cdd7d02",
    "Exposures_1x1.txt": "ef4a708d2539193aff5feb8f0feadf5490f0df59fbdb9b1586b3ce77b744a3db",
}
#: The HMD's "Last modified" date of both files (one release; never spliced with another).
HMD_NLD_RELEASE = "31 Mar 2021"
SEXES: tuple[str, ...] = ("female", "male")
MAX_AGE = 110
AGES = np.arange(0, MAX_AGE + 1)
#: Lower bounds of the age groups of the improvement rule: 0-19, then ten-year groups from 20,
#: the last 90-110.
AGE_GROUPS: tuple[int, ...] = (0, 20, 30, 40, 50, 60, 70, 80, 90)
#: A finer grouping (a variant): 0-19, then five-year groups from 20, the last 100-110.
FIVE_YEAR_GROUPS: tuple[int, ...] = (0, *range(20, 101, 5))
#: The finest grouping shown (a variant): as :data:`FIVE_YEAR_GROUPS` to 89, then single years
#: from 90, the last 100-110.
SINGLE_OLD_GROUPS: tuple[int, ...] = (0, *range(20, 90, 5), *range(90, 101))
#: Age at which Kannisto's ``a`` is the odds of dying (the model's pivot).
KANNISTO_PIVOT = 80.0


# ---------------------------------------------------------------- data
@lru_cache(maxsize=2)
def _read_nld(name: str) -> pd.DataFrame:
    import hashlib

    from foresight.data import data_dir
    from foresight.data.files import read_bytes
    from foresight.mortality import hmd  # the module, so that its parser can be swapped in tests

    if name not in HMD_NLD_FILES:
        raise DataError(f"no file {name!r} in HMD Netherlands", expected="one of " + ", ".join(HMD_NLD_FILES))
    label = f"data/mortality/hmd/NLD/{name}"
    raw = read_bytes(data_dir() / "mortality" / "hmd" / "NLD" / name, label=label)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != HMD_NLD_FILES[name]:
        raise DataError(f"SHA-256 {digest[:16]}... differs from the HMD file the book was built with",
                        file=label, expected=f"the unchanged HMD file ({HMD_NLD_FILES[name][:16]}...)")
    frame = hmd.parse_hmd(raw.decode("utf-8"), label=label)
    # the reader's map from (year, age) to line number has 18,870 entries, and pandas deep-copies
    # attrs on every operation; the files are checked byte for byte, so the map is not needed
    frame.attrs.pop("line", None)
    if frame.attrs.get("country") != "Netherlands" or frame.attrs.get("last_modified") != HMD_NLD_RELEASE:
        raise DataError(f"title line names {frame.attrs.get('country')!r}, last modified "
                        f"{frame.attrs.get('last_modified')!r}", file=label, row=1,
                        expected=f"Netherlands, last modified {HMD_NLD_RELEASE}")
    return frame


def hmd_netherlands(name: str) -> pd.DataFrame:
    """One of the two shipped HMD Netherlands files, checked and parsed.

    Parameters
    ----------
    name
        ``"Deaths_1x1.txt"`` or ``"Exposures_1x1.txt"``.

    Returns
    -------
    pandas.DataFrame
        As :func:`foresight.mortality.read_hmd`: one row per year (1850-2019)
        and age (0-110+), columns ``year, age, open_interval, female, male,
        total``; ``attrs`` as the reader's, without its map of line numbers.

    Raises
    ------
    DataError
        An unknown name, or a file whose SHA-256 differs from
        :data:`HMD_NLD_FILES` (any edit), naming the file.
    """
    return _read_nld(name).copy()


@lru_cache(maxsize=2)
def _counts(sex: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from foresight.mortality import hmd_surface

    _check_sex(sex)
    d = hmd_surface(_read_nld("Deaths_1x1.txt"), sex)
    e = hmd_surface(_read_nld("Exposures_1x1.txt"), sex)
    if not (d.index.equals(e.index) and d.columns.equals(e.columns)):
        raise DataError("deaths and exposures cover different years or ages",
                        file="data/mortality/hmd/NLD/Exposures_1x1.txt", column="Year/Age",
                        expected="the same (Year, Age) rows as the deaths file")
    return d.astype(float), e.astype(float)


def netherlands_counts(sex: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deaths and exposures (person-years) of one sex: age (0-110) x year (1850-2019)."""
    d, e = _counts(sex)
    return d.copy(), e.copy()


def _check_sex(sex: str) -> None:
    if sex not in SEXES:
        raise DataError(f"unknown sex {sex!r}", column="sex", expected="'female' or 'male'")


# ---------------------------------------------------------------- Kannisto graduation
@dataclass(frozen=True)
class KannistoFit:
    """Kannisto's law fitted to one or more schedules (columns) by Poisson likelihood.

    ``m(x) = a e^{b (x - 80)} / (1 + a e^{b (x - 80)})``; ``log_a`` and ``b``
    hold one value per schedule.
    """

    ages: np.ndarray
    deaths: np.ndarray
    exposures: np.ndarray
    log_a: np.ndarray
    b: np.ndarray
    iterations: int
    converged: bool
    labels: tuple = field(default=())

    def rates(self, ages: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Fitted rates at ``ages`` (default the fitting ages): array ``(ages, schedules)``."""
        x = np.asarray(self.ages if ages is None else ages, dtype=float)
        eta = self.log_a[None, :] + self.b[None, :] * (x[:, None] - KANNISTO_PIVOT)
        return 1.0 / (1.0 + np.exp(-eta))

    def expected_deaths(self) -> np.ndarray:
        """Exposure times fitted rate at the fitting ages, ``(ages, schedules)``."""
        return self.exposures * self.rates()

    def to_frame(self) -> pd.DataFrame:
        """One row per schedule and fitting age: observed and expected deaths, their ratio."""
        n = self.log_a.size
        labels = list(self.labels) if self.labels else list(range(n))
        e = self.expected_deaths()
        return pd.DataFrame({
            "schedule": np.repeat(labels, self.ages.size),
            "age": np.tile(self.ages, n),
            "deaths": self.deaths.T.ravel(),
            "expected": e.T.ravel(),
            "observed_over_expected": (self.deaths / e).T.ravel(),
        })

    def bands(self, width: int = 5) -> pd.DataFrame:
        """Observed and expected deaths summed over age bands of ``width`` years, per schedule.

        Columns ``schedule, ages`` (e.g. ``"80-84"``), ``deaths, expected`` and
        ``ratio`` (observed over expected; 1 where the law fits the band).
        """
        frame = self.to_frame()
        lo = self.ages[0] + (frame["age"] - self.ages[0]) // width * width
        hi = np.minimum(lo + width - 1, self.ages[-1])
        frame["ages"] = lo.astype(str) + "-" + hi.astype(str)
        out = frame.groupby(["schedule", "ages"], sort=False)[["deaths", "expected"]].sum().reset_index()
        out["ratio"] = out["deaths"] / out["expected"]
        return out

    def summary(self) -> str:
        fields = {"schedules": int(self.log_a.size),
                  "fitting ages": f"{int(self.ages[0])}-{int(self.ages[-1])}",
                  "iterations": self.iterations, "converged": self.converged,
                  "observed / expected deaths (all)": float(self.deaths.sum() / self.expected_deaths().sum())}
        if self.log_a.size == 1:
            fields.update({"a": float(np.exp(self.log_a[0])), "b": float(self.b[0])})
        return summary_text("Kannisto law, Poisson maximum likelihood", fields)


def kannisto_fit(deaths, exposures, ages, *, xtol: float = 1e-10, max_iter: int = 100,
                 labels: Sequence = ()) -> KannistoFit:
    """Fit Kannisto's law to deaths and exposures by Poisson maximum likelihood.

    Parameters
    ----------
    deaths, exposures
        Counts and person-years at ``ages``: arrays ``(ages,)`` or
        ``(ages, schedules)`` (each column fitted on its own).
    ages
        The fitting ages (single years).
    xtol
        Fisher scoring stops when a step changes no parameter by more than
        ``xtol`` (relative to ``max(1, |parameter|)``).
    max_iter
        Iterations before giving up with a :class:`foresight.ConvergenceWarning`.
    labels
        Names of the schedules (e.g. years), kept for :meth:`KannistoFit.to_frame`.

    Returns
    -------
    KannistoFit

    Raises
    ------
    DataError
        Negative or missing counts, deaths where the exposure is zero, or a
        schedule with no deaths.
    """
    x = np.asarray(ages, dtype=float)
    d = np.asarray(deaths, dtype=float)
    e = np.asarray(exposures, dtype=float)
    if d.ndim == 1:
        d, e = d[:, None], e[:, None]
    if d.shape != e.shape or d.shape[0] != x.size:
        raise DataError("deaths, exposures and ages do not match", column="age",
                        expected=f"{x.size} rows of deaths and exposures")
    if x.size < 3:
        raise DataError("fewer than three fitting ages", column="age", expected="at least three ages")
    if np.any(~np.isfinite(d) | ~np.isfinite(e) | (d < 0) | (e < 0)):
        raise DataError("missing or negative deaths or exposures at the fitting ages",
                        column="deaths/exposures", expected="finite counts >= 0")
    if np.any((d > 0) & (e <= 0)):
        raise DataError("deaths with zero exposure at the fitting ages", column="exposures",
                        expected="a positive exposure wherever deaths are positive")
    if np.any(d.sum(axis=0) <= 0):
        raise DataError("a schedule with no deaths at the fitting ages", column="deaths",
                        expected="some deaths to fit")
    z = x - KANNISTO_PIVOT
    # start: least squares on the logit of the pooled-by-age observed rates (clipped into (0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.clip(np.where(e > 0, d / e, np.nan), 1e-4, 0.95)
    logit = np.log(m / (1 - m))
    ok = np.isfinite(logit)
    zz = np.where(ok, z[:, None], 0.0)
    n_ok = ok.sum(axis=0)
    zbar = zz.sum(axis=0) / n_ok
    lbar = np.where(ok, logit, 0.0).sum(axis=0) / n_ok
    szz = (np.where(ok, (z[:, None] - zbar) ** 2, 0.0)).sum(axis=0)
    b = np.where(szz > 0, (np.where(ok, (z[:, None] - zbar) * (logit - lbar), 0.0)).sum(axis=0)
                 / np.where(szz > 0, szz, 1.0), 0.1)
    log_a = lbar - b * zbar
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        eta = log_a[None, :] + b[None, :] * z[:, None]
        mu = 1.0 / (1.0 + np.exp(-eta))
        resid = (1.0 - mu) * (d - e * mu)          # d loglik / d eta
        w = e * mu * (1.0 - mu) ** 2                # expected information per age
        g0, g1 = resid.sum(axis=0), (resid * z[:, None]).sum(axis=0)
        i00, i01, i11 = w.sum(axis=0), (w * z[:, None]).sum(axis=0), (w * z[:, None] ** 2).sum(axis=0)
        det = i00 * i11 - i01 ** 2
        s0 = (i11 * g0 - i01 * g1) / det
        s1 = (i00 * g1 - i01 * g0) / det
        log_a, b = log_a + s0, b + s1
        moved = np.maximum(np.abs(s0) / np.maximum(1.0, np.abs(log_a)),
                           np.abs(s1) / np.maximum(1.0, np.abs(b)))
        if np.all(moved < xtol):
            converged = True
            break
    if not converged:
        warnings.warn(f"Kannisto fit did not converge in {max_iter} iterations (step tolerance {xtol:g})",
                      ConvergenceWarning, stacklevel=2)
    return KannistoFit(ages=x.astype(int), deaths=d, exposures=e, log_a=log_a, b=b, iterations=it,
                       converged=converged, labels=tuple(labels))


def graduated_rates(deaths: pd.DataFrame, exposures: pd.DataFrame, *,
                    fit_ages: tuple[int, int] = (80, 99), from_age: int = 90) -> pd.DataFrame:
    """Observed rates below ``from_age``, Kannisto's law from ``from_age`` to 110.

    Parameters
    ----------
    deaths, exposures
        Surfaces age (0-110) x year, e.g. :func:`netherlands_counts`.
    fit_ages
        Ages (inclusive) at which the law is fitted, year by year.
    from_age
        First age at which the fitted law replaces the observed rate.

    Returns
    -------
    pandas.DataFrame
        Rates per person-year, age 0-110 x year; ``attrs["fit"]`` is the
        :class:`KannistoFit` of every year.

    Raises
    ------
    DataError
        Fitting ages outside the data or above ``from_age``'s range, or an
        observed rate below ``from_age`` with zero exposure.
    """
    lo, hi = (int(a) for a in fit_ages)
    ages = deaths.index.to_numpy(dtype=int)
    if not (ages[0] <= lo < hi <= ages[-1]) or not (lo <= from_age <= MAX_AGE):
        raise DataError(f"fitting ages {lo}-{hi} and first fitted age {from_age} do not fit the data",
                        column="age", expected=f"{ages[0]} <= first fitting age <= first fitted age <= {MAX_AGE}")
    fit = kannisto_fit(deaths.loc[lo:hi].to_numpy(), exposures.loc[lo:hi].to_numpy(),
                       np.arange(lo, hi + 1), labels=tuple(deaths.columns))
    below = np.arange(0, from_age)
    d, e = deaths.loc[below].to_numpy(), exposures.loc[below].to_numpy()
    if np.any(e <= 0):
        i, j = np.argwhere(e <= 0)[0]
        raise DataError(f"zero exposure at age {below[i]} in {deaths.columns[j]}", column="Exposures",
                        expected="a positive exposure at every age below the fitted ages")
    out = np.vstack([d / e, fit.rates(np.arange(from_age, MAX_AGE + 1))])
    frame = pd.DataFrame(out, index=pd.Index(AGES, name="age"), columns=deaths.columns)
    frame.attrs["fit"] = fit
    return frame


@lru_cache(maxsize=16)
def _observed(sex: str, fit_ages: tuple[int, int], from_age: int, first_year: int) -> pd.DataFrame:
    d, e = _counts(sex)
    years = d.columns[d.columns >= first_year]
    return graduated_rates(d[years], e[years], fit_ages=fit_ages, from_age=from_age)


#: First calendar year of the graduated surface (every cohort born since 1900 is covered).
FIRST_YEAR = 1900


def observed_rates(sex: str, *, fit_ages: tuple[int, int] = (80, 99), from_age: int = 90) -> pd.DataFrame:
    """Graduated observed Dutch rates (:func:`graduated_rates`), age 0-110 x year 1900-2019."""
    _check_sex(sex)
    return _observed(sex, tuple(int(a) for a in fit_ages), int(from_age), FIRST_YEAR).copy()


# ---------------------------------------------------------------- improvement rule
def _group_of(ages: np.ndarray, groups: Sequence[int]) -> np.ndarray:
    g = np.asarray(groups, dtype=int)
    if g[0] != 0 or np.any(np.diff(g) <= 0):
        raise DataError(f"age groups {tuple(groups)} must start at 0 and increase", column="groups",
                        expected="increasing lower bounds from 0")
    return np.searchsorted(g, ages, side="right") - 1


def _log_group_rates(deaths: pd.DataFrame, exposures: pd.DataFrame, years: np.ndarray,
                     groups: Sequence[int], standardised: bool) -> np.ndarray:
    """Log of each group's rate in each year: array ``(groups, years)``."""
    if years[0] < deaths.columns.min() or years[-1] > deaths.columns.max():
        raise DataError(f"years {years[0]}-{years[-1]} are outside the data", column="year",
                        expected=f"years within {deaths.columns.min()}-{deaths.columns.max()}")
    ages = deaths.index.to_numpy(dtype=int)
    grp = _group_of(ages, groups)
    member = (grp[None, :] == np.arange(len(groups))[:, None]).astype(float)   # groups x ages
    dd, ee = deaths[years].to_numpy(dtype=float), exposures[years].to_numpy(dtype=float)
    if standardised:
        seen = np.all(ee > 0, axis=1)                                     # a rate in every year
        weight = member * np.where(seen, ee.sum(axis=1), 0.0)[None, :]    # the standard population
        total = weight.sum(axis=1)
        if np.any(total <= 0):
            raise DataError("an age group with no exposure in the window", column="exposures",
                            expected="exposure at some age of every group in every year")
        m = np.where(seen[:, None], dd / np.where(ee > 0, ee, 1.0), 0.0)
        rate = (weight @ m) / total[:, None]
    else:
        e = member @ ee
        if np.any(e <= 0):
            raise DataError("an age group with no exposure in the window", column="exposures",
                            expected="exposure in every group and year")
        rate = (member @ dd) / e
    if np.any(rate <= 0):
        raise DataError("an age group with no deaths in some year of the window", column="deaths",
                        expected="deaths in every group and year")
    return np.log(rate)


def _trend_table(y: np.ndarray, years: np.ndarray, groups: Sequence[int]) -> pd.DataFrame:
    """Least-squares slope of each row of ``y`` (log rates) on the years, as an improvement table."""
    t = years - years.mean()
    beta = (y * t).sum(axis=1) / (t ** 2).sum()
    resid = y - y.mean(axis=1, keepdims=True) - beta[:, None] * t
    se = np.sqrt((resid ** 2).sum(axis=1) / max(t.size - 2, 1) / (t ** 2).sum())
    upper = [*groups[1:], MAX_AGE + 1]
    return pd.DataFrame({"age_from": list(groups), "age_to": [u - 1 for u in upper],
                         "improvement": 1.0 - np.exp(beta), "standard_error": se,
                         "first_year": int(years[0]), "last_year": int(years[-1])})


def _window_years(origin: int, window: int) -> np.ndarray:
    if int(window) < 2:
        raise DataError(f"window {window} to {origin} is too short", column="year",
                        expected="a window of at least two years")
    return np.arange(int(origin) - int(window), int(origin) + 1)


def improvement_table(deaths: pd.DataFrame, exposures: pd.DataFrame, *, origin: int, window: int,
                      groups: Sequence[int] = AGE_GROUPS, standardised: bool = True) -> pd.DataFrame:
    """The average annual improvement of each age group over the ``window`` years to ``origin``.

    For each group and every year from ``origin - window`` to ``origin`` the
    group's rate is computed, a least-squares line is fitted through its
    logarithm with slope ``beta``, and the improvement is ``1 - exp(beta)``
    (the fall per year of the fitted rate).

    The group's rate is, by default, *directly standardised*: the single-age
    rates ``D/E`` of each year weighted by one standard population, the
    group's exposures summed over the window's years. A group's crude rate
    ``sum D / sum E`` also moves when its age mix moves (more of the 90-110
    group above 95 as survival improves), and then shows a stall or a rise
    that no single age has. An age with no exposure in some year of the
    window has no rate there and gets weight 0 in every year (the standard
    stays fixed); at the oldest ages this leaves out a few person-years.
    ``standardised=False`` gives the crude rate.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``age_from, age_to, improvement`` (fraction per
        year), ``standard_error`` (of ``beta``, least squares) and
        ``first_year, last_year``.
    """
    years = _window_years(origin, window)
    return _trend_table(_log_group_rates(deaths, exposures, years, groups, standardised), years, groups)


def two_sex_improvement(counts: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]], *, origin: int,
                        window: int, groups: Sequence[int] = AGE_GROUPS,
                        standardised: bool = True) -> pd.DataFrame:
    """One improvement for both sexes: the trend of the mean of their log rates, group by group.

    ``counts`` maps ``"female"`` and ``"male"`` to their deaths and exposures.
    The slope of the mean of the two log rates is the mean of the two sexes'
    slopes (least squares is linear), so the improvement is
    ``1 - exp((beta_women + beta_men) / 2)``: the fall of the geometric mean of
    the two rates. Applied to both sexes, it keeps the ratio of men's to
    women's death rates at its base value at every age, so the projected
    sexes can neither cross nor drift apart; the standard error is that of
    the averaged series. Columns as :func:`improvement_table`.
    """
    years = _window_years(origin, window)
    y = np.mean([_log_group_rates(*counts[s], years, groups, standardised) for s in SEXES], axis=0)
    return _trend_table(y, years, groups)


def improvement_by_age(deaths: pd.DataFrame, exposures: pd.DataFrame, *, origin: int, window: int,
                       groups: Sequence[int] = AGE_GROUPS, standardised: bool = True) -> pd.Series:
    """:func:`improvement_table` spread to single ages 0-110 (each age takes its group's rate)."""
    table = improvement_table(deaths, exposures, origin=origin, window=window, groups=groups,
                              standardised=standardised)
    return spread_to_ages(table, groups)


def spread_to_ages(table: pd.DataFrame, groups: Sequence[int] = AGE_GROUPS) -> pd.Series:
    """A table of improvement by age group as a series by single age 0-110."""
    rate = table["improvement"].to_numpy()[_group_of(AGES, groups)]
    return pd.Series(rate, index=pd.Index(AGES, name="age"), name="improvement")


# ---------------------------------------------------------------- the benchmark
@dataclass(frozen=True)
class DutchBenchmark:
    """The actuary's view in ``survey_year``, from observed Dutch mortality (HMD).

    Parameters
    ----------
    survey_year
        Year of the survey (the paper does not state it; 2012 in the book).
    window
        Years of observed trend behind the improvement rule.
    fit_ages, from_age
        Kannisto graduation of the old ages (:func:`graduated_rates`).
    rate
        A uniform improvement at every age instead of the rule (a variant), or
        ``None`` for the rule.
    origin
        Last observed year used; default ``survey_year - 1`` (the last full
        year an actuary could have observed). A later origin replaces the
        projection of the years up to it by what was observed (hindsight).
    base_years
        Years pooled for the base rates (the last ``base_years`` to the
        origin), dated at their middle.
    groups
        Lower bounds of the age groups of the rule.
    standardised
        ``True`` (the book's rule): each group's trend is that of its
        directly standardised rate; ``False``: of its crude rate (the rule
        of an earlier version of the chapter, kept for the record).
    trend_to
        Last year of the trend window; default the origin. A later year is
        not what an actuary could have known: it serves only to separate the
        effect of the survey year on the trend from its effect on the base
        rates.
    by_sex
        ``False`` (the book's rule): both sexes improve at the average of the
        two sexes' trends (:func:`two_sex_improvement`). ``True`` (a variant):
        each sex at its own trend, which carries each generation's smoking
        history forward and, held for decades, makes men's death rates fall
        below women's in late middle age.
    """

    survey_year: int = 2012
    window: int = 20
    fit_ages: tuple[int, int] = (80, 99)
    from_age: int = 90
    rate: float | None = None
    origin: int | None = None
    base_years: int = 3
    groups: tuple[int, ...] = AGE_GROUPS
    by_sex: bool = False
    trend_to: int | None = None
    standardised: bool = True

    @property
    def origin_year(self) -> int:
        return int(self.survey_year) - 1 if self.origin is None else int(self.origin)

    def with_(self, **changes) -> "DutchBenchmark":
        """A copy with some settings changed."""
        return replace(self, **changes)

    def improvement(self, sex: str) -> pd.Series:
        """Annual improvement by single age (fraction), the rule's or the uniform ``rate``."""
        if self.rate is not None:
            return pd.Series(float(self.rate), index=pd.Index(AGES, name="age"), name="improvement")
        return spread_to_ages(self.improvement_table(sex), self.groups)

    @property
    def trend_end(self) -> int:
        """Last year of the trend window (the origin unless ``trend_to`` says otherwise)."""
        return self.origin_year if self.trend_to is None else int(self.trend_to)

    def improvement_table(self, sex: str) -> pd.DataFrame:
        """The rule's improvement by age group for ``sex`` (:func:`improvement_table` columns)."""
        _check_sex(sex)
        return _improvement(sex if self.by_sex else "both", self.trend_end, int(self.window),
                            tuple(int(g) for g in self.groups), bool(self.standardised)).copy()

    @property
    def base_date(self) -> float:
        """Calendar year the base rates stand for: the middle of the pooled years."""
        return self.origin_year - (int(self.base_years) - 1) / 2.0

    def base_rates(self, sex: str) -> pd.Series:
        """Graduated rates of the ``base_years`` to the origin, pooled (ages 0-110)."""
        _check_sex(sex)
        return _base(sex, self.origin_year, int(self.base_years), tuple(int(a) for a in self.fit_ages),
                     int(self.from_age)).copy()

    def rates(self, sex: str, years: Sequence[int] | np.ndarray) -> np.ndarray:
        """Death rates, array ``(111 ages, len(years))``: observed up to the origin, projected after."""
        _check_sex(sex)
        obs = _observed(sex, tuple(int(a) for a in self.fit_ages), int(self.from_age), FIRST_YEAR)
        o = self.origin_year
        years = np.asarray(years, dtype=int)
        if years.size and years.min() < obs.columns.min():
            raise DataError(f"year {years.min()} is before the graduated data", column="year",
                            expected=f"years from {obs.columns.min()}")
        base = self.base_rates(sex).to_numpy()
        r = self.improvement(sex).to_numpy()
        steps = np.maximum(years - self.base_date, 0.0)
        projected = base[:, None] * (1.0 - r[:, None]) ** steps[None, :]
        past = obs.reindex(columns=np.minimum(years, o)).to_numpy()
        return np.where((years <= o)[None, :], past, projected)


@lru_cache(maxsize=64)
def _improvement(sex: str, origin: int, window: int, groups: tuple[int, ...],
                 standardised: bool = True) -> pd.DataFrame:
    """The rule's table for one sex, or for both (``sex="both"``: :func:`two_sex_improvement`)."""
    if sex == "both":
        return two_sex_improvement({s: _counts(s) for s in SEXES}, origin=origin, window=window, groups=groups,
                                   standardised=standardised)
    return improvement_table(*_counts(sex), origin=origin, window=window, groups=groups,
                             standardised=standardised)


@lru_cache(maxsize=64)
def _base(sex: str, origin: int, base_years: int, fit_ages: tuple[int, int], from_age: int) -> pd.Series:
    d, e = _counts(sex)
    years = np.arange(origin - base_years + 1, origin + 1)
    if base_years < 1 or years[0] < d.columns.min() or origin > d.columns.max():
        raise DataError(f"base years {years[0]}-{origin} are outside the observed years", column="year",
                        expected=f"years within {d.columns.min()}-{d.columns.max()}")
    pooled = graduated_rates(d[years].sum(axis=1).to_frame(origin), e[years].sum(axis=1).to_frame(origin),
                             fit_ages=fit_ages, from_age=from_age)
    out = pooled[origin].rename("mx")
    out.attrs["fit"] = pooled.attrs["fit"]
    return out
