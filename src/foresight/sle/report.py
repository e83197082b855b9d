"""Everything the subjective-life-expectancy chapter shows: glued numbers, tables, figures.

The chapter (``chapters/sle.ipynb``) runs the pipeline in one visible cell and
hands the result here::

    cohort = sle.synthetic_cohort()
    result = sle.analyse(cohort)
    r = report.build(cohort, result)
    glue_all(r.values(), r.tables(), r.figures())

Comparisons with the paper go through :func:`foresight.data.compare`; on the
synthetic cohort the basis of each row comes from
:func:`foresight.sle.synthetic.calibration_basis` (calibration checks, or not
comparable where the generator targets nothing). :func:`styled` formats the
chapter's other tables.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from foresight.chapter import Markdown
from foresight.data import comparison_display, published
from foresight.rounding import format_p
from foresight.sle import actuarial, plots
from foresight.sle.anchoring import (
    OLDER_AGES,
    YOUNGER_AGES,
    AnchoringResult,
    anchoring_comparison,
    anchoring_groups,
)
from foresight.sle.cascade import RULE_LABELS, CascadeOptions, apply_cascade
from foresight.sle.compare import (
    flow_comparison,
    flow_figures,
    headline_comparison,
    published_star_check,
    published_table2_long,
    sign_agreement,
    table1,
    table1_comparison,
    table2_comparison,
    table2_figures,
    table2_side_by_side,
)
from foresight.sle.describe import HEADLINE_FIGURES, heaping, modal_answers, worked_examples
from foresight.sle.parametric import compare_fits, fit_summary
from foresight.sle.pipeline import SLEAnalysis
from foresight.sle.sensitivity import NO_CROSSING_FITTED, sensitivity
from foresight.sle.survey import example_survey, ssp_matrix
from foresight.sle.synthetic import calibration_basis

__all__ = ["COMPARISON_TITLES", "SLEReport", "build", "styled"]

#: What each comparison table of :meth:`SLEReport.comparisons` checks, in words.
COMPARISON_TITLES: dict[str, str] = {
    "sle_tab_flow": "Exclusion cascade",
    "sle_tab_table1": "Table 1, sample characteristics",
    "sle_tab_headline": "Headline figures",
    "sle_table2_coefficients": "Table 2, coefficients of models 1-4",
}

#: Rows of :func:`foresight.sle.sensitivity.sensitivity` the prose cites, by glue stem.
SENSITIVITY_ROWS: dict[str, str] = {
    "dk": "every answer of 50 treated as don't know",
    "all50": "keep the all-50 respondents (point estimate 80)",
    "nospeed": "without rule: " + RULE_LABELS["speeder"],
    "fitted": NO_CROSSING_FITTED,
}

#: Table 2's terms in the chapter's words (for the list of coefficients outside two SEs).
TERM_WORDS: dict[str, str] = {
    "male": "male", "age_gt35": "age over 35", "educ_low": "low education",
    "educ_high": "high education", "income_low": "low income", "income_high": "high income",
    "kin_low": "kin's age of death low", "kin_high": "kin's age of death high",
    "chronic": "chronic disease", "severe": "severe disorder", "smoking": "smoking",
    "const": "constant",
}

#: Rows of :func:`foresight.sle.describe.worked_examples` the prose cites.
EXAMPLE_ROWS: dict[str, tuple[str, str]] = {
    "sle_ex_interp": ("interpolation (footnote 3)", "SSP point estimate"),
    "sle_ex_exact": ("exactly 50 at one target age", "SSP point estimate"),
    "sle_ex_run": ("50 at two consecutive target ages", "SSP point estimate"),
    "sle_ex_cert": ("SLE between target ages (footnote 4)", "certainty score"),
}

#: Glue stems of the rows of :func:`foresight.sle.actuarial.published_vs_actuarial`.
ACTUARIAL_ROWS: dict[str, str] = {
    "s60": "sle_mean_ssp60", "s100": "sle_mean_ssp100", "expected": "sle_mean_sle",
    "median": "sle_mean_ssp_pe",
}


def styled(frame: pd.DataFrame, uuid: str, *, precision: int | dict[str, int] = 2,
           caption: str | None = None, labels: dict[str, str] | None = None):
    """The table through the house formatter, index hidden, fixed decimals.

    ``precision`` is one number of decimals for every float column or a
    mapping column -> decimals (2 for columns it does not name). Missing
    values show as a dash, and a value that rounds to zero shows without a
    minus sign. ``uuid`` names the table for callers and is not shown.
    """
    from foresight.display import house_table

    fmt: dict[str, object] = {}
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            d = precision.get(col, 2) if isinstance(precision, dict) else precision
            fmt[col] = _fixed(d)
    return house_table(frame, formats=fmt, index=False, caption=caption,
                       labels={**SLE_LABELS, **(labels or {})})


#: Headers of the SLE tables whose column names are abbreviations.
SLE_LABELS = {"id": "respondent", "sle": "SLE", "age": "age",
              "rate": "improvement (% a year)", "excluded_by": "excluded by"}


def _fixed(decimals: int):
    def fmt(value: float) -> str:
        text = f"{value:.{decimals}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text

    return fmt


class SLEReport:
    """The SLE chapter's results for one survey (the synthetic cohort in the book).

    Parameters
    ----------
    survey
        The full survey (before the exclusion cascade).
    result
        :func:`foresight.sle.analyse` of ``survey``.
    synthetic
        Whether ``survey`` is the synthetic cohort: then comparisons with the
        paper are calibration checks (:func:`calibration_basis`); otherwise
        reproductions.
    """

    def __init__(self, survey: pd.DataFrame, result: SLEAnalysis, *, synthetic: bool = True):
        self.survey, self.result, self.synthetic = survey, result, synthetic

    @cached_property
    def published(self) -> pd.DataFrame:
        return published("rappange2017sle")

    def _basis(self, ids) -> str | dict[str, str]:
        return calibration_basis(ids) if self.synthetic else "reproduction"

    @cached_property
    def curve_fits(self) -> pd.DataFrame:
        return compare_fits(self.result.sample, ssp_matrix(self.result.sample))

    @cached_property
    def sensitivity(self) -> pd.DataFrame:
        return sensitivity(self.survey)

    @cached_property
    def actuarial(self) -> pd.DataFrame:
        return actuarial.published_vs_actuarial(self.result.sample, self.published)

    @cached_property
    def actuarial_assumptions(self) -> pd.DataFrame:
        return actuarial.assumption_sensitivity(self.result.sample)

    @cached_property
    def anchoring(self) -> AnchoringResult:
        """The paper's anchoring test on the survey's respondents aged 50-59 and 60-69."""
        return anchoring_comparison(*anchoring_groups(self.survey))

    @cached_property
    def dutch_tables(self) -> pd.DataFrame:
        return actuarial.dutch_tables_check()

    # ------------------------------------------------------------ comparisons
    def comparisons(self) -> dict[str, pd.DataFrame]:
        """The chapter's comparisons with the paper (:func:`foresight.data.compare`), by name."""
        r, pub = self.result, self.published
        return {
            "sle_tab_flow": flow_comparison(r.flow, pub, self._basis(flow_figures(r.flow).index)),
            "sle_tab_table1": table1_comparison(r.sample, pub, self._basis(table1(r.sample).index)),
            "sle_tab_headline": headline_comparison(
                r.headline, pub, self._basis([f"sle_{k}" for k in HEADLINE_FIGURES])),
            "sle_table2_coefficients": table2_comparison(
                r.fits, pub, self._basis(table2_figures(r.fits).index)),
        }

    # ------------------------------------------------------------ glued numbers
    def values(self) -> dict[str, object]:
        """Every number the chapter's prose shows, by glue key."""
        r, pub = self.result, self.published
        cmp = self.comparisons()
        v: dict[str, object] = {fid: float(x) for fid, x in pub["value"].items()}
        v["sle_syn_n_initial"] = float(len(self.survey))
        v.update({f"sle_syn_{k}": float(x) for k, x in r.headline.items()})
        ex = worked_examples().set_index("case")
        v.update({key: float(ex.loc[case, col]) for key, (case, col) in EXAMPLE_ROWS.items()})
        flow, t1, head, t2 = (cmp[k] for k in ("sle_tab_flow", "sle_tab_table1", "sle_tab_headline",
                                               "sle_table2_coefficients"))
        ok = "calibrated" if self.synthetic else "agrees"
        shares = t1.drop(["sle_t1_age_mean", "sle_t1_age_sd"])
        basis2 = self._basis(t2.index)
        checked2 = [i for i in t2.index
                    if (basis2 if isinstance(basis2, str) else basis2[i]) != "not comparable"]
        v.update({
            "sle_syn_n_final": float(r.flow.set_index("rule")["remaining"].min()),
            "sle_flow_agree": float((flow["verdict"] == ok).sum()),
            "sle_flow_rows": float(len(flow)),
            "sle_t1_max_share_diff": float(shares["difference"].abs().max()),
            "sle_syn_age_mean": float(t1.loc["sle_t1_age_mean", "reproduced"]),
            "sle_headline_agree": float((head["verdict"] == ok).sum()),
            "sle_headline_rows": float(len(head)),
            "sle_t2_within": float((t2["verdict"] == ok).sum()),
            "sle_t2_checked": float(len(checked2)),
            "sle_t2_rows": float(len(t2)),
        })
        heap = heaping(r.sample)
        v["sle_syn_whipple"] = heap["whipple_sle"]
        v["sle_syn_myers"] = heap["myers_sle"]
        for name, value in zip("abc", modal_answers(r.sample["sle"].astype(float))):
            v[f"sle_syn_peak_{name}"] = float(value)
        pl = published_table2_long(pub).pivot(index="term", columns="model", values="coef")
        stars = published_star_check(pub)
        signs = sign_agreement(r.fits, pub).set_index("model")
        v.update({
            "sle_t2_linearity": float((pl[3] - (pl[1] - pl[2])).abs().max()),
            "sle_t2_star_agree": float((stars["stars_recomputed"] == stars["stars"]).sum()),
            "sle_t2_cells": float(len(stars)),
            "sle_t2_df": float(stars.attrs["df"]),
            "sle_t2_slopes": float(signs.loc[1, "slopes"]),
        })
        v.update({f"sle_t2_sign_m{m}": float(signs.loc[m, "same_sign"]) for m in signs.index})
        normal = published_star_check(pub, "normal")
        v["sle_t2_star_agree_normal"] = float((normal["stars_recomputed"] == normal["stars"]).sum())
        # within two published SEs, model by model (model 4 is not calibrated: descriptive only)
        inside = (t2["difference"].abs() <= t2["tolerance"] + 1e-9)
        model = t2.index.str.extract(r"_m(\d)_", expand=False).astype(int)
        term = pd.Series(t2.index.str.replace(r"^sle_t2_m\d_|_coef$", "", regex=True), index=t2.index)
        for m in (1, 2, 3, 4):
            rows = model == m
            v[f"sle_t2_within_m{m}"] = float(inside[rows].sum())
            v[f"sle_t2_rows_m{m}"] = float(rows.sum())
            v[f"sle_t2_miss_m{m}"] = Markdown(", ".join(TERM_WORDS.get(t, t) for t in term[rows & ~inside])
                                              or "none")
        v["sle_t2_within_all"] = float(inside.sum())
        v["sle_t2_within_m12"] = v["sle_t2_within_m1"] + v["sle_t2_within_m2"]
        v["sle_t2_rows_m12"] = v["sle_t2_rows_m1"] + v["sle_t2_rows_m2"]
        fsum = fit_summary(self.curve_fits).set_index("model")
        for model in fsum.index:
            m, row = model.lower(), fsum.loc[model]
            v.update({
                f"sle_fit_{m}_median": float(row["mean of medians"]),
                f"sle_fit_{m}_mean": float(row["mean of mean ages at death"]),
                f"sle_fit_{m}_mad": float(row["mean |median minus crossing|"]),
                f"sle_fit_{m}_bound": float(row["at a bound (%)"]),
                f"sle_fit_{m}_rmse": float(row["median RMSE (points)"]),
                f"sle_fit_{m}_mad_bound": float(row["|median minus crossing|, at a bound"]),
                f"sle_fit_{m}_mad_free": float(row["|median minus crossing|, inside bounds"]),
                f"sle_fit_{m}_skew_free": float(row["mean minus median, inside bounds"]),
                f"sle_fit_{m}_skew_bound": float(row["mean minus median, at a bound"]),
            })
        sens = self.sensitivity
        sv = sens.set_index("variant")
        v["sle_sens_min"] = float(sens["gap"].min())
        v["sle_sens_max"] = float(sens["gap"].max())
        for stem, variant in SENSITIVITY_ROWS.items():
            v[f"sle_sens_{stem}_gap"] = float(sv.loc[variant, "gap"])
            v[f"sle_sens_{stem}_n"] = float(sv.loc[variant, "n"])
        odd = self.dutch_tables.set_index(["period", "sex"])
        v.update({
            "sle_act_gbv8590_ratio": float(odd.loc[("1985-90", "female"), "ratio_to_previous"]),
            "sle_act_gbm8590_ratio": float(odd.loc[("1985-90", "male"), "ratio_to_previous"]),
            "sle_act_rate": 100 * actuarial.IMPROVEMENT_RATE,
            "sle_act_year": float(actuarial.SURVEY_YEAR),
            "sle_act_base_year": float(actuarial.BASE_YEAR),
        })
        act = self.actuarial
        for key, fid in ACTUARIAL_ROWS.items():  # cohort basis (the benchmark), and period beside it
            v[f"sle_act_{key}"] = float(act.loc[fid, "actuarial (cohort)"])
            v[f"sle_act_{key}_diff"] = float(act.loc[fid, "difference (cohort)"])
            v[f"sle_act_{key}_period"] = float(act.loc[fid, "actuarial (period)"])
            v[f"sle_act_{key}_period_diff"] = float(act.loc[fid, "difference (period)"])
        sa = self.actuarial_assumptions
        co, pe = sa[sa["basis"] == "cohort"], sa[sa["basis"] == "period"]
        central = co[co["survey_year"] == actuarial.SURVEY_YEAR].set_index("rate")
        improving = co[co["rate"] > 0]
        v.update({
            "sle_act_median_lo": float(co["median_age_at_death"].min()),
            "sle_act_median_hi": float(co["median_age_at_death"].max()),
            "sle_act_s100_lo": float(co["survival_100"].min()),
            "sle_act_s100_hi": float(co["survival_100"].max()),
            "sle_act_s100_improving_lo": float(improving["survival_100"].min()),
            "sle_act_s100_improving_hi": float(improving["survival_100"].max()),
            "sle_act_s100_period_hi": float(pe["survival_100"].max()),
            "sle_act_s60_lo": float(co["survival_60"].min()),
            "sle_act_rate_lo": float(sa["rate"].min()),
            "sle_act_rate_hi": float(sa["rate"].max()),
            "sle_act_rate_low_improving": float(improving["rate"].min()),
            "sle_act_s100_rate_low": float(central.loc[improving["rate"].min(), "survival_100"]),
            "sle_act_s100_rate_high": float(central.loc[sa["rate"].max(), "survival_100"]),
            "sle_act_year_lo": float(sa["survey_year"].min()),
            "sle_act_year_hi": float(sa["survey_year"].max()),
            "sle_example_n": float(len(example_survey())),
        })
        # the cascade's thresholds, glued rather than typed
        o = CascadeOptions()
        v.update({"sle_rule_minutes": float(o.min_minutes), "sle_rule_min_age": float(o.min_age),
                  "sle_rule_max_age": float(o.max_age), "sle_rule_min_sle": float(o.min_sle),
                  "sle_rule_max_sle": float(o.max_sle),
                  "sle_excl_age_derived": float(pub.loc["sle_after_speeders", "value"]
                                                - pub.loc["sle_after_age", "value"])})
        # correlation test on the synthetic point estimates (the paper: p < 0.001)
        from scipy import stats

        both = r.sample[["sle", "ssp_pe"]].astype(float).dropna()
        v["sle_syn_corr_p"] = Markdown(format_p(stats.pearsonr(both["sle"], both["ssp_pe"]).pvalue))
        an = self.anchoring
        v.update({"sle_anch_n_young": float(an.n_younger), "sle_anch_n_old": float(an.n_older),
                  "sle_anch_gap_position": an.gap("by position"),
                  "sle_anch_gap_target": an.gap("by target age"),
                  "sle_anch_old_max_age": float(anchoring_groups(self.survey)[1]["age"].astype(float).max()),
                  "sle_anch_shift": float(an.shift),
                  "sle_anch_young_lo": float(YOUNGER_AGES[0]), "sle_anch_young_hi": float(YOUNGER_AGES[1]),
                  "sle_anch_old_lo": float(OLDER_AGES[0]), "sle_anch_old_hi": float(OLDER_AGES[1])})
        return v

    # ------------------------------------------------------------ tables
    def tables(self) -> dict[str, object]:
        """Every table the chapter shows, by glue key."""
        r, cmp = self.result, self.comparisons()
        rt = r.rounding.rename(columns={"multiple_of_10": "multiple of 10 (%)",
                                        "multiple_of_5": "multiple of 5 (%)",
                                        "exactly_50": "exactly 50 (%)", "exactly_80": "exactly 80 (%)"})
        fsum = fit_summary(self.curve_fits)
        sens = self.sensitivity.rename(columns={
            "mean_sle": "mean SLE", "mean_ssp_pe": "mean SSP point estimate",
            "ci_low": "95% CI, low", "ci_high": "95% CI, high"})
        example = example_survey()
        rules = example[["id", "age", "sle"]].assign(
            excluded_by=apply_cascade(example).excluded_by.map(lambda rule: RULE_LABELS.get(rule, rule))
            .replace("", "(kept)"))
        return {
            "sle_tab_examples": styled(worked_examples(), "sle_examples", precision=1),
            "sle_tab_flow": comparison_display(cmp["sle_tab_flow"], "sle_flow"),
            "sle_tab_table1": comparison_display(cmp["sle_tab_table1"], "sle_table1"),
            "sle_tab_headline": comparison_display(cmp["sle_tab_headline"], "sle_headline"),
            "sle_tab_rounding": styled(rt, "sle_rounding", precision=1),
            "sle_tab_table2": styled(table2_side_by_side(r.fits, self.published), "sle_table2"),
            "sle_tab_fits": styled(fsum.set_index("model").T.reset_index(names="quantity"), "sle_fits",
                                   precision=1),
            "sle_tab_sensitivity": styled(sens, "sle_sensitivity"),
            "sle_tab_dutch_tables": styled(self.dutch_tables, "sle_dutch_tables",
                                           precision={"q60": 4, "q80": 4, "p60_85": 3,
                                                      "ratio_to_previous": 2}),
            "sle_tab_actuarial_published": styled(self.actuarial, "sle_actuarial_published", precision=1),
            "sle_tab_actuarial_assumptions": styled(
                self.actuarial_assumptions, "sle_actuarial_assumptions",
                precision={"rate": 1, "survival_60": 1, "survival_100": 1,
                           "expected_age_at_death": 1, "median_age_at_death": 1}),
            "sle_tab_example_file": styled(rules, "sle_example_file"),
            "sle_tab_anchoring": styled(self.anchoring.to_frame(), "sle_anchoring", precision=1),
        }

    # ------------------------------------------------------------ figures
    def figures(self) -> dict[str, object]:
        """Every figure the chapter shows, by glue key (created on each call)."""
        r, pub = self.result, self.published["value"]
        published_ssp = {60: (pub["sle_mean_ssp60"], pub["sle_sd_ssp60"]),
                         100: (pub["sle_mean_ssp100"], pub["sle_sd_ssp100"])}
        return {
            "sle-fig-answers": plots.answers_figure(r.sample),
            "sle-fig-ssp": plots.ssp_by_age_figure(r.ssp_by_age, published_ssp),
            "sle-fig-difference": plots.difference_figure(r.sample),
            "sle-fig-rounding": plots.rounding_figure(r.sample),
            "sle-fig-fits": plots.fits_figure(r.sample, self.curve_fits),
            "sle-fig-sensitivity": plots.sensitivity_figure(self.sensitivity),
            "sle-fig-actuarial": plots.actuarial_figure(actuarial.subjective_vs_actuarial(r.sample)),
        }


def build(survey: pd.DataFrame, result: SLEAnalysis, *, synthetic: bool = True) -> SLEReport:
    """The SLE chapter's report for ``survey`` and its analysis (computed lazily)."""
    return SLEReport(survey, result, synthetic=synthetic)
