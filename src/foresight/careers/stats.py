"""Small-sample statistics for the typology counts.

* :func:`clopper_pearson`: exact (Clopper-Pearson) binomial confidence interval.
* :func:`interval_ci`: the union of Clopper-Pearson intervals when the count itself is
  only known to lie in ``[k_low, k_high]`` (the 11-person typology).
* :func:`fisher_freeman_halton`: exact conditional test of independence for a 2 x c
  table (Freeman & Halton 1951), by complete enumeration of the tables with the
  observed margins.
* :func:`typology_table`, :func:`intention_test`: the two applied to a :class:`Study`.

Everything here is exploratory: 35 self-selected trainees from one university, grouped
after the fact by the researchers' own typology. The p-value describes how unusual the
spread of intentions would be if typology and intention were unrelated *within these 35
people*; it is not an estimate for any population.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from foresight.results import summary_text

__all__ = ["clopper_pearson", "interval_ci", "fisher_freeman_halton", "typology_table",
           "intention_test", "IntentionTest", "overall_stay"]

_MAX_TABLES = 5_000_000


def clopper_pearson(k, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact two-sided binomial confidence interval for a proportion.

    Parameters
    ----------
    k, n
        Successes and trials (array-like of integers, broadcast together, 0 <= k <= n,
        n >= 1).
    level
        Confidence level in (0, 1); each tail gets ``(1 - level) / 2``.

    Returns
    -------
    (lower, upper)
        Arrays of proportions in [0, 1]. ``lower = Beta(a/2; k, n-k+1)`` quantile (0 when
        k = 0) and ``upper = Beta(1-a/2; k+1, n-k)`` quantile (1 when k = n), the
        inversion of two one-sided binomial tests.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    if np.any(n < 1) or np.any(k < 0) or np.any(k > n) or np.any(k % 1) or np.any(n % 1):
        raise ValueError("need integers 0 <= k <= n and n >= 1")
    a = (1 - level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(k > 0, stats.beta.ppf(a, np.maximum(k, 1), n - k + 1), 0.0)
        upper = np.where(k < n, stats.beta.ppf(1 - a, k + 1, np.maximum(n - k, 1)), 1.0)
    return lower, upper


def interval_ci(k_low, k_high, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Confidence bounds valid whatever the true count in ``[k_low, k_high]``.

    Clopper-Pearson bounds increase with ``k``, so the union of the intervals over the
    admissible counts is ``[lower(k_low), upper(k_high)]``.
    """
    lo, _ = clopper_pearson(k_low, n, level)
    _, hi = clopper_pearson(k_high, n, level)
    return lo, hi


def fisher_freeman_halton(table) -> tuple[float, float]:
    """Exact p-value of the Fisher-Freeman-Halton test for a 2 x c table.

    Parameters
    ----------
    table
        2 x c array of non-negative integer counts (rows: outcome, columns: groups).

    Returns
    -------
    (p_value, p_observed)
        ``p_value`` = total null probability of all tables with the observed margins
        whose probability is at most that of the observed table (with a relative
        tolerance of 1e-7 for ties); ``p_observed`` = null probability of the observed
        table. Under the null of independence with fixed margins the top row is
        multivariate hypergeometric: ``P(x) = prod_j C(n_j, x_j) / C(N, S)``.
    """
    t = np.asarray(table)
    if t.ndim != 2 or t.shape[0] != 2 or np.any(t < 0) or np.any(t % 1):
        raise ValueError("need a 2 x c table of non-negative integers")
    t = t.astype(int)
    cols = t.sum(axis=0)
    S, N = int(t[0].sum()), int(t.sum())
    if np.prod(cols + 1, dtype=float) > _MAX_TABLES:
        raise ValueError("table too large for complete enumeration")
    grids = np.indices(tuple(cols + 1)).reshape(len(cols), -1).T  # every top row
    grids = grids[grids.sum(axis=1) == S]
    logc = lambda n, k: special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)  # noqa: E731
    logp = logc(cols[None, :], grids).sum(axis=1) - logc(N, S)
    p_all = np.exp(logp)
    p_obs = float(np.exp((logc(cols, t[0])).sum() - logc(N, S)))
    p_value = float(p_all[p_all <= p_obs * (1 + 1e-7)].sum())
    return min(p_value, 1.0), p_obs


def typology_table(study, level: float = 0.95) -> pd.DataFrame:
    """Size, stayers and the share staying with an exact confidence interval, per typology.

    Columns: ``id, short, size, stay_low, stay_high, stay_text, share_low, share_high,
    ci_low, ci_high``. For a typology whose count is an interval the CI is the union over
    the admissible counts (:func:`interval_ci`); ``stay_text`` is ``"7"`` or ``"6-8"``.
    """
    t = study.typologies
    lo, hi = interval_ci(t["stay_low"].to_numpy(), t["stay_high"].to_numpy(),
                         t["size"].to_numpy(), level)
    out = t[["id", "short", "size", "stay_low", "stay_high"]].copy()
    out["stay_text"] = np.where(t["determined"], t["stay_low"].astype(str),
                                t["stay_low"].astype(str) + "–" + t["stay_high"].astype(str))
    out["share_low"] = t["stay_low"] / t["size"]
    out["share_high"] = t["stay_high"] / t["size"]
    out["ci_low"], out["ci_high"] = lo, hi
    return out


def overall_stay(study, level: float = 0.95) -> dict[str, float]:
    """All typologies together: stayers ``[low, high]`` of the total, with the CI union."""
    t = study.typologies
    k_lo, k_hi, n = int(t["stay_low"].sum()), int(t["stay_high"].sum()), int(t["size"].sum())
    lo, hi = interval_ci(k_lo, k_hi, n, level)
    return {"stay_low": k_lo, "stay_high": k_hi, "n": n, "share_low": k_lo / n,
            "share_high": k_hi / n, "ci_low": float(lo), "ci_high": float(hi)}


@dataclass(frozen=True)
class IntentionTest:
    """Exact test across typologies for every admissible completion of the counts.

    ``completions`` has one row per way of filling in interval-valued counts
    (columns: the stayers per typology, ``p_value``); ``p_min`` / ``p_max`` bound the
    p-value over them.
    """

    completions: pd.DataFrame
    p_min: float
    p_max: float

    def to_frame(self) -> pd.DataFrame:
        """One row per admissible completion: stayers per typology and ``p_value``."""
        return self.completions.copy()

    def summary(self) -> str:
        """Completions tested and the range of the exact p-value."""
        return summary_text(
            "Fisher-Freeman-Halton exact test of intention x typology, over every admissible count",
            {"completions": len(self.completions), "smallest p": self.p_min, "largest p": self.p_max},
        )


def intention_test(study) -> IntentionTest:
    """Fisher-Freeman-Halton test of stay/leave x typology, over all admissible counts.

    An interval-valued count (``stay_low < stay_high``) is not guessed: the test is run
    for every whole number in the interval and the range of p-values reported.
    """
    t = study.typologies
    ranges = [range(int(a), int(b) + 1) for a, b in zip(t["stay_low"], t["stay_high"])]
    sizes = t["size"].to_numpy()
    rows = []
    for combo in itertools.product(*ranges):
        stay = np.array(combo)
        p, _ = fisher_freeman_halton(np.vstack([stay, sizes - stay]))
        rows.append({**dict(zip(t["id"], combo)), "p_value": p})
    frame = pd.DataFrame(rows)
    return IntentionTest(frame, float(frame["p_value"].min()), float(frame["p_value"].max()))
