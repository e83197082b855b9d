"""Everything the mortality chapter shows: glued numbers, tables, figures and comparisons.

The chapter (``chapters/mortality.ipynb``) only narrates and calls::

    r = report.build()
    glue_all(r.values(), r.tables(), r.figures())

:class:`MortalityReport` computes each ingredient once, on demand. Its
:meth:`~MortalityReport.comparisons` are the side-by-side tables of the chapter
as :func:`foresight.data.compare` returns them (the tests pin their verdicts);
:meth:`~MortalityReport.tables` shows them in the one comparison layout.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd

import foresight.mortality as fm
from foresight.display import house_table
from foresight.data import comparison_display, published, verdict_counts
from foresight.mortality import checks, elt_case, ew, history, history_plots, projection_plots, statements, uk
from foresight.mortality.ons import ProjectionAssumptions

__all__ = ["CALIBRATION_FIGURE", "COMPARISON_TITLES", "HMD_EX_TOLERANCE", "MortalityReport",
           "ONS_SHORT_NAMES", "PROJECTION_LABELS", "build", "pspline_demo"]

#: The other long-term target shown in the table of variants (a fraction a year).
VARIANT_TARGET = 0.015
VARIANT_TARGET_LABEL = f"target {100 * VARIANT_TARGET:.1f}%"

#: The published figure that fixes the male convergence exponent (a calibration check).
CALIBRATION_FIGURE = "ons_proj_cohort_e0_male_2014"

#: Largest difference in life expectancy (years, any age) allowed when the engine
#: recomputes the published HMD table from its own death rates: the HMD prints ex to
#: two decimals, so rounding alone moves it by up to 0.005 years.
HMD_EX_TOLERANCE = 0.02

#: Short names of the ONS projection figures in the glue keys ``mortp_rep_*`` / ``mortp_pub_*``.
ONS_SHORT_NAMES: dict[str, str] = {
    "ons_proj_e0_male_2014": "e0m", "ons_proj_e0_female_2014": "e0f",
    "ons_proj_cohort_e0_male_2014": "cohe0m", "ons_proj_e65_male_2014": "e65m",
    "ons_proj_cohort_e65_male_2014": "cohe65m", "ons_sex_gap_e0_2014": "gap0_14",
    "ons_proj_sex_gap_e0_2039": "gap0_39", "ons_proj_sex_gap_e65_2014": "gap65_14",
    "ons_proj_sex_gap_e65_2039": "gap65_39",
}

SEXES = (("female", "f"), ("male", "m"))

#: The ONS projection figures in words, for tables that list them by row.
PROJECTION_LABELS: dict[str, str] = {
    "ons_proj_e0_male_2014": "period e0 2014, males",
    "ons_proj_e0_female_2014": "period e0 2014, females",
    "ons_proj_cohort_e0_male_2014": "cohort e0, boys born 2014",
    "ons_proj_e65_male_2014": "period e65 2014, males",
    "ons_proj_cohort_e65_male_2014": "cohort e65, men aged 65 in 2014",
    "ons_sex_gap_e0_2014": "sex gap in e0, 2014",
    "ons_proj_sex_gap_e0_2039": "sex gap in e0, 2039",
    "ons_proj_sex_gap_e65_2014": "sex gap in e65, 2014",
    "ons_proj_sex_gap_e65_2039": "sex gap in e65, 2039",
}

#: What each comparison table of :meth:`MortalityReport.comparisons` checks, in words.
COMPARISON_TITLES: dict[str, str] = {
    "mort-tab-elt-cited": "English Life Tables against figures printed about them",
    "mort-tab-verdicts": "ONS statements on the changing life table, on the English Life Tables",
    "mortp-tab-ons": "ONS statements on annual data: the UK, and England and Wales where they describe it",
}


def pspline_demo(seed: int = 2014) -> dict[str, object]:
    """The Poisson P-spline on synthetic counts whose true surface is known.

    Ages 40-90 and years 1971-2010 (padded with zero-weight years to 2030, so
    the fit also forecasts), 20,000 person-years per cell, a smooth log-rate
    surface with a slow wave in calendar time, and negative-binomial deaths
    with overdispersion 2.

    Returns
    -------
    dict
        ``fit`` (:class:`~foresight.mortality.PSplineFit`), ``deaths``,
        ``exposure``, ``truth`` (log rates on the fitted grid) and
        ``inside`` (cells where the truth is within two standard errors).
    """
    ages, years = np.arange(40, 91), np.arange(1971, 2011)
    a, t = np.meshgrid(ages, np.arange(1971, 2031), indexing="ij")
    truth = -10.2 + 0.095 * a - 0.018 * (t - 1971) * (1.3 - a / 100) + 0.04 * np.sin((t - 1971) / 4)
    exposure = np.full((ages.size, years.size), 2e4)
    deaths = fm.simulate_deaths(truth[:, : years.size], exposure, overdispersion=2.0, seed=seed)
    fit = fm.fit_pspline_2d(deaths, exposure, ages=ages, years=years, forecast_to=2030)
    return {"fit": fit, "deaths": deaths, "exposure": exposure, "truth": truth,
            "inside": np.abs(fit.log_rates - truth) < 2 * fit.se, "n_observed_years": years.size}


class MortalityReport:
    """The mortality chapter's results, each computed once when first needed."""

    # ------------------------------------------------------------ ingredients
    @cached_property
    def published(self) -> pd.Series:
        return published("ons2015mortality")["value"]

    @cached_property
    def history(self) -> pd.DataFrame:
        return history.elt_history()

    @cached_property
    def both(self):
        return history.elt_both_sexes()

    @cached_property
    def improvement(self) -> pd.DataFrame:
        return history.elt_improvement(8, 16)

    @cached_property
    def improvement_by_age(self) -> pd.DataFrame:
        return history.elt_improvement_by_age(8, 16)

    @cached_property
    def arriaga(self) -> pd.DataFrame:
        return history.elt_arriaga(3, 11)

    @cached_property
    def run(self) -> "uk.UKRun":
        return uk.UKRun()

    @cached_property
    def smoothed(self):
        return uk.smooth_uk(self.run)

    @cached_property
    def projection(self):
        return uk.uk_projection(self.smoothed[0], run=self.run)

    @cached_property
    def ew_smoothed(self):
        return ew.smooth_ew(self.run)

    @cached_property
    def ew_projection(self):
        return ew.ew_projection(self.ew_smoothed[0], run=self.run)

    @cached_property
    def ew_figures(self) -> pd.Series:
        return ew.ew_figures(self.ew_projection)

    @cached_property
    def top_ages(self) -> dict[str, int]:
        return dict(self.run.max_age)

    @cached_property
    def demo(self) -> dict[str, object]:
        return pspline_demo()

    @cached_property
    def long_surfaces(self):
        """England and Wales: observed rates from 1841, then the book's projection (Figures 4.10, 4.11)."""
        return ew.ew_history_surfaces(self.ew_projection)

    @cached_property
    def sensitivity(self) -> pd.DataFrame:
        return checks.target_sensitivity(self.smoothed[0], data_top_age=self.top_ages).set_index("target")

    @cached_property
    def variants(self) -> pd.DataFrame:
        """ONS figures under alternative convergence paths and old-age rules (misses explained)."""
        a = ProjectionAssumptions()
        return checks.power_sensitivity(self.smoothed[0], {
            "book": a,
            "linear": replace(a, convergence_power={"male": 1.0, "female": 1.0}),
            "p = 2 / 1.5": replace(a, convergence_power={"male": 2.0, "female": 1.5}),
            "old ages: extension": replace(a, old_age_rates="extension"),
            VARIANT_TARGET_LABEL: a.with_target(VARIANT_TARGET),
        }, data_top_age=self.top_ages)

    @cached_property
    def calibration(self) -> dict[str, float]:
        return uk.calibrate_convergence_power(self.smoothed[0], float(self.published[CALIBRATION_FIGURE]),
                                              run=self.run)

    @cached_property
    def uncertainty(self) -> pd.Series:
        surfaces, fits = self.smoothed
        return checks.improvement_uncertainty(surfaces, fits, data_top_age=self.top_ages).set_index(
            ["sex", "scenario"])["e0_2039"]

    @cached_property
    def observed(self) -> pd.DataFrame:
        return uk.uk_expectancy(self.run.version, years=(1961, 2022))

    @cached_property
    def realised(self) -> pd.DataFrame:
        return checks.realised_errors(self.projection, version=self.run.version)

    # ------------------------------------------------------------ comparisons
    def comparisons(self) -> dict[str, pd.DataFrame]:
        """The chapter's comparison tables (:func:`foresight.data.compare`), by table name."""
        return {
            "mort-tab-elt-cited": fm.elt_cited_checks(),
            "mort-tab-verdicts": history.changing_life_table_checks(),
            "mortp-tab-ons": checks.ons_statements(self.projection, self.ew_projection,
                                                   fits=self.smoothed[1]),
        }

    # ------------------------------------------------------------ glued numbers
    def values(self) -> dict[str, object]:
        """Every number (and short text) the chapter's prose shows, by glue key."""
        cmp = self.comparisons()  # once: each call recomputes the tables (the tests patch them)
        return {**self._history_values(cmp), **self._projection_values(cmp)}

    def _history_values(self, cmp: dict[str, pd.DataFrame]) -> dict[str, object]:
        pub, hist = self.published, self.history
        cited = cmp["mort-tab-elt-cited"]
        figures = fm.elt_cited_figures()
        dead = figures.index[figures["measure"] == "dead_by"]
        ages = [str(int(a)) for a in figures.loc[dead, "age"]]
        hmd = fm.hmd_example().set_index("age")
        check = fm.period_life_table(hmd["mx"], sex="female")
        gap = hist["gap_e0"]
        imp7 = history.elt_improvement(7, 16)
        by_age = self.improvement_by_age
        esp = fm.european_standard_population()
        steps = np.diff(hist["entropy"].to_numpy())
        dec = self.arriaga
        gain = dec[["female", "male"]].sum()
        under5 = dec.loc[dec["lower"] < 5, ["female", "male"]].sum()
        under15 = dec.loc[dec["lower"] < 15, ["female", "male"]].sum()
        v: dict[str, object] = {
            "mort_n_elt": int(hist.shape[0]),
            "mort_n_tables": int(2 * hist.shape[0]),
            "mort_hmd_diff": float((check["ex"] - hmd["ex"]).abs().max()),
            "mort_hmd_tol": HMD_EX_TOLERANCE,
            "mort_cited_n": len(cited),
            "mort_cited_agree": verdict_counts(cited)["agrees"],
            "mort_cited_tol_dead": float(cited.loc[dead, "tolerance"].max()),
            "mort_cited_maxdiff_dead": float(cited.loc[dead, "difference"].abs().max()),
            "mort_cited_dead_ages": ", ".join(ages[:-1]) + " and " + ages[-1],
            "mort_median_pub": float(pub["ons_median_age_death_1851"]),
            "mort_gap_pub": float(pub["ons_sex_gap_e0_1980"]),
            "mort_gap2014_pub": float(pub["ons_sex_gap_e0_2014"]),
            "mort_gap_peak": float(gap.max()),
            "mort_gap_peak_elt": int(gap.idxmax()),
            "mort_gap65_14": float(hist.loc[14, "gap_e65"]),
            "mort_imp_pub": float(pub["ons_improvement_last_100y"]),
            "mort_imp_years": float(self.improvement.loc["female", "years"]),
            "mort_imp_age0_f": float(by_age.loc[0, "female"]),
            "mort_esp_groups": int(len(esp)),
            "mort_esp_open": int(esp["lower"].max()),
            "mort_max_age": int(by_age.index.max()),
            "mort_H_down": int((steps < 0).sum()),
            "mort_H_steps": int(steps.size),
        }
        for elt in (1, 2, 3, 16):
            v[f"mort_median_{elt}"] = float(hist.loc[elt, "median"])
        for elt in (6, 14, 16):
            v[f"mort_gap_{elt}"] = float(gap[elt])
        for elt in (3, 16):
            for sex, s in SEXES:
                v[f"mort_cited_e0_{s}_{elt}"] = float(hist.loc[elt, f"e0_{sex}"])
                v[f"mort_e0_{s}_{elt}"] = float(hist.loc[elt, f"e0_{sex}"])
                v[f"mort_e65_{s}_{elt}"] = float(hist.loc[elt, f"e65_{sex}"])
            v[f"mort_H_{elt}"] = float(hist.loc[elt, "entropy"])
            v[f"mort_iqr_{elt}"] = float(hist.loc[elt, "iqr"])
            v[f"mort_mode_{elt}"] = float(hist.loc[elt, "mode"])
        for sex, s in SEXES:
            v[f"mort_imp_{s}"] = float(self.improvement.loc[sex, "improvement"])
            v[f"mort_imp7_{s}"] = float(imp7.loc[sex, "improvement"])
            v[f"mort_asmr_{s}_8"] = float(self.improvement.loc[sex, "asmr_start"])
            v[f"mort_asmr_{s}_16"] = float(self.improvement.loc[sex, "asmr_end"])
            v[f"mort_imp_age80_{s}"] = float(by_age.loc[80, sex])
            v[f"mort_gain_{s}"] = float(gain[sex])
            v[f"mort_share04_{s}"] = float(100 * under5[sex] / gain[sex])
            v[f"mort_share014_{s}"] = float(100 * under15[sex] / gain[sex])
        return v

    def _projection_values(self, cmp: dict[str, pd.DataFrame]) -> dict[str, object]:
        pub, proj = self.published, self.projection
        surfaces, fits = self.smoothed
        a, run = proj.assumptions, self.run
        demo = self.demo
        fit, inside, n_obs = demo["fit"], demo["inside"], demo["n_observed_years"]
        ons = cmp["mortp-tab-ons"]
        counts = verdict_counts(ons)
        t0 = proj.last_data_year
        e39 = proj.period_expectancy(0, [2039])
        medians = elt_case.median_ages(self.long_surfaces, [1851, 2031])
        cohort = elt_case.survival_curves(self.long_surfaces, [2031], kind="cohort")
        sens = self.sensitivity
        lo, hi = sens.loc[sens.index.min()], sens.loc[sens.index.max()]
        unc, var, obs = self.uncertainty, self.variants, self.observed
        real = self.realised.groupby(["measure", "sex", "period"])[["error", "base", "trend"]].mean()
        v: dict[str, object] = {
            "mortp_version": run.version,
            "mortp_first": run.first_year, "mortp_last": run.last_year,
            "mortp_t0": t0, "mortp_base": int(a.base_year), "mortp_target_year": int(a.target_year),
            "mortp_top_m": int(run.max_age["male"]), "mortp_top_f": int(run.max_age["female"]),
            "mortp_extend_to": int(run.extend_to), "mortp_kannisto_from": int(run.kannisto_from),
            "mortp_demo_psi2": float(fit.overdispersion),
            "mortp_demo_ed": float(fit.effective_dim),
            "mortp_demo_n": int(fit.n_obs),
            "mortp_demo_cover_obs": float(inside[:, :n_obs].mean() * 100),
            "mortp_demo_cover_fc": float(inside[:, n_obs:].mean() * 100),
            "mortp_p_m": float(a.convergence_power["male"]),
            "mortp_p_f": float(a.convergence_power["female"]),
            "mortp_p_m_exact": float(self.calibration["male"]),
            "mortp_n_rows": int(len(ons)),
            "mortp_n_agree": int(counts["agrees"]),
            "mortp_n_differs": int(counts["differs"]),
            "mortp_n_calibrated": int(counts["calibrated"]),
            "mortp_n_nc": int(counts["not comparable"]),
            "mortp_e0m_39": float(e39.loc[2039, "male"]),
            "mortp_e0f_39": float(e39.loc[2039, "female"]),
            "mortp_med_p1851": float(medians.loc[1851, "period"]),
            "mortp_med_c1851": float(medians.loc[1851, "cohort"]),
            "mortp_med_p2031": float(medians.loc[2031, "period"]),
            "mortp_med_c2031": float(medians.loc[2031, "cohort"]),
            "mortp_pub_med_p1851": float(pub["ons_median_age_death_1851"]),
            "mortp_pub_med_c1851": float(pub["ons_proj_median_cohort_1851"]),
            "mortp_c2031_110": float(cohort.loc[110, 2031]),
            "mortp_unc_m_c": float(unc[("male", "central")]),
            "mortp_obs_e65m_2014": float(self.observed.loc[2014, "e65_male"]),
            "mortp_obs_e0m_2011": float(self.observed.loc[2011, "e0_male"]),
            "mortp_smooth_e0m_2011": float(proj.period_expectancy(0, [2011]).loc[2011, "male"]),
            "mortp_obs_gap0_8082": float((obs.loc[1980:1982, "e0_female"] - obs.loc[1980:1982, "e0_male"]).mean()),
            "mortp_sens_t_lo": float(100 * sens.index.min()), "mortp_sens_t_hi": float(100 * sens.index.max()),
            "mortp_target": float(100 * a.target_rate),
            "mortp_t15": float(100 * VARIANT_TARGET),
            "mortp_obs_gap0_1981": float(obs.loc[1981, "e0_female"] - obs.loc[1981, "e0_male"]),
            "mortp_obs_gap0_1982": float(obs.loc[1982, "e0_female"] - obs.loc[1982, "e0_male"]),
        }
        for fid, short in ONS_SHORT_NAMES.items():
            v[f"mortp_rep_{short}"] = float(ons.loc[fid, "reproduced"])
            v[f"mortp_pub_{short}"] = float(ons.loc[fid, "published"])
        for fid in ons.index:
            v[f"mortp_verdict_{fid}"] = str(ons.loc[fid, "verdict"])
            v[f"mortp_rep_{fid}"] = float(ons.loc[fid, "reproduced"])
            v[f"mortp_pub_{fid}"] = float(ons.loc[fid, "published"])
        book = var["book"]
        v["mortp_var_ext_maxdiff"] = float((var["old ages: extension"] - book).abs().max())
        asmr = checks.asmr_improvement_variants(run.version)
        v["mortp_asmr_m_max"] = float(asmr.loc["male"].max())
        v["mortp_asmr_m_min"] = float(asmr.loc["male"].min())
        for col, key in (("linear", "lin"), ("p = 2 / 1.5", "p2"), ("old ages: extension", "ext"),
                         (VARIANT_TARGET_LABEL, "t15")):
            for fid in ("ons_proj_e65_male_2014", "ons_proj_sex_gap_e0_2039", "ons_proj_sex_gap_e65_2039",
                        "ons_proj_cohort_e65_male_2014"):
                v[f"mortp_var_{key}_{ONS_SHORT_NAMES[fid]}"] = float(var.loc[fid, col])
        v.update(self._statement_values(cmp))
        for sex, s in SEXES:
            v[f"mortp_lam_a_{s}"] = float(fits[sex].lambdas[0])
            v[f"mortp_lam_y_{s}"] = float(fits[sex].lambdas[1])
            v[f"mortp_ed_{s}"] = float(fits[sex].effective_dim)
            v[f"mortp_psi2_{s}"] = float(fits[sex].overdispersion)
            v[f"mortp_nobs_{s}"] = int(fits[sex].n_obs)
            v[f"mortp_imp_{s}_6080"] = float(proj.improvement[sex].loc[60:80, t0].mean() * 100)
            v[f"mortp_unc_{s}_lo"] = float(unc[(sex, "low")])
            v[f"mortp_unc_{s}_hi"] = float(unc[(sex, "high")])
            for measure in ("e0", "e65"):
                for period, key in (("2015-2019", "pre"), ("2020-2022", "pan")):
                    v[f"mortp_real_{measure}_{s}_{key}"] = float(real.loc[(measure, sex, period), "error"])
                v[f"mortp_base_{measure}_{s}"] = float(real.loc[(measure, sex, "2015-2019"), "base"])
                v[f"mortp_trend_{measure}_{s}_pre"] = float(real.loc[(measure, sex, "2015-2019"), "trend"])
                v[f"mortp_base_share_{measure}_{s}"] = float(
                    100 * real.loc[(measure, sex, "2015-2019"), "base"] / real.loc[(measure, sex, "2015-2019"), "error"])
        for key, col in (("m", "e0_male"), ("f", "e0_female"), ("cm", "cohort_e0_male")):
            v[f"mortp_sens_{key}_lo"] = float(lo[col])
            v[f"mortp_sens_{key}_hi"] = float(hi[col])
        return v

    def _statement_values(self, cmp: dict[str, pd.DataFrame]) -> dict[str, object]:
        """The counts behind the headline agreement rate, and the England and Wales details."""
        counts = statements.statement_counts(cmp).set_index(["population", "kind"])
        v: dict[str, object] = {}
        keys = {"United Kingdom": "uk", "England and Wales": "ew", "England and Wales; Scotland": "ews"}
        numbers = counts.xs("numbers", level="kind")
        words = counts.xs("words", level="kind")
        for name, frame in (("num", numbers), ("words", words)):
            judged = frame["agrees"] + frame["differs"]
            v[f"mortp_{name}_rows"] = int(frame["rows"].sum())
            v[f"mortp_{name}_judged"] = int(judged.sum())
            v[f"mortp_{name}_agree"] = int(frame["agrees"].sum())
            v[f"mortp_{name}_nc"] = int(frame["not comparable"].sum())
        v["mortp_num_agree_other"] = int(numbers["agree_other_reading"].sum())
        v["mortp_num_share"] = float(100 * v["mortp_num_agree"] / v["mortp_num_judged"])
        for pop in numbers.index:
            key = keys.get(pop, "ns" if str(pop).startswith("not stated") else None)
            if key is not None:
                row = numbers.loc[pop]
                v[f"mortp_num_{key}_judged"] = int(row["agrees"] + row["differs"])
                v[f"mortp_num_{key}_agree"] = int(row["agrees"])
        # the rows that do not count, by role
        rec = statements.statement_record()
        for role in ("derived", "reading", "repeat", "calibrated"):
            v[f"mortp_role_{role}"] = int((rec["role"] == role).sum())
        ew_values = self.ew_figures
        for sex, s in SEXES:
            for when in (1930, 1970):
                v[f"mortp_ew_coh65_{s}_{when}"] = float(ew_values[f"_cohort_e65_{sex}_{when}"])
        # the E&W median of those born in 2031 under a long-term target of 1.5%
        from foresight.mortality.ons import project_mortality

        alt = project_mortality(self.ew_smoothed[0], ProjectionAssumptions().with_target(VARIANT_TARGET),
                                data_top_age=self.top_ages)
        v["mortp_ew_t15_medc31"] = float(alt.median_age_at_death("cohort", 2031))
        return v

    # ------------------------------------------------------------ tables
    def tables(self) -> dict[str, object]:
        """Every table the chapter shows, by glue key."""
        cmp = self.comparisons()
        checks_ = history.changing_life_table_figures()
        a, run = self.projection.assumptions, self.run
        targets = pd.DataFrame(a.cohort_targets, columns=["year of birth", "target (% a year)"])
        targets["target (% a year)"] = (targets["target (% a year)"] * 100).round(2)
        choices = pd.DataFrame([
            ("data", f"HMD United Kingdom {run.version}", "UK deaths and populations (section 4)"),
            ("years smoothed", f"{run.first_year}-{run.last_year}", "stated"),
            ("top age smoothed", f"{run.max_age['male']} (males), {run.max_age['female']} (females)", "stated"),
            ("initial improvement", f"{run.initial_year - 1} to {run.initial_year}", "stated"),
            ("base year / target year", f"{a.base_year} / {a.target_year}", "stated"),
            ("carried by cohort", f"born before {a.cohort_split}", "stated"),
            ("convergence path", f"(1 - s)^p, p = {a.convergence_power['male']:.3g} (males), "
                                 f"{a.convergence_power['female']:.4g} (females)",
             "open: p for males calibrated on one figure, females half-way to linear"),
            ("rates above the data's top age", a.old_age_rates,
             "open: interpolation named in section 4; the anchor at the top age is the book's"),
            ("old-age extension", f"Kannisto, fitted from age {run.kannisto_from}, to {run.extend_to}",
             "open: the document does not say"),
            ("males not below females", "yes" if a.male_not_below_female else "no", "stated"),
        ], columns=["choice", "value in the book's run", "in the document"])
        real = self.realised.pivot_table(index=["sex", "year"], columns="measure", values=["error", "trend"])
        real = real.loc[:, [("error", "e0"), ("trend", "e0"), ("error", "e65"), ("trend", "e65")]].round(2)
        real.columns = [f"{m}: {'error' if part == 'error' else 'of which trend'} (years)" for part, m in real.columns]
        counts = statements.statement_counts(cmp)
        counts["kind"] = counts["kind"].map({"numbers": "numbers printed", "words": "statements in words"})
        counts = counts.rename(columns={"population": "population the statement describes",
                                        "kind": "kind of check", "rows": "rows counted",
                                        "agree_other_reading": "agree under the other reading"})
        return {
            "mort-tab-elt": history.elt_catalogue_table(),
            "mortp-tab-counts": house_table(counts, index=False),
            "mort-tab-elt-cited": comparison_display(cmp["mort-tab-elt-cited"], "mort_tab_elt_cited"),
            "mort-tab-verdicts": comparison_display(cmp["mort-tab-verdicts"], "mort_tab_verdicts",
                                                    index=checks_["number"].to_dict()),
            "mortp-tab-choices": house_table(choices),
            "mortp-tab-targets": house_table(targets, precision=2),
            "mortp-tab-ons": comparison_display(cmp["mortp-tab-ons"], "mortp_tab_ons"),
            "mortp-tab-variants": house_table(
                self.variants.rename(index=PROJECTION_LABELS).rename_axis("figure"), precision=2),
            "mortp-tab-realised": house_table(real, precision=2),
        }

    # ------------------------------------------------------------ figures
    def figures(self) -> dict[str, object]:
        """Every figure the chapter shows, by glue key (created on each call)."""
        pub, hist = self.published, self.history
        demo = self.demo
        years = list(range(1851, 2032, 20))
        return {
            "mort-fig-survival": history_plots.survival_figure(self.both, hist),
            "mort-fig-e0": history_plots.life_expectancy_figure(hist),
            "mort-fig-gap": history_plots.sex_gap_figure(hist, published=float(pub["ons_sex_gap_e0_1980"])),
            "mort-fig-improvement": history_plots.improvement_by_age_figure(
                self.improvement_by_age, reference=float(pub["ons_improvement_last_100y"]),
                title="Annual improvement in death rates, ELT 8 (1910-12) to ELT 16 (2000-02)"),
            "mort-fig-rectangular": history_plots.rectangularisation_figure(hist),
            "mort-fig-arriaga": history_plots.arriaga_figure(self.arriaga, "ELT 3 (1841-50)",
                                                             "ELT 11 (1950-52)"),
            "mortp-fig-pspline-demo": fm.pspline.fit_figure(
                demo["fit"], demo["deaths"], demo["exposure"], ages=[50, 70, 85], truth=demo["truth"],
                title="Synthetic counts: Poisson P-spline with overdispersion"),
            "mortp-fig-heatmap": projection_plots.improvement_heatmap_figure(self.projection),
            "mortp-fig-expectancy": projection_plots.expectancy_figure(self.projection),
            "mortp-fig-survival": projection_plots.survival_figure(
                elt_case.survival_curves(self.long_surfaces, years, kind="period"),
                elt_case.survival_curves(self.long_surfaces, years, kind="cohort")),
            "mortp-fig-sensitivity": projection_plots.sensitivity_figure(self.sensitivity.reset_index()),
            "mortp-fig-realised": projection_plots.realised_figure(self.realised, self.observed,
                                                                   self.projection),
        }


def build() -> MortalityReport:
    """The mortality chapter's report (computed lazily)."""
    return MortalityReport()

