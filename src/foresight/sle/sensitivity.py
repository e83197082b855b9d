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
  first or last target age (no neighbour on one side) are dropped;
* keeping the respondents whose answers never cross 50 % (the last rule left
  out), each placed at the median of the Gompertz survival curve fitted to
  their five answers (:func:`foresight.sle.parametric.fit_curves`), since
  footnote 3 gives them no estimate; everyone else keeps the footnote-3
  estimate.

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


#: The variant that keeps the answers never crossing 50 %, placed by a fitted curve.
NO_CROSSING_FITTED = "keep answers that never cross 50% (median of a fitted Gompertz curve)"


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


def _variant(survey: pd.DataFrame, options: CascadeOptions, fifty_dk: bool = False,
             fit_no_crossing: bool = False) -> dict[str, float]:
    kept = apply_cascade(survey, options).kept
    p = ssp_matrix(kept)
    if fifty_dk:
        p = fifty_as_dont_know(p)
    mode = "first" if "increasing" in options.skip else "nan"
    pe = ssp_point_estimate(p, non_monotone=mode).value
    if fit_no_crossing:
        pe = fitted_where_no_crossing(p, as_float(kept["age"]), pe)
    return gap_summary(as_float(kept["sle"]), pe)


def fitted_where_no_crossing(ssp: np.ndarray, age: np.ndarray, pe: np.ndarray,
                             model: str = "gompertz") -> np.ndarray:
    """Point estimates with each missing one replaced by the median of a fitted curve.

    Where footnote 3 gives no estimate (``pe`` is NaN: the answers never
    cross 50 %), the respondent's five answers are fitted with a ``model``
    survival curve conditional on current age and the curve's median age at
    death is used instead; other estimates are returned unchanged.
    """
    from foresight.sle.parametric import fit_curves

    out = np.asarray(pe, dtype=float).copy()
    miss = np.isnan(out)
    if miss.any():
        fit = fit_curves(np.asarray(ssp, dtype=float)[miss], np.asarray(age, dtype=float)[miss], model)
        out[miss] = fit.median
    return out


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
    rows.append(dict(variant=NO_CROSSING_FITTED,
                     **_variant(survey, CascadeOptions(skip=("no_crossing",)), fit_no_crossing=True)))
    return pd.DataFrame(rows)
