"""One back-test engine for any set of projection methods on any HMD population.

:func:`backtest` projects, from each origin ``T``, the period life expectancy at birth
and at 65 of every later year up to ``last_year``, with every method given to it (any
:class:`~foresight.mortality.forecasters.Forecaster`), from the data up to ``T`` only (a
:class:`~foresight.mortality.forecasters.History`), and sets each projection beside what
was observed. Observed and projected life tables are closed alike (single-year rates to
age 94, the Kannisto model above it), so an error compares rates, not closures. The
result is one tidy table, the layout of ``backtest.csv`` written by ``python -m foresight
mortality backtest``: ``population, sex, method, origin, year, horizon, measure,
projected, observed, error`` (error = projected minus observed, years).

The summaries read that table only:

* :func:`band_summary`: mean absolute and mean signed error by method, measure and band
  of horizons (1-5, 6-10, 11-20 years), with the number of population-origin pairs
  behind each cell;
* :func:`horizon_curve`: mean absolute error by method, measure and horizon;
* :func:`sign_tests`: does one method beat each rival across populations? At a fixed
  horizon each population's errors are averaged over its origins and both sexes (the
  origins of one population overlap in time, so they are not independent), and an exact
  two-sided sign test counts the populations where the method's error is smaller.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.mortality.forecasters import (
    DATA_TOP_AGE,
    SEXES,
    WINDOW,
    Forecaster,
    History,
    extend,
)
from foresight.mortality.lifetable import life_expectancy, life_tables
from foresight.mortality.populations import HMDPopulation

__all__ = [
    "BANDS",
    "COLUMNS",
    "MEASURES",
    "band_summary",
    "backtest",
    "default_origins",
    "expectancy",
    "horizon_curve",
    "observed_expectancy",
    "project_origin",
    "sign_tests",
]

#: Ages at which period life expectancy is scored, and their names in the ``measure`` column.
MEASURES: dict[str, int] = {"e0": 0, "e65": 65}
#: Bands of horizons (years after the origin, inclusive) of the summaries.
BANDS: tuple[tuple[int, int], ...] = ((1, 5), (6, 10), (11, 20))
#: Columns of the back-test table, in order.
COLUMNS: tuple[str, ...] = ("population", "sex", "method", "origin", "year", "horizon", "measure",
                            "projected", "observed", "error")


def expectancy(rates: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Period life expectancy at the ages of :data:`MEASURES`, by sex: year x measure."""
    out = {}
    for sex in SEXES:
        lt = life_tables(rates[sex], sex=sex)
        out[sex] = pd.DataFrame({m: np.asarray(life_expectancy(lt, age), dtype=float)
                                 for m, age in MEASURES.items()},
                                index=pd.Index(np.asarray(rates[sex].columns, dtype=int), name="year"))
    return out


def observed_expectancy(population: HMDPopulation, years: Sequence[int], *,
                        max_age: int = DATA_TOP_AGE) -> dict[str, pd.DataFrame]:
    """Observed period e0 and e65 by sex and year, tables closed as the projections are.

    Single-year rates ``D / E`` to :data:`~foresight.mortality.forecasters.RATE_TOP_AGE`
    and the Kannisto model above it (:func:`~foresight.mortality.forecasters.extend`).
    """
    years = sorted(int(y) for y in years)
    rates = {}
    for sex in SEXES:
        d, e = population.surfaces(sex, first=years[0], last=years[-1], max_age=max_age)
        rates[sex] = extend((d / e).loc[:, years])
    return expectancy(rates)


def default_origins(population: HMDPopulation, *, first: int = 1980, step: int = 5,
                    window: int = WINDOW, last_year: int | None = None) -> list[int]:
    """Origins every ``step`` years from ``first``, as the data allow.

    An origin needs ``window`` years of data before it and at least one later year
    to score (up to ``last_year``, default the population's last year).
    """
    last = population.last_year if last_year is None else min(int(last_year), population.last_year)
    return [t for t in range(int(first), last, int(step)) if t - window >= population.first_year]


def _names(methods: Sequence[Forecaster]) -> list[str]:
    names = [m.name for m in methods]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise DataError(f"two methods share the name {dup[0]!r}", column="method",
                        expected="a different name for each method")
    return names


def project_origin(population: HMDPopulation, origin: int, methods: Sequence[Forecaster],
                   years: Sequence[int], *, window: int = WINDOW,
                   max_age: int = DATA_TOP_AGE) -> pd.DataFrame:
    """Every method's projected e0 and e65 from one origin: ``method, sex, year, measure, projected``.

    The methods see a :class:`~foresight.mortality.forecasters.History` built from the
    population truncated at ``origin``; the smoothing they share is computed once.
    """
    history = History(population, origin, window=window, max_age=max_age)
    parts = []
    for method in methods:
        rates = method.project(history, years)
        for sex, table in expectancy(rates).items():
            long = table.reset_index().melt(id_vars="year", var_name="measure", value_name="projected")
            long.insert(0, "sex", sex)
            long.insert(0, "method", method.name)
            parts.append(long)
    return pd.concat(parts, ignore_index=True)


def _assemble(population: HMDPopulation, projected: pd.DataFrame, observed: dict[str, pd.DataFrame],
              order: Sequence[str]) -> pd.DataFrame:
    obs = pd.concat({sex: t.stack().rename("observed") for sex, t in observed.items()}, names=["sex"])
    obs = obs.reset_index().rename(columns={"level_2": "measure"})
    out = projected.merge(obs, on=["sex", "year", "measure"], how="left", validate="many_to_one")
    if out["observed"].isna().any():  # pragma: no cover - the engine asks only for observed years
        raise RuntimeError("a projected year without an observed value")
    out["population"] = population.code
    out["horizon"] = out["year"] - out["origin"]
    out["error"] = out["projected"] - out["observed"]
    out["method"] = pd.Categorical(out["method"], categories=list(order), ordered=True)
    out["measure"] = pd.Categorical(out["measure"], categories=list(MEASURES), ordered=True)
    out["sex"] = pd.Categorical(out["sex"], categories=list(SEXES), ordered=True)
    out = out.sort_values(["method", "sex", "origin", "measure", "year"], ignore_index=True)
    for col in ("method", "measure", "sex"):
        out[col] = out[col].astype(str)
    return out.loc[:, list(COLUMNS)]


def backtest(population: HMDPopulation, methods: Sequence[Forecaster],
             origins: Sequence[int] | None = None, *, last_year: int | None = None,
             window: int = WINDOW, max_age: int = DATA_TOP_AGE) -> pd.DataFrame:
    """Rolling-origin back-test of ``methods`` on one population.

    Parameters
    ----------
    population
        Any HMD population (:func:`~foresight.mortality.populations.hmd_population`,
        :func:`~foresight.mortality.populations.read_hmd_folder`).
    methods
        Forecasters with distinct names.
    origins
        Last years of data used (default :func:`default_origins`).
    last_year
        Last year projected and scored (default: the population's last year).
    window, max_age
        Years before each origin that the methods fit, and the top single age used.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per method, sex, origin, measure and year
        ``origin + 1 .. last_year``; sorted by method (in the order given), sex,
        origin, measure and year.

    Raises
    ------
    DataError
        An origin without ``window`` years of data before it or without a later
        year to score, methods with the same name, or the data problems
        :meth:`~foresight.mortality.populations.HMDPopulation.surfaces` finds.
    """
    order = _names(methods)
    last = population.last_year if last_year is None else int(last_year)
    if last > population.last_year:
        raise DataError(f"last year {last} is after the data ({population.last_year})", column="last_year",
                        expected=f"a year up to {population.last_year}")
    origins = default_origins(population, window=window, last_year=last) if origins is None \
        else sorted(int(t) for t in origins)
    if not origins:
        raise DataError(f"no origin of {population.code} has {window} years of data before it and a year "
                        f"after it up to {last}", column="origin",
                        expected=f"data from {population.first_year} to at least "
                                 f"{population.first_year + window + 1}")
    for t in origins:
        if t >= last:
            raise DataError(f"origin {t} leaves no year to score up to {last}", column="origin",
                            expected=f"origins before {last}")
    observed = observed_expectancy(population, range(min(origins) + 1, last + 1), max_age=max_age)
    parts = []
    for t in origins:
        proj = project_origin(population, t, methods, range(t + 1, last + 1), window=window, max_age=max_age)
        proj.insert(0, "origin", t)
        parts.append(proj)
    return _assemble(population, pd.concat(parts, ignore_index=True), observed, order)


# ------------------------------------------------------------------ summaries
def _band(h: pd.Series, bands: Sequence[tuple[int, int]]) -> pd.Series:
    labels = pd.Series(pd.NA, index=h.index, dtype="object")
    for lo, hi in bands:
        labels[(h >= lo) & (h <= hi)] = f"{lo}-{hi}"
    return labels


def band_summary(table: pd.DataFrame, *, bands: Sequence[tuple[int, int]] = BANDS,
                 methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean absolute and mean signed error by method, measure and band of horizons.

    Every projected year in a band counts once (each population, sex and origin that
    reaches it). Returns one row per method and band (methods in the table's order,
    or ``methods``): ``method, band, mae_e0, bias_e0, mae_e65, bias_e65, pairs`` (the
    number of population-origin pairs behind the cell) and ``years`` (projected years
    per sex and measure).
    """
    t = table.assign(band=_band(table["horizon"], bands)).dropna(subset=["band"])
    order = list(dict.fromkeys(table["method"])) if methods is None else list(methods)
    t = t[t["method"].isin(order)]
    t = t.assign(abs_error=t["error"].abs())
    g = t.groupby(["method", "band", "measure"], sort=False)
    stats = g.agg(mae=("abs_error", "mean"), bias=("error", "mean")).unstack("measure")
    stats.columns = [f"{a}_{b}" for a, b in stats.columns]
    e0 = t[(t["measure"] == "e0") & (t["sex"] == SEXES[0])]
    pairs = e0.groupby(["method", "band"])[["population", "origin"]].apply(
        lambda x: len(x.drop_duplicates()))
    years = e0.groupby(["method", "band"]).size()
    out = stats.join(pairs.rename("pairs")).join(years.rename("years")).reset_index()
    band_order = [f"{lo}-{hi}" for lo, hi in bands]
    out["method"] = pd.Categorical(out["method"], categories=order, ordered=True)
    out["band"] = pd.Categorical(out["band"], categories=band_order, ordered=True)
    out = out.sort_values(["method", "band"], ignore_index=True)
    out["method"], out["band"] = out["method"].astype(str), out["band"].astype(str)
    cols = ["method", "band"] + [f"{s}_{m}" for m in MEASURES for s in ("mae", "bias")] + ["pairs", "years"]
    return out.loc[:, cols]


def horizon_curve(table: pd.DataFrame, *, max_horizon: int | None = None) -> pd.DataFrame:
    """Mean absolute error by method, measure and horizon, with the population-origin pairs behind it.

    Columns ``method, measure, horizon, mae, bias, pairs, populations``.
    """
    t = table if max_horizon is None else table[table["horizon"] <= max_horizon]
    t = t.assign(abs_error=t["error"].abs())
    g = t.groupby(["method", "measure", "horizon"], sort=False)
    out = g.agg(mae=("abs_error", "mean"), bias=("error", "mean"))
    pairs = t.drop_duplicates(["method", "measure", "horizon", "population", "origin"]).groupby(
        ["method", "measure", "horizon"], sort=False).size()
    pops = t.drop_duplicates(["method", "measure", "horizon", "population"]).groupby(
        ["method", "measure", "horizon"], sort=False).size()
    out = out.join(pairs.rename("pairs")).join(pops.rename("populations")).reset_index()
    return out.sort_values(["method", "measure", "horizon"], key=lambda s: s.map(
        {m: i for i, m in enumerate(dict.fromkeys(table["method"]))}) if s.name == "method" else s,
        ignore_index=True)


def population_errors(table: pd.DataFrame, *, horizon: int, measure: str = "e0") -> pd.DataFrame:
    """Mean absolute error of each method in each population at one horizon.

    Averaged over the population's origins that reach the horizon and both sexes.
    Returns populations x methods.
    """
    t = table[(table["horizon"] == int(horizon)) & (table["measure"] == measure)]
    t = t.assign(abs_error=t["error"].abs())
    wide = t.pivot_table(index="population", columns="method", values="abs_error", aggfunc="mean",
                         sort=False)
    return wide.loc[:, list(dict.fromkeys(t["method"]))]


def sign_tests(table: pd.DataFrame, method: str, rivals: Sequence[str], *, horizon: int = 10,
               measure: str = "e0", populations: Sequence[str] | None = None) -> pd.DataFrame:
    """Exact sign tests of ``method`` against each rival, over populations, at one horizon.

    Each population's mean absolute error at ``horizon`` (over its origins and both
    sexes; see :func:`population_errors`) is one paired observation, so overlapping
    origins of one population count once. ``populations``: the independent populations
    (default all in the table).

    Returns
    -------
    pandas.DataFrame
        One row per rival: ``rival, populations, wins`` (populations where ``method``
        has the smaller error), ``losses``, ``ties``, ``median_difference`` (method
        minus rival, years), ``p_value`` (exact two-sided binomial test of wins against
        losses, ties left out).
    """
    from scipy.stats import binomtest

    wide = population_errors(table, horizon=horizon, measure=measure)
    if populations is not None:
        missing = [p for p in populations if p not in wide.index]
        if missing:
            raise DataError(f"population {missing[0]!r} has no projection {horizon} years ahead",
                            column="population", expected="populations whose origins reach the horizon")
        wide = wide.loc[list(populations)]
    rows = []
    for rival in rivals:
        diff = (wide[method] - wide[rival]).to_numpy(dtype=float)
        wins, losses = int((diff < 0).sum()), int((diff > 0).sum())
        ties = int((diff == 0).sum())
        p = float(binomtest(wins, wins + losses, 0.5).pvalue) if wins + losses else 1.0
        rows.append({"rival": rival, "populations": int(diff.size), "wins": wins, "losses": losses,
                     "ties": ties, "median_difference": float(np.median(diff)), "p_value": p})
    return pd.DataFrame(rows)
