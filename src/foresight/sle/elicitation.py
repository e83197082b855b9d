"""The paper's two elicitation summaries, exactly as its footnotes 3 and 4 define them.

* :func:`ssp_point_estimate` (footnote 3): the age at which a respondent's
  subjective survival probabilities (SSPs) cross 50 %. An answer of exactly
  50 at one target age gives that age; 50 at consecutive target ages gives
  their mean; otherwise linear interpolation between the two target ages
  whose answers straddle 50.
* :func:`certainty_score` (footnote 4): the SSP interpolated linearly at the
  respondent's own SLE point estimate (the answer itself when the SLE equals
  a target age).

Both work on whole arrays of respondents at once (no Python loop over
respondents) and return NaN together with a reason code where the quantity
is undefined, so that nothing is silently guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.results import summary_text
from foresight.sle.survey import TARGET_AGES

#: Reason codes returned alongside the estimates.
OK = "ok"
MISSING = "missing answer"
NON_MONOTONE = "increasing answers"
ABOVE_50 = "never falls to 50"
BELOW_50 = "below 50 at the first target age"
OUTSIDE = "SLE outside the target-age range"
MISSING_SLE = "missing SLE"


@dataclass(frozen=True)
class Estimate:
    """Values (NaN where undefined) and one reason code per respondent."""

    value: np.ndarray
    reason: np.ndarray

    def __len__(self) -> int:
        return len(self.value)

    def to_frame(self) -> pd.DataFrame:
        """One row per respondent: ``value`` (NaN where undefined) and ``reason``."""
        return pd.DataFrame({"value": np.asarray(self.value, dtype=float),
                             "reason": np.asarray(self.reason, dtype=object)})

    def summary(self) -> str:
        """How many estimates are defined, their mean, and the count of each reason."""
        reasons = pd.Series(np.asarray(self.reason, dtype=object)).value_counts()
        return summary_text(
            f"{len(self):,} estimates, {int(np.sum(~np.isnan(self.value))):,} defined",
            {"mean of the defined values": float(np.nanmean(self.value)) if np.any(~np.isnan(self.value))
             else float("nan"),
             **{f"reason: {k}": int(v) for k, v in reasons.items()}},
        )


def _as_matrix(ssp, ages: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(ssp, dtype=float)
    if p.ndim == 1:
        p = p[None, :]
    a = np.asarray(ages, dtype=float)
    if p.ndim != 2 or p.shape[1] != a.size:
        raise ValueError(f"ssp must have one column per target age ({a.size}), got shape {p.shape}")
    if a.size < 2 or np.any(np.diff(a) <= 0):
        raise ValueError("target ages must be at least two and strictly increasing")
    return p, a


def ssp_point_estimate(
    ssp,
    ages: Sequence[float] = TARGET_AGES,
    *,
    non_monotone: str = "nan",
) -> Estimate:
    """Age at which the survival answers cross 50 % (footnote 3 of the paper).

    Parameters
    ----------
    ssp
        Array ``(n, k)`` (or one respondent ``(k,)``) of SSP answers in
        percent (0-100) for the target ``ages``; NaN = missing.
    ages
        Target ages in years, strictly increasing (default 60, 70, ..., 100).
    non_monotone
        What to do when an answer is higher than the one for the previous
        target age (a survival curve cannot rise): ``"nan"`` (default)
        returns NaN with reason ``"increasing answers"``; ``"first"`` applies
        the footnote-3 rule to the first crossing of 50 (used only in the
        sensitivity analysis).

    Returns
    -------
    Estimate
        ``value``: the SSP point estimate in years; ``reason``: ``"ok"`` or
        why it is undefined (missing answer, increasing answers, answers
        never fall to 50, first answer already below 50).

    Notes
    -----
    Let ``j`` be the first target age with an answer of at most 50. If that
    answer is exactly 50, the estimate is the mean of the run of consecutive
    target ages answered 50 starting at ``j``; otherwise it is the linear
    interpolation ``a[j-1] + (p[j-1] - 50) / (p[j-1] - p[j]) * (a[j] - a[j-1])``.
    For non-increasing answers this is exactly footnote 3. An all-50 answer
    gives the mean target age (80); the paper removes such respondents
    earlier, with the other identical-answer patterns.

    Examples
    --------
    >>> ssp_point_estimate([90, 80, 60, 40, 10]).value
    array([85.])
    >>> ssp_point_estimate([[90, 70, 50, 50, 20]]).value
    array([85.])
    """
    if non_monotone not in ("nan", "first"):
        raise ValueError("non_monotone must be 'nan' or 'first'")
    p, a = _as_matrix(ssp, ages)
    n, k = p.shape
    rows = np.arange(n)
    missing = np.isnan(p).any(axis=1)
    rising = (np.diff(p, axis=1) > 0).any(axis=1) & ~missing
    at_or_below = p <= 50
    has = at_or_below.any(axis=1)
    j = np.argmax(at_or_below, axis=1)
    pj = p[rows, j]
    exact = pj == 50
    # run of consecutive 50s starting at j
    pos = np.arange(k)[None, :]
    after = pos >= j[:, None]
    run = np.cumprod(np.where(after, p == 50, True), axis=1).astype(bool) & after
    run_mean = np.where(run, a[None, :], 0.0).sum(axis=1) / np.maximum(run.sum(axis=1), 1)
    jm = np.maximum(j - 1, 0)
    p0, p1 = p[rows, jm], pj
    a0, a1 = a[jm], a[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        interp = a0 + (p0 - 50.0) / (p0 - p1) * (a1 - a0)
    value = np.where(exact, run_mean, interp)
    below_first = has & (j == 0) & ~exact
    reason = np.full(n, OK, dtype=object)
    reason[~has] = ABOVE_50
    reason[below_first] = BELOW_50
    if non_monotone == "nan":
        reason[rising] = NON_MONOTONE
    reason[missing] = MISSING
    value = np.where(reason == OK, value, np.nan)
    return Estimate(value=value.astype(float), reason=reason)


def interpolate_ssp(ssp, at, ages: Sequence[float] = TARGET_AGES) -> np.ndarray:
    """Each respondent's SSP linearly interpolated at their own age ``at``.

    Parameters
    ----------
    ssp
        ``(n, k)`` answers in percent for the target ``ages``.
    at
        ``(n,)`` ages in years at which to interpolate; NaN where ``at`` is
        outside ``[ages[0], ages[-1]]`` or missing, or a needed answer is.
    """
    p, a = _as_matrix(ssp, ages)
    x = np.broadcast_to(np.asarray(at, dtype=float), (p.shape[0],)).astype(float)
    inside = (x >= a[0]) & (x <= a[-1])
    xi = np.where(inside, x, a[0])
    i = np.clip(np.searchsorted(a, xi, side="right") - 1, 0, a.size - 2)
    w = (xi - a[i]) / (a[i + 1] - a[i])
    rows = np.arange(p.shape[0])
    lo, hi = p[rows, i], p[rows, i + 1]
    # at an exact target age use that answer alone (footnote 4), even if the next is missing
    val = np.where(w == 0, lo, np.where(w == 1, hi, lo * (1 - w) + hi * w))
    return np.where(inside, val, np.nan)


def certainty_score(sle, ssp, ages: Sequence[float] = TARGET_AGES) -> Estimate:
    """Subjective chance of reaching one's own SLE point estimate (footnote 4).

    Parameters
    ----------
    sle
        ``(n,)`` SLE point estimates in years (NaN = missing).
    ssp
        ``(n, k)`` SSP answers in percent at the target ``ages``.

    Returns
    -------
    Estimate
        ``value`` in percent (0-100): the answer at the target age equal to
        the SLE, or the linear interpolation between the answers at the two
        surrounding target ages; NaN with a reason code when the SLE is
        missing, outside the target-age range, or a needed answer is missing.

    Examples
    --------
    >>> certainty_score([85], [[95, 90, 80, 60, 20]]).value
    array([70.])
    """
    p, a = _as_matrix(ssp, ages)
    x = np.asarray(sle, dtype=float).reshape(-1)
    value = interpolate_ssp(p, x, a)
    reason = np.full(p.shape[0], OK, dtype=object)
    reason[np.isnan(value)] = MISSING
    reason[(x < a[0]) | (x > a[-1])] = OUTSIDE
    reason[np.isnan(x)] = MISSING_SLE
    return Estimate(value=np.where(reason == OK, value, np.nan), reason=reason)
