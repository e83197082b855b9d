"""The Lee-Carter (1992) model and its coherent extension (Li & Lee 2005), as benchmarks.

``log m(x, t) = a_x + b_x k_t``, fitted by the singular value decomposition
of the centred log rates (the original least-squares estimate), normalised so
that ``sum(b) = 1`` and ``sum(k) = 0``. ``k_t`` is forecast as a random walk
with drift; with observations at irregular years (e.g. decennial life tables)
the drift per calendar year is ``(k_last - k_first) / (t_last - t_first)``,
which is the maximum-likelihood drift of a random walk observed at those
times.

:func:`fit_li_lee` fits the augmented common factor model of Li and Lee (2005)
to several populations at once (in the tournament, the two sexes): a common
Lee-Carter factor of the pooled rates plus each population's own factor,
forecast as a stationary AR(1) so that the populations do not drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.results import summary_text

__all__ = ["LI_LEE_MAX_PHI", "LeeCarterFit", "LiLeeFit", "fit_lee_carter", "fit_li_lee"]


@dataclass(frozen=True)
class LeeCarterFit:
    """Fitted Lee-Carter model.

    Attributes
    ----------
    ages, years
        Axes of the data (years may be irregularly spaced).
    a, b
        Age pattern of log mortality and age sensitivities (``sum(b) = 1``).
    k
        Period index (``sum(k) = 0``), one value per year.
    drift
        Change of ``k`` per calendar year.
    explained
        Share of the variance of the centred log rates captured by the first
        singular component.
    jump_off
        ``"fitted"``: forecasts start from the fitted rates of the last year;
        ``"observed"``: from the observed rates (Lee & Miller 2001).
    last_log_rates
        Observed log rates of the last year (for the observed jump-off).
    """

    ages: np.ndarray
    years: np.ndarray
    a: np.ndarray
    b: np.ndarray
    k: np.ndarray
    drift: float
    explained: float
    jump_off: str
    last_log_rates: np.ndarray

    def fitted(self) -> pd.DataFrame:
        """Fitted central death rates on the data grid (ages x years)."""
        return pd.DataFrame(
            np.exp(self.a[:, None] + self.b[:, None] * self.k[None, :]),
            index=pd.Index(self.ages, name="age"),
            columns=pd.Index(self.years, name="year"),
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy fit, one row per age and year: ``age, year, a, b, k, log_rate``.

        ``log_rate = a + b k`` is the fitted log central death rate
        (per person-year); ``a`` and ``b`` repeat along years, ``k`` along
        ages. Sorted by age, then year.
        """
        aa, yy = np.meshgrid(self.ages, self.years, indexing="ij")
        a = np.broadcast_to(self.a[:, None], aa.shape)
        b = np.broadcast_to(self.b[:, None], aa.shape)
        k = np.broadcast_to(self.k[None, :], aa.shape)
        return pd.DataFrame({"age": aa.ravel(), "year": yy.ravel(), "a": a.ravel(), "b": b.ravel(),
                             "k": k.ravel(), "log_rate": (a + b * k).ravel()})

    def summary(self) -> str:
        """Grid, variance explained by the first component, drift and jump-off."""
        return summary_text(
            f"Lee-Carter fit: ages {int(self.ages[0])}-{int(self.ages[-1])} x "
            f"{self.years.size} years ({int(self.years[0])}-{int(self.years[-1])})",
            {"variance explained by b k": self.explained,
             "drift of k per calendar year": self.drift,
             "jump-off": self.jump_off},
        )

    def forecast(self, years: Sequence[int]) -> pd.DataFrame:
        """Central forecast of the rates (ages x years) by the drift of ``k``."""
        years = np.asarray(years, dtype=float)
        h = years - self.years[-1]
        if np.any(h < 0):
            raise ValueError("forecast years must not precede the last year of the data")
        if self.jump_off == "observed":
            log_m = self.last_log_rates[:, None] + self.b[:, None] * self.drift * h[None, :]
        else:
            k = self.k[-1] + self.drift * h
            log_m = self.a[:, None] + self.b[:, None] * k[None, :]
        return pd.DataFrame(
            np.exp(log_m),
            index=pd.Index(self.ages, name="age"),
            columns=pd.Index(years.astype(int), name="year"),
        )


def fit_lee_carter(
    rates: pd.DataFrame, *, jump_off: Literal["fitted", "observed"] = "fitted"
) -> LeeCarterFit:
    """Fit Lee-Carter to a surface of central death rates.

    Parameters
    ----------
    rates
        Central death rates (per person-year), ages in rows, years in columns
        (increasing, at least two; gaps between years allowed). All positive.
    jump_off
        Start of the forecasts (see :class:`LeeCarterFit`).
    """
    if not isinstance(rates, pd.DataFrame):
        raise DataError("rates must be a DataFrame (ages x years)", column="rates")
    m = rates.to_numpy(dtype=float)
    years = np.asarray(rates.columns, dtype=float)
    if years.size < 2 or np.any(np.diff(years) <= 0):
        raise DataError("need at least two increasing years", column="year", expected="increasing years")
    if not np.all(np.isfinite(m)) or np.any(m <= 0):
        i, j = np.argwhere(~(np.isfinite(m) & (m > 0)))[0]
        raise DataError(
            "missing or non-positive rate",
            row=f"age {rates.index[i]}, year {rates.columns[j]}",
            row_label="cell",
            expected="positive central death rates",
        )
    if jump_off not in ("fitted", "observed"):
        raise ValueError("jump_off must be 'fitted' or 'observed'")
    y = np.log(m)
    a = y.mean(axis=1)
    u, s, vt = np.linalg.svd(y - a[:, None], full_matrices=False)
    scale = u[:, 0].sum()
    b = u[:, 0] / scale
    k = s[0] * vt[0] * scale
    drift = float((k[-1] - k[0]) / (years[-1] - years[0]))
    explained = float(s[0] ** 2 / np.sum(s**2)) if np.sum(s**2) > 0 else 1.0
    return LeeCarterFit(
        ages=np.asarray(rates.index),
        years=years.astype(int),
        a=a,
        b=b,
        k=k,
        drift=drift,
        explained=explained,
        jump_off=jump_off,
        last_log_rates=y[:, -1],
    )


# ---------------------------------------------------------------------------------------------
# Coherent forecasts for several populations (Li & Lee 2005)
# ---------------------------------------------------------------------------------------------

#: Largest autoregressive coefficient of a population's own factor: coherence needs a
#: stationary AR(1), so an estimate at or beyond +/-1 is held at this value.
LI_LEE_MAX_PHI = 0.99


@dataclass(frozen=True)
class LiLeeFit:
    """Fitted Li-Lee (2005) augmented common factor model.

    ``log m_i(x, t) = a_i(x) + B(x) K(t) + b_i(x) k_i(t)``: a common factor
    ``B K`` fitted by Lee-Carter to the group's pooled rates, and for each
    population ``i`` its own first principal component of what is left. ``K``
    is a random walk with drift; each ``k_i`` a stationary AR(1)
    ``k_i(t) = c_i + phi_i k_i(t - 1)``, so the populations' forecasts do not
    diverge (coherence).

    Attributes
    ----------
    ages, years
        Axes of the data (consecutive years).
    a, b, k
        Per population: mean log rates, age loadings (``sum(b) = 1``) and
        period index of the population's own factor.
    B, K
        Loadings and index of the common factor (``sum(B) = 1``, ``sum(K) = 0``).
    drift
        Change of ``K`` per year.
    phi, c
        AR(1) coefficient (held within :data:`LI_LEE_MAX_PHI`) and constant of
        each ``k_i``.
    jump_off
        ``"fitted"`` (Li & Lee: forecasts start from the fitted rates) or
        ``"observed"`` (from the observed rates of the last year, as Lee and
        Miller 2001 do for Lee-Carter).
    last_log_rates
        Observed log rates of the last year, per population.
    """

    ages: np.ndarray
    years: np.ndarray
    a: dict
    b: dict
    k: dict
    B: np.ndarray
    K: np.ndarray
    drift: float
    phi: dict
    c: dict
    jump_off: str
    last_log_rates: dict

    def _k_ahead(self, name: str, h: np.ndarray) -> np.ndarray:
        phi, c, k_last = self.phi[name], self.c[name], self.k[name][-1]
        return c * (1.0 - phi**h) / (1.0 - phi) + phi**h * k_last

    def forecast(self, years: Sequence[int]) -> dict[str, pd.DataFrame]:
        """Central forecast of each population's rates (ages x years)."""
        years = np.asarray(years, dtype=float)
        h = years - self.years[-1]
        if np.any(h < 0):
            raise ValueError("forecast years must not precede the last year of the data")
        out = {}
        for name in self.a:
            if self.jump_off == "observed":
                k_now = self.k[name][-1]
                log_m = (self.last_log_rates[name][:, None] + self.B[:, None] * self.drift * h[None, :]
                         + self.b[name][:, None] * (self._k_ahead(name, h) - k_now)[None, :])
            else:
                big_k = self.K[-1] + self.drift * h
                log_m = (self.a[name][:, None] + self.B[:, None] * big_k[None, :]
                         + self.b[name][:, None] * self._k_ahead(name, h)[None, :])
            out[name] = pd.DataFrame(np.exp(log_m), index=pd.Index(self.ages, name="age"),
                                     columns=pd.Index(years.astype(int), name="year"))
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy fit: ``population, age, year, a, B, K, b, k, log_rate`` (fitted), sorted."""
        aa, yy = np.meshgrid(self.ages, self.years, indexing="ij")
        parts = []
        for name in self.a:
            log_rate = (self.a[name][:, None] + self.B[:, None] * self.K[None, :]
                        + self.b[name][:, None] * self.k[name][None, :])
            parts.append(pd.DataFrame({
                "population": name, "age": aa.ravel(), "year": yy.ravel(),
                "a": np.repeat(self.a[name], self.years.size), "B": np.repeat(self.B, self.years.size),
                "K": np.tile(self.K, self.ages.size), "b": np.repeat(self.b[name], self.years.size),
                "k": np.tile(self.k[name], self.ages.size), "log_rate": log_rate.ravel()}))
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """Grid, drift of the common factor, and each population's AR(1) coefficient."""
        items = {"drift of K per year": self.drift, "jump-off": self.jump_off}
        items.update({f"AR(1) coefficient, {name}": self.phi[name] for name in self.a})
        return summary_text(
            f"Li-Lee coherent fit: {len(self.a)} populations, ages {int(self.ages[0])}-"
            f"{int(self.ages[-1])} x {self.years.size} years ({int(self.years[0])}-{int(self.years[-1])})",
            items)


def _first_component(centred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loadings (summing to 1) and index of the first singular component of a centred matrix."""
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    scale = u[:, 0].sum()
    return u[:, 0] / scale, s[0] * vt[0] * scale


def fit_li_lee(rates: Mapping[str, pd.DataFrame], pooled: pd.DataFrame, *,
               jump_off: Literal["fitted", "observed"] = "fitted") -> LiLeeFit:
    """Fit the Li-Lee coherent model to several populations (e.g. the two sexes).

    Parameters
    ----------
    rates
        Central death rates per population (ages x consecutive years, all
        positive), on one grid.
    pooled
        The group's pooled rates (deaths over exposures of all populations
        together) on the same grid; the common factor is their Lee-Carter fit.
    jump_off
        Start of the forecasts (see :class:`LiLeeFit`).
    """
    if not rates:
        raise DataError("no populations to fit", column="rates")
    names = list(rates)
    grid = fit_lee_carter(pooled)  # checks the pooled surface; B sums to 1, K to 0
    years = np.asarray(pooled.columns, dtype=float)
    if np.any(np.diff(years) != 1):
        raise DataError("the Li-Lee model needs consecutive years", column="year",
                        expected="one column per calendar year")
    for name in names:
        other = rates[name]
        if not (other.index.equals(pooled.index) and other.columns.equals(pooled.columns)):
            raise DataError(f"the rates of {name!r} are not on the pooled grid", column=str(name),
                            expected="the same ages and years for every population")
        fit_lee_carter(other)  # the same checks of every cell
    a, b, k, phi, c, last = {}, {}, {}, {}, {}, {}
    common = grid.b[:, None] * grid.k[None, :]
    for name in names:
        y = np.log(rates[name].to_numpy(dtype=float))
        a[name] = y.mean(axis=1)
        b[name], k[name] = _first_component(y - a[name][:, None] - common)
        x0, x1 = k[name][:-1], k[name][1:]
        slope = float(np.sum((x0 - x0.mean()) * (x1 - x1.mean())) / np.sum((x0 - x0.mean()) ** 2)) \
            if np.sum((x0 - x0.mean()) ** 2) > 0 else 0.0
        phi[name] = float(np.clip(slope, -LI_LEE_MAX_PHI, LI_LEE_MAX_PHI))
        c[name] = float(x1.mean() - phi[name] * x0.mean())
        last[name] = y[:, -1]
    drift = float((grid.k[-1] - grid.k[0]) / (years[-1] - years[0]))
    return LiLeeFit(ages=np.asarray(pooled.index), years=years.astype(int), a=a, b=b, k=k, B=grid.b,
                    K=grid.k, drift=drift, phi=phi, c=c, jump_off=jump_off, last_log_rates=last)
