"""How much does the headline gap (SSP point estimate minus SLE) depend on choices?

Variants of the analysis, each re-run from the full survey:

* the paper's cascade (baseline);
* leaving out one exclusion rule at a time (the respondents it removed are
  kept if no later rule removes them; without the ``increasing`` rule the
  first 50 % crossing is used, see :func:`foresight.sle.ssp_point_estimate`);
* other completion-time thresholds;
* keeping the all-50 respondents (footnote 3 then gives them 80; this is
  the identical-answers rule left out, since other identical answers never
  cross 50 and are removed by the last rule);
* treating every answer of exactly 50 as "don't know" (Bruine de Bruin et
  al.): the answer is set missing, filled by linear interpolation between
  the neighbouring target ages' answers, and respondents whose 50 was at the
  first or last target age (no neighbour on one side) are dropped.

For each variant: the analysis-sample size, mean SLE, mean SSP point
estimate, their mean paired difference and its 95 % confidence interval
(t distribution, ``n - 1`` degrees of freedom).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from foresight.sle.cascade import RULE_LABELS, CascadeOptions, apply_cascade
from foresight.sle.elicitation import ssp_point_estimate
from foresight.sle.survey import SSP_COLUMNS, as_float, ssp_matrix


def fifty_as_dont_know(ssp: np.ndarray) -> np.ndarray:
    """SSP answers with every exact 50 replaced by interpolation between neighbours.

    Target ages are equally spaced, so the fill is the mean of the nearest
    non-50 answers on either side weighted by distance. Runs of 50 at the
    start or end of the sequence stay missing (NaN).
    """
    p = np.asarray(ssp, dtype=float).copy()
    p[p == 50] = np.nan
    frame = pd.DataFrame(p)
    return frame.interpolate(axis=1, limit_area="inside").to_numpy(dtype=float)


def gap_summary(sle, pe) -> dict[str, float]:
    """Mean paired gap ``pe - sle`` with a t-based 95 % CI; rows with NaN dropped."""
    sle = np.asarray(sle, dtype=float)
    pe = np.asarray(pe, dtype=float)
    ok = ~np.isnan(sle) & ~np.isnan(pe)
    d = pe[ok] - sle[ok]
    n = int(ok.sum())
    if n < 2:
        return dict(n=n, mean_sle=np.nan, mean_ssp_pe=np.nan, gap=np.nan, ci_low=np.nan, ci_high=np.nan)
    half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / np.sqrt(n)
    return dict(n=n, mean_sle=float(sle[ok].mean()), mean_ssp_pe=float(pe[ok].mean()),
                gap=float(d.mean()), ci_low=float(d.mean() - half), ci_high=float(d.mean() + half))


def _variant(survey: pd.DataFrame, options: CascadeOptions, fifty_dk: bool = False) -> dict[str, float]:
    kept = apply_cascade(survey, options).kept
    p = ssp_matrix(kept)
    if fifty_dk:
        p = fifty_as_dont_know(p)
    mode = "first" if "increasing" in options.skip else "nan"
    pe = ssp_point_estimate(p, non_monotone=mode).value
    return gap_summary(as_float(kept["sle"]), pe)


def sensitivity(survey: pd.DataFrame) -> pd.DataFrame:
    """The headline gap under each variant; one row per variant, baseline first.

    Columns: ``variant, n, mean_sle, mean_ssp_pe, gap, ci_low, ci_high``.
    """
    rows = [dict(variant="paper's rules", **_variant(survey, CascadeOptions()))]
    for rule in ("speeder", "age", "sle_below_age", "sle_outside", "increasing"):
        label = f"without rule: {RULE_LABELS[rule]}"
        rows.append(dict(variant=label, **_variant(survey, CascadeOptions(skip=(rule,)))))
    for minutes in (10.0, 20.0):
        rows.append(dict(variant=f"completion-time threshold {minutes:.0f} minutes",
                         **_variant(survey, CascadeOptions(min_minutes=minutes))))
    rows.append(dict(variant="keep the all-50 respondents (point estimate 80)",
                     **_variant(survey, CascadeOptions(identical_only_all_50=False, skip=("identical",)))))
    rows.append(dict(variant="every answer of 50 treated as don't know",
                     **_variant(survey, CascadeOptions(), fifty_dk=True)))
    return pd.DataFrame(rows)
