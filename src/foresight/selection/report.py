"""Everything the selection chapter shows: glued numbers, tables, figures and comparisons.

The chapter (``chapters/selection.ipynb``) shows two calls of the package in
visible cells (the Monte Carlo validities and the lens model) and hands their
results here::

    r = report.build(draws=draws, lens=lens)
    glue_all(r.values(), r.tables(), r.figures())

Every illustrative setting of the chapter (selection ratio, base rate, norm
group, false-alarm rate, simulation sizes and seeds) is a field of
:data:`ASSUMPTIONS`, stated once here; every cited value comes from ``data/``.
The comparisons with cited figures go through :func:`foresight.data.compare`
(:mod:`foresight.selection.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.stats import norm

from foresight.chapter import Markdown
from foresight.display import house_table
from foresight.rounding import identity_text
from foresight.data import comparison_display, published, verdict_counts
from foresight.selection import checks, plots
from foresight.selection.combine import (
    METHODS,
    Candidates,
    JudgeSpec,
    PredictorSet,
    clinical_judgements,
    monte_carlo_validities,
    run_pipeline,
    simulate_candidates,
    summarise_validities,
)
from foresight.selection.debate import Debate, load_debate
from foresight.selection.derailers import (
    break_even_detection,
    implied_cost_ratio,
    min_cost_for_break_even,
    strategy_values,
)
from foresight.selection.evidence import (
    abstract_gain,
    confirmed_criteria,
    default_predictors,
    drop_readings,
    kuncel2013,
    nearest_reading,
    readings_of_drop,
)
from foresight.selection.lens import LensResult, lens_model
from foresight.selection.stanine import (
    STANINE_PERCENTS,
    normal_band_shares,
    stanine_against_norm,
    stanine_from_z,
    stanine_z_interval,
)
from foresight.selection.utility import (
    bcg_gain_per_hire,
    break_even_selector_correlation,
    career_filter_table,
    partial_validity,
    restricted_validity,
    restricted_validity_indirect,
    restriction_table,
    taylor_russell,
)

__all__ = ["ASSUMPTIONS", "Assumptions", "COMPARISON_TITLES", "SelectionReport", "TYPICAL_JUDGE",
           "break_even_curve", "break_even_grid", "break_even_insight", "build",
           "expected_shortfall_sd", "insight_curve", "lens_sample", "norm_shift_table"]

#: The illustrative clinical judge of the chapter: it over-weights the interview,
#: applies its weights inconsistently, adds random error, uses an invalid
#: configural rule (ability x interview) and attends to an irrelevant cue.
TYPICAL_JUDGE = JudgeSpec(weights=(0.25, 0.15, 0.45, 0.15), weight_sd=0.15, noise_sd=0.35,
                          configural=0.15, configural_pair=(0, 2), irrelevant=0.2)


@dataclass(frozen=True)
class Assumptions:
    """The chapter's illustrative settings: none is taken from the debate or the literature.

    Attributes
    ----------
    simulation
        Arguments of :func:`foresight.selection.monte_carlo_validities`: candidates
        per replication, replications, calibration sample for estimated weights, seed.
    skilled_insight
        Weight the "judge with insight" puts on what no predictor captures.
    lens_candidates, lens_seeds
        Size of the lens-model sample and the seeds of candidates and judgements.
    insights
        Grid of insight values for the break-even curve.
    selection_ratio, base_rate
        Share hired and share who would succeed at random (utility section).
    senior_selection_ratio
        Share of the pool reaching the final round (range restriction).
    restriction_ratios, restriction_correlations
        Selection ratios and correlations ``r_xz`` (holistic score with the
        formula) of the range-restriction sensitivity.
    break_even_ratios
        Selection ratios at which the break-even ``r_xz`` is reported.
    career_validities, career_formula, career_validity, career_holistic, career_figure_formula
        The pool filtered by earlier careers: validities ``r_wy`` of the
        career record (the table adds the formula's own validity, the case
        that joins the two scenarios), its correlations ``r_wx`` with the
        formula (up to close to 1: the debate's premise is finalists alike on
        the formula), the ``r_wy`` of the sentence on a record related to the
        scores only through performance, the grid of the record's
        correlations ``r_wz`` with the holistic score and the ``r_wx`` of the
        figure's lines (whose record is as valid as the formula).
    norm_shift, norm_sd_ratio
        The illustrative graduate norm group (mean in population SDs, SD ratio),
        and the grids of :func:`norm_shift_table`.
    false_alarm
        Share of ordinary candidates an assessor's veto flags wrongly.
    costs, detections
        Grids of derailer cost (SDy) and detection rate for the break-even map.
    """

    simulation: dict = field(default_factory=lambda: dict(
        n_candidates=300, n_reps=500, calibration_n=100, seed=20130815))
    skilled_insight: float = 0.3
    lens_candidates: int = 200_000
    lens_seeds: tuple[int, int] = (2014, 2015)
    insights: tuple[float, ...] = tuple(np.linspace(0, 0.8, 17))
    selection_ratio: float = 0.3
    base_rate: float = 0.5
    senior_selection_ratio: float = 0.1
    restriction_ratios: tuple[float, ...] = (0.05, 0.1, 0.3)
    restriction_correlations: tuple[float, ...] = tuple(np.round(np.linspace(0, 0.8, 161), 6))
    break_even_ratios: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5)
    career_validities: tuple[float, ...] = (0.2, 0.3, 0.5)
    career_formula: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 0.9, 0.95)
    career_validity: float = 0.3
    career_holistic: tuple[float, ...] = tuple(np.round(np.linspace(-0.6, 0.8, 141), 6))
    career_figure_formula: tuple[float, ...] = (0.4, 0.8, 0.95)
    norm_shift: float = 0.8
    norm_sd_ratio: float = 0.85
    norm_shifts: tuple[float, ...] = (0.5, 0.8, 1.0)
    norm_sd_ratios: tuple[float, ...] = (1.0, 0.85)
    false_alarm: float = 0.05
    costs: tuple[float, ...] = tuple(np.linspace(0, 80, 161))
    detections: tuple[float, ...] = tuple(np.linspace(0, 1, 101))


#: The settings the book uses.
ASSUMPTIONS = Assumptions()

#: Values of r_xz at which the prose quotes the relative loss in a pool chosen on the formula.
RESTRICTION_EXAMPLES: tuple[float, float] = (0.5, 0.3)
#: Correlations of the career record with the formula at which the prose quotes the pool.
CAREER_EXAMPLES: tuple[float, ...] = (0.6, 0.8, 0.9, 0.95)

#: What each comparison table of :meth:`SelectionReport.comparisons` checks, in words.
COMPARISON_TITLES: dict[str, str] = {
    "sel-tab-drop-check": "The debate's 25% against the meta-analysis, seven readings",
    "sel-tab-sh": "Schmidt & Hunter's multiple R, two-predictor formula",
    "sel-tab-tr": "Taylor-Russell tables, bivariate normal",
}


def lens_sample(predictors: PredictorSet, judge: JudgeSpec,
                assumptions: Assumptions = ASSUMPTIONS) -> tuple[Candidates, np.ndarray]:
    """The large synthetic sample of the lens-model section: candidates and the judge's ratings."""
    seed_c, seed_j = assumptions.lens_seeds
    cands = simulate_candidates(assumptions.lens_candidates, predictors, seed=seed_c)
    return cands, clinical_judgements(cands, judge, seed=seed_j)


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


def _date(value) -> Markdown:
    return Markdown(f"{pd.Timestamp(value):%-d %B %Y}")


class SelectionReport:
    """The selection chapter's results, each computed once when first needed.

    Parameters
    ----------
    draws
        :func:`foresight.selection.monte_carlo_validities` with the typical judge
        and :attr:`Assumptions.simulation` (computed here when not given).
    lens
        :func:`foresight.selection.lens_model` of the typical judge on
        :func:`lens_sample` (computed here when not given).
    assumptions
        The illustrative settings (:data:`ASSUMPTIONS`).
    """

    def __init__(self, draws: pd.DataFrame | None = None, lens: LensResult | None = None,
                 assumptions: Assumptions = ASSUMPTIONS):
        self.a = assumptions
        self.predictors = default_predictors()
        self.judge = TYPICAL_JUDGE
        self._draws, self._lens = draws, lens

    @cached_property
    def published(self) -> pd.Series:
        return published("psykologtidningen2014debate")["value"]

    @cached_property
    def debate(self) -> Debate:
        return load_debate()

    @cached_property
    def kuncel(self) -> pd.DataFrame:
        return kuncel2013()

    @cached_property
    def readings(self) -> pd.DataFrame:
        return readings_of_drop(self.kuncel).set_index("criterion")

    @cached_property
    def validities(self) -> pd.DataFrame:
        draws = self._draws if self._draws is not None else monte_carlo_validities(
            self.predictors, self.judge, **self.a.simulation)
        return summarise_validities(draws)

    @cached_property
    def validities_skilled(self) -> pd.DataFrame:
        skilled = JudgeSpec(**{**self.judge.__dict__, "insight": self.a.skilled_insight})
        return summarise_validities(monte_carlo_validities(self.predictors, skilled, **self.a.simulation))

    @cached_property
    def lens(self) -> LensResult:
        if self._lens is not None:
            return self._lens
        cands, J = lens_sample(self.predictors, self.judge, self.a)
        return lens_model(J, cands.Y, cands.X)

    @cached_property
    def insight(self) -> pd.DataFrame:
        return insight_curve(self.predictors, self.judge, np.asarray(self.a.insights))

    @cached_property
    def norms(self) -> pd.DataFrame:
        return norm_shift_table(list(self.a.norm_shifts), list(self.a.norm_sd_ratios))

    @cached_property
    def restriction(self) -> pd.DataFrame:
        """Formula and holistic validity in a pool chosen on the formula, over r_xz and SR."""
        r_m, r_c = self.job_performance
        return restriction_table(r_m, r_c, self.a.restriction_correlations, self.a.restriction_ratios)

    @cached_property
    def break_even_rxz(self) -> pd.DataFrame:
        """The r_xz at which the two are equally valid in the pool, by selection ratio."""
        r_m, r_c = self.job_performance
        rows = []
        for sr in self.a.break_even_ratios:
            rxz = break_even_selector_correlation(r_c, r_m, float(restricted_validity(r_m, sr)), sr)
            rows.append({"selection_ratio": sr, "r_xz": rxz, "partial": partial_validity(r_c, r_m, rxz)})
        return pd.DataFrame(rows)

    @cached_property
    def career(self) -> pd.DataFrame:
        """The pool filtered by earlier careers (:func:`career_filter_table`); the record's validities
        are the illustrative ones and the formula's own."""
        r_m, r_c = self.job_performance
        validities = sorted({*self.a.career_validities, r_m})
        return career_filter_table(r_m, r_c, validities, self.a.career_formula,
                                   self.a.senior_selection_ratio)

    @property
    def job_performance(self) -> tuple[float, float]:
        """Mechanical and holistic validity for job performance (Kuncel et al. 2013)."""
        jp = self.readings.loc["job performance"]
        return float(jp["mechanical"]), float(jp["holistic"])

    @cached_property
    def derailers(self) -> dict[str, float]:
        pub, a = self.published, self.a
        r_m, r_c = self.job_performance
        prevalence = float(pub["debate_derailer_share_hires"]) / 100
        ratio = implied_cost_ratio(prevalence, float(pub["debate_derailer_share_costs"]) / 100)
        cost = ratio * expected_shortfall_sd()
        costs = np.asarray(a.costs)
        curve = break_even_curve(r_m, r_c, a.selection_ratio, prevalence, a.false_alarm, costs)
        return {
            "prevalence": prevalence, "ratio": float(ratio), "cost": float(cost),
            "d_clin": float(break_even_detection(r_m, r_c, a.selection_ratio, prevalence, cost,
                                                 a.false_alarm, "clinical")),
            "d_hyb": float(break_even_detection(r_m, r_c, a.selection_ratio, prevalence, cost,
                                                a.false_alarm, "hybrid")),
            "min_cost_clin": float(min_cost_for_break_even(r_m, r_c, a.selection_ratio, prevalence,
                                                           a.false_alarm)),
            "min_cost_clin_grid": float(costs[np.isfinite(curve)].min()),
        }

    # ------------------------------------------------------------ comparisons
    def comparisons(self) -> dict[str, pd.DataFrame]:
        """The chapter's checks of cited figures (:func:`foresight.data.compare`), by table name."""
        return {
            "sel-tab-drop-check": checks.validity_drop_check(self.kuncel),
            "sel-tab-sh": checks.schmidt_hunter_check(),
            "sel-tab-tr": checks.taylor_russell_check(),
        }

    # ------------------------------------------------------------ glued numbers
    def values(self) -> dict[str, object]:
        """Every number (and short text) the chapter's prose shows, by glue key."""
        pub, a = self.published, self.a
        contributions = self.debate.contributions_frame()
        relations = self.debate.relations_frame()
        wide = self.readings
        confirmed = readings_of_drop(confirmed_criteria(self.kuncel)).set_index("criterion")
        criteria = wide.loc[self.kuncel["criterion"].astype(str)]
        nearest = nearest_reading(drop_readings(self.kuncel), float(pub["debate_validity_drop"]) / 100)
        cmp = self.comparisons()
        sh = cmp["sel-tab-sh"]
        corr = checks.gma_correlations()
        m = self.validities["mean"]
        lens = self.lens
        be = break_even_insight(self.insight)
        r_m, r_c = self.job_performance
        sr = a.selection_ratio
        gain, _ = abstract_gain(self.kuncel)
        # the pool is chosen on the formula; the holistic score is restricted only through it
        # (its correlation with the formula is r_c / r_m: no validity of its own beyond it)
        rr_m = float(restricted_validity(r_m, a.senior_selection_ratio))
        rr_c = float(restricted_validity_indirect(r_c, r_m, r_c / r_m, a.senior_selection_ratio))
        rr_c_direct = float(restricted_validity(r_c, a.senior_selection_ratio))
        row = self.norms.set_index(["norm_shift", "sd_ratio"]).loc[(a.norm_shift, a.norm_sd_ratio)]
        lo, hi = int(row["pop5_vs_group_low"]), int(row["pop5_vs_group_high"])
        d = self.derailers
        v: dict[str, object] = {
            "sel_n_contributions": len(contributions),
            "sel_n_claims": len(self.debate.claims),
            "sel_n_relations": len(relations),
            **{f"sel_n_{kind}": int((relations["type"] == kind).sum())
               for kind in ("attacks", "rebuts", "supports", "concedes")},
            "sel_date_reply": _date(contributions.loc[contributions["side"] == "mechanical", "date"].min()),
            "sel_date_first": _date(contributions["date"].min()),
            "sel_date_last": _date(contributions["date"].max()),
            "sel_pub_1940": float(pub["debate_first_evaluations_decade"]),
            "sel_pub_drop": float(pub["debate_validity_drop"]),
            "sel_jp_mech": r_m,
            "sel_jp_hol": r_c,
            "sel_jp_loss": float(wide.loc["job performance", "relative_loss"]),
            "sel_jp_var_loss": float(wide.loc["job performance", "variance_loss"]),
            "sel_jp_gain": float(wide.loc["job performance", "mechanical_gain"]),
            "sel_abstract_gain": gain,
            # a gain above g is a loss above 1 - 1 / (1 + g): the abstract's bound on the loss
            "sel_abstract_loss": 1 - 1 / (1 + gain),
            "sel_mean_loss": float(wide.loc["mean of criteria", "relative_loss"]),
            "sel_mean_loss_confirmed": float(confirmed.loc["mean of criteria", "relative_loss"]),
            "sel_ratio_loss_confirmed": float(confirmed.loc["ratio of mean validities", "relative_loss"]),
            "sel_n_confirmed": int(len(confirmed_criteria(self.kuncel))),
            "sel_n_criteria": int(len(self.kuncel)),
            "sel_unconfirmed": Markdown(" and ".join(
                self.kuncel.loc[self.kuncel["in_abstract"].astype(str) != "yes", "criterion"].astype(str))),
            "sel_drop_tol": float(cmp["sel-tab-drop-check"]["tolerance"].iloc[0]),
            "sel_drop_agree": int(verdict_counts(cmp["sel-tab-drop-check"])["agrees"]),
            "sel_drop_rows": int(len(cmp["sel-tab-drop-check"])),
            "sel_ratio_loss": float(wide.loc["ratio of mean validities", "relative_loss"]),
            "sel_ratio_gain": float(wide.loc["ratio of mean validities", "mechanical_gain"]),
            "sel_min_loss": float(criteria["relative_loss"].min()),
            "sel_max_loss": float(criteria["relative_loss"].max()),
            "sel_nearest": Markdown(nearest["reading"]),
            "sel_nearest_value": float(nearest["value"]),
            "sel_sh_agree": verdict_counts(sh)["agrees"],
            "sel_sh_calibrated": verdict_counts(sh)["calibrated"],
            "sel_sh_n": len(sh),
            "sel_r_si": float(corr.loc["structured interview", "r"]),
            "sel_reps": int(a.simulation["n_reps"]),
            "sel_n_cand": int(a.simulation["n_candidates"]),
            "sel_cal_n": int(a.simulation["calibration_n"]),
            "sel_sim_reg": float(m[METHODS[0]]),
            "sel_sim_est": float(m[METHODS[1]]),
            "sel_sim_unit": float(m[METHODS[2]]),
            "sel_sim_model": float(m[METHODS[3]]),
            "sel_sim_clin": float(m[METHODS[4]]),
            "sel_sim_clin_lo": float(self.validities.loc[METHODS[4], "lower"]),
            "sel_sim_clin_hi": float(self.validities.loc[METHODS[4], "upper"]),
            "sel_sim_unit_lo": float(self.validities.loc[METHODS[2], "lower"]),
            "sel_sim_unit_hi": float(self.validities.loc[METHODS[2], "upper"]),
            "sel_sim_loss": float(1 - m[METHODS[4]] / m[METHODS[0]]),
            "sel_sim_skilled": float(self.validities_skilled.loc[METHODS[4], "mean"]),
            "sel_skilled_insight": float(a.skilled_insight),
            **{f"sel_lens_{k}": float(getattr(lens, k)) for k in ("r_a", "G", "Re", "Rs", "C")},
            "sel_lens_model": float(lens.model_of_judge_validity),
            "sel_lens_gap": float(abs(lens.r_a - lens.tucker)),
            "sel_lens_identity": Markdown(identity_text(lens.r_a, lens.tucker)),
            "sel_lens_n": int(lens.n),
            # the judge's correlation with the linear formula of the cues: G R_s in the lens model
            "sel_judge_rxz": float(lens.formula_correlation),
            "sel_be_insight": float(be),
            "sel_be_C": float(np.interp(be, self.insight["insight"], self.insight["C"])),
            "sel_sr": sr,
            "sel_br": a.base_rate,
            "sel_tr_m": float(taylor_russell(r_m, sr, a.base_rate)),
            "sel_tr_c": float(taylor_russell(r_c, sr, a.base_rate)),
            "sel_bcg_m": float(bcg_gain_per_hire(r_m, sr)),
            "sel_bcg_c": float(bcg_gain_per_hire(r_c, sr)),
            "sel_bcg_diff": float(bcg_gain_per_hire(r_m, sr) - bcg_gain_per_hire(r_c, sr)),
            "sel_senior_sr": a.senior_selection_ratio,
            "sel_rr_m": rr_m,
            "sel_rr_c": rr_c,
            "sel_rr_loss": 1 - rr_c / rr_m,
            "sel_rr_r_mc": r_c / r_m,
            "sel_rr_c_direct": rr_c_direct,
            "sel_rr_loss_direct": 1 - rr_c_direct / rr_m,
            **self._restriction_values(),
            **self._reading_values(cmp["sel-tab-drop-check"]),
            "sel_pop5_grad": Markdown(f"{lo}" if lo == hi else f"{lo} to {hi}"),
            "sel_g5_lo": float(row["group5_percentile_low"]),
            "sel_g5_hi": float(row["group5_percentile_high"]),
            "sel_shift": a.norm_shift,
            "sel_sdr": a.norm_sd_ratio,
            "sel_pub_stanine": float(pub["debate_stanine_example"]),
            "sel_stanine_pcts": Markdown("-".join(str(p) for p in STANINE_PERCENTS)),
            "sel_stanine_shares": Markdown("-".join(f"{100 * s:.1f}" for s in normal_band_shares())),
            "sel_pub_hires": float(pub["debate_derailer_share_hires"]),
            "sel_pub_costs": float(pub["debate_derailer_share_costs"]),
            "sel_cost_ratio": d["ratio"],
            "sel_shortfall": expected_shortfall_sd(),
            "sel_reading_cost": d["cost"],
            "sel_fa": a.false_alarm,
            "sel_d_clin": d["d_clin"],
            "sel_d_hyb": d["d_hyb"],
            "sel_min_cost_clin": d["min_cost_clin"],
        }
        return v

    def _restriction_values(self) -> dict[str, object]:
        """Glued numbers of the range-restriction section (both scenarios)."""
        a = self.a
        r_m, r_c = self.job_performance
        be = self.break_even_rxz.set_index("selection_ratio")
        sr = a.senior_selection_ratio
        rr_m = float(restricted_validity(r_m, sr))
        v: dict[str, object] = {
            "sel_be_rxz": float(be.loc[sr, "r_xz"]),
            "sel_be_partial": float(be.loc[sr, "partial"]),
            "sel_be_sr_lo": float(min(a.break_even_ratios)), "sel_be_sr_hi": float(max(a.break_even_ratios)),
            "sel_be_rxz_at_sr_lo": float(be.loc[min(a.break_even_ratios), "r_xz"]),
            "sel_be_rxz_at_sr_hi": float(be.loc[max(a.break_even_ratios), "r_xz"]),
        }
        for name, rxz in zip("ab", RESTRICTION_EXAMPLES):
            h = float(restricted_validity_indirect(r_c, r_m, rxz, sr))
            v[f"sel_rr_ex_{name}_r"] = float(rxz)
            v[f"sel_rr_ex_{name}_loss"] = 1 - h / rr_m
        # the pool filtered by earlier careers
        c = self.career
        top = c.loc[c["break_even_r_wz"].idxmax()]
        rwy = a.career_validity
        through_m = float(restricted_validity_indirect(r_m, rwy, rwy * r_m, sr))
        through_c = float(restricted_validity_indirect(r_c, rwy, rwy * r_c, sr))
        illustrative = c[c["r_wy"].isin(a.career_validities)]
        by = c.set_index(["r_wy", "r_wx"])
        most = max(a.career_validities)
        v.update({
            "sel_cf_rwy": float(rwy),
            "sel_cf_rwy_lo": float(min(a.career_validities)), "sel_cf_rwy_hi": float(most),
            "sel_cf_rwx_lo": float(min(a.career_formula)), "sel_cf_rwx_hi": float(max(a.career_formula)),
            "sel_cf_loss_lo": float(c["loss_equal"].min()),
            "sel_cf_n": int(len(c)), "sel_cf_n_neg": int((c["break_even_r_wz"] < 0).sum()),
            "sel_cf_n_illustrative": int(len(illustrative)),
            "sel_cf_n_neg_illustrative": int((illustrative["break_even_r_wz"] < 0).sum()),
            "sel_cf_be_max": float(top["break_even_r_wz"]), "sel_cf_be_max_rwy": float(top["r_wy"]),
            "sel_cf_be_max_rwx": float(top["r_wx"]),
            "sel_cf_through": 1 - through_c / through_m,
        })
        # how alike the finalists are on the formula, and the break-even where the record is valid
        # and close to the formula; the record as valid as the formula joins the two scenarios
        for rwx in CAREER_EXAMPLES:
            key = f"{round(100 * rwx):d}"
            v[f"sel_cf_rwx_{key}"] = float(rwx)
            v[f"sel_cf_sd_{key}"] = float(by.loc[(most, rwx), "formula_sd"])
            v[f"sel_cf_be_{key}"] = float(by.loc[(most, rwx), "break_even_r_wz"])
            v[f"sel_cf_same_be_{key}"] = float(by.loc[(r_m, rwx), "break_even_r_wz"])
        return v

    def _reading_values(self, drop: pd.DataFrame) -> dict[str, object]:
        """Glued numbers of the readings of the debate's figure."""
        from foresight.selection.checks import criteria_sets

        work = criteria_sets(self.kuncel)["work"][0]
        return {
            "sel_work_mean": float(drop.loc["drop_mean_work", "reproduced"]) / 100,
            "sel_work_ratio": float(drop.loc["drop_ratio_work", "reproduced"]) / 100,
            "sel_work_mean_diff": float(drop.loc["drop_mean_work", "difference"]),
            "sel_work_ratio_diff": float(drop.loc["drop_ratio_work", "difference"]),
            "sel_jp_diff": float(drop.loc["drop_job_performance", "difference"]),
            "sel_n_work": int(len(work)),
            "sel_work_names": Markdown(", ".join(work["criterion"].astype(str))),
            "sel_drop_closest": float(drop["difference"].abs().min()),
        }

    # ------------------------------------------------------------ tables
    def tables(self) -> dict[str, object]:
        """Every table the chapter shows, by glue key."""
        contributions = self.debate.contributions_frame()
        table = contributions.assign(date=contributions["date"].dt.strftime("%Y-%m-%d"))[
            ["date", "authors", "side", "title_sv", "title_en", "summary"]
        ].rename(columns={"title_sv": "title (Swedish)", "title_en": "title (our English rendering)",
                          "summary": "summary (the compendium's own)"})
        from foresight.selection.checks import criteria_sets

        work = readings_of_drop(criteria_sets(self.kuncel)["work"][0]).iloc[-2:]
        work = work.assign(criterion=["mean of the work criteria", "ratio of mean validities, work criteria"])
        shown = pd.concat([self.readings.reset_index(), work], ignore_index=True).rename(columns={
            "relative_loss": "validity lost", "variance_loss": "variance lost",
            "mechanical_gain": "gain from formula"})
        k = self.kuncel.set_index("criterion")
        shown["verification"] = (shown["criterion"].map(
            k["verification"].astype(str) + np.where(k["in_abstract"].astype(str) == "yes", "",
                                                     "; not named in the abstract")).fillna(""))
        judge = self.judge
        judge_table = pd.DataFrame({
            "parameter": ["intended weights (GMA, conscientiousness, interview, references)",
                          "weight inconsistency (SD)", "random error (SD)",
                          "configural rule weight (GMA x interview)", "weight on irrelevant cue"],
            "value": [", ".join(f"{w:.2f}" for w in judge.weights), f"{judge.weight_sd:.2f}",
                      f"{judge.noise_sd:.2f}", f"{judge.configural:.2f}", f"{judge.irrelevant:.2f}"],
        })
        norms = self.norms.rename(columns={
            "norm_shift": "graduate mean (population SD)", "sd_ratio": "graduate SD ratio",
            "pop5_vs_group_low": "population 5 vs graduates, from", "pop5_vs_group_high": "to",
            "group5_vs_pop_low": "graduate 5 vs population, from", "group5_vs_pop_high": "to ",
            "group5_percentile_low": "graduate 5, population percentile from",
            "group5_percentile_high": "to  "})
        cmp = self.comparisons()
        return {
            "sel-tab-contributions": house_table(table, index=False),
            "sel-tab-kuncel": house_table(shown, index=False, formats=
                {"mechanical": "{:.3f}", "holistic": "{:.3f}", "validity lost": "{:.1%}",
                 "variance lost": "{:.1%}", "gain from formula": "{:.1%}"}),
            "sel-tab-drop-check": comparison_display(cmp["sel-tab-drop-check"], "sel_drop_check"),
            "sel-tab-sh": comparison_display(cmp["sel-tab-sh"], "sel_sh"),
            "sel-tab-judge": house_table(judge_table, index=False),
            "sel-tab-validity": house_table(self.validities.reset_index(), index=False, formats=
                {"mean": "{:.3f}", "lower": "{:.3f}", "upper": "{:.3f}"}),
            "sel-tab-tr": comparison_display(cmp["sel-tab-tr"], "sel_tr"),
            "sel-tab-career": house_table(self._career_shown(), index=False, formats={
                "career record's validity": "{:.2f}", "record with formula": "{:.2f}",
                "formula's SD in the pool (full pool = 1)": "{:.2f}",
                "formula in the pool": "{:.3f}", "holistic in the pool (record tied equally)": "{:.3f}",
                "relative loss then": "{:.1%}", "record with holistic at break-even": "{:.2f}"}),
            "sel-tab-norms": house_table(norms, index=False, formats=
                {"graduate mean (population SD)": "{:.1f}", "graduate SD ratio": "{:.2f}",
                 "graduate 5, population percentile from": "{:.1f}", "to  ": "{:.1f}"}),
        }

    def _career_shown(self) -> pd.DataFrame:
        return self.career.rename(columns={
            "r_wy": "career record's validity", "r_wx": "record with formula",
            "formula_sd": "formula's SD in the pool (full pool = 1)",
            "formula": "formula in the pool", "holistic_equal": "holistic in the pool (record tied equally)",
            "loss_equal": "relative loss then", "break_even_r_wz": "record with holistic at break-even"})

    # ------------------------------------------------------------ figures
    def figures(self) -> dict[str, object]:
        """Every figure the chapter shows, by glue key (created on each call)."""
        a, d = self.a, self.derailers
        r_m, r_c = self.job_performance
        grid = break_even_grid(r_m, r_c, a.selection_ratio, d["prevalence"], a.false_alarm,
                               np.asarray(a.costs), np.asarray(a.detections))
        return {
            "sel-fig-timeline": plots.timeline_figure(self.debate),
            "sel-fig-argmap": plots.argument_map_figure(self.debate),
            "sel-fig-validity": plots.validity_intervals_figure(
                {"typical judge": self.validities, "judge with insight": self.validities_skilled}),
            "sel-fig-insight": plots.insight_figure(self.insight, break_even_insight(self.insight)),
            "sel-fig-utility": plots.utility_figure(r_m, r_c),
            "sel-fig-restriction": plots.restriction_figure(
                self.restriction, self.break_even_rxz, r_m, r_c, a.senior_selection_ratio,
                career_validity=r_m, career_formula=a.career_figure_formula,
                career_holistic=np.asarray(a.career_holistic), judge_rxz=float(self.lens.formula_correlation)),
            "sel-fig-stanine": plots.stanine_figure(a.norm_shift, a.norm_sd_ratio),
            "sel-fig-breakeven": plots.break_even_figure(grid, d["cost"]),
        }


def build(draws: pd.DataFrame | None = None, lens: LensResult | None = None,
          assumptions: Assumptions = ASSUMPTIONS) -> SelectionReport:
    """The selection chapter's report (computed lazily)."""
    return SelectionReport(draws=draws, lens=lens, assumptions=assumptions)
