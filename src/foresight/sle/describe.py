"""Descriptive statistics of the paper: headline figures, rounding and heaping.

Definitions
-----------
Shares of rounded answers
    The share of answers that are multiples of 10 and of 5 (every multiple
    of 10 is also a multiple of 5, as in the paper's "40 % ... and 70 %").
Whipple index (digit preference on 0 and 5)
    For answers ``x`` in a range, ``W = 100 * (number of x divisible by 5) /
    (total / 5)``: 100 means no preference for multiples of five, 500 means
    every answer is one. The United Nations convention restricts ages to
    23-62 for census ages; here the range is the answer range in use
    (60-100 for SLE point estimates in the analysis sample), stated with the
    result.
Myers' blended index
    A blended terminal-digit preference index: for each terminal digit
    ``d``, counts from a range starting at each of ten consecutive
    starting values are blended so every digit gets equal exposure; the index
    is half the sum of absolute deviations of the blended digit shares from
    10 %. 0 means no heaping; 90 means all answers end in the same digit.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

from foresight.sle.elicitation import certainty_score, ssp_point_estimate
from foresight.sle.survey import SSP_COLUMNS, TARGET_AGES, as_float, ssp_matrix


def _nan_for_small_samples(func):
    """Let a statistic of too few values be NaN without a warning.

    numpy warns for the mean of no values and the SD of fewer than two; for
    these summaries NaN is the documented answer (a sample the exclusion rules
    emptied), so those two warnings, and only they, are silenced.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
            warnings.filterwarnings("ignore", "Degrees of freedom <= 0", RuntimeWarning)
            return func(*args, **kwargs)
    return wrapper


def add_estimates(sample: pd.DataFrame) -> pd.DataFrame:
    """The sample with ``ssp_pe`` (footnote 3), ``certainty`` (footnote 4) and
    ``sle_minus_ssp`` (SLE minus SSP point estimate, the outcome of the
    paper's model 3, whose constant is negative) added."""
    p = ssp_matrix(sample)
    sle = as_float(sample["sle"])
    out = sample.copy()
    out["ssp_pe"] = ssp_point_estimate(p).value
    out["certainty"] = certainty_score(sle, p).value
    out["sle_minus_ssp"] = sle - out["ssp_pe"].to_numpy()
    return out


def share_multiple(values, base: int) -> float:
    """Share (0-1) of the non-missing ``values`` that are multiples of ``base``."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan")
    return float(np.mean(np.mod(x, base) == 0))


def whipple_index(values, low: int, high: int) -> float:
    """Whipple's index of preference for multiples of five on ``[low, high]``.

    ``100 * n(x in [low, high], x % 5 == 0) / (n(x in [low, high]) / 5)``.
    The range should contain equally many integers of each terminal digit
    class for the index to be 100 without heaping (e.g. 61-100 or 60-99).
    """
    x = np.asarray(values, dtype=float)
    x = x[(x >= low) & (x <= high)]
    if x.size == 0:
        return float("nan")
    return float(100.0 * np.sum(np.mod(x, 5) == 0) / (x.size / 5.0))


def myers_index(values, low: int, span: int = 30) -> float:
    """Myers' blended index of terminal-digit preference, in percentage points.

    Counts of answers by terminal digit ``d`` are taken over two ranges,
    ``[low, low + span)`` and ``[low + 10, low + 10 + span)``, and blended
    with weights ``d' + 1`` and ``9 - d'`` where ``d' = (d - low) mod 10``,
    so that each digit gets the same exposure in a smooth distribution. The
    index is ``0.5 * sum_d |100 * B_d / sum(B) - 10|``: 0 = no heaping,
    90 = every answer ends in the same digit.

    Parameters
    ----------
    values
        Integer answers (e.g. ages or SLE point estimates).
    low
        First value of the base range; must leave ``low + span + 10`` inside
        the answers' support for the blend to be complete.
    span
        Width of the base range, a multiple of ten.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)].astype(int)
    digits = np.arange(10)
    # ranges [low, low+span) and [low+10, low+10+span)
    in1 = (x >= low) & (x < low + span)
    in2 = (x >= low + 10) & (x < low + 10 + span)
    c1 = np.bincount(np.mod(x[in1], 10), minlength=10).astype(float)
    c2 = np.bincount(np.mod(x[in2], 10), minlength=10).astype(float)
    dprime = np.mod(digits - low, 10)
    blended = c1 * (dprime + 1) + c2 * (9 - dprime)
    total = blended.sum()
    if total == 0:
        return float("nan")
    return float(0.5 * np.abs(100.0 * blended / total - 10.0).sum())


@_nan_for_small_samples
def rounding_table(sample: pd.DataFrame) -> pd.DataFrame:
    """Shares (%) of rounded and focal answers by question.

    Rows: ``sle``, ``ssp_pe`` and each SSP target age, then all SSP answers
    pooled. Columns: ``n``, ``multiple_of_10``, ``multiple_of_5``,
    ``exactly_50`` (SSPs) and ``exactly_80`` (SLE), in percent.
    """
    rows = []
    sle = as_float(sample["sle"])
    rows.append(dict(question="SLE point estimate", n=int(np.sum(~np.isnan(sle))),
                     multiple_of_10=100 * share_multiple(sle, 10),
                     multiple_of_5=100 * share_multiple(sle, 5),
                     exactly_50=np.nan,
                     exactly_80=100 * float(np.nanmean(np.where(np.isnan(sle), np.nan, sle == 80)))))
    p = ssp_matrix(sample)
    for j, (a, c) in enumerate(zip(TARGET_AGES, SSP_COLUMNS)):
        x = p[:, j]
        ok = ~np.isnan(x)
        rows.append(dict(question=f"SSP, target age {a}", n=int(ok.sum()),
                         multiple_of_10=100 * share_multiple(x, 10),
                         multiple_of_5=100 * share_multiple(x, 5),
                         exactly_50=100 * float(np.mean(x[ok] == 50)) if ok.any() else np.nan,
                         exactly_80=np.nan))
    allx = p.reshape(-1)
    ok = ~np.isnan(allx)
    rows.append(dict(question="SSP, all target ages", n=int(ok.sum()),
                     multiple_of_10=100 * share_multiple(allx, 10),
                     multiple_of_5=100 * share_multiple(allx, 5),
                     exactly_50=100 * float(np.mean(allx[ok] == 50)) if ok.any() else np.nan,
                     exactly_80=np.nan))
    return pd.DataFrame(rows)


#: The headline statistics the paper prints, in its order (keys of :func:`headline`).
HEADLINE_FIGURES: tuple[str, ...] = (
    "mean_sle", "sd_sle", "mean_ssp_pe", "sd_ssp_pe", "mean_diff", "sd_diff", "corr",
    "certainty", "mean_ssp60", "sd_ssp60", "mean_ssp100", "sd_ssp100", "share_sle_tens",
    "share_sle_fives", "share_sle_80", "share_ssp_tens", "share_ssp_fives", "share_ssp80_50",
    "share_ssp90_50",
)


@_nan_for_small_samples
def headline(sample: pd.DataFrame) -> pd.Series:
    """The paper's headline statistics for an analysis sample.

    ``sample`` must already carry ``ssp_pe`` and ``certainty``
    and ``sle_minus_ssp`` (see :func:`add_estimates`). Keys match the ``sle_*`` ids of the
    published figures (without the prefix): ``mean_sle``, ``sd_sle``,
    ``mean_ssp_pe``, ``sd_ssp_pe``, ``mean_diff`` (SSP minus SLE, as the
    paper states it), ``sd_diff``, ``corr``, ``certainty``, ``mean_ssp60``,
    ``sd_ssp60``, ``mean_ssp100``, ``sd_ssp100``, shares in percent, the
    range of the individual differences. SDs use ``ddof=1``.
    """
    sle = as_float(sample["sle"])
    pe = sample["ssp_pe"].to_numpy(dtype=float)
    d = pe - sle
    p = ssp_matrix(sample)
    both = ~np.isnan(sle) & ~np.isnan(pe)
    rt = rounding_table(sample).set_index("question")
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN when an answer never varies
        corr = float(np.corrcoef(sle[both], pe[both])[0, 1]) if both.sum() > 2 else np.nan
    return pd.Series({
        "n": float(len(sample)),
        "mean_sle": np.nanmean(sle),
        "sd_sle": np.nanstd(sle, ddof=1),
        "mean_ssp_pe": np.nanmean(pe),
        "sd_ssp_pe": np.nanstd(pe, ddof=1),
        "mean_diff": np.nanmean(d),
        "sd_diff": np.nanstd(d, ddof=1),
        "corr": corr,
        "certainty": float(np.nanmean(sample["certainty"].to_numpy(dtype=float))),
        "mean_ssp60": np.nanmean(p[:, 0]),
        "sd_ssp60": np.nanstd(p[:, 0], ddof=1),
        "mean_ssp100": np.nanmean(p[:, -1]),
        "sd_ssp100": np.nanstd(p[:, -1], ddof=1),
        "share_sle_tens": rt.loc["SLE point estimate", "multiple_of_10"],
        "share_sle_fives": rt.loc["SLE point estimate", "multiple_of_5"],
        "share_sle_80": rt.loc["SLE point estimate", "exactly_80"],
        "share_ssp_tens": rt.loc["SSP, all target ages", "multiple_of_10"],
        "share_ssp_fives": rt.loc["SSP, all target ages", "multiple_of_5"],
        "share_ssp80_50": rt.loc["SSP, target age 80", "exactly_50"],
        "share_ssp90_50": rt.loc["SSP, target age 90", "exactly_50"],
        "diff_min": np.nanmin(d) if np.any(~np.isnan(d)) else np.nan,
        "diff_max": np.nanmax(d) if np.any(~np.isnan(d)) else np.nan,
    })


@_nan_for_small_samples
def mean_ssp_by_age(sample: pd.DataFrame) -> pd.DataFrame:
    """Mean and SD (ddof=1) of the SSP answers at each target age, in percent."""
    p = ssp_matrix(sample)
    return pd.DataFrame({
        "target_age": list(TARGET_AGES),
        "n": np.sum(~np.isnan(p), axis=0),
        "mean": np.nanmean(p, axis=0),
        "sd": np.nanstd(p, axis=0, ddof=1),
    })


def heaping(sample: pd.DataFrame) -> dict[str, float]:
    """Whipple's and Myers' indices for the SLE point estimates of a sample.

    Whipple on 60-99 (forty values, eight multiples of five, so 100 = no
    preference); Myers blended over 60-89 and 70-99.
    """
    sle = as_float(sample["sle"])
    return {"whipple_sle": whipple_index(sle, 60, 99), "myers_sle": myers_index(sle, 60, 30)}


def worked_examples() -> pd.DataFrame:
    """The footnote-3 and footnote-4 rules on hand-made answer patterns.

    Columns: ``case``, the five answers, ``sle``, ``ssp_pe``, ``certainty``
    and the reason code where an estimate is undefined.
    """
    cases = [
        ("interpolation (footnote 3)", 80, [90, 80, 60, 40, 10]),
        ("exactly 50 at one target age", 80, [90, 70, 50, 40, 10]),
        ("50 at two consecutive target ages", 85, [90, 70, 50, 50, 20]),
        ("SLE between target ages (footnote 4)", 85, [95, 90, 80, 60, 20]),
        ("answers never fall to 50", 90, [100, 90, 80, 70, 60]),
        ("an answer rises", 80, [90, 95, 50, 40, 10]),
    ]
    p = np.array([c[2] for c in cases], dtype=float)
    sle = np.array([c[1] for c in cases], dtype=float)
    pe = ssp_point_estimate(p)
    cs = certainty_score(sle, p)
    out = pd.DataFrame({"case": [c[0] for c in cases]})
    for j, a in enumerate(TARGET_AGES):
        out[f"SSP {a}"] = p[:, j].astype(int)
    out["SLE"] = sle.astype(int)
    out["SSP point estimate"] = pe.value
    out["certainty score"] = cs.value
    out["note"] = np.where(pe.reason == "ok", "", pe.reason)
    return out


def modal_answers(values, k: int = 3) -> list[int]:
    """The ``k`` most frequent answers (ties broken by the smaller value), sorted by value."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)].astype(int)
    if x.size == 0:
        return []
    vals, counts = np.unique(x, return_counts=True)
    order = np.lexsort((vals, -counts))[:k]
    return sorted(int(v) for v in vals[order])
