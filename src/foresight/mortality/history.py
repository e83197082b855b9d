"""The changing life table: summaries of many life tables and checks of published statements.

Helpers for the first half of the mortality chapter: the sexes-combined
survival curve used by ONS Figure 4.10, a table of summary measures per life
table, and the comparison of a reproduced number with a published one under
an explicit tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.mortality.lifetable import (
    LifeTables,
    interquartile_range,
    keyfitz_entropy,
    life_expectancy,
    median_age_at_death,
    modal_age_at_death,
)

__all__ = ["compare_published", "life_table_summary", "mix_life_tables", "tolerance_for"]


def mix_life_tables(a: LifeTables, b: LifeTables, *, weight_b: float = 0.5,
                    labels=None) -> LifeTables:
    """Life table of a birth cohort made of two sub-cohorts (e.g. the two sexes).

    Survivors, deaths and person-years of the mixed cohort are the weighted
    sums ``(1 - w) X_a + w X_b`` of those of the two tables (each scaled to
    the common radix), so ``lx`` is the average survival curve and the other
    columns follow exactly: ``qx = dx / lx``, ``mx = dx / Lx``,
    ``ax = (Lx - l_{x+1}) / dx``, ``ex = Tx / lx``. Schedule ``j`` of ``a`` is
    mixed with schedule ``j`` of ``b``; the open age of the mix is the later
    of the two.

    Parameters
    ----------
    a, b
        Life tables on the same ages with the same number of schedules.
    weight_b
        Share of the cohort following ``b`` (0.5: an equal mix).
    labels
        Labels of the mixed schedules (default: ``a``'s labels).
    """
    if not np.array_equal(a.ages, b.ages) or a.n != b.n:
        raise DataError("life tables to mix differ in ages or number of schedules",
                        expected="the same age grid and schedules")
    if not 0.0 <= weight_b <= 1.0:
        raise ValueError("weight_b must be in [0, 1]")
    z = lambda v: np.nan_to_num(v)  # noqa: E731
    sa, sb = a.radix, b.radix
    w = weight_b
    lx = (1 - w) * z(a.lx) / sa + w * z(b.lx) / sb
    dx = (1 - w) * z(a.dx) / sa + w * z(b.dx) / sb
    Lx = (1 - w) * z(a.Lx) / sa + w * z(b.Lx) / sb
    Tx = (1 - w) * z(a.Tx) / sa + w * z(b.Tx) / sb
    omega = np.maximum(a.omega, b.omega)
    rows = np.arange(a.ages.size)[:, None]
    beyond = rows > omega[None, :]
    l_next = np.vstack([lx[1:], np.zeros((1, a.n))])
    with np.errstate(divide="ignore", invalid="ignore"):
        qx = np.where(lx > 0, dx / lx, np.nan)
        mx = np.where(Lx > 0, dx / Lx, np.nan)
        ax = np.where(dx > 0, (Lx - l_next) / dx, np.nan)
        ex = np.where(lx > 0, Tx / lx, np.nan)
    radix = a.radix
    nan = np.where(beyond, np.nan, 1.0)
    return LifeTables(
        ages=a.ages, mx=mx * nan, qx=qx * nan, ax=ax * nan, lx=lx * radix * nan,
        dx=dx * radix * nan, Lx=Lx * radix * nan, Tx=Tx * radix * nan, ex=ex * nan,
        omega=omega, radix=radix, labels=a.labels if labels is None else pd.Index(labels),
    )


def life_table_summary(lt: LifeTables) -> pd.DataFrame:
    """Summary measures of every schedule, one row each.

    Columns: ``e0``, ``e65`` (years), ``median`` and ``mode`` (adult modal
    age) of the age at death, ``iqr`` (interquartile range of the age at
    death, years) and ``entropy`` (Keyfitz's H).
    """
    def col(v):
        return np.atleast_1d(np.asarray(v, dtype=float))

    out = pd.DataFrame({
        "e0": col(life_expectancy(lt, 0)),
        "e65": col(life_expectancy(lt, 65)),
        "median": col(median_age_at_death(lt)),
        "mode": col(modal_age_at_death(lt)),
        "iqr": col(interquartile_range(lt)),
        "entropy": col(keyfitz_entropy(lt)),
    }, index=lt.labels if lt.labels is not None else pd.RangeIndex(lt.n))
    return out


def tolerance_for(decimals: int, qualifier: str) -> float:
    """Tolerance implied by how a figure is printed.

    ``exact``: half a unit in the last printed place (rounding). ``about``:
    one unit in the last printed place (the word widens the rounding
    interval). ``at least`` / ``at most``: half a unit, applied one-sidedly by
    :func:`compare_published`.
    """
    unit = 10.0 ** (-int(decimals))
    if qualifier == "about":
        return unit
    if qualifier in ("exact", "at least", "at most"):
        return unit / 2
    raise DataError(f"unknown qualifier {qualifier!r}", column="qualifier",
                    expected="exact, about, at least or at most")


def compare_published(published: float, reproduced: float, *, tolerance: float,
                      qualifier: str = "exact") -> str:
    """Verdict on a reproduced number: ``"agrees"`` or ``"differs"``.

    ``"agrees"`` when ``|reproduced - published| <= tolerance`` (or, for ``at
    least``/``at most``, when the bound holds within the tolerance).
    """
    diff = reproduced - published
    if qualifier == "at least":
        ok = diff >= -tolerance
    elif qualifier == "at most":
        ok = diff <= tolerance
    else:
        ok = abs(diff) <= tolerance + 1e-12
    return "agrees" if ok else "differs"
