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
from foresight.sle import actuarial, benchmark, dutch, plots
from foresight.sle.dutch import DutchBenchmark
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

__all__ = ["CENTRAL", "COMPARISON_TITLES", "SLEReport", "benchmark_variants", "build", "styled"]

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

#: The variants that keep the improvement rule's form (and change one of its settings or something
#: else).
RULE_ASSUMPTIONS: tuple[str, ...] = ("improvement rule: trend window", "improvement rule: sexes",
                                     "improvement rule: age groups", "old-age graduation", "base years",
                                     "survey year", "survey year, trend window held", "hindsight")
BASE_PERIOD_TABLES = actuarial.BASE_PERIOD

#: Glue stems of the rows (measures) of :func:`foresight.sle.benchmark.published_comparison`.
ACTUARIAL_ROWS: dict[str, str] = {
    "s60": "survival_60", "s100": "survival_100", "expected": "expected_age_at_death",
    "median": "median_age_at_death", "median3": "median_footnote3",
}

#: The book's actuarial benchmark: observed Dutch mortality (HMD) to the year before the assumed
#: survey year, Kannisto above 90, improvement by age group from the 20-year trend of the
#: directly standardised rates, the same for both sexes (the average of their trends).
CENTRAL = DutchBenchmark()
#: Trend windows (years) shown beside the central one, and the uniform rates of the variants.
WINDOWS: tuple[int, ...] = (10, 15, 20, 25, 30)
UNIFORM_RATES: tuple[float, ...] = (0.0, 0.008, 0.012, 0.016)
#: The UK expert target (ONS 2014-based), a labelled variant only: no Dutch source gives it.
UK_TARGET = actuarial.IMPROVEMENT_RATE
#: The label of each sex's own trend (the variant of the rule) in the improvement figure.
OWN_TREND_LABEL = f"each sex's own {CENTRAL.window}-year trend"
#: Ages at which the prose quotes each sex's own trend (late middle age: the smoking generations).
OWN_TREND_AGES: tuple[int, int] = (50, 60)
#: Age and years at which the prose quotes the men/women death-rate ratio under each sex's own trend.
SEX_RATIO_AGE = 60
SEX_RATIO_YEARS: tuple[int, int] = (2040, 2080)
#: Years observed after the survey (the realised check), and its age bands.
REALISED_YEARS: tuple[int, int] = (2012, 2019)
REALISED_BANDS: tuple[tuple[int, int], ...] = ((20, 59), (60, 79), (80, 89), (90, 110))
#: Ages at which the prose quotes the 1989-93 graduation check.
GRADUATION_AGES: tuple[int, int] = (85, 89)
#: The age band of the prose's check of the Gompertz extension against the HMD.
EXTENSION_BAND = "95-99"
#: The earlier benchmark (1989-93 tables) the chapter keeps as a variant.
TABLES = actuarial.TablesBenchmark()


def _window_label(w: int, central: DutchBenchmark) -> str:
    o = central.origin_year
    label = f"{w}-year trend ({o - w}-{o})"
    return label + ", the benchmark" if w == central.window else label


def benchmark_variants(central: DutchBenchmark = CENTRAL) -> dict[str, tuple[str, object, str]]:
    """Every variant of the benchmark the chapter shows: name -> (assumption, benchmark, basis).

    The central benchmark is the row named by :func:`central_name`; each other
    row changes one assumption (the trend window, a uniform rate instead of the
    rule, the old-age graduation, the base years, the survey year, the basis,
    hindsight) or is the earlier benchmark on the 1989-93 tables.
    """
    o = central.origin_year
    v: dict[str, tuple[str, object, str]] = {}
    for w in WINDOWS:
        v[_window_label(w, central)] = ("improvement rule: trend window", central.with_(window=w), "cohort")
    v[f"each sex its own {central.window}-year trend"] = (
        "improvement rule: sexes", central.with_(by_sex=True), "cohort")
    for groups in (dutch.FIVE_YEAR_GROUPS, dutch.SINGLE_OLD_GROUPS):
        v[_groups_label(groups)] = ("improvement rule: age groups", central.with_(groups=groups), "cohort")
    for r in UNIFORM_RATES:
        name = "no improvement" if r == 0 else f"{100 * r:.1f}% a year at every age"
        if r == UK_TARGET:
            name += " (UK target)"
        v[name] = ("uniform rate instead of the rule", central.with_(rate=r), "cohort")
    for lo, hi in ((80, 94), (85, 99)):
        v[f"Kannisto fitted at {lo}-{hi}"] = ("old-age graduation", central.with_(fit_ages=(lo, hi)), "cohort")
    v["Kannisto from age 95"] = ("old-age graduation", central.with_(from_age=95), "cohort")
    v[f"base rates of {o} alone"] = ("base years", central.with_(base_years=1), "cohort")
    v[f"base rates of {o - 4}-{o}"] = ("base years", central.with_(base_years=5), "cohort")
    for y in (central.survey_year - 2, central.survey_year + 2):
        v[f"survey in {y} (data to {y - 1})"] = ("survey year", central.with_(survey_year=y), "cohort")
    for y in (central.survey_year - 2, central.survey_year + 2):
        v[f"survey in {y}, trend of {o - central.window}-{o} kept"] = (
            "survey year, trend window held", central.with_(survey_year=y, trend_to=o), "cohort")
    v["period table of the survey year"] = ("basis", central, "period")
    v[f"observed to {dutch_last_year()}, then the rule"] = (
        "hindsight", central.with_(origin=dutch_last_year()), "cohort")
    for (lo, hi), r in (((50, 89), UK_TARGET), ((60, 89), UK_TARGET), ((70, 89), UK_TARGET),
                        ((70, 89), 0.008), ((70, 89), 0.016)):
        v[f"1989-93 tables, Gompertz {lo}-{hi}, {100 * r:.1f}%"] = (
            "earlier benchmark (1989-93 tables)", actuarial.TablesBenchmark(rate=r, fit_ages=(lo, hi)), "cohort")
    return v


def _groups_label(groups: tuple[int, ...]) -> str:
    """'5-year age groups', or '5-year groups, single years from 90' (0-19 and the open last
    group are left out: every grouping of the chapter has them)."""
    widths = np.diff(groups[1:])
    w = int(widths[0])
    if (widths == w).all():
        return f"{w}-year age groups"
    first_single = int(groups[1:][np.argmax(widths == 1)])
    return f"{w}-year groups, single years from {first_single}"


def central_name(central: DutchBenchmark = CENTRAL) -> str:
    """The name of the central benchmark in :func:`benchmark_variants`."""
    return _window_label(central.window, central)


def dutch_last_year() -> int:
    """Last calendar year of the HMD Netherlands series."""
    return int(dutch.netherlands_counts("female")[0].columns.max())


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
        """The paper's averages against the central benchmark, on both bases."""
        return benchmark.published_comparison(self.result.sample, self.published, CENTRAL)

    @cached_property
    def variants(self) -> pd.DataFrame:
        """The sample's benchmark figures under every variant (:func:`benchmark_variants`)."""
        return benchmark.variants_table(self.result.sample, benchmark_variants())

    @cached_property
    def improvement(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Improvement by age group: the rule over three windows (the same for both sexes), each
        sex's own trend (a variant), and what happened after the survey (each sex)."""
        o, last = CENTRAL.origin_year, dutch_last_year()
        counts = {s: dutch.netherlands_counts(s) for s in dutch.SEXES}
        out = {}
        for w in (WINDOWS[0], CENTRAL.window, WINDOWS[-1]):
            bm = CENTRAL.with_(window=w)
            out[_window_label(w, CENTRAL) + ", both sexes"] = {s: bm.improvement_table(s) for s in dutch.SEXES}
        own = CENTRAL.with_(by_sex=True)
        out[OWN_TREND_LABEL] = {s: own.improvement_table(s) for s in dutch.SEXES}
        out[f"realised {o}-{last}"] = {s: dutch.improvement_table(*counts[s], origin=last, window=last - o)
                                       for s in dutch.SEXES}
        return out

    @cached_property
    def realised(self) -> pd.DataFrame:
        """Observed deaths over the deaths each benchmark expected, years after the survey."""
        counts = {s: dutch.netherlands_counts(s) for s in dutch.SEXES}
        lo, hi = REALISED_YEARS
        names = {_window_label(w, CENTRAL): CENTRAL.with_(window=w) for w in (WINDOWS[0], CENTRAL.window,
                                                                            WINDOWS[-1])}
        names[f"each sex its own {CENTRAL.window}-year trend"] = CENTRAL.with_(by_sex=True)
        names["no improvement"] = CENTRAL.with_(rate=0.0)
        names[f"{100 * UK_TARGET:.1f}% a year at every age (UK target)"] = CENTRAL.with_(rate=UK_TARGET)
        names[f"1989-93 tables, Gompertz {TABLES.fit_ages[0]}-{TABLES.fit_ages[1]}, "
              f"{100 * TABLES.rate:.1f}%"] = TABLES
        return benchmark.realised_check(names, {s: c[0] for s, c in counts.items()},
                                        {s: c[1] for s, c in counts.items()}, range(lo, hi + 1),
                                        bands=REALISED_BANDS)

    @cached_property
    def kannisto(self) -> pd.DataFrame:
        """Observed over fitted deaths by five-year band, the central benchmark's base years."""
        frames = []
        for s in dutch.SEXES:
            b = CENTRAL.base_rates(s).attrs["fit"].bands(5)
            frames.append(b.drop(columns="schedule").assign(sex=s))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def break_even(self) -> dict[str, float]:
        """Uniform improvement rates at which the benchmark meets the stated figures."""
        pub = self.published["value"]
        sample = self.result.sample
        return {
            "hmd_s100": benchmark.break_even_rate(sample, lambda r: CENTRAL.with_(rate=r), "survival_100",
                                                  float(pub["sle_mean_ssp100"])),
            "tables_s100": benchmark.break_even_rate(sample, lambda r: TABLES.with_(rate=r), "survival_100",
                                                     float(pub["sle_mean_ssp100"])),
            "tables_median": benchmark.break_even_rate(sample, lambda r: TABLES.with_(rate=r),
                                                       "median_age_at_death", float(pub["sle_mean_ssp_pe"])),
            "tables_median3": benchmark.break_even_rate(sample, lambda r: TABLES.with_(rate=r),
                                                        "median_footnote3", float(pub["sle_mean_ssp_pe"])),
            "hmd_median3": benchmark.break_even_rate(sample, lambda r: CENTRAL.with_(rate=r), "median_footnote3",
                                                     float(pub["sle_mean_ssp_pe"])),
        }

    @cached_property
    def sex_gaps(self) -> dict[str, float]:
        """Women's minus men's expected age at death at the sample's ages, under the rule and the
        per-sex variant, on both bases (:func:`foresight.sle.benchmark.sex_gap`)."""
        sample = self.result.sample
        own = CENTRAL.with_(by_sex=True)
        return {"cohort": benchmark.sex_gap(sample, CENTRAL), "period": benchmark.sex_gap(sample, CENTRAL,
                                                                                          basis="period"),
                "own_cohort": benchmark.sex_gap(sample, own),
                "own_period": benchmark.sex_gap(sample, own, basis="period")}

    @cached_property
    def sex_ratio(self) -> pd.DataFrame:
        """Men's over women's death rate at :data:`SEX_RATIO_AGE`, base year to 2110, under the rule
        and under each sex's own trend: columns ``year, rule, own``."""
        years = np.arange(int(CENTRAL.base_date), 2111)
        out = {"year": years}
        for name, bm in (("rule", CENTRAL), ("own", CENTRAL.with_(by_sex=True))):
            out[name] = bm.rates("male", years)[SEX_RATIO_AGE] / bm.rates("female", years)[SEX_RATIO_AGE]
        return pd.DataFrame(out)

    @cached_property
    def anchoring(self) -> AnchoringResult:
        """The paper's anchoring test on the survey's respondents aged 50-59 and 60-69."""
        return anchoring_comparison(*anchoring_groups(self.survey))

    @cached_property
    def dutch_tables(self) -> pd.DataFrame:
        return actuarial.dutch_tables_check()

    @cached_property
    def graduation(self) -> pd.DataFrame:
        return actuarial.graduation_check()

    @cached_property
    def extension(self) -> pd.DataFrame:
        return actuarial.extension_check()

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
        v.update(self._benchmark_values())
        v["sle_example_n"] = float(len(example_survey()))
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

    def _benchmark_values(self) -> dict[str, object]:
        """The glued numbers of the actuarial section."""
        pub = self.published["value"]
        v: dict[str, object] = {}
        odd = self.dutch_tables.set_index(["period", "sex"])
        early = self.dutch_tables[~self.dutch_tables["period"].isin(["1985-90", BASE_PERIOD_TABLES])]
        v.update({
            "sle_act_gbv8590_ratio": float(odd.loc[("1985-90", "female"), "ratio_to_previous"]),
            "sle_act_gbm8590_ratio": float(odd.loc[("1985-90", "male"), "ratio_to_previous"]),
            "sle_act_gbv8590_hmd": float(odd.loc[("1985-90", "female"), "ratio_to_hmd"]),
            "sle_act_early_hmd_lo": float(early["ratio_to_hmd_min"].min()),
            "sle_act_early_hmd_hi": float(early["ratio_to_hmd_max"].max()),
            "sle_act_8993_f_hmd_lo": float(odd.loc[(BASE_PERIOD_TABLES, "female"), "ratio_to_hmd_min"]),
            "sle_act_8993_f_hmd_hi": float(odd.loc[(BASE_PERIOD_TABLES, "female"), "ratio_to_hmd_max"]),
            "sle_act_8993_m_hmd_lo": float(odd.loc[(BASE_PERIOD_TABLES, "male"), "ratio_to_hmd_min"]),
            "sle_act_8993_m_hmd_hi": float(odd.loc[(BASE_PERIOD_TABLES, "male"), "ratio_to_hmd_max"]),
            "sle_act_year": float(CENTRAL.survey_year),
            "sle_act_base_year": float(actuarial.BASE_YEAR),
            "sle_uk_target": 100 * UK_TARGET,
        })
        # the benchmark's settings
        o = CENTRAL.origin_year
        d0 = dutch.netherlands_counts("female")[0]
        ages = self.result.sample["age"].astype(float)
        v.update({
            "sle_bm_release": Markdown(dutch.HMD_NLD_RELEASE),
            "sle_bm_first_year": float(d0.columns.min()), "sle_bm_last_year": float(d0.columns.max()),
            "sle_bm_origin": float(o), "sle_bm_base_first": float(o - CENTRAL.base_years + 1),
            "sle_bm_window": float(CENTRAL.window), "sle_bm_window_first": float(o - CENTRAL.window),
            "sle_bm_window_lo": float(min(WINDOWS)), "sle_bm_window_hi": float(max(WINDOWS)),
            "sle_bm_fit_lo": float(CENTRAL.fit_ages[0]), "sle_bm_fit_hi": float(CENTRAL.fit_ages[1]),
            "sle_bm_from_age": float(CENTRAL.from_age),
            "sle_bm_real_lo": float(REALISED_YEARS[0]), "sle_bm_real_hi": float(REALISED_YEARS[1]),
            "sle_bm_short_first": float(o - min(WINDOWS)), "sle_bm_top_group": float(CENTRAL.groups[-1]),
            "sle_bm_first_group_hi": float(CENTRAL.groups[1] - 1), "sle_bm_group_lo": float(CENTRAL.groups[1]),
            "sle_bm_group_width": float(CENTRAL.groups[2] - CENTRAL.groups[1]),
            "sle_bm_year_lo": float(CENTRAL.survey_year - 2), "sle_bm_year_hi": float(CENTRAL.survey_year + 2),
            # when the respondents reach the oldest ages: the youngest reaches 100, the oldest 90
            "sle_bm_reach90": float(CENTRAL.survey_year + 90 - ages.max()),
            "sle_bm_reach100": float(CENTRAL.survey_year + 100 - ages.min()),
            # the oldest band of the realised check holds people born in this year or earlier
            "sle_real_born_by": float(REALISED_YEARS[1] - REALISED_BANDS[-1][0]),
        })
        imp = self.improvement
        rule = imp[_window_label(CENTRAL.window, CENTRAL) + ", both sexes"]["female"].set_index("age_from")
        short = imp[_window_label(min(WINDOWS), CENTRAL) + ", both sexes"]["female"].set_index("age_from")
        own = {s: t.set_index("age_from")["improvement"] for s, t in imp[OWN_TREND_LABEL].items()}
        after = {s: t.set_index("age_from")["improvement"]
                 for s, t in imp[f"realised {o}-{dutch_last_year()}"].items()}
        top = CENTRAL.groups[-1]
        v.update({"sle_bm_imp_90": 100 * float(rule.loc[top, "improvement"]),
                  "sle_bm_imp_short_90": 100 * float(short.loc[top, "improvement"])})
        for s in dutch.SEXES:
            k = s[0]
            v[f"sle_bm_own_{k}_90"] = 100 * float(own[s].loc[top])
            for age in OWN_TREND_AGES:
                v[f"sle_bm_own_{k}_{age}"] = 100 * float(own[s].loc[age])
            v[f"sle_bm_imp_after_{k}_90"] = 100 * float(after[s].loc[top])
        crude = dutch.improvement_table(*dutch.netherlands_counts("female"), origin=dutch_last_year(),
                                        window=dutch_last_year() - o, standardised=False)
        v["sle_bm_imp_after_crude_f_90"] = 100 * float(crude.set_index("age_from").loc[top, "improvement"])
        for a_ in OWN_TREND_AGES:
            v[f"sle_bm_own_age_{a_}"] = float(a_)
            v[f"sle_bm_own_age_{a_}_hi"] = float(a_ + 9)
        # the sexes: the rule keeps men's and women's death rates in their base proportion; each
        # sex's own trend makes them cross
        ratio = self.sex_ratio.set_index("year")
        base = CENTRAL.base_rates("male").loc[SEX_RATIO_AGE] / CENTRAL.base_rates("female").loc[SEX_RATIO_AGE]
        below = ratio.index[ratio["own"] < 1]
        v.update({
            "sle_bm_sexratio_age": float(SEX_RATIO_AGE), "sle_bm_sexratio_base": float(base),
            "sle_bm_sexratio_cross": float(below.min()) if len(below) else float("nan"),
        })
        for y in SEX_RATIO_YEARS:
            v[f"sle_bm_sexratio_own_{y}"] = float(ratio.loc[y, "own"])
            v[f"sle_bm_sexratio_year_{y}"] = float(y)
        gaps = self.sex_gaps
        v.update({"sle_bm_sexgap": gaps["cohort"], "sle_bm_sexgap_period": gaps["period"],
                  "sle_bm_sexgap_own": gaps["own_cohort"], "sle_bm_sexgap_own_period": gaps["own_period"]})
        # the central benchmark against the published averages, cohort and period basis
        act = self.actuarial
        for key, measure in ACTUARIAL_ROWS.items():
            v[f"sle_bm_{key}"] = float(act.loc[measure, "actuarial (cohort)"])
            v[f"sle_bm_{key}_diff"] = float(act.loc[measure, "difference (cohort)"])
            v[f"sle_bm_{key}_period"] = float(act.loc[measure, "actuarial (period)"])
            v[f"sle_bm_{key}_period_diff"] = float(act.loc[measure, "difference (period)"])
            v[f"sle_bm_{key}_gap"] = -v[f"sle_bm_{key}_diff"]  # actuarial minus subjective
            v[f"sle_bm_{key}_period_gap"] = -v[f"sle_bm_{key}_period_diff"]
        # the published SSP point estimate's standard error (SD / sqrt(n)), against which the gaps
        # in years can be read
        v["sle_pub_se_ssp_pe"] = float(pub["sle_sd_ssp_pe"] / np.sqrt(pub["sle_analysis_sample"]))
        # intro.md's table "At a glance" glues this key: the central benchmark's chance of living to 100
        v["sle_act_s100"] = v["sle_bm_s100"]
        # what the variants do to the comparison
        var = self.variants.set_index("variant")
        rule_rows = var[var["assumption"].isin(RULE_ASSUMPTIONS)]
        hmd = var[~var["assumption"].str.startswith("earlier")]
        windows = var.loc[[_window_label(w, CENTRAL) for w in WINDOWS]]
        below_w = [w for w, x in zip(WINDOWS, windows["survival_100"]) if x < pub["sle_mean_ssp100"]]
        tables = var[var["assumption"].str.startswith("earlier")]
        uniform = var[var["assumption"] == "uniform rate instead of the rule"]
        positive = uniform.loc[[n for n in uniform.index if n != "no improvement"]]
        held = var[var["assumption"] == "survey year, trend window held"]["survival_100"]
        groups = var[var["assumption"] == "improvement rule: age groups"]["survival_100"]
        v["sle_bm_s100_groups_lo"], v["sle_bm_s100_groups_hi"] = float(groups.min()), float(groups.max())
        v.update({
            "sle_bm_s100_rule_lo": float(rule_rows["survival_100"].min()),
            "sle_bm_s100_rule_hi": float(rule_rows["survival_100"].max()),
            "sle_bm_median_rule_lo": float(rule_rows["median_age_at_death"].min()),
            "sle_bm_median_rule_hi": float(rule_rows["median_age_at_death"].max()),
            "sle_bm_median3_rule_lo": float(rule_rows["median_footnote3"].min()),
            "sle_bm_median3_window_lo": float(windows["median_footnote3"].min()),
            "sle_bm_median3_positive_lo": float(positive["median_footnote3"].min()),
            "sle_bm_s60_min": float(var["survival_60"].min()),
            "sle_bm_expected_min": float(var["expected_age_at_death"].min()),
            "sle_bm_median_hmd_min": float(hmd["median_age_at_death"].min()),
            "sle_bm_median3_hmd_min": float(hmd["median_footnote3"].min()),
            "sle_bm_median_rate0": float(var.loc["no improvement", "median_age_at_death"]),
            "sle_bm_median3_rate0": float(var.loc["no improvement", "median_footnote3"]),
            "sle_bm_median3_rate0_diff": float(var.loc["no improvement", "median_footnote3"]
                                               - pub["sle_mean_ssp_pe"]),
            "sle_bm_s100_rate0": float(var.loc["no improvement", "survival_100"]),
            "sle_bm_s100_uk": float(var.loc[f"{100 * UK_TARGET:.1f}% a year at every age (UK target)",
                                            "survival_100"]),
            "sle_bm_s100_w_short": float(windows["survival_100"].iloc[0]),
            "sle_bm_s100_w_long": float(windows["survival_100"].iloc[-1]),
            "sle_bm_window_below": float(min(below_w)) if below_w else float("nan"),
            "sle_bm_s100_own": float(var.loc[f"each sex its own {CENTRAL.window}-year trend", "survival_100"]),
            "sle_bm_s100_hindsight": float(var.loc[f"observed to {dutch_last_year()}, then the rule",
                                                   "survival_100"]),
            "sle_bm_s100_year_lo": float(var.loc[f"survey in {CENTRAL.survey_year - 2} "
                                                 f"(data to {CENTRAL.survey_year - 3})", "survival_100"]),
            "sle_bm_s100_year_hi": float(var.loc[f"survey in {CENTRAL.survey_year + 2} "
                                                 f"(data to {CENTRAL.survey_year + 1})", "survival_100"]),
            "sle_bm_s100_held_lo": float(held.iloc[0]), "sle_bm_s100_held_hi": float(held.iloc[-1]),
            "sle_bm_grad_s100_lo": float(var[var["assumption"] == "old-age graduation"]["survival_100"].min()),
            "sle_bm_grad_s100_hi": float(var[var["assumption"] == "old-age graduation"]["survival_100"].max()),
            "sle_tab_s100_lo": float(tables["survival_100"].min()),
            "sle_tab_s100_hi": float(tables["survival_100"].max()),
        })
        for lo in (50, 60, 70):
            v[f"sle_tab_s100_fit{lo}"] = float(var.loc[f"1989-93 tables, Gompertz {lo}-89, "
                                                       f"{100 * UK_TARGET:.1f}%", "survival_100"])
        be = self.break_even
        v.update({"sle_bm_rate_s100": 100 * be["hmd_s100"], "sle_tab_rate_s100": 100 * be["tables_s100"],
                  "sle_tab_rate_median": 100 * be["tables_median"],
                  "sle_tab_rate_median3": 100 * be["tables_median3"],
                  "sle_bm_rate_median3": 100 * be["hmd_median3"]})
        # graduation: the 1989-93 tables (observed over fitted), the extension against the HMD
        g = self.graduation
        ext = self.extension.set_index(["sex", "fit", "ages"])["ratio"]
        lo, hi = actuarial.FIT_AGES
        (a_lo, a_hi), (b_lo, _) = actuarial.FIT_AGES_ALTERNATIVES[:2]
        mid, top_age = GRADUATION_AGES
        v.update({
            "sle_grad_fit_lo": float(lo), "sle_grad_fit_hi": float(hi),
            "sle_grad_lo_a": float(a_lo), "sle_grad_lo_b": float(b_lo),
            "sle_grad_age_mid": float(mid), "sle_grad_age_top": float(top_age),
            "sle_ext_band": Markdown(EXTENSION_BAND),
            "sle_tab_rate_lo": 100 * min(r for r in UNIFORM_RATES if r > 0),
            "sle_tab_rate_hi": 100 * max(UNIFORM_RATES),
            "sle_act_tab_age_lo": float(odd.loc[(BASE_PERIOD_TABLES, "female"), "min_age"]),
            "sle_act_tab_age_hi": float(odd.loc[(BASE_PERIOD_TABLES, "female"), "max_age"]),
            "sle_grad_f85_50": float(g.loc[mid, f"female, fitted {a_lo}-{a_hi}"]),
            "sle_grad_f89_50": float(g.loc[top_age, f"female, fitted {a_lo}-{a_hi}"]),
            "sle_grad_dev_central": float((g[[f"female, fitted {lo}-{hi}", f"male, fitted {lo}-{hi}"]] - 1)
                                          .abs().to_numpy().max()),
            "sle_ext_f_9599_50": float(ext[("female", f"{a_lo}-{a_hi}", EXTENSION_BAND)]),
            "sle_ext_f_9599_central": float(ext[("female", f"{lo}-{hi}", EXTENSION_BAND)]),
            "sle_ext_m_9599_central": float(ext[("male", f"{lo}-{hi}", EXTENSION_BAND)]),
            "sle_ext_f_100_central": float(ext[("female", f"{lo}-{hi}", "100-104")]),
            "sle_ext_m_100_central": float(ext[("male", f"{lo}-{hi}", "100-104")]),
        })
        k = self.kannisto
        v["sle_kan_dev_max"] = float((k["ratio"] - 1).abs().max())
        # the realised check (years after the survey)
        real = self.realised.set_index(["benchmark", "sex", "ages"])["ratio"]
        cname = _window_label(CENTRAL.window, CENTRAL)
        young, oldest = (f"{a}-{b}" for a, b in (REALISED_BANDS[0], REALISED_BANDS[-1]))
        middle = "{}-{}".format(*REALISED_BANDS[1])
        own_name = f"each sex its own {CENTRAL.window}-year trend"
        for s in dutch.SEXES:
            v[f"sle_real_{s[0]}_90"] = float(real[(cname, s, oldest)])
            v[f"sle_real_{s[0]}_young"] = float(real[(cname, s, young)])
            v[f"sle_real_{s[0]}_60"] = float(real[(cname, s, middle)])
            v[f"sle_real_own_{s[0]}_60"] = float(real[(own_name, s, middle)])
            v[f"sle_real_u0_{s[0]}_90"] = float(real[("no improvement", s, oldest)])
        v["sle_real_old_from"] = float(REALISED_BANDS[1][0])
        v["sle_real_mid_hi"] = float(REALISED_BANDS[1][1])
        # the rule remade with the data to the last year: its trend at the oldest ages
        hind = CENTRAL.with_(origin=dutch_last_year()).improvement_table("female").set_index("age_from")
        v["sle_bm_imp_hind_90"] = 100 * float(hind.loc[CENTRAL.groups[-1], "improvement"])
        v["sle_bm_imp_hind_80"] = 100 * float(hind.loc[CENTRAL.groups[-2], "improvement"])
        v["sle_bm_imp_80"] = 100 * float(rule.loc[CENTRAL.groups[-2], "improvement"])
        v["sle_bm_hind_first"] = float(dutch_last_year() - CENTRAL.window)
        v["sle_bm_hind_left_hi"] = float(dutch_last_year() - CENTRAL.window - 1)
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
            "sle_tab_dutch_tables": styled(self._dutch_tables_shown(), "sle_dutch_tables",
                                           precision={"q60": 4, "q80": 4, "p60_85": 3}, labels={
                                               "ratio_to_previous": "q vs previous table (mean)",
                                               "ratio_to_hmd": "q vs HMD (mean)",
                                               "ratio_to_hmd_min": "q vs HMD (lowest)",
                                               "ratio_to_hmd_max": "q vs HMD (highest)",
                                               "p60_85": "survival 60 to 85"}),
            "sle_tab_graduation": styled(self.graduation.reset_index(), "sle_graduation",
                                         labels={c: c.replace("female", "women").replace("male", "men")
                                                 for c in self.graduation.columns}),
            "sle_tab_kannisto": styled(self._kannisto_shown(), "sle_kannisto", precision={
                "observed deaths": 0, "expected deaths": 0, "observed / expected": 3}),
            "sle_tab_actuarial_published": styled(self.actuarial.drop(columns="figure"), "sle_actuarial_published",
                                                  precision=1),
            "sle_tab_benchmarks": styled(self.variants.drop(columns="basis"), "sle_benchmarks", precision=1,
                                         labels={"survival_60": "living to 60 (%)",
                                                 "survival_100": "living to 100 (%)",
                                                 "expected_age_at_death": "expected age at death (years)",
                                                 "median_age_at_death": "median age at death (years)",
                                                 "median_footnote3": "median read by footnote 3 (years)"}),
            "sle_tab_realised": styled(self._realised_shown(), "sle_realised", precision=3),
            "sle_tab_example_file": styled(rules, "sle_example_file"),
            "sle_tab_anchoring": styled(self.anchoring.to_frame(), "sle_anchoring", precision=1),
        }

    def _dutch_tables_shown(self) -> pd.DataFrame:
        t = self.dutch_tables
        ages = t["min_age"].astype(str) + "-" + t["max_age"].astype(str)
        return t.drop(columns=["table_id", "min_age", "max_age"]).assign(ages=ages)[
            ["period", "sex", "name", "ages", "q60", "q80", "p60_85", "ratio_to_previous", "ratio_to_hmd",
             "ratio_to_hmd_min", "ratio_to_hmd_max"]]

    def _kannisto_shown(self) -> pd.DataFrame:
        k = self.kannisto
        return pd.DataFrame({"sex": k["sex"], "ages": k["ages"], "observed deaths": k["deaths"],
                             "expected deaths": k["expected"], "observed / expected": k["ratio"]})

    def _realised_shown(self) -> pd.DataFrame:
        r = self.realised
        wide = r.pivot_table(index="benchmark", columns=["sex", "ages"], values="ratio", sort=False)
        wide.columns = [f"{'women' if s == 'female' else 'men'}, {a}" for s, a in wide.columns]
        return wide.reset_index().rename(columns={"benchmark": "benchmark (rule or rate)"})

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
            "sle-fig-actuarial": plots.actuarial_figure(benchmark.by_group(r.sample, CENTRAL)),
            "sle-fig-improvement": plots.improvement_figure(
                self.improvement, uniform=UK_TARGET,
                realised=f"realised {CENTRAL.origin_year}-{dutch_last_year()}", variant=OWN_TREND_LABEL),
            "sle-fig-benchmarks": plots.benchmark_range_figure(
                self.variants, {"survival_100": float(self.published.loc["sle_mean_ssp100", "value"]),
                                "median_footnote3": float(self.published.loc["sle_mean_ssp_pe", "value"])},
                central=central_name()),
        }


def build(survey: pd.DataFrame, result: SLEAnalysis, *, synthetic: bool = True) -> SLEReport:
    """The SLE chapter's report for ``survey`` and its analysis (computed lazily)."""
    return SLEReport(survey, result, synthetic=synthetic)
