"""The ONS 2014-based mortality projection as a parameterised model.

The method of the ONS chapter (sections 4 and 7), step by step:

1. **Initial improvement rates** ``r(x) = 1 - m(x, t0) / m(x, t0 - 1)`` from
   a smoothed surface of central death rates whose last year is ``t0``
   (ONS: 2011, from a P-spline fitted to 1961-2013).
2. **Carry forward to the base year** ``b`` (ONS: 2014): the rates of ``t0``
   are applied again in each year ``t0 + 1 .. b``, by *cohort* for people born
   before ``cohort_split`` (1960: a cohort keeps the improvement it had in
   ``t0``) and by *age* (period) for those born in that year or later. The
   base-year rates are ``m(x, t0)`` times the product of ``1 - r``.
3. **Convergence** from the base-year rates ``R0`` to the target rates ``T``
   by the target year ``b + convergence_years`` (ONS: 25 years, 2039), again
   by cohort for those born before 1960 (``R0`` is the rate the cohort had in
   the base year, ``T`` its cohort target) and by calendar year otherwise.
   The path is ``r(t) = T + (R0 - T) * (1 - s) ** p`` with
   ``s = (t - b) / convergence_years``. ``p = 1`` is linear; ``p > 1``
   converges faster than linear at first, which makes the cumulative
   reduction smaller than under linear interpolation where ``R0 > T`` and
   larger where ``R0 < T`` - the two properties ONS state (section 7). ONS
   do not publish the curve; ``p`` is a parameter for each sex, larger for
   males ("more rapidly for males than females"). The defaults
   (2.0 for males, 1.5 for females) are this compendium's assumption.
4. **After the target year** the rates stay at their targets, by cohort for
   the cohorts born before 1960 (so the 1925-38 cohorts keep their higher
   rates for life) and by age otherwise.
5. **Cohort targets** (2014-based): 1.2 % a year for most cohorts; rising
   from 1.2 % (born 1923) to 2.5 % (born 1931 and 1932) and back to 1.2 %
   (born 1939 and later); 1.0 % for those born 1911 to 1922, falling linearly
   to 0.1 % for those born in 1902 and earlier (linear between the stated
   points).
6. **Male rates are not allowed below female rates** at the same age and year
   (projected years only).

Conventions: improvement rates are fractions per year (0.012 = 1.2 %);
``mx`` are central death rates per person-year; surfaces are DataFrames
indexed by ``age`` (consecutive whole ages) with consecutive calendar years
as columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.results import summary_text
from foresight.mortality.lifetable import (
    LifeTables,
    cohort_rates,
    life_expectancy,
    life_tables,
    median_age_at_death,
)

__all__ = [
    "ONS_2014_COHORT_TARGETS",
    "Projection",
    "ProjectionAssumptions",
    "cohort_target_rates",
    "convergence_weight",
    "elt_smoothing_rms",
    "improvement_surface",
    "kannisto_extend",
    "long_history_surfaces",
    "median_ages",
    "project_mortality",
    "survival_curves",
]

SEXES = ("male", "female")

#: ONS 2014-based target rates of improvement in the target year by year of
#: birth, as (cohort, rate) points joined linearly (section 7 of the chapter).
#: Cohorts before the first point take its rate; after the last, ``target_rate``.
ONS_2014_COHORT_TARGETS: tuple[tuple[int, float], ...] = (
    (1902, 0.001),
    (1911, 0.010),
    (1922, 0.010),
    (1923, 0.012),
    (1931, 0.025),
    (1932, 0.025),
    (1939, 0.012),
)


@dataclass(frozen=True)
class ProjectionAssumptions:
    """Assumptions of an ONS-style projection; defaults are the 2014-based ones.

    Attributes
    ----------
    base_year
        First projected year (ONS: 2014); rates are carried forward from the
        last year of the smoothed surface up to it.
    convergence_years
        Years from the base year to the target year (ONS: 25, so 2039).
    target_rate
        Long-term improvement (fraction a year) for ages and cohorts without
        a cohort-specific target (ONS: 0.012).
    cohort_targets
        ``(birth year, rate)`` points of the cohort-specific targets, joined
        linearly; ``()`` for a uniform ``target_rate``. Values above the
        ``target_rate`` baseline are *not* rescaled when ``target_rate``
        changes; use :meth:`with_target` to shift the whole schedule.
    cohort_split
        Cohorts born before this year converge by cohort; later ones by
        calendar year (ONS: 1960).
    convergence_power
        Exponent ``p`` of the convergence path by sex (see module docstring).
    convergence_power_below
        Exponent used where the base-year rate is below the target; ``None``
        = the same as ``convergence_power``.
    male_not_below_female
        Raise projected male rates to the female rate where they fall below.
    end_year
        Last projected year (at least 2114; the default lets the cohort born
        in 2031 reach the top age, 110 in the book's run, for Figure 4.11).
    """

    base_year: int = 2014
    convergence_years: int = 25
    target_rate: float = 0.012
    cohort_targets: tuple[tuple[int, float], ...] = ONS_2014_COHORT_TARGETS
    cohort_split: int = 1960
    convergence_power: Mapping[str, float] = field(
        default_factory=lambda: {"male": 2.0, "female": 1.5}
    )
    convergence_power_below: Mapping[str, float] | None = None
    male_not_below_female: bool = True
    end_year: int = 2150

    @property
    def target_year(self) -> int:
        """Year by which the target rates are reached (ONS: 2039)."""
        return self.base_year + self.convergence_years

    def with_target(self, rate: float) -> "ProjectionAssumptions":
        """The same assumptions with every target shifted by ``rate - target_rate``.

        The cohort-specific differentials (e.g. the 1931-32 peak) keep their
        size relative to the general target, so a sensitivity run varies the
        level of long-term improvement without removing the cohort pattern.
        Rates are floored at zero.
        """
        shift = rate - self.target_rate
        pts = tuple((c, max(0.0, r + shift)) for c, r in self.cohort_targets)
        return replace(self, target_rate=rate, cohort_targets=pts)


def cohort_target_rates(
    cohorts: Sequence[int] | np.ndarray,
    assumptions: ProjectionAssumptions | None = None,
) -> np.ndarray:
    """Target rate of improvement in the target year for each year of birth.

    Linear between the ``cohort_targets`` points, the first point's rate
    before them and ``target_rate`` after them (fractions per year).
    """
    a = ProjectionAssumptions() if assumptions is None else assumptions
    c = np.asarray(cohorts, dtype=float)
    if not a.cohort_targets:
        return np.full(c.shape, a.target_rate)
    xs = np.array([p[0] for p in a.cohort_targets], dtype=float)
    ys = np.array([p[1] for p in a.cohort_targets], dtype=float)
    out = np.interp(c, xs, ys, left=ys[0], right=a.target_rate)
    return np.where(c > xs[-1], a.target_rate, out)


def convergence_weight(s: np.ndarray | float, power: float | np.ndarray) -> np.ndarray:
    """Share of the initial excess over target left at fraction ``s`` of the way.

    ``(1 - s) ** power`` for ``s`` in [0, 1], 0 beyond: 1 at the base year,
    0 from the target year on. ``power = 1`` is linear convergence.
    """
    s = np.clip(np.asarray(s, dtype=float), 0.0, 1.0)
    return (1.0 - s) ** np.asarray(power, dtype=float)


def improvement_surface(mx: pd.DataFrame) -> pd.DataFrame:
    """Annual improvement rates ``1 - m(x, t) / m(x, t - 1)`` of a rate surface.

    The first year has no predecessor and is dropped. Positive = falling
    mortality.
    """
    _check_surface(mx, "mx")
    arr = mx.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        imp = 1.0 - arr[:, 1:] / arr[:, :-1]
    return pd.DataFrame(imp, index=mx.index, columns=mx.columns[1:])


def _check_surface(surface: pd.DataFrame, name: str, *, annual: bool = True) -> None:
    if not isinstance(surface, pd.DataFrame):
        raise DataError(f"{name} must be a DataFrame (ages x years)", column=name)
    ages = np.asarray(surface.index, dtype=float)
    years = np.asarray(surface.columns, dtype=float)
    if ages.size < 2 or years.size < 2:
        raise DataError(f"{name} needs at least two ages and two years", column=name)
    gaps = np.any(np.diff(years) != 1) if annual else np.any(np.diff(years) <= 0)
    if np.any(np.diff(ages) != 1) or gaps or np.any(ages % 1) or np.any(years % 1):
        raise DataError(
            f"{name}: ages and years must be consecutive whole numbers",
            column=name,
            expected="an age x year grid in steps of one",
        )
    values = surface.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        bad = np.argwhere(~(np.isfinite(values) & (values > 0)))[0]
        raise DataError(
            f"{name} has a missing or non-positive rate",
            row=f"age {surface.index[bad[0]]}, year {surface.columns[bad[1]]}",
            row_label="cell",
            column=name,
            expected="positive central death rates everywhere",
        )


def _project_one(
    mx: pd.DataFrame, sex: str, a: ProjectionAssumptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rates and improvements for the years ``t0 + 1 .. end_year`` of one sex."""
    ages = np.asarray(mx.index, dtype=int)
    years = np.asarray(mx.columns, dtype=int)
    t0 = int(years[-1])
    if a.base_year < t0:
        raise DataError(
            f"base year {a.base_year} is before the last year of the surface ({t0})",
            column="base_year",
            expected=f"a base year of {t0} or later",
        )
    arr = mx.to_numpy(dtype=float)
    r0 = 1.0 - arr[:, -1] / arr[:, -2]  # improvement in t0, by age
    n_age = ages.size
    proj_years = np.arange(t0 + 1, a.end_year + 1)
    k = proj_years - t0  # years since t0
    cohort = proj_years[None, :] - ages[:, None]
    by_cohort = cohort < a.cohort_split
    # -- carry forward (t0 < t <= base): the t0 rate of the same cohort / same age
    src_age = np.clip(ages[:, None] - k[None, :], 0, n_age - 1)
    carried = np.where(by_cohort, r0[src_age], r0[:, None])
    # -- base-year rates R0 by age (the carried rate in the base year; r0 if base == t0)
    if a.base_year > t0:
        rb = carried[:, a.base_year - t0 - 1]
    else:
        rb = r0
    kb = proj_years - a.base_year  # years since base
    src_age_b = np.clip(ages[:, None] - kb[None, :], 0, n_age - 1)
    initial = np.where(by_cohort, rb[src_age_b], rb[:, None])
    target = np.where(by_cohort, cohort_target_rates(cohort, a), a.target_rate)
    p_above = float(a.convergence_power[sex])
    below = a.convergence_power_below
    p_below = p_above if below is None else float(below[sex])
    power = np.where(initial >= target, p_above, p_below)
    s = kb[None, :] / float(a.convergence_years)
    w = convergence_weight(s, power)
    converging = target + (initial - target) * w
    rates = np.where(kb[None, :] <= 0, carried, converging)
    log_m = np.log(arr[:, -1])[:, None] + np.cumsum(np.log1p(-rates), axis=1)
    return proj_years, np.exp(log_m), rates, by_cohort


@dataclass(frozen=True)
class Projection:
    """Projected central death rates by sex, with period and cohort life tables.

    Attributes
    ----------
    mx
        ``{"male": DataFrame, "female": DataFrame}``: rates by age (rows) and
        year (columns), the smoothed history followed by the projection.
    improvement
        Annual improvement rates on the same grid (first history year
        dropped): observed (smoothed) history, carried-forward years, then
        the converging and long-term rates.
    assumptions
        The assumptions used.
    last_data_year
        Last year of the smoothed input surface (ONS: 2011).
    """

    mx: dict[str, pd.DataFrame]
    improvement: dict[str, pd.DataFrame]
    assumptions: ProjectionAssumptions
    last_data_year: int

    @property
    def ages(self) -> np.ndarray:
        return np.asarray(self.mx["male"].index, dtype=int)

    @property
    def years(self) -> np.ndarray:
        return np.asarray(self.mx["male"].columns, dtype=int)

    def period_life_tables(self, sex: str, years: Sequence[int] | None = None) -> LifeTables:
        """Period life tables (HMD protocol, via :func:`life_tables`) for some years."""
        frame = self.mx[sex] if years is None else self.mx[sex].loc[:, list(years)]
        return life_tables(frame, sex=sex)

    def cohort_life_tables(self, sex: str, cohorts: Sequence[int], *, from_age: int = 0) -> LifeTables:
        """Cohort life tables from ``from_age`` on, read along the diagonals.

        Cohort ``c`` is taken to be aged ``x`` in year ``c + x``
        (:func:`cohort_rates`). Every cohort must be on the surface at every
        age from ``from_age`` to the top age.
        """
        diag = cohort_rates(self.mx[sex])
        cohorts = list(cohorts)
        missing = [c for c in cohorts if c not in diag.columns]
        if missing:
            raise ValueError(f"cohorts {missing} are not on the surface")
        sub = diag.loc[diag.index >= from_age, cohorts]
        if sub.isna().any().any():
            bad = sub.columns[sub.isna().any()].tolist()
            raise ValueError(
                f"cohorts {bad} are not covered from age {from_age} to {self.ages[-1]}; "
                "extend end_year or choose later cohorts"
            )
        return life_tables(sub, sex=sex, ages=np.asarray(sub.index))

    def period_expectancy(self, age: int = 0, years: Sequence[int] | None = None) -> pd.DataFrame:
        """Period life expectancy at ``age`` by year: columns ``male, female``."""
        out = {}
        for sex in SEXES:
            lt = self.period_life_tables(sex, years)
            out[sex] = np.asarray(life_expectancy(lt, age), dtype=float)
        idx = self.years if years is None else np.asarray(years)
        return pd.DataFrame(out, index=pd.Index(idx, name="year"))

    def cohort_expectancy(self, age: int, years: Sequence[int]) -> pd.DataFrame:
        """Cohort life expectancy at ``age`` for those aged ``age`` in each year.

        E.g. ``cohort_expectancy(65, [2014])`` is the further life expected
        by someone aged 65 in 2014 allowing for projected improvements
        (ONS: 21.2 years for UK males). Columns ``male, female``.
        """
        years = np.asarray(years, dtype=int)
        out = {}
        for sex in SEXES:
            lt = self.cohort_life_tables(sex, list(years - age), from_age=age)
            out[sex] = np.asarray(life_expectancy(lt, age), dtype=float)
        return pd.DataFrame(out, index=pd.Index(years, name="year"))

    def median_age_at_death(self, kind: str, year: int) -> float:
        """Median age at death for the sexes-mixed table (average survival curve).

        ``kind="period"``: the period life table of ``year``; ``"cohort"``:
        the life table of the cohort born in ``year``. The two sexes are
        mixed half and half as in ONS Figures 4.10 and 4.11.
        """
        from foresight.mortality.history import mix_life_tables

        if kind == "period":
            m, f = (self.period_life_tables(s, [year]) for s in ("male", "female"))
        elif kind == "cohort":
            m, f = (self.cohort_life_tables(s, [year]) for s in ("male", "female"))
        else:
            raise ValueError("kind must be 'period' or 'cohort'")
        mixed = mix_life_tables(m, f, weight_b=0.5)
        return float(np.asarray(median_age_at_death(mixed), dtype=float).ravel()[0])

    def summary(self) -> str:
        """Grid, base and target years, targets and the headline life expectancies."""
        a = self.assumptions
        base, target = int(a.base_year), int(a.target_year)
        e0 = self.period_expectancy(0, [base, target])
        return summary_text(
            f"Mortality projection: ages {int(self.ages[0])}-{int(self.ages[-1])}, years "
            f"{int(self.years[0])}-{int(self.years[-1])} (data to {self.last_data_year})",
            {"base year": base, "target year": target,
             "long-term target (% a year)": 100 * float(a.target_rate),
             "cohort targets (points)": len(a.cohort_targets),
             f"period e0 {base}, males": float(e0.loc[base, "male"]),
             f"period e0 {base}, females": float(e0.loc[base, "female"]),
             f"period e0 {target}, males": float(e0.loc[target, "male"]),
             f"period e0 {target}, females": float(e0.loc[target, "female"])},
        )

    def to_frame(self, *, first_year: int | None = None) -> pd.DataFrame:
        """Tidy projected rates: ``sex, age, year, mx, improvement`` (sorted)."""
        parts = []
        for sex in SEXES:
            m = self.mx[sex]
            imp = self.improvement[sex].reindex(columns=m.columns)
            if first_year is not None:
                m, imp = m.loc[:, m.columns >= first_year], imp.loc[:, imp.columns >= first_year]
            aa, yy = np.meshgrid(m.index.to_numpy(), m.columns.to_numpy(), indexing="ij")
            parts.append(
                pd.DataFrame(
                    {
                        "sex": sex,
                        "age": aa.ravel(),
                        "year": yy.ravel(),
                        "mx": m.to_numpy().ravel(),
                        "improvement": imp.to_numpy().ravel(),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True).sort_values(["sex", "year", "age"], ignore_index=True)


def project_mortality(
    surfaces: Mapping[str, pd.DataFrame],
    assumptions: ProjectionAssumptions | None = None,
) -> Projection:
    """Project smoothed mortality surfaces with the ONS-style assumptions.

    Parameters
    ----------
    surfaces
        ``{"male": mx, "female": mx}``: smoothed central death rates (per
        person-year) by age (rows, consecutive) and year (columns,
        consecutive), ending in the last data year ``t0``; both sexes on the
        same grid.
    assumptions
        :class:`ProjectionAssumptions` (default: ONS 2014-based).

    Returns
    -------
    Projection
    """
    a = ProjectionAssumptions() if assumptions is None else assumptions
    if set(surfaces) != set(SEXES):
        raise DataError("surfaces must have exactly the keys 'male' and 'female'", column="sex")
    for sex in SEXES:
        _check_surface(surfaces[sex], f"{sex} mx")
    m, f = surfaces["male"], surfaces["female"]
    if not (m.index.equals(f.index) and m.columns.equals(f.columns)):
        raise DataError("male and female surfaces are on different grids", expected="the same ages and years")
    if a.end_year < max(2114, a.target_year):
        raise DataError(
            f"end_year {a.end_year} is too early", column="end_year", expected="2114 or later"
        )
    missing = [s for s in SEXES if s not in a.convergence_power]
    if missing:
        raise DataError(f"no convergence power for {missing}", column="convergence_power")
    t0 = int(m.columns[-1])
    mx, imp = {}, {}
    for sex in SEXES:
        years, rates_mx, rates_imp, _ = _project_one(surfaces[sex], sex, a)
        hist = surfaces[sex].to_numpy(dtype=float)
        mx[sex] = np.hstack([hist, rates_mx])
        all_years = np.concatenate([np.asarray(surfaces[sex].columns, dtype=int), years])
    if a.male_not_below_female:
        proj = all_years >= a.base_year
        mx["male"][:, proj] = np.maximum(mx["male"][:, proj], mx["female"][:, proj])
    ages = pd.Index(np.asarray(m.index, dtype=int), name="age")
    cols = pd.Index(all_years, name="year")
    out_mx = {s: pd.DataFrame(mx[s], index=ages, columns=cols) for s in SEXES}
    out_imp = {s: improvement_surface(out_mx[s]) for s in SEXES}
    return Projection(mx=out_mx, improvement=out_imp, assumptions=a, last_data_year=t0)


# ---------------------------------------------------------------------------
# The book's run: smoothed English Life Tables as the starting surface
# ---------------------------------------------------------------------------


def kannisto_extend(surface: pd.DataFrame, *, to_age: int = 110, fit_ages: tuple[int, int] = (80, 100)) -> pd.DataFrame:
    """Extend a rate surface to older ages with the Kannisto logistic model.

    For each year, ``logit m(x) = log(m / (1 - m))`` is fitted by least
    squares as a straight line in age over ``fit_ages`` (inclusive) and
    extrapolated to ``to_age`` (Thatcher, Kannisto & Vaupel 1998). Rates at
    the ages already on the surface are kept. Extrapolated rates stay below 1.
    """
    _check_surface(surface, "mx", annual=False)
    ages = np.asarray(surface.index, dtype=int)
    if to_age <= ages[-1]:
        return surface.copy()
    lo, hi = fit_ages
    if lo < ages[0] or hi > ages[-1] or hi - lo < 2:
        raise DataError(f"fit ages {fit_ages} are not on the surface", column="age",
                        expected=f"a range of at least 3 ages within {ages[0]}-{ages[-1]}")
    m = surface.loc[lo:hi].to_numpy(dtype=float)
    if np.any(m >= 1):
        raise DataError("rates of 1 or more in the Kannisto fitting ages", column="mx",
                        expected="rates below 1 at the fitting ages")
    x = np.arange(lo, hi + 1, dtype=float)
    logit = np.log(m / (1.0 - m))
    slope, intercept = np.polyfit(x, logit, 1)
    new_ages = np.arange(ages[-1] + 1, to_age + 1, dtype=float)
    z = intercept[None, :] + slope[None, :] * new_ages[:, None]
    extra = pd.DataFrame(1.0 / (1.0 + np.exp(-z)), index=pd.Index(new_ages.astype(int), name="age"),
                         columns=surface.columns)
    out = pd.concat([surface, extra])
    out.index.name = "age"
    return out


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

    The annual UK deaths and exposures ONS smoothed are not shipped with the
    compendium, so the book starts from the decennial English Life Tables
    (England and Wales): each table's ``mx`` (from the life-table engine) is
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
    from foresight.mortality.history import elt_by_sex
    from foresight.mortality.pspline import fit_pspline_2d_gaussian
    from foresight.mortality.soa import elt_tables

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
    from foresight.mortality.history import elt_by_sex
    from foresight.mortality.soa import elt_tables

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
    from foresight.mortality.history import elt_by_sex
    from foresight.mortality.soa import elt_tables

    cat = elt_tables().drop_duplicates("elt").set_index("elt")
    tables = elt_by_sex()
    out = {
        sex: np.asarray(life_expectancy(tables[sex], age), dtype=float)[
            [list(tables[sex].labels).index(e) for e in elts]
        ]
        for sex in SEXES
    }
    return pd.DataFrame(out, index=pd.Index(cat.loc[list(elts), "mid_year"].astype(int).to_numpy(), name="year"))


# ---------------------------------------------------------------------------
# Checks against ONS, sensitivity, uncertainty and a back-test
# ---------------------------------------------------------------------------


def annualised_improvement(projection: Projection, start: int, end: int, *, max_age: int = 99) -> pd.Series:
    """Average annual improvement (%) in age-standardised death rates, ``start`` to ``end``.

    Rates are standardised directly (ages 0 to ``max_age``) with the European
    Standard Population 2013 (:func:`age_standardised_rate`); ONS Table 4.3
    uses the 2011 UK population as the standard, which the compendium does
    not ship. Returns a Series by sex (per cent a year).
    """
    from foresight.mortality.standard import age_standardised_rate, annual_improvement

    out = {}
    for sex in SEXES:
        lt = projection.period_life_tables(sex, [start, end])
        asr = np.asarray(age_standardised_rate(lt, max_age=max_age), dtype=float)
        out[sex] = float(annual_improvement(asr[0], asr[1], end - start))
    return pd.Series(out, name="annualised improvement (%)")


def ons_figures(projection: Projection) -> pd.Series:
    """The projection's value of every figure ONS publish for the 2014-based projection.

    Returns
    -------
    pandas.Series
        Indexed by the figure's id in ``data/published/ons2015mortality.csv``
        (life expectancy and its sex gaps in years, median ages in years,
        annualised improvement over 2014-2094 in % per year).
    """
    e0 = projection.period_expectancy(0, [2014, 2039])
    e65 = projection.period_expectancy(65, [2014, 2039])
    coh0 = projection.cohort_expectancy(0, [2014])
    coh65 = projection.cohort_expectancy(65, [2014])
    imp = annualised_improvement(projection, 2014, 2094)
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
        "ons_proj_median_period_2031": projection.median_age_at_death("period", 2031),
        "ons_proj_median_cohort_2031": projection.median_age_at_death("cohort", 2031),
        "ons_proj_annualised_male_80y": imp["male"],
        "ons_proj_annualised_female_80y": imp["female"],
    }
    return pd.Series({k: float(v) for k, v in values.items()}, name="reproduced")


def ons_comparison(projection: Projection, *, basis: str = "not comparable") -> pd.DataFrame:
    """Side-by-side table of the ONS 2014-based figures and the projection's.

    Parameters
    ----------
    projection
        A projection (e.g. ``project_mortality(smooth_elt_surfaces()[0])``).
    basis
        What the comparison is (:data:`foresight.data.BASES`). The book's run
        starts from English Life Tables of England and Wales to 2001, not
        from the UK's annual deaths and exposures to 2013 that ONS used, so
        its default is ``"not comparable"``: the differences are shown with
        no pass or fail. A run on the same data as ONS is a reproduction.

    Returns
    -------
    pandas.DataFrame
        The comparison table of :func:`foresight.data.compare`, indexed by
        figure id (published values and sections from
        ``data/published/ons2015mortality.csv``).
    """
    from foresight.data import compare, published

    return compare(published("ons2015mortality"), ons_figures(projection), basis=basis)


def target_sensitivity(
    surfaces: Mapping[str, pd.DataFrame],
    targets: Sequence[float] = (0.0, 0.005, 0.01, 0.012, 0.015, 0.02, 0.025),
    *,
    assumptions: ProjectionAssumptions | None = None,
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
        p = project_mortality(surfaces, base.with_target(float(t)))
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


def improvement_uncertainty(
    surfaces: Mapping[str, pd.DataFrame],
    fits: Mapping[str, object],
    *,
    z: float = 2.0,
    assumptions: ProjectionAssumptions | None = None,
    year: int = 2039,
) -> pd.DataFrame:
    """How the P-spline's standard errors of the initial improvement rates carry into e0.

    The last-year improvement rates of the smoothed surface are moved by
    ``-z`` and ``+z`` standard errors (all ages together, a deliberately
    wide band since the errors of neighbouring ages are positively
    correlated) and the projection is rerun. Returns, by sex and scenario
    (``low``, ``central``, ``high`` initial improvement), period e0 in
    ``year`` and the mean initial improvement rate over ages 0-100.
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
        p = project_mortality(moved, assumptions)
        e0 = p.period_expectancy(0, [year])
        for sex in SEXES:
            t0 = int(moved[sex].columns[-1])
            r = 1 - moved[sex][t0] / moved[sex][t0 - 1]
            rows.append({"scenario": label, "sex": sex, "mean_initial_improvement": float(r.mean()),
                         f"e0_{year}": float(e0.loc[year, sex])})
    return pd.DataFrame(rows)


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
    from foresight.mortality.history import elt_by_sex
    from foresight.mortality.leecarter import fit_lee_carter
    from foresight.mortality.soa import elt_tables

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


# ---------------------------------------------------------------------------
# The changing life table, 1851 to 2031 (ONS Figures 4.10 and 4.11)
# ---------------------------------------------------------------------------

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
    from foresight.mortality.history import mix_life_tables

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
    from foresight.mortality.history import mix_life_tables

    out = {}
    for kind in ("period", "cohort"):
        tables = {}
        for sex in SEXES:
            frame = surfaces[sex].loc[:, list(years)] if kind == "period" else cohort_rates(surfaces[sex]).loc[:, list(years)]
            tables[sex] = life_tables(frame, sex=sex)
        mixed = mix_life_tables(tables["male"], tables["female"], weight_b=0.5)
        out[kind] = np.asarray(median_age_at_death(mixed), dtype=float)
    return pd.DataFrame(out, index=pd.Index(list(years), name="year"))


# ---------------------------------------------------------------------------
# Figures (through foresight.plotting)
# ---------------------------------------------------------------------------


def improvement_heatmap_figure(projection: Projection, *, first_year: int = 1962, last_year: int = 2060,
                               max_age: int = 100):
    """Heat map of annual improvement rates by age and year, one panel per sex.

    Counterpart of ONS Figures 4.5a/b, extended into the projection: the
    smoothed history, the years carried forward to the base year and the
    convergence to the targets. Cohort diagonals (1931 and 1960) are marked.
    """
    import matplotlib as mpl

    from foresight import plotting

    a = projection.assumptions
    fig, axes = plotting.figure(2, 1, height=6.6, sharex=True)
    bounds = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
    cmap = mpl.colormaps[plotting.DIVERGING_CMAP].resampled(len(bounds) + 1)
    norm = mpl.colors.BoundaryNorm(bounds, cmap.N, extend="both")
    for ax, sex in zip(axes, ("male", "female")):
        # rounding removes floating-point noise that would flip cells lying exactly on a band edge
        imp = (projection.improvement[sex].loc[:max_age, first_year:last_year] * 100).round(6)
        mesh = ax.pcolormesh(imp.columns, imp.index, imp.to_numpy(), cmap=cmap, norm=norm, shading="nearest",
                             rasterized=True)
        for k, (year, label) in enumerate(((projection.last_data_year, "initial rates"), (a.base_year, "base"),
                                           (a.target_year, "target"))):
            ax.axvline(year + 0.5, color="#222222", lw=0.8, ls=":")
            ax.text(year + 1, max_age * (0.97 - 0.08 * (k % 2)), label, fontsize=8, va="top")
        for cohort, style in ((1931, "--"), (a.cohort_split, "-.")):
            xs = np.array([max(first_year, cohort), min(last_year, cohort + max_age)])
            ax.plot(xs, xs - cohort, color="#222222", lw=0.9, ls=style)
            ax.text(xs[0] + 2, xs[0] - cohort + 4, f"born {cohort}", fontsize=8, rotation=35)
        ax.set_ylabel("age")
        ax.set_title(f"{sex.capitalize()}s: annual improvement in mortality")
        ax.set_ylim(0, max_age)
        ax.grid(False)
    axes[-1].set_xlabel("year")
    fig.colorbar(mesh, ax=axes, label="improvement (% a year)", shrink=0.8)
    return fig


def expectancy_figure(projection: Projection, *, first_year: int = 1961, last_year: int = 2060):
    """Period and cohort life expectancy at birth and at 65 by year (ONS Figures 4.6/4.7).

    Cohort e0 is plotted against the year of birth; cohort e65 against the
    year in which the cohort reaches 65.
    """
    from foresight import plotting

    years = np.arange(first_year, last_year + 1)
    top = int(projection.ages[-1])
    last_birth = int(projection.years[-1]) - top
    fig, axes = plotting.figure(1, 2, height=3.8)
    for ax, age in zip(axes, (0, 65)):
        per = projection.period_expectancy(age, years)
        coh_years = years[(years >= int(projection.years[0])) & (years - age <= last_birth)]
        coh = projection.cohort_expectancy(age, coh_years)
        for sex in ("female", "male"):
            colour = plotting.SEX_COLOURS[sex]
            ax.plot(per.index, per[sex], color=colour, label=f"{sex}, period")
            ax.plot(coh.index, coh[sex], color=colour, ls="--", label=f"{sex}, cohort")
        ax.axvline(projection.assumptions.base_year, color="#555555", lw=0.8, ls=":")
        ax.set_xlabel("year" if age == 65 else "year (of birth, for cohort)")
        ax.set_ylabel("years")
        ax.set_title(f"Expectation of life at {'birth' if age == 0 else '65'}")
    axes[0].legend(fontsize=8)
    return fig


def survival_figure(period: pd.DataFrame, cohort: pd.DataFrame):
    """Period and cohort survival curves side by side (ONS Figures 4.10/4.11)."""
    import matplotlib as mpl

    from foresight import plotting

    fig, axes = plotting.figure(1, 2, height=3.9, sharey=True)
    years = np.asarray(period.columns, dtype=float)
    norm = mpl.colors.Normalize(vmin=years.min(), vmax=years.max())
    cmap = mpl.colormaps[plotting.SEQUENTIAL_CMAP]
    for ax, frame, title in ((axes[0], period, "Period"), (axes[1], cohort, "Cohort")):
        for year in frame.columns:
            ax.plot(frame.index, frame[year], color=cmap(norm(float(year)) * 0.9), lw=1.3, label=str(year))
        ax.axhline(50, color="#555555", lw=0.8, ls="--")
        ax.set_xlim(0, 110)
        ax.set_ylim(0, 100)
        ax.set_xlabel("age")
        ax.set_title(f"{title} survival curves")
    axes[0].set_ylabel("survivors (% of births)")
    axes[1].legend(fontsize=8, ncol=2, loc="lower left")
    return fig


def sensitivity_figure(table: pd.DataFrame, *, year: int = 2039, central: float = 0.012):
    """Period e0 in ``year`` and cohort e0 at birth in the base year against the long-term target."""
    from foresight import plotting

    fig, axes = plotting.figure(1, 2, height=3.5)
    x = table["target"] * 100
    for sex in ("female", "male"):
        colour = plotting.SEX_COLOURS[sex]
        axes[0].plot(x, table[f"e0_{sex}"], marker="o", ms=3.5, color=colour, label=sex)
        axes[1].plot(x, table[f"cohort_e0_{sex}"], marker="o", ms=3.5, color=colour, label=sex)
    for ax in axes:
        ax.axvline(central * 100, color="#555555", lw=0.8, ls=":")
        ax.set_xlabel("long-term improvement target (% a year)")
        ax.set_ylabel("years")
    axes[0].set_title(f"Period e0 in {year}")
    axes[1].set_title("Cohort e0, born in the base year")
    axes[0].legend()
    return fig
