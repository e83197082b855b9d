"""Everything the tournament page shows: glued numbers, tables and figures.

The page (``chapters/tournament.ipynb``) only narrates and calls::

    r = tournament_report.build()
    glue_all(r.values(), r.tables(), r.figures())

The results come from :func:`foresight.mortality.tournament.results` (the cached
tournament, whose key cannot go stale); every number below is computed from them here.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from foresight.display import house_table
from foresight.mortality import backtest as bt
from foresight.mortality import tournament as T
from foresight.mortality.forecasters import KANNISTO_FROM, RATE_TOP_AGE, TOP_AGE, WINDOW
from foresight.mortality.populations import hmd_manifest

__all__ = ["BAND_KEYS", "METHOD_KEYS", "TournamentReport", "build", "test_sentence"]

#: Short names of the methods in glue keys.
METHOD_KEYS: dict[str, str] = {
    T.RULE_METHOD: "ons", T.HINDSIGHT_METHOD: "hind", "Lee-Carter": "lc", "Li-Lee coherent": "ll",
    "P-spline forecast": "ps", "constant improvement": "naive",
}
#: Short names of the bands of horizons in glue keys.
BAND_KEYS: dict[str, str] = {f"{lo}-{hi}": f"b{i + 1}" for i, (lo, hi) in enumerate(bt.BANDS)}
#: The band of horizons whose errors the target curve is read in, and the bands it is drawn for.
CURVE_BAND = "6-10"
CURVE_BANDS: tuple[str, ...] = ("6-10", "11-20")
#: The rivals the expert-target method is tested against (the hindsight variant is not a rival).
RIVALS: tuple[str, ...] = tuple(m for m in T.MAIN_METHODS if m not in (T.RULE_METHOD, T.HINDSIGHT_METHOD))
#: Significance level of the sign tests.
ALPHA = 0.05


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of ``p`` (family-wise error across the rivals)."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty_like(p)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (p.size - rank) * p[i]))
        adjusted[i] = running
    return adjusted


_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def test_sentence(row: pd.Series, method: str = T.RULE_METHOD, rivals: int = len(RIVALS)) -> str:
    """One rival's sign test in a sentence that says what the test can and cannot support."""
    w, n, p, ph = int(row["wins"]), int(row["wins"] + row["losses"]), float(row["p_value"]), float(row["holm"])
    count = f"{w} of {n} populations"
    rivals = _WORDS.get(rivals, str(rivals))
    if p < ALPHA and w > n / 2:
        verdict = (f"more often than chance would explain, even allowing for testing {rivals} rivals"
                   if ph < ALPHA else
                   "more often than chance would explain for this rival alone, though not once "
                   f"allowance is made for testing {rivals} rivals")
        return f"Against {row['rival']}, {method} has the smaller error in {count}: {verdict} (p = {p:.3f})."
    if p < ALPHA:
        return f"Against {row['rival']}, {method} has the smaller error in only {count} (p = {p:.3f})."
    return (f"Against {row['rival']}, {method} has the smaller error in {count}, a split that a fair coin "
            f"gives often (p = {p:.2f}).")


class TournamentReport:
    """The tournament page's results, each computed once when first needed."""

    @cached_property
    def result(self) -> T.Tournament:
        return T.results()

    @cached_property
    def main(self) -> pd.DataFrame:
        return self.result.main

    @cached_property
    def bands(self) -> pd.DataFrame:
        return bt.band_summary(self.main, methods=list(T.MAIN_METHODS))

    @cached_property
    def curve(self) -> pd.DataFrame:
        return bt.horizon_curve(self.main, max_horizon=20)

    def tests(self, measure: str = "e0") -> pd.DataFrame:
        t = bt.sign_tests(self.result.table, T.RULE_METHOD, RIVALS, horizon=T.TEST_HORIZON, measure=measure,
                          populations=T.TEST_POPULATIONS)
        t["holm"] = holm(t["p_value"].to_numpy())
        return t

    @cached_property
    def sweep(self) -> pd.DataFrame:
        """MAE of e0 and e65 in each band for each fixed target: ``target`` (%), ``band``, ``mae_e0``..."""
        names = {T.sweep_name(x): 100 * x for x in T.TARGETS}
        sub = self.result.table[self.result.table["method"].isin(names)]
        s = bt.band_summary(sub, methods=list(names))
        s.insert(0, "target", s["method"].map(names))
        return s

    @cached_property
    def uk_bands(self) -> pd.DataFrame:
        return bt.band_summary(self.main[self.main["population"] == "GBR_NP"], methods=list(T.MAIN_METHODS))

    @cached_property
    def uk_sweep(self) -> pd.DataFrame:
        names = {T.sweep_name(x): 100 * x for x in T.TARGETS}
        t = self.result.table
        sub = t[t["method"].isin(names) & (t["population"] == "GBR_NP")]
        s = bt.band_summary(sub, methods=list(names))
        s.insert(0, "target", s["method"].map(names))
        return s

    # ------------------------------------------------------------ glued numbers
    def values(self) -> dict[str, object]:
        r, bands = self.result, self.bands.set_index(["method", "band"])
        targets = r.targets
        pairs = self.main[["population", "origin"]].drop_duplicates()
        v: dict[str, object] = {
            "tour_n_pop": len(T.POPULATIONS), "tour_n_test_pop": len(T.TEST_POPULATIONS),
            "tour_n_pairs": int(len(pairs)), "tour_first_origin": int(pairs["origin"].min()),
            "tour_last_origin": int(pairs["origin"].max()), "tour_last_year": int(r.table["year"].max()),
            "tour_step": T.STEP, "tour_window": WINDOW, "tour_window_years": WINDOW + 1,
            "tour_n_methods": len(T.MAIN_METHODS) - 1, "tour_test_h": T.TEST_HORIZON,
            "tour_n_rivals": len(RIVALS),
            "tour_n_targets": len(T.TARGETS), "tour_target_lo": 100 * T.TARGETS[0],
            "tour_target_hi": 100 * T.TARGETS[-1], "tour_target_step": 100 * (T.TARGETS[1] - T.TARGETS[0]),
            "tour_hindsight": 100 * T.HINDSIGHT_TARGET, "tour_rate_top": RATE_TOP_AGE,
            "tour_kannisto_from": KANNISTO_FROM, "tour_top_age": TOP_AGE,
            "tour_rule_mean": float(100 * targets["target"].mean()),
            "tour_rule_min": float(100 * targets["target"].min()),
            "tour_rule_max": float(100 * targets["target"].max()),
            "tour_rule_min_pop": str(self._name(targets.loc[targets["target"].idxmin(), "population"])),
            "tour_rule_max_pop": str(self._name(targets.loc[targets["target"].idxmax(), "population"])),
            "tour_n_rows": int(len(r.table)),
        }
        uk = targets[targets["population"] == "GBR_NP"]["target"]
        v["tour_rule_uk_min"], v["tour_rule_uk_max"] = float(100 * uk.min()), float(100 * uk.max())
        for band, b in BAND_KEYS.items():
            v[f"tour_pairs_{b}"] = int(bands.loc[(T.RULE_METHOD, band), "pairs"])
            for method, k in METHOD_KEYS.items():
                for col in ("mae_e0", "bias_e0", "mae_e65", "bias_e65"):
                    v[f"tour_{col}_{k}_{b}"] = float(bands.loc[(method, band), col])
        # the ranking by mean absolute error in e0, 6-10 years ahead (the hindsight variant aside)
        mid = bands.xs(CURVE_BAND, level="band")["mae_e0"].drop(T.HINDSIGHT_METHOD).sort_values()
        v["tour_rank_ons_b2"] = int(list(mid.index).index(T.RULE_METHOD) + 1)
        rivals_b2 = mid.drop(T.RULE_METHOD)
        v["tour_best_rival_b2"] = str(rivals_b2.index[0])
        v["tour_best_rival_mae_b2"] = float(rivals_b2.iloc[0])
        v["tour_best_b2"] = str(mid.index[0])
        v["tour_second_b2"] = str(mid.index[1])
        # the paired test across populations, e0 and e65
        for measure in ("e0", "e65"):
            tests = self.tests(measure).set_index("rival")
            for rival, k in METHOD_KEYS.items():
                if rival not in tests.index:
                    continue
                row = tests.loc[rival]
                v[f"tour_test_{measure}_wins_{k}"] = int(row["wins"])
                v[f"tour_test_{measure}_losses_{k}"] = int(row["losses"])
                v[f"tour_test_{measure}_p_{k}"] = float(row["p_value"])
                v[f"tour_test_{measure}_holm_{k}"] = float(row["holm"])
            v[f"tour_test_{measure}_min_wins"] = int(tests["wins"].min())
            v[f"tour_test_{measure}_n_sig"] = int((tests["p_value"] < ALPHA).sum())
            v[f"tour_test_{measure}_n_holm"] = int((tests["holm"] < ALPHA).sum())
        tests = self.tests("e0")
        v["tour_test_text"] = " ".join(test_sentence(row) for _, row in tests.iterrows())
        # the target: the curve over fixed targets, 6-10 years ahead
        sweep = self.sweep[self.sweep["band"] == CURVE_BAND].set_index("target")
        best = sweep["mae_e0"].idxmin()
        v["tour_curve_best_target"] = float(best)
        v["tour_curve_best_mae"] = float(sweep.loc[best, "mae_e0"])
        v["tour_curve_mae_lo"] = float(sweep["mae_e0"].iloc[0])
        v["tour_curve_mae_hi"] = float(sweep["mae_e0"].iloc[-1])
        for rival, k in METHOD_KEYS.items():
            if rival in (T.RULE_METHOD, T.HINDSIGHT_METHOD):
                continue
            value = bands.loc[(rival, CURVE_BAND), "mae_e0"]
            beats = sweep.index[sweep["mae_e0"] < value]
            v[f"tour_curve_n_{k}"] = int(len(beats))  # fixed targets (of tour_n_targets) that beat the rival
        v["tour_curve_bias_zero"] = float(np.interp(0.0, sweep["bias_e0"].to_numpy(), sweep.index.to_numpy()))
        long = self.sweep[self.sweep["band"] == "11-20"].set_index("target")
        v["tour_curve_best_target_b3"] = float(long["mae_e0"].idxmin())
        v["tour_curve_mae_lo_b3"] = float(long["mae_e0"].iloc[0])
        v["tour_curve_mae_best_b3"] = float(long["mae_e0"].min())
        ahead = np.ones(len(long), dtype=bool)
        for rival, k in METHOD_KEYS.items():
            if rival in RIVALS:
                value = bands.loc[(rival, "11-20"), "mae_e0"]
                ahead &= (long["mae_e0"] < value).to_numpy()
                v[f"tour_curve_b3_n_{k}"] = int((long["mae_e0"] < value).sum())
                v[f"tour_mae0_lo_minus_{k}_b3"] = float(long["mae_e0"].iloc[0] - value)
        # the lowest target from which every higher target beats all four rivals
        tail = np.flatnonzero(~ahead)
        start = 0 if tail.size == 0 else int(tail[-1]) + 1
        v["tour_curve_b3_all_from"] = float(long.index[start]) if start < len(long) else float("nan")
        # the United Kingdom inside the tournament (the main chapter's question, without hindsight)
        uk = self.uk_bands.set_index(["method", "band"])
        for method, k in METHOD_KEYS.items():
            v[f"tour_uk_mae_e0_{k}_b2"] = float(uk.loc[(method, CURVE_BAND), "mae_e0"])
        uks = self.uk_sweep[self.uk_sweep["band"] == CURVE_BAND].set_index("target")
        for t in (1.0, 1.5):
            v[f"tour_uk_curve_{int(round(10 * t))}"] = float(uks.loc[t, "mae_e0"])
        v["tour_uk_pairs_b2"] = int(uk.loc[(T.RULE_METHOD, CURVE_BAND), "pairs"])
        return {k: x for k, x in v.items() if not (isinstance(x, float) and np.isnan(x))}

    def _name(self, code: str) -> str:
        return str(hmd_manifest().loc[code, "population"])

    # ------------------------------------------------------------ tables
    def tables(self) -> dict[str, object]:
        r = self.result
        man = hmd_manifest()
        pairs = self.main[["population", "origin"]].drop_duplicates()
        rows = []
        for code in T.POPULATIONS:
            o = pairs.loc[pairs["population"] == code, "origin"]
            tg = r.targets[r.targets["population"] == code]["target"] * 100
            release = man.loc[code, "last_modified"]
            rows.append({
                "population": man.loc[code, "population"],
                "HMD series": code,
                "years": f"{man.loc[code, 'first_year']}-{man.loc[code, 'last_year']}",
                "release": release if isinstance(release, str) and release else "not stated (2018 or later)",
                "origins": f"{o.min()}-{o.max()} ({len(o)})",
                "rule's target (% a year)": f"{tg.min():.2f}-{tg.max():.2f}",
                "in the test": "yes" if code in T.TEST_POPULATIONS else "no (within the UK)",
            })
        populations = pd.DataFrame(rows)
        bands = self.bands.copy()
        bands = bands.rename(columns={"mae_e0": "e0: mean absolute error", "bias_e0": "e0: mean error",
                                      "mae_e65": "e65: mean absolute error", "bias_e65": "e65: mean error",
                                      "pairs": "population-origin pairs", "years": "projected years",
                                      "band": "years ahead"})
        tests = []
        for measure in ("e0", "e65"):
            t = self.tests(measure)
            t.insert(0, "measure", measure)
            tests.append(t)
        tests = pd.concat(tests, ignore_index=True).drop(columns=["ties"]).rename(columns={
            "rival": "rival", "populations": "populations", "wins": f"{T.RULE_METHOD} smaller error",
            "losses": "rival smaller error", "median_difference": "median difference (years)",
            "p_value": "p (sign test)", "holm": f"p (Holm, {len(RIVALS)} rivals)"})
        sweep = self.sweep.pivot_table(index="target", columns="band", values="mae_e0", sort=False)
        sweep = sweep.loc[:, [b for b in BAND_KEYS if b in sweep.columns]]
        sweep.columns = [f"{c} years ahead" for c in sweep.columns]
        sweep.index = pd.Index([f"{t:.2f}" for t in sweep.index], name="target (% a year)")
        return {
            "tour-tab-populations": house_table(populations, index=False),
            "tour-tab-bands": house_table(bands, index=False, precision=2),
            "tour-tab-tests": house_table(tests, index=False, precision=3),
            "tour-tab-targets": house_table(sweep, index=True, precision=2),
        }

    # ------------------------------------------------------------ figures
    def figures(self) -> dict[str, object]:
        from foresight.mortality import tournament_plots

        bands = self.bands.set_index(["method", "band"])
        mean_target = float(100 * self.result.targets["target"].mean())
        curves, rivals, rule, hindsight = {}, {}, {}, {}
        for band in CURVE_BANDS:
            curves[band] = self.sweep[self.sweep["band"] == band][["target", "mae_e0"]].rename(
                columns={"mae_e0": "mae"})
            rivals[band] = {m: float(bands.loc[(m, band), "mae_e0"]) for m in RIVALS}
            rule[band] = (mean_target, float(bands.loc[(T.RULE_METHOD, band), "mae_e0"]))
            hindsight[band] = (100 * T.HINDSIGHT_TARGET, float(bands.loc[(T.HINDSIGHT_METHOD, band), "mae_e0"]))
        return {
            "tour-fig-horizon": tournament_plots.horizon_figure(self.curve, T.MAIN_METHODS),
            "tour-fig-targets": tournament_plots.target_figure(curves, rivals, rule=rule, hindsight=hindsight),
        }

    def comparisons(self) -> dict[str, pd.DataFrame]:
        """The page sets no published figure beside a reproduced one."""
        return {}


def build() -> TournamentReport:
    """The tournament page's report (computed lazily)."""
    return TournamentReport()
