"""The Lee-Carter (1992) model, as a benchmark for the ONS-style projection.

``log m(x, t) = a_x + b_x k_t``, fitted by the singular value decomposition
of the centred log rates (the original least-squares estimate), normalised so
that ``sum(b) = 1`` and ``sum(k) = 0``. ``k_t`` is forecast as a random walk
with drift; with observations at irregular years (e.g. decennial life tables)
the drift per calendar year is ``(k_last - k_first) / (t_last - t_first)``,
which is the maximum-likelihood drift of a random walk observed at those
times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.results import summary_text

__all__ = ["LeeCarterFit", "fit_lee_carter"]


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
