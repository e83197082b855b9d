"""Tables and curves the chapter shows, computed from the models (no plotting here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from foresight.selection.combine import JudgeSpec, PredictorSet, run_pipeline
from foresight.selection.derailers import break_even_detection, strategy_values
from foresight.selection.stanine import stanine_against_norm, stanine_from_z, stanine_z_interval

#: The illustrative clinical judge of the chapter: it over-weights the interview,
#: applies its weights inconsistently, adds random error, uses an invalid
#: configural rule (ability x interview) and attends to an irrelevant cue.
TYPICAL_JUDGE = JudgeSpec(weights=(0.25, 0.15, 0.45, 0.15), weight_sd=0.15, noise_sd=0.35,
                          configural=0.15, configural_pair=(0, 2), irrelevant=0.2)


def insight_curve(predictors: PredictorSet, judge: JudgeSpec, insights: np.ndarray,
                  n: int = 200_000, seed: int = 2014) -> pd.DataFrame:
    """Judge, model of the judge and formula validity as the judge's insight grows.

    Each row runs :func:`run_pipeline` with the judge's ``insight`` set to one
    value (same seed, so the rows differ only by insight).
    """
    rows = []
    for s in np.asarray(insights, float):
        j = JudgeSpec(**{**judge.__dict__, "insight": float(s)})
        res = run_pipeline(n, predictors, j, seed=seed)
        rows.append({"insight": float(s), "judge": res["r_a"], "model_of_judge": res["model_of_judge"],
                     "formula": res["regression"], "unit_weights": res["unit"], "C": res["C"],
                     "Rs": res["Rs"], "G": res["G"]})
    return pd.DataFrame(rows)


def break_even_insight(curve: pd.DataFrame) -> float:
    """Insight at which the judge's validity first reaches the formula's (linear interpolation)."""
    gap = (curve["judge"] - curve["formula"]).to_numpy()
    x = curve["insight"].to_numpy()
    idx = np.nonzero(gap >= 0)[0]
    if idx.size == 0:
        return float("nan")
    i = idx[0]
    if i == 0:
        return float(x[0])
    return float(x[i - 1] + (x[i] - x[i - 1]) * (-gap[i - 1]) / (gap[i] - gap[i - 1]))


def norm_shift_table(shifts: list[float], sd_ratios: list[float]) -> pd.DataFrame:
    """Stanine 5 of the general population read against other norm groups, and back.

    For a norm group with mean ``shift`` (general-population SDs) and SD
    ratio ``sd_ratio``: the stanines, against that group, of the lower and
    upper edge of general-population stanine 5, and the general-population
    stanines of the edges of that group's own stanine 5.
    """
    lo, hi = stanine_z_interval(5)
    rows = []
    for d in shifts:
        for s in sd_ratios:
            g_lo, g_hi = d + s * lo, d + s * hi  # the group's stanine 5 in population z
            rows.append({
                "norm_shift": d, "sd_ratio": s,
                "pop5_vs_group_low": int(stanine_against_norm(lo, d, s)),
                "pop5_vs_group_high": int(stanine_against_norm(hi - 1e-9, d, s)),
                "group5_vs_pop_low": int(stanine_from_z(g_lo)),
                "group5_vs_pop_high": int(stanine_from_z(g_hi - 1e-9)),
                "group5_percentile_low": 100 * float(norm.cdf(g_lo)),
                "group5_percentile_high": 100 * float(norm.cdf(g_hi)),
            })
    return pd.DataFrame(rows)


def expected_shortfall_sd() -> float:
    """Mean shortfall below average performance, E[max(0, -Y)] for Y ~ N(0, 1): phi(0)."""
    return float(norm.pdf(0.0))


def break_even_grid(r_mechanical: float, r_clinical: float, selection_ratio: float,
                    prevalence: float, false_alarm: float, costs: np.ndarray,
                    detections: np.ndarray) -> dict[str, np.ndarray]:
    """EV differences (clinical - mechanical, hybrid - mechanical) on a cost x detection grid."""
    v = strategy_values(r_mechanical, r_clinical, selection_ratio, prevalence,
                        np.asarray(costs, float)[None, :], np.asarray(detections, float)[:, None],
                        false_alarm)
    return {"clinical_minus_mechanical": v["clinical"] - v["mechanical"],
            "hybrid_minus_mechanical": v["hybrid"] - v["mechanical"],
            "costs": np.asarray(costs, float), "detections": np.asarray(detections, float)}


def break_even_curve(r_mechanical: float, r_clinical: float, selection_ratio: float,
                     prevalence: float, false_alarm: float, costs: np.ndarray,
                     strategy: str = "clinical") -> np.ndarray:
    """Break-even detection rate for each derailer cost (``nan`` where unreachable)."""
    return np.array([break_even_detection(r_mechanical, r_clinical, selection_ratio, prevalence,
                                          float(c), false_alarm, strategy) for c in costs])
