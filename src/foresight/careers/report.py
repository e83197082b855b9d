"""Tables and glue values for the career-typologies chapter (no logic lives in the notebook).

Each function takes the validated :class:`~foresight.careers.study.Study` (and, where
needed, other loaded data) and returns a tidy ``pandas.DataFrame`` for display or a
dictionary of numbers for ``myst_nb.glue``. Row order is fixed (typology order, then
ids) so the chapter's outputs are deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.careers.coding import ProjectSummary
from foresight.careers.stats import intention_test, overall_stay, typology_table
from foresight.careers.study import ACROSS, Study

__all__ = ["statement_checks", "glue_values", "typology_display", "published_comparison", "influence_display",
           "recommendation_display", "exchange_comparison", "coreq_display"]


def glue_values(study: Study, coreq: pd.DataFrame | None = None) -> dict[str, float]:
    """Every number the chapter's prose uses, keyed ``car_...`` (plain ``int``/``float``).

    With ``coreq`` (:func:`foresight.careers.load_coreq`) also the number of COREQ items
    per status (``car_coreq_reported``, ``car_coreq_partly``, ``car_coreq_not_reported``,
    ``car_coreq_judgement``, ``car_coreq_items``).
    """
    t = study.typologies
    p = study.participants.set_index("category")["count"]
    tt = typology_table(study)
    it = intention_test(study)
    o = overall_stay(study)
    survey = study.comparison("survey_half")["proportion"]
    vals: dict[str, float] = {
        "car_total": study.total, "car_men": p["men"], "car_women": p["women"],
        "car_current": p["current_student"], "car_submitted": p["submitted_thesis"],
        "car_n_typologies": len(t), "car_n_influences": len(study.influences),
        "car_n_recommendations": len(study.recommendations),
        "car_n_assigned": int((study.influences["system_basis"] == "assigned").sum()),
        "car_n_mixed": int((study.influences["direction"] == "mixed").sum()),
        "car_p_min": it.p_min, "car_p_max": it.p_max, "car_n_completions": len(it.completions),
        "car_all_stay_low": o["stay_low"], "car_all_stay_high": o["stay_high"],
        "car_all_pct_low": 100 * o["share_low"], "car_all_pct_high": 100 * o["share_high"],
        "car_all_ci_low": 100 * o["ci_low"], "car_all_ci_high": 100 * o["ci_high"],
        "car_survey_pct": 100 * survey, "car_ci_level": 95,
    }
    for tid in t.index:
        k = tid.lower()
        vals[f"car_{k}_size"] = int(t.loc[tid, "size"])
        vals[f"car_{k}_stay_low"] = int(t.loc[tid, "stay_low"])
        vals[f"car_{k}_stay_high"] = int(t.loc[tid, "stay_high"])
        vals[f"car_{k}_leave_low"] = int(t.loc[tid, "leave_low"])
        vals[f"car_{k}_ci_low"] = 100 * float(tt.loc[tid, "ci_low"])
        vals[f"car_{k}_ci_high"] = 100 * float(tt.loc[tid, "ci_high"])
    # named leavers in the 11-person group: stated count (Results, T3 paragraph, sentence 3)
    vals["car_t3_named_leavers"] = int(t.loc["T3", "size"] - t.loc["T3", "stay_high"])
    if coreq is not None:
        counts = coreq["status"].value_counts()
        for status in ("reported", "partly", "not reported", "judgement"):
            vals[f"car_coreq_{status.replace(' ', '_')}"] = int(counts.get(status, 0))
        vals["car_coreq_items"] = len(coreq)
    return {k: (int(v) if isinstance(v, (int, np.integer)) else float(v)) for k, v in vals.items()}


def typology_display(study: Study) -> pd.DataFrame:
    """The typology table: size, stayers, share and exact 95% CI, with locations."""
    tt = typology_table(study)
    t = study.typologies
    share = np.where(t["determined"], (100 * tt["share_low"]).round(0).astype(int).astype(str),
                     (100 * tt["share_low"]).round(0).astype(int).astype(str) + "–"
                     + (100 * tt["share_high"]).round(0).astype(int).astype(str))
    out = pd.DataFrame({
        "Reason for the PhD": t["id"] + " " + t["short"],
        "Size": t["size"],
        "Stay after PhD": tt["stay_text"],
        "Share staying (%)": share,
        "Exact 95% CI (%)": [f"{100 * a:.0f}–{100 * b:.0f}" for a, b in
                             zip(tt["ci_low"], tt["ci_high"])],
        "Where stated": t["stay_locations"],
    })
    return out.set_index("Reason for the PhD")


def published_comparison(study: Study, published: pd.DataFrame) -> pd.DataFrame:
    """Published percentages vs percentages recomputed from the counts in the study data.

    Tolerance is half a unit in the last printed decimal of the published figure.
    """
    p = study.participants.set_index("category")["count"]
    pairs = [("careers_men_pct", p["men"]), ("careers_women_pct", p["women"]),
             ("careers_current_pct", p["current_student"]),
             ("careers_submitted_pct", p["submitted_thesis"])]
    rows = []
    for fid, count in pairs:
        row = published.loc[fid]
        rep = 100 * count / study.total
        tol = 0.5 * 10 ** (-int(row["decimals"]))
        diff = rep - float(row["value"])
        rows.append({"Figure": row["quantity"], "Published": float(row["value"]),
                     "Reproduced": round(rep, 2), "Difference": round(diff, 2),
                     "Tolerance": tol, "Verdict": "match" if abs(diff) <= tol else "differs",
                     "Where": row["section"]})
    return pd.DataFrame(rows).set_index("Figure")


def influence_display(study: Study) -> pd.DataFrame:
    """Influences with system (and whether the paper states it), direction, where reported."""
    inf = study.influences.sort_values(["system", "id"])
    m = study.mentions
    where = m.groupby("influence")["locations"].agg(lambda s: "; ".join(dict.fromkeys(
        x for v in s for x in v.split("; "))))
    out = pd.DataFrame({
        "Influence": inf["label"],
        "System": inf["system"].astype(str) + np.where(inf["system_basis"] == "stated",
                                                       " (stated)", " (assigned)"),
        "Direction": inf["direction"],
        "Reported in": inf["typologies"].str.replace(ACROSS, "all groups"),
        "Where": where.reindex(inf["id"]).to_numpy(),
    })
    return out.set_index("Influence")


def recommendation_display(study: Study) -> pd.DataFrame:
    """Recommendations with actors and the influences they address (by short label)."""
    short = study.influences["short"]
    r = study.recommendations
    return pd.DataFrame({
        "Recommendation": r["text"],
        "Actors": r["actors"] + np.where(r["actor_basis"] == "stated", " (stated)", " (inferred)"),
        "Addresses": [", ".join(short[i] for i in a.split(", ")) for a in r["addresses"]],
        "Where": r["location"],
    }).set_index("Recommendation")


def exchange_comparison(study: Study, summary: ProjectSummary) -> pd.DataFrame:
    """Typology summary from a coded project next to the study data's."""
    t = study.typologies
    s = summary.typologies
    study_txt = np.where(t["determined"], t["stay_low"].astype(str),
                         t["stay_low"].astype(str) + "–" + t["stay_high"].astype(str))
    proj_txt = np.where(s["undetermined"] == 0, s["stay"].astype(str),
                        s["stay_low"].astype(str) + "–" + s["stay_high"].astype(str))
    same = ((s["size"].to_numpy() == t["size"].to_numpy())
            & (s["stay_low"].to_numpy() == t["stay_low"].to_numpy())
            & (s["stay_high"].to_numpy() == t["stay_high"].to_numpy()))
    return pd.DataFrame({
        "Typology": t["id"] + " " + t["short"],
        "Size (study data)": t["size"].to_numpy(),
        "Size (coded project)": s["size"].to_numpy(),
        "Stay (study data)": study_txt,
        "Stay (coded project)": proj_txt,
        "Cases without intention code": s["undetermined"].to_numpy(),
        "Verdict": np.where(same, "match", "differs"),
    }).set_index("Typology")


def coreq_display(coreq: pd.DataFrame) -> pd.DataFrame:
    """The 32-item COREQ table for display."""
    return pd.DataFrame({
        "No.": coreq["n"], "Domain": coreq["domain"], "Item": coreq["item"],
        "Status": coreq["status"], "Where in the paper": coreq["where"],
        "What the paper says": coreq["what"],
    }).set_index("No.")


def statement_checks(study: Study) -> pd.DataFrame:
    """The paper's verbal statements about the groups, checked against the counts.

    Each row: the statement (paraphrased), where it is made, the condition it implies for
    the counts in the study data, and whether the recorded counts satisfy it for every
    admissible value (``holds``), for some (``possible``) or for none (``fails``).
    """
    t = study.typologies
    o = overall_stay(study)
    survey = study.comparison("survey_half")
    greater = study.comparison("greater_than_survey")

    def verdict(lo_ok: bool, hi_ok: bool) -> str:
        return "holds" if lo_ok and hi_ok else ("possible" if lo_ok or hi_ok else "fails")

    def half(n: int) -> float:
        return n / 2

    rows = [
        ("All of the first group planned to stay in research.", "results-t1 ¶1 s2",
         "stay = size", verdict(t.loc["T1", "stay_low"] == t.loc["T1", "size"],
                                t.loc["T1", "stay_high"] == t.loc["T1", "size"])),
        ("More than half of the second group chose not to pursue clinical academia.",
         "discussion-key ¶2 s1", "leave > size / 2",
         verdict(t.loc["T2", "leave_low"] > half(t.loc["T2", "size"]),
                 t.loc["T2", "leave_high"] > half(t.loc["T2", "size"]))),
        ("The majority of the third group chose a clinical academic career.",
         "discussion-key ¶2 s3", "stay > size / 2",
         verdict(t.loc["T3", "stay_low"] > half(t.loc["T3", "size"]),
                 t.loc["T3", "stay_high"] > half(t.loc["T3", "size"]))),
        ("Exactly two of the fourth group planned to leave academia.", "discussion-key ¶3 s3",
         "leave = 2", verdict(t.loc["T4", "leave_low"] == 2, t.loc["T4", "leave_high"] == 2)),
        ("A greater proportion than in the survey (about half) wanted a clinical academic career.",
         greater["where"], f"stay / total > {survey['proportion']}",
         verdict(o["share_low"] > survey["proportion"], o["share_high"] > survey["proportion"])),
    ]
    return pd.DataFrame(rows, columns=["Statement (paraphrased)", "Where", "Implies",
                                       "Counts in the data"]).set_index("Statement (paraphrased)")
