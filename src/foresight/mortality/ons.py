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
   (:data:`ONS_2014_CONVERGENCE_POWER`) are calibrated on the UK data
   (:func:`foresight.mortality.uk.calibrate_convergence_power`).
4. **After the target year** the rates stay at their targets, by cohort for
   the cohorts born before 1960 (so the 1925-38 cohorts keep their higher
   rates for life) and by age otherwise.
5. **Cohort targets** (2014-based): 1.2 % a year for most cohorts; rising
   from 1.2 % (born 1924: "those born before 1924" and "after 1924" in
   section 7, so the higher targets are those of the 1925-1938 cohorts) to
   2.5 % (born 1931 and 1932) and back to 1.2 % (born 1939 and later); 1.0 % for those born 1911 to 1922, falling linearly
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
from foresight.mortality.history import mix_life_tables
from foresight.mortality.lifetable import (
    LifeTables,
    cohort_rates,
    life_expectancy,
    life_tables,
    median_age_at_death,
)
from foresight.results import summary_text

__all__ = [
    "ONS_2014_COHORT_TARGETS",
    "ONS_2014_CONVERGENCE_POWER",
    "OLD_AGE_RATES",
    "Projection",
    "ProjectionAssumptions",
    "cohort_target_rates",
    "convergence_weight",
    "improvement_surface",
    "kannisto_extend",
    "project_mortality",
]

SEXES = ("male", "female")

#: The convergence exponent ``p`` of the book's ONS run, by sex. ONS say only that rates
#: converge faster than linearly and faster for males; the male value is calibrated on the
#: UK data so that a boy born in 2014 has the published cohort e0 of 90.4 years
#: (:func:`foresight.mortality.uk.calibrate_convergence_power`, rounded to 0.01; a test
#: re-derives it); the female value lies half-way between linear (1) and the male value.
ONS_2014_CONVERGENCE_POWER: Mapping[str, float] = {"male": 1.23, "female": 1.115}

#: The choices for the improvement rates above the data's top age (see
#: :class:`ProjectionAssumptions`).
OLD_AGE_RATES: tuple[str, ...] = ("interpolate", "extension")

#: ONS 2014-based target rates of improvement in the target year by year of
#: birth, as (cohort, rate) points joined linearly (section 7 of the chapter).
#: Cohorts before the first point take its rate; after the last, ``target_rate``.
ONS_2014_COHORT_TARGETS: tuple[tuple[int, float], ...] = (
    (1902, 0.001),
    (1911, 0.010),
    (1922, 0.010),
    (1923, 0.012),
    (1924, 0.012),
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
    old_age_rates
        Where the carried-forward improvement of the base year has no source
        in the data (ages above the top smoothed age of
        :func:`project_mortality`'s ``data_top_age``, reached by cohorts
        carried from 2011 to 2014): ``"interpolate"`` (ONS section 4: linear
        between the nearest age with a rate and, at the top age, the target
        rate of the cohort found there) or ``"extension"`` (the improvement
        implied by the old-age extension of the surface, e.g. Kannisto).
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
        default_factory=lambda: dict(ONS_2014_CONVERGENCE_POWER)
    )
    convergence_power_below: Mapping[str, float] | None = None
    male_not_below_female: bool = True
    end_year: int = 2150
    old_age_rates: str = "interpolate"

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


def _check_surface(surface: pd.DataFrame, name: str, *, annual: bool = True, min_years: int = 2) -> None:
    if not isinstance(surface, pd.DataFrame):
        raise DataError(f"{name} must be a DataFrame (ages x years)", column=name)
    ages = np.asarray(surface.index, dtype=float)
    years = np.asarray(surface.columns, dtype=float)
    if ages.size < 2 or years.size < min_years:
        raise DataError(f"{name} needs at least two ages and {min_years} years", column=name)
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


def _fill_old_ages(rates: np.ndarray, valid: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Interpolate each column's invalid rates by age, the top age anchored at ``anchor``."""
    out = rates.copy()
    x = np.arange(rates.shape[0], dtype=float)
    for j in np.flatnonzero(~valid.all(axis=0)):
        ok = valid[:, j]
        xs, ys = x[ok], rates[ok, j]
        if not ok[-1]:
            xs, ys = np.append(xs, x[-1]), np.append(ys, anchor[j])
        out[~ok, j] = np.interp(x[~ok], xs, ys)
    return out


def _project_one(
    mx: pd.DataFrame, sex: str, a: ProjectionAssumptions, data_top_age: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rates and improvements for the years ``t0 + 1 .. end_year`` of one sex.

    ``data_top_age``: the top age of the smoothed data; the improvement of
    ages above it in the carried-forward years follows ``a.old_age_rates``.
    """
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
    if data_top_age is not None and a.old_age_rates == "interpolate":
        has_rate = ages <= data_top_age
        valid = np.where(by_cohort, has_rate[src_age], has_rate[:, None])
        n_carry = max(a.base_year - t0, 0)
        if n_carry:
            anchor = cohort_target_rates(proj_years[:n_carry] - ages[-1], a)
            carried[:, :n_carry] = _fill_old_ages(carried[:, :n_carry], valid[:, :n_carry], anchor)
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
    *,
    data_top_age: Mapping[str, int] | None = None,
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
    data_top_age
        ``{"male": 100, "female": 105}``: the top age of the smoothed data by
        sex, when the surfaces were extended above it (ONS: 100 for males,
        105 for females; rates above come from the old-age extension). Above
        it the base-year improvement follows
        :attr:`ProjectionAssumptions.old_age_rates`. ``None``: every age of
        the surfaces is data.

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
    if a.old_age_rates not in OLD_AGE_RATES:
        raise DataError(f"unknown old_age_rates {a.old_age_rates!r}", column="old_age_rates",
                        expected=" or ".join(OLD_AGE_RATES))
    if data_top_age is not None:
        for sex in SEXES:
            top = data_top_age.get(sex)
            if top is None or not m.index[0] < top <= m.index[-1]:
                raise DataError(f"data_top_age for {sex} is {top!r}", column="data_top_age",
                                expected=f"an age from {m.index[0] + 1} to {m.index[-1]}")
    missing = [s for s in SEXES if s not in a.convergence_power]
    if missing:
        raise DataError(f"no convergence power for {missing}", column="convergence_power")
    t0 = int(m.columns[-1])
    mx, imp = {}, {}
    for sex in SEXES:
        top = None if data_top_age is None else int(data_top_age[sex])
        years, rates_mx, rates_imp, _ = _project_one(surfaces[sex], sex, a, top)
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




def kannisto_extend(surface: pd.DataFrame, *, to_age: int = 110, fit_ages: tuple[int, int] = (80, 100)) -> pd.DataFrame:
    """Extend a rate surface to older ages with the Kannisto logistic model.

    For each year, ``logit m(x) = log(m / (1 - m))`` is fitted by least
    squares as a straight line in age over ``fit_ages`` (inclusive) and
    extrapolated to ``to_age`` (Thatcher, Kannisto & Vaupel 1998). Rates at
    the ages already on the surface are kept. Extrapolated rates stay below 1.
    An observed rate of zero (no deaths at an age in a small population) is
    kept; it has no logit, so at the fitting ages it is left out of its year's
    fit, which needs two positive rates.
    """
    # observed rates may be zero (no deaths at an age); anything else must be a positive rate
    _check_surface(surface.where(surface != 0, 1.0), "mx", annual=False, min_years=1)
    ages = np.asarray(surface.index, dtype=int)
    if to_age <= ages[-1]:
        return surface.copy()
    lo, hi = fit_ages
    if lo < ages[0] or hi > ages[-1] or hi - lo < 2:
        raise DataError(f"fit ages {fit_ages} are not on the surface", column="age",
                        expected=f"a range of at least 3 ages within {ages[0]}-{ages[-1]}")
    m = surface.loc[lo:hi].to_numpy(dtype=float)
    zero = m == 0
    if np.any(m >= 1):
        raise DataError("rates of 1 or more in the Kannisto fitting ages", column="mx",
                        expected="rates below 1 at the fitting ages")
    x = np.arange(lo, hi + 1, dtype=float)
    if not zero.any():
        logit = np.log(m / (1.0 - m))
        slope, intercept = np.polyfit(x, logit, 1)
    else:
        w = (~zero).astype(float)
        if np.any(w.sum(axis=0) < 2):
            j = int(np.flatnonzero(w.sum(axis=0) < 2)[0])
            raise DataError(f"fewer than two positive rates at ages {lo}-{hi} in {surface.columns[j]}",
                            column="mx", expected="deaths at two or more of the Kannisto fitting ages")
        logit = np.log(np.where(zero, 0.5, m) / (1.0 - m)) * w
        n, sx, sy = w.sum(axis=0), (w * x[:, None]).sum(axis=0), logit.sum(axis=0)
        sxx, sxy = (w * x[:, None] ** 2).sum(axis=0), (logit * x[:, None]).sum(axis=0)
        slope = (n * sxy - sx * sy) / (n * sxx - sx**2)
        intercept = (sy - slope * sx) / n
    new_ages = np.arange(ages[-1] + 1, to_age + 1, dtype=float)
    z = intercept[None, :] + slope[None, :] * new_ages[:, None]
    extra = pd.DataFrame(1.0 / (1.0 + np.exp(-z)), index=pd.Index(new_ages.astype(int), name="age"),
                         columns=surface.columns)
    out = pd.concat([surface, extra])
    out.index.name = "age"
    return out
