"""Life-table engine: period and cohort life tables, many schedules at once.

Conventions (HMD Methods Protocol v6, Wilmoth et al. 2021 revision of the
2007 protocol, section 7 "Period life tables"):

* single-year age intervals ``[x, x + 1)``; the last age of each schedule is
  the open interval ``[ω, ∞)``;
* ``mx`` central death rate per person-year; ``qx`` probability of dying
  between ``x`` and ``x + 1``; ``ax`` mean years lived in the interval by
  those who die in it;
* ``a0`` by the Andreev-Kingkade (2015) formulas for the given sex, ``ax = 0.5``
  at the other closed ages, ``a_ω = 1 / m_ω`` and ``q_ω = 1`` in the open
  interval;
* ``qx = mx / (1 + (1 - ax) mx)`` (capped at 1), ``lx`` survivors at exact
  age ``x`` out of ``radix``, ``dx = lx qx``, ``Lx = l_{x+1} + ax dx`` (open
  interval ``L_ω = l_ω / m_ω``), ``Tx`` = sum of ``Lx`` from ``x`` up,
  ``ex = Tx / lx``.

Every function accepts many schedules at once: a 2-D array of shape
``(ages, schedules)`` or a DataFrame indexed by age with one column per
schedule. A schedule may be shorter than the others: trailing ``NaN`` rates
mark ages beyond its open interval (its last non-missing age is its ω). All
computations are array operations; there is no Python loop over schedules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError

__all__ = [
    "LifeTables",
    "a0_andreev_kingkade",
    "a0_both_sexes",
    "age_at_death_quantile",
    "arriaga",
    "cohort_rates",
    "interquartile_range",
    "keyfitz_entropy",
    "life_expectancy",
    "life_table_from_qx",
    "life_tables",
    "life_tables_from_qx",
    "median_age_at_death",
    "modal_age_at_death",
    "period_life_table",
]

_MALE = {"m", "male", "males", "man", "men", "1"}
_FEMALE = {"f", "female", "females", "woman", "women", "2"}

#: Andreev-Kingkade (2015) a0 as a function of m0 (HMD Methods Protocol v6, table 1):
#: (upper bound of m0 for segment 1, segment 2), (constant, slope) per segment, top value.
_AK_M0 = {
    "male": ((0.02300, 0.08307), ((0.14929, -1.99545), (0.02832, 3.26201)), 0.29915),
    "female": ((0.01724, 0.06891), ((0.14903, -2.05527), (0.04667, 3.88089)), 0.31411),
}
#: The same formulas expressed in q0 (Andreev & Kingkade 2015, table 3).
_AK_Q0 = {
    "male": ((0.0226, 0.0785), ((0.1493, -2.0367), (0.0244, 3.4994)), 0.2991),
    "female": ((0.0170, 0.0658), ((0.1490, -2.0867), (0.0438, 4.1075)), 0.3141),
}

COLUMNS = ("mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex")


def _sex_is_male(sex: str | Sequence[str], n: int) -> np.ndarray:
    """Boolean array (n,) saying which schedules are male."""
    values = [sex] * n if isinstance(sex, str) else list(sex)
    if len(values) != n:
        raise DataError(
            f"{len(values)} sexes given for {n} schedules",
            column="sex",
            expected="one sex, or one per schedule",
        )
    out = np.empty(n, dtype=bool)
    for i, s in enumerate(values):
        key = str(s).strip().lower()
        if key in _MALE:
            out[i] = True
        elif key in _FEMALE:
            out[i] = False
        else:
            raise DataError(
                f"unknown sex {s!r}",
                column="sex",
                expected="'male' or 'female' (the Andreev-Kingkade a0 differs by sex)",
            )
    return out


def a0_andreev_kingkade(
    *, sex: str | Sequence[str], m0: np.ndarray | float | None = None,
    q0: np.ndarray | float | None = None,
) -> np.ndarray:
    """Mean age at death in the first year of life, by Andreev & Kingkade (2015).

    Parameters
    ----------
    sex
        ``"male"`` or ``"female"``, or one per value of ``m0``/``q0``.
    m0
        Infant central death rate (per person-year); the HMD Methods Protocol
        v6 form. Give exactly one of ``m0`` and ``q0``.
    q0
        Infant probability of death; the form for tables published as ``qx``.

    Returns
    -------
    numpy.ndarray
        ``a0`` in years, one per value: a linear function of the rate on each
        of three segments (low, middle, high infant mortality).
    """
    if (m0 is None) == (q0 is None):
        raise ValueError("give exactly one of m0 and q0")
    rate = np.atleast_1d(np.asarray(m0 if m0 is not None else q0, dtype=float))
    table = _AK_M0 if m0 is not None else _AK_Q0
    male = _sex_is_male(sex, rate.size).reshape(rate.shape)
    out = np.empty_like(rate)
    for key, mask in (("male", male), ("female", ~male)):
        (b1, b2), ((c1, s1), (c2, s2)), top = table[key]
        r = rate[mask]
        out[mask] = np.where(r < b1, c1 + s1 * r, np.where(r < b2, c2 + s2 * r, top))
    return out


def a0_both_sexes(m0_male, m0_female, exposure_male, exposure_female) -> np.ndarray:
    """``a0`` for a life table of both sexes: the sexes' Andreev-Kingkade values, exposure-weighted.

    Each sex's ``a0`` comes from its own infant death rate
    (:func:`a0_andreev_kingkade`); their mean, weighted by the person-years
    lived at age 0, reproduces the (two-decimal) ``a0`` of every HMD United
    Kingdom table for both sexes, 1922-2016, within 0.006, where the female
    formula applied to the combined rate misses by up to 0.04.
    """
    am = a0_andreev_kingkade(m0=np.asarray(m0_male, dtype=float), sex="male")
    af = a0_andreev_kingkade(m0=np.asarray(m0_female, dtype=float), sex="female")
    em, ef = np.asarray(exposure_male, dtype=float), np.asarray(exposure_female, dtype=float)
    if np.any(em < 0) or np.any(ef < 0) or np.any(em + ef <= 0):
        raise DataError("exposures at age 0 must be non-negative and not both zero", column="exposure",
                        expected="person-years at age 0 of each sex")
    return (am * em + af * ef) / (em + ef)


def _as_matrix(values, ages) -> tuple[np.ndarray, np.ndarray, pd.Index | None, bool]:
    """Return (2-D float array, ages, column labels or None, was_1d)."""
    labels = None
    if isinstance(values, pd.DataFrame):
        labels = values.columns
        if ages is None:
            ages = values.index.to_numpy()
        arr = values.to_numpy(dtype=float)
        was_1d = False
    elif isinstance(values, pd.Series):
        if ages is None:
            ages = values.index.to_numpy()
        arr = values.to_numpy(dtype=float)[:, None]
        was_1d = True
    else:
        arr = np.asarray(values, dtype=float)
        was_1d = arr.ndim == 1
        if was_1d:
            arr = arr[:, None]
    if arr.ndim != 2:
        raise DataError("rates must be 1-D (ages) or 2-D (ages x schedules)",
                        expected="an array of shape (ages,) or (ages, schedules)")
    if ages is None:
        ages = np.arange(arr.shape[0])
    ages = np.asarray(ages)
    if ages.shape[0] != arr.shape[0]:
        raise DataError(f"{ages.shape[0]} ages for {arr.shape[0]} rows of rates",
                        column="age", expected="one age per row")
    try:
        ages_int = ages.astype(int)
    except (TypeError, ValueError):
        raise DataError("ages are not whole numbers", column="age",
                        expected="consecutive whole-year ages") from None
    if arr.shape[0] == 0:
        raise DataError("no ages given", column="age", expected="at least one age")
    if np.any(ages_int != ages) or np.any(np.diff(ages_int) != 1):
        raise DataError("ages are not consecutive single years", column="age",
                        expected="consecutive whole-year ages, e.g. 0, 1, ..., 110")
    return arr, ages_int, labels, was_1d


def _last_valid(arr: np.ndarray, what: str) -> np.ndarray:
    """Index of each column's open interval (last non-missing row); checks gaps."""
    valid = ~np.isnan(arr)
    if not valid[0].all():
        col = int(np.flatnonzero(~valid[0])[0])
        raise DataError(f"schedule {col} has no {what} at its first age",
                        column=what, expected="rates from the first age up, missing only at the top")
    # valid must be a prefix in every column: no missing value followed by a present one
    later_valid = np.flip(np.logical_or.accumulate(np.flip(valid, 0), 0), 0)
    holes = later_valid & ~valid
    if holes.any():
        row, col = (int(v[0]) for v in np.nonzero(holes))
        raise DataError(f"schedule {col} has a missing {what} inside its age range (row {row})",
                        column=what, expected="missing values only above the open age")
    return valid.sum(axis=0) - 1


@dataclass(frozen=True)
class LifeTables:
    """Many life tables of the same age grid, as arrays of shape (ages, schedules).

    Attributes
    ----------
    ages
        Ages in completed years, shape ``(n_ages,)``.
    mx, qx, ax, lx, dx, Lx, Tx, ex
        Life-table columns, shape ``(n_ages, n_schedules)``; ``NaN`` above a
        schedule's open age ``omega``.
    omega
        Row index of each schedule's open interval, shape ``(n_schedules,)``.
    radix
        ``lx`` at the first age.
    labels
        Column labels (years, table ids, ...) or ``None``.
    """

    ages: np.ndarray
    mx: np.ndarray
    qx: np.ndarray
    ax: np.ndarray
    lx: np.ndarray
    dx: np.ndarray
    Lx: np.ndarray
    Tx: np.ndarray
    ex: np.ndarray
    omega: np.ndarray
    radix: float
    labels: pd.Index | None = None

    @property
    def n(self) -> int:
        """Number of schedules."""
        return self.mx.shape[1]

    def take(self, positions) -> "LifeTables":
        """A subset of the schedules, by position (int array) or boolean mask."""
        idx = np.asarray(positions)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        return LifeTables(
            ages=self.ages, **{c: getattr(self, c)[:, idx] for c in COLUMNS},
            omega=self.omega[idx], radix=self.radix,
            labels=None if self.labels is None else self.labels[idx],
        )

    def relabel(self, labels) -> "LifeTables":
        """The same tables with new column labels."""
        labels = pd.Index(labels)
        if len(labels) != self.n:
            raise ValueError(f"{len(labels)} labels for {self.n} schedules")
        return LifeTables(ages=self.ages, **{c: getattr(self, c) for c in COLUMNS},
                          omega=self.omega, radix=self.radix, labels=labels)

    def column(self, name: str) -> pd.DataFrame:
        """One life-table column as a DataFrame (index ``age``, one column per schedule)."""
        if name not in COLUMNS:
            raise KeyError(f"{name!r} is not one of {COLUMNS}")
        cols = self.labels if self.labels is not None else pd.RangeIndex(self.n)
        return pd.DataFrame(getattr(self, name), index=pd.Index(self.ages, name="age"),
                            columns=cols)

    def table(self, key: object = 0) -> pd.DataFrame:
        """One schedule as a life table indexed by age.

        ``key`` is a column label when the tables are labelled, otherwise the
        position of the schedule.
        """
        if self.labels is not None:
            if key not in self.labels:
                raise KeyError(f"no schedule labelled {key!r}")
            j = int(self.labels.get_loc(key))
        else:
            j = int(key)
        stop = int(self.omega[j]) + 1
        return pd.DataFrame(
            {c: getattr(self, c)[:stop, j] for c in COLUMNS},
            index=pd.Index(self.ages[:stop], name="age"),
        )


def _complete(mx: np.ndarray, qx: np.ndarray, ax: np.ndarray, omega: np.ndarray,
              ages: np.ndarray, radix: float, labels) -> LifeTables:
    """Columns lx ... ex from mx, qx, ax (open interval rows already set)."""
    n_age, n = mx.shape
    rows = np.arange(n_age)[:, None]
    beyond = rows > omega[None, :]
    px = np.where(beyond, 0.0, 1.0 - qx)
    # lx: cumulative product of px shifted down one row
    lx = radix * np.vstack([np.ones((1, n)), np.cumprod(px, axis=0)[:-1]])
    lx = np.where(beyond, 0.0, lx)
    dx = lx * np.where(beyond, 0.0, qx)
    l_next = np.vstack([lx[1:], np.zeros((1, n))])
    Lx = l_next + ax * dx
    is_open = rows == omega[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        L_open = np.where(mx > 0, lx / mx, np.inf)
    Lx = np.where(is_open, L_open, Lx)
    Lx = np.where(beyond, 0.0, Lx)
    Tx = np.flip(np.cumsum(np.flip(Lx, 0), axis=0), 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ex = np.where(lx > 0, Tx / lx, np.nan)
    # ex in the open interval is 1/m even when lx has underflowed to 0
    with np.errstate(divide="ignore", over="ignore"):
        ex = np.where(is_open & ~(lx > 0), 1.0 / mx, ex)
    nan = np.where(beyond, np.nan, 1.0)
    return LifeTables(
        ages=ages, mx=mx * nan, qx=qx * nan, ax=ax * nan, lx=lx * nan, dx=dx * nan,
        Lx=Lx * nan, Tx=Tx * nan, ex=ex * nan, omega=omega, radix=float(radix), labels=labels,
    )


def life_tables(
    mx, *, sex: str | Sequence[str], ages=None, radix: float = 100_000, a0=None,
) -> LifeTables:
    """Period life tables from central death rates, many schedules at once.

    Parameters
    ----------
    mx
        Central death rates per person-year: array ``(ages,)`` or
        ``(ages, schedules)``, or a Series/DataFrame indexed by age. Trailing
        ``NaN`` ends a schedule early (its last rate is its open interval).
    sex
        ``"male"``/``"female"`` for all schedules, or one per schedule; used
        for ``a0`` when the first age is 0.
    ages
        Consecutive single-year ages (default: the index, or 0, 1, ...).
    radix
        ``lx`` at the first age.
    a0
        Mean years lived in the first year by those who die in it, one per
        schedule (or one for all), instead of the Andreev-Kingkade formula
        for ``sex``: e.g. :func:`a0_both_sexes` for a table of both sexes.

    Returns
    -------
    LifeTables
        Arrays ``mx, qx, ax, lx, dx, Lx, Tx, ex`` of shape (ages, schedules).
    """
    arr, ages, labels, _ = _as_matrix(mx, ages)
    omega = _last_valid(arr, "mx")
    if np.any(arr[~np.isnan(arr)] < 0):
        raise DataError("negative death rate", column="mx", expected="rates >= 0")
    n_age, n = arr.shape
    rows = np.arange(n_age)[:, None]
    is_open = rows == omega[None, :]
    male = _sex_is_male(sex, n)
    ax = np.full_like(arr, 0.5)
    if ages[0] == 0 and a0 is not None:
        a0 = np.broadcast_to(np.asarray(a0, dtype=float), (n,))
        if np.any(~np.isfinite(a0) | (a0 <= 0) | (a0 >= 1)):
            raise DataError("a0 outside (0, 1)", column="a0", expected="mean years lived by infants who die, in (0, 1)")
        ax[0] = a0
    elif ages[0] == 0:
        ax[0] = a0_andreev_kingkade(m0=arr[0], sex=np.where(male, "male", "female"))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ax = np.where(is_open, np.where(arr > 0, 1.0 / arr, np.inf), ax)
        qx = arr / (1.0 + (1.0 - ax) * arr)
    qx = np.minimum(np.where(is_open, 1.0, qx), 1.0)
    arr = np.where(np.isnan(arr), 0.0, arr)
    qx = np.where(np.isnan(qx), 0.0, qx)
    ax = np.where(np.isnan(ax), 0.5, ax)
    if np.any(is_open & (arr == 0)):
        raise DataError("zero death rate in the open age interval", column="mx",
                        expected="a positive rate at the last age (ex there is 1/mx)")
    return _complete(arr, qx, ax, omega, ages, radix, labels)


def life_tables_from_qx(
    qx, *, sex: str | Sequence[str], ages=None, radix: float = 100_000,
) -> LifeTables:
    """Life tables from probabilities of death (tables published as ``qx``).

    ``a0`` from the Andreev-Kingkade ``q0`` formulas when the first age is 0,
    ``ax = 0.5`` at the other closed ages, ``mx = qx / (1 - (1 - ax) qx)``.
    The last age of each schedule is closed as an open interval: its rate is
    the published ``q`` converted to ``m`` with ``a = 0.5`` (``m = 2`` when
    ``q = 1``), then ``q_ω = 1`` and ``L_ω = l_ω / m_ω``.

    Parameters are as in :func:`life_tables`; ``qx`` must lie in [0, 1].
    """
    arr, ages, labels, _ = _as_matrix(qx, ages)
    omega = _last_valid(arr, "qx")
    present = arr[~np.isnan(arr)]
    if np.any((present < 0) | (present > 1)):
        raise DataError("probability of death outside [0, 1]", column="qx",
                        expected="0 <= qx <= 1")
    n_age, n = arr.shape
    rows = np.arange(n_age)[:, None]
    is_open = rows == omega[None, :]
    male = _sex_is_male(sex, n)
    q = np.where(np.isnan(arr), 0.0, arr)
    ax = np.full_like(q, 0.5)
    if ages[0] == 0:
        ax[0] = a0_andreev_kingkade(q0=q[0], sex=np.where(male, "male", "female"))
    mx = q / (1.0 - (1.0 - ax) * q)
    if np.any(is_open & (mx == 0)):
        raise DataError("zero probability of death at the last age", column="qx",
                        expected="a positive qx at the last age")
    with np.errstate(divide="ignore", over="ignore"):
        ax = np.where(is_open, 1.0 / np.where(mx > 0, mx, 1.0), ax)
    q = np.where(is_open, 1.0, q)
    return _complete(mx, q, ax, omega, ages, radix, labels)


def period_life_table(mx, *, sex: str, ages=None, radix: float = 100_000) -> pd.DataFrame:
    """One period life table from central death rates (HMD Methods Protocol v6).

    Parameters
    ----------
    mx
        Rates per person-year by single year of age; a Series indexed by
        age, or an array with ``ages``. The last age is the open interval.
    sex
        ``"male"`` or ``"female"`` (chooses the Andreev-Kingkade ``a0``).
    ages
        Consecutive ages (default: the Series index, or 0, 1, ...).
    radix
        ``l0``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age`` with columns ``mx, qx, ax, lx, dx, Lx, Tx, ex``.

    Examples
    --------
    >>> lt = period_life_table([0.1, 0.2], sex="female")
    >>> round(float(lt.loc[1, "ex"]), 3)   # open interval: 1 / m
    5.0
    """
    arr, ages = _one_schedule(mx, ages, "mx", "period_life_table", "life_tables")
    return life_tables(arr, sex=sex, ages=ages, radix=radix).table(0)


def life_table_from_qx(qx, *, sex: str, ages=None, radix: float = 100_000) -> pd.DataFrame:
    """One life table from probabilities of death; see :func:`life_tables_from_qx`."""
    arr, ages = _one_schedule(qx, ages, "qx", "life_table_from_qx", "life_tables_from_qx")
    return life_tables_from_qx(arr, sex=sex, ages=ages, radix=radix).table(0)


def _one_schedule(values, ages, column: str, name: str, many: str):
    """One schedule (``mx`` or ``qx``) as a float array, with ages taken from a Series index.

    Raises :class:`DataError` for more than one dimension or a missing value.
    """
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=float)
    if ages is None and isinstance(values, pd.Series):
        ages = values.index.to_numpy()
    if arr.ndim != 1:
        raise DataError(f"{name} takes one schedule", column=column,
                        expected=f"a 1-D array; use {many} for many")
    if np.isnan(arr).any():
        raise DataError(f"missing {column}", column=column, expected=f"a value of {column} at every age")
    return arr, ages


# ---------------------------------------------------------------- summaries


def _wrap(lt: LifeTables, values: np.ndarray, name: str):
    if lt.labels is None:
        return values if values.size > 1 else float(values[0])
    return pd.Series(values, index=lt.labels, name=name)


def life_expectancy(lt: LifeTables, age: int = 0):
    """Life expectancy ``e_x`` at a whole age for every schedule.

    Returns a float (one unlabelled schedule), an array, or a Series by label.
    """
    where = np.flatnonzero(lt.ages == age)
    if where.size == 0:
        raise DataError(f"age {age} is not in the life tables", column="age",
                        expected=f"an age from {lt.ages[0]} to {lt.ages[-1]}")
    return _wrap(lt, lt.ex[where[0]], f"e{age}")


def age_at_death_quantile(lt: LifeTables, p: float | np.ndarray):
    """Age by which a share ``p`` of the life-table cohort has died.

    The age ``x`` where ``lx / l0 = 1 - p``, with ``lx`` interpolated linearly
    between whole ages (deaths spread evenly within each year of age). In the
    open interval the survivors decline exponentially at rate ``m_ω``.
    ``p = 0.5`` gives the median age at death.
    """
    p = float(p)
    if not 0 < p < 1:
        raise ValueError("p must be strictly between 0 and 1")
    target = (1 - p) * lt.radix
    lx = np.where(np.isnan(lt.lx), 0.0, lt.lx)
    below = lx <= target
    # first row where lx falls to the target or below (lx is non-increasing)
    idx = np.argmax(below, axis=0)
    found = below.any(axis=0)
    cols = np.arange(lt.n)
    # the crossing is in the interval [idx-1, idx) unless idx is 0
    lo = np.maximum(idx - 1, 0)
    l_lo, l_hi = lx[lo, cols], lx[idx, cols]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        frac = np.where(l_lo > l_hi, (l_lo - target) / (l_lo - l_hi), 0.0)
    age = lt.ages[lo] + frac
    # open interval: not found among closed ages -> exponential decline after omega
    om = lt.omega
    l_om = lx[om, cols]
    m_om = lt.mx[om, cols]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        open_age = lt.ages[om] + np.log(l_om / target) / m_om
    age = np.where(found & (idx <= om), age, open_age)
    age = np.where(lx[0, cols] <= target, lt.ages[0], age)
    return _wrap(lt, age, f"q{p:g}")


def median_age_at_death(lt: LifeTables):
    """Median age at death: the age to which half of the cohort survives."""
    return age_at_death_quantile(lt, 0.5)


def interquartile_range(lt: LifeTables):
    """Interquartile range of the age at death (years): Q3 - Q1 of ``dx``."""
    q1 = np.atleast_1d(np.asarray(age_at_death_quantile(lt, 0.25), dtype=float))
    q3 = np.atleast_1d(np.asarray(age_at_death_quantile(lt, 0.75), dtype=float))
    return _wrap(lt, q3 - q1, "iqr")


def modal_age_at_death(lt: LifeTables, *, min_age: int = 10):
    """Modal (most common) adult age at death.

    The whole age ``x`` at or above ``min_age`` with the largest ``dx`` among
    closed intervals, refined by fitting a parabola through ``dx`` at
    ``x - 1, x, x + 1`` (Kannisto's definition of the late mode uses the same
    idea), plus 0.5 so that the value is the mid-point of the year of age.
    ``min_age`` excludes the infant peak.
    """
    dx = np.where(np.isnan(lt.dx), -np.inf, lt.dx).copy()
    rows = np.arange(dx.shape[0])[:, None]
    dx[(lt.ages[:, None] < min_age) | (rows >= lt.omega[None, :])] = -np.inf
    k = np.argmax(dx, axis=0)
    cols = np.arange(lt.n)
    km, kp = np.maximum(k - 1, 0), np.minimum(k + 1, dx.shape[0] - 1)
    y0, y1, y2 = dx[km, cols], dx[k, cols], dx[kp, cols]
    ok = np.isfinite(y0) & np.isfinite(y2) & (km != k) & (kp != k)
    denom = y0 - 2 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        shift = np.where(ok & (denom < 0), 0.5 * (y0 - y2) / denom, 0.0)
    return _wrap(lt, lt.ages[k] + 0.5 + shift, "mode")


def keyfitz_entropy(lt: LifeTables):
    """Keyfitz's life-table entropy ``H = e† / e0`` (dimensionless).

    ``e†`` (life years lost at death) is ``Σ dx ē_x / l0`` with ``ē_x`` the
    remaining life expectancy at the average age at death in the interval,
    ``(1 - a_x) e_x + a_x e_{x+1}``; in the open interval ``ē_ω = e_ω``.
    ``H = 1`` for a constant hazard; smaller values mean a more rectangular
    survival curve. Computed from the first age of the tables.
    """
    ex = np.where(np.isnan(lt.ex), 0.0, lt.ex)
    dx = np.where(np.isnan(lt.dx), 0.0, lt.dx)
    ax = np.where(np.isnan(lt.ax), 0.0, lt.ax)
    e_next = np.vstack([ex[1:], np.zeros((1, lt.n))])
    rows = np.arange(ex.shape[0])[:, None]
    is_open = rows == lt.omega[None, :]
    a_frac = np.where(is_open, 0.0, ax)
    e_bar = np.where(is_open, ex, (1 - a_frac) * ex + a_frac * e_next)
    e_dagger = (dx * e_bar).sum(axis=0) / lt.radix
    return _wrap(lt, e_dagger / ex[0], "H")


def arriaga(
    lt1: LifeTables, lt2: LifeTables, *, breaks: Iterable[int] | None = None,
    age: int | None = None, open_age: int | None = None,
) -> pd.DataFrame:
    """Arriaga's (1984) decomposition of the difference ``e_a(2) - e_a(1)`` by age.

    For each closed age interval ``[x, x + n)``::

        Δ_x = l1_x / l1_a (L2_x / l2_x - L1_x / l1_x)
              + T2_{x+n} / l1_a (l1_x / l2_x - l1_{x+n} / l2_{x+n})

    and for the open interval ``Δ_ω = l1_ω / l1_a (T2_ω / l2_ω - T1_ω / l1_ω)``.
    The contributions sum exactly to the difference in life expectancy.

    Parameters
    ----------
    lt1, lt2
        Life tables on the same ages with the same number of schedules
        (schedule ``j`` of ``lt1`` is compared with schedule ``j`` of ``lt2``).
        If their open ages differ, the open group of the decomposition starts
        at the lower one (its formula needs only ``l`` and ``T`` there, so the
        contributions still sum exactly to the difference).
    breaks
        Lower bounds of the age groups (e.g. ``[0, 1, 5, 15, 45, 65, 85]``);
        default single years. Contributions are summed within groups.
    age
        The age from which life expectancy is decomposed (default: the first).
    open_age
        Start the open group here instead (e.g. 100), for all schedules.

    Returns
    -------
    pandas.DataFrame
        Rows: age groups (index ``age_group``, labels like ``"1-4"``, ``"85+"``),
        with column ``lower``; one column per schedule (labels from ``lt1``)
        with the contribution in years.
    """
    if not np.array_equal(lt1.ages, lt2.ages) or lt1.n != lt2.n:
        raise DataError("life tables to decompose differ in ages or number of schedules",
                        expected="the same age grid and schedules")
    start = lt1.ages[0] if age is None else age
    a = int(np.flatnonzero(lt1.ages == start)[0])
    # the open group starts at the lower of the two open ages (or open_age)
    omega = np.minimum(lt1.omega, lt2.omega)
    if open_age is not None:
        k = int(np.flatnonzero(lt1.ages == open_age)[0]) if open_age in lt1.ages else None
        if k is None or k <= a:
            raise DataError(f"open age {open_age} is not an age above {start} in the tables",
                            column="age", expected="an age of the tables above the start age")
        omega = np.minimum(omega, k)
    rows = np.arange(lt1.ages.size)[:, None]
    is_open = rows == omega[None, :]
    beyond = rows > omega[None, :]
    z = lambda v: np.where(np.isnan(v), 0.0, v)  # noqa: E731
    l1, l2, L1, L2, T1, T2 = (z(v) for v in (lt1.lx, lt2.lx, lt1.Lx, lt2.Lx, lt1.Tx, lt2.Tx))
    l1a = l1[a]
    shift = lambda v: np.vstack([v[1:], np.zeros((1, v.shape[1]))])  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        direct = l1 / l1a * (L2 / l2 - L1 / l1)
        indirect = shift(T2) / l1a * (l1 / l2 - shift(l1) / shift(l2))
        open_part = l1 / l1a * (T2 / l2 - T1 / l1)
    delta = np.where(is_open, open_part, direct + indirect)
    delta = np.where(beyond | (rows < a), 0.0, np.nan_to_num(delta))
    ages = lt1.ages
    if breaks is None:
        lowers = ages[a:]
    else:
        lowers = np.array(sorted(int(b) for b in breaks))
        lowers = lowers[(lowers >= start)]
        if lowers.size == 0 or lowers[0] != start:
            lowers = np.concatenate([[start], lowers])
    group = np.searchsorted(lowers, ages, side="right") - 1
    sums = np.zeros((lowers.size, lt1.n))
    keep = group >= 0
    np.add.at(sums, group[keep], delta[keep])
    uppers = list(lowers[1:] - 1) + [None]
    names = [f"{lo}+" if up is None else (f"{lo}" if up == lo else f"{lo}-{up}")
             for lo, up in zip(lowers, uppers)]
    cols = lt1.labels if lt1.labels is not None else pd.RangeIndex(lt1.n)
    out = pd.DataFrame(sums, index=pd.Index(names, name="age_group"), columns=cols)
    out.insert(0, "lower", lowers)
    return out


def cohort_rates(surface: pd.DataFrame, *, complete: bool = False) -> pd.DataFrame:
    """Read an age x year rate surface along its diagonals (birth cohorts).

    Parameters
    ----------
    surface
        Rates indexed by age (rows, consecutive whole ages) with calendar
        years as columns (consecutive whole years). Cell ``(x, t)`` is the
        rate at age ``x`` in year ``t``.
    complete
        Keep only cohorts observed at every age of the surface (no
        missing values); otherwise cells outside the surface are ``NaN``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age`` with one column per birth cohort ``c = t - x``
        (column index named ``cohort``): cell ``(x, c)`` is
        ``surface.loc[x, c + x]``. This is the approximation used when
        period rates by single age and year are chained into cohort life
        tables (the cohort born in year ``c`` is taken to be aged ``x`` in
        year ``c + x``).

    Notes
    -----
    :func:`life_tables` treats trailing ``NaN`` as the end of a schedule and
    closes it as an open interval at its last observed age. That is right for
    a complete cohort but not for one still alive at the edge of the surface:
    use ``complete=True`` (or extend the surface, e.g. with projected rates)
    before computing cohort life expectancy.
    """
    if not isinstance(surface, pd.DataFrame):
        raise DataError("cohort_rates needs a DataFrame (ages x years)",
                        expected="a DataFrame indexed by age with years as columns")
    ages = np.asarray(surface.index, dtype=float)
    years = np.asarray(surface.columns, dtype=float)
    if (np.any(ages % 1) or np.any(np.diff(ages) != 1) or np.any(years % 1)
            or np.any(np.diff(years) != 1)):
        raise DataError("the surface's ages or years are not consecutive whole numbers",
                        expected="consecutive single-year ages (rows) and years (columns)")
    ages, years = ages.astype(int), years.astype(int)
    values = surface.to_numpy(dtype=float)
    n_age, n_year = values.shape
    cohorts = np.arange(years[0] - ages[-1], years[-1] - ages[0] + 1)
    # year index of (age i, cohort k): cohorts[k] + ages[i] - years[0]
    j = cohorts[None, :] + ages[:, None] - years[0]
    inside = (j >= 0) & (j < n_year)
    i = np.broadcast_to(np.arange(n_age)[:, None], j.shape)
    out = np.full(j.shape, np.nan)
    out[inside] = values[i[inside], j[inside]]
    frame = pd.DataFrame(out, index=pd.Index(ages, name="age"),
                         columns=pd.Index(cohorts, name="cohort"))
    if complete:
        frame = frame.loc[:, frame.notna().all(axis=0)]
    return frame
