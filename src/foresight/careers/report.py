"""Tables and glue values for the career-typologies chapter (no logic lives in the notebook).

Each function takes the validated :class:`~foresight.careers.study.Study` (and, where
needed, other loaded data) and returns a tidy ``pandas.DataFrame`` for display or a
dictionary of numbers for ``myst_nb.glue``. Row order is fixed (typology order, then
ids) so the chapter's outputs are deterministic. :func:`build` bundles them as the
chapter calls them::

    r = report.build()
    glue_all(r.values(), r.tables(), r.figures())

The comparisons with the paper go through :func:`foresight.data.compare`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from foresight.careers import figures
from foresight.careers.coding import ProjectSummary, demo_qdpx_path, project_summary
from foresight.careers.coreq import load_coreq
from foresight.careers.refi import read_qdpx
from foresight.careers.study import load_study
from foresight.data import compare, comparison_display, published
from foresight.errors import DataError
from foresight.careers.stats import intention_test, overall_stay, typology_table
from foresight.careers.study import ACROSS, Study

__all__ = ["COMPARISON_TITLES", "CareersReport", "STATEMENT_ROWS", "build", "coreq_display",
           "readable_locations",
           "exchange_comparison", "exchange_figures", "glue_values", "influence_display",
           "published_comparison", "recommendation_display", "statement_checks", "statement_figures",
           "typology_display"]


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


_LOCATOR = re.compile(r"([a-z0-9-]+) ¶(\d+) s(\d+)")


def readable_locations(text: str, sections: dict[str, str]) -> str:
    """Locators a reader holding the article can follow.

    ``"results-t1 ¶1 s2"`` (the study data's compact form) becomes
    ``"Results: Undertaking a PhD to pursue a clinical academic career, paragraph 1,
    sentence 2"``: the article's own section headings, then the paragraph and
    sentence counted within that section. Several locators stay separated by "; ".
    """
    def one(m: re.Match) -> str:
        title = sections.get(m.group(1), m.group(1)).replace(" > ", ": ")
        return f"{title}, paragraph {m.group(2)}, sentence {m.group(3)}"

    return _LOCATOR.sub(one, text)


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
        "Where stated": t["stay_locations"].map(lambda x: readable_locations(x, study.sections)),
    })
    return out.set_index("Reason for the PhD")


def published_comparison(study: Study, published: pd.DataFrame) -> pd.DataFrame:
    """Published percentages of the sample against percentages recomputed from its counts.

    A reproduction (the counts and the percentages are both the paper's); the
    tolerance is the rounding of the printed percentage.
    """
    p = study.participants.set_index("category")["count"]
    counts = {"careers_men_pct": p["men"], "careers_women_pct": p["women"],
              "careers_current_pct": p["current_student"],
              "careers_submitted_pct": p["submitted_thesis"]}
    return compare(published, {k: 100.0 * v / study.total for k, v in counts.items()})


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
        "Where": [readable_locations(x, study.sections) for x in where.reindex(inf["id"]).to_numpy()],
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
        "Where": r["location"].map(lambda x: readable_locations(x, study.sections)),
    }).set_index("Recommendation")


def exchange_figures(study: Study) -> pd.DataFrame:
    """The typology counts of the study data as a figures table for :func:`compare`.

    Per typology: its size and the lowest and highest number of stayers the
    paper admits (ids ``T1_size``, ``T1_stay_low``, ...), whole numbers.
    """
    t = study.typologies
    parts = {"size": "size", "stay_low": "stayers, fewest the text admits",
             "stay_high": "stayers, most the text admits"}
    rows = [{"id": f"{tid}_{col}", "quantity": f"{tid} {t.loc[tid, 'short']}: {words}",
             "value": float(t.loc[tid, col]), "decimals": 0, "qualifier": "exact",
             "source": "study data", "section": f"data/careers/study.yaml, typology {tid}"}
            for tid in t.index for col, words in parts.items()]
    return pd.DataFrame(rows).set_index("id")


def exchange_comparison(study: Study, summary: ProjectSummary) -> pd.DataFrame:
    """Typology counts from a coded project against the study data's (a reproduction)."""
    s = summary.typologies.reindex(study.typologies.index)
    rep = {f"{tid}_{col}": float(s.loc[tid, col]) for tid in s.index
           for col in ("size", "stay_low", "stay_high")}
    return compare(exchange_figures(study), rep)


def coreq_display(coreq: pd.DataFrame, sections: dict[str, str] | None = None) -> pd.DataFrame:
    """The 32-item COREQ table for display (locators in the article's words with ``sections``)."""
    where = coreq["where"] if sections is None else coreq["where"].map(
        lambda x: readable_locations(x, sections))
    return pd.DataFrame({
        "No.": coreq["n"], "Domain": coreq["domain_title"], "Item": coreq["item"],
        "Status": coreq["status"], "Where in the paper": where,
        "What the paper says": coreq["what"],
    }).set_index("No.")


def statement_figures(study: Study) -> pd.Series:
    """The counts that the paper's verbal statements about the groups speak to.

    Keyed by row id; where the text leaves a count open, one row for the
    lowest and one for the highest admissible value. See
    :data:`STATEMENT_ROWS` for the published figure each row is checked
    against.
    """
    t = study.typologies
    o = overall_stay(study)
    open_ = [tid for tid in ("T1", "T2", "T4") if not t.loc[tid, "determined"]]
    if open_:
        raise DataError(f"typology {open_[0]}: the statement rows read one count, the data give a range",
                        file=study.label, column=f"typologies[{open_[0]}].stay",
                        expected="low = high for T1, T2 and T4, or rows for both ends")
    return pd.Series({
        "t1_stay": float(t.loc["T1", "stay_low"]),
        "t2_leave": float(t.loc["T2", "leave_low"]),
        "t3_stay_low": float(t.loc["T3", "stay_low"]),
        "t3_stay_high": float(t.loc["T3", "stay_high"]),
        "t4_leave": float(t.loc["T4", "leave_low"]),
        "all_stay_low": 100.0 * float(o["share_low"]),
        "all_stay_high": 100.0 * float(o["share_high"]),
    })


#: Row id -> (published figure, what the row counts) for :func:`statement_checks`.
STATEMENT_ROWS: dict[str, tuple[str, str]] = {
    "t1_stay": ("careers_t1_stay", "All of the first group planned to stay in research: stayers"),
    "t2_leave": ("careers_t2_leave_more_than_half",
                 "More than half of the second group chose not to pursue clinical academia: leavers"),
    "t3_stay_low": ("careers_t3_stay_most",
                    "Most of the third group stayed: stayers, fewest the text admits"),
    "t3_stay_high": ("careers_t3_stay_most", "Most of the third group stayed: stayers, most the text admits"),
    "t4_leave": ("careers_t4_leave", "Exactly two of the fourth group planned to leave: leavers"),
    "all_stay_low": ("careers_greater_than_survey",
                     "More interviewees than in the survey wanted to stay: %, fewest admissible"),
    "all_stay_high": ("careers_greater_than_survey",
                      "More interviewees than in the survey wanted to stay: %, most admissible"),
}


def statement_checks(study: Study, published: pd.DataFrame) -> pd.DataFrame:
    """The paper's verbal statements about the groups, checked against the counts.

    Each statement is a figure of ``data/published/ranieri2018careers.csv``
    with its qualifier ("more than half" of 15 is ``more than 7.5``, "most"
    of 11 is ``at least 6``); where the study data leave a count open, both
    ends of its admissible range are checked, so a statement holds only if
    both rows agree.
    """
    rep = statement_figures(study)
    return compare(published, rep, figure_ids={k: v[0] for k, v in STATEMENT_ROWS.items()},
                   labels={k: v[1] for k, v in STATEMENT_ROWS.items()})


#: What each comparison table of :meth:`CareersReport.comparisons` checks, in words.
COMPARISON_TITLES: dict[str, str] = {
    "car-tab-published": "Percentages of the sample, from the counts",
    "car-tab-statements": "Verbal statements about the groups, against the counts",
    "car-tab-exchange": "Coded demo project against the study data",
}


class CareersReport:
    """The careers chapter's values, tables, figures and comparisons.

    Parameters
    ----------
    study, coreq, demo
        The study data, the COREQ checklist and the summary of the coded demo
        project (loaded from the repository when not given).
    """

    def __init__(self, study: Study | None = None, coreq: pd.DataFrame | None = None,
                 demo: ProjectSummary | None = None):
        self.study = load_study() if study is None else study
        self.coreq = load_coreq(study=self.study) if coreq is None else coreq
        self.demo = (project_summary(read_qdpx(demo_qdpx_path()), self.study) if demo is None
                     else demo)
        self.published = published("ranieri2018careers")

    def comparisons(self) -> dict[str, pd.DataFrame]:
        """The chapter's comparisons (:func:`foresight.data.compare`), by table name."""
        return {
            "car-tab-published": published_comparison(self.study, self.published),
            "car-tab-statements": statement_checks(self.study, self.published),
            "car-tab-exchange": exchange_comparison(self.study, self.demo),
        }

    def values(self) -> dict[str, float]:
        """Every number the chapter's prose shows (:func:`glue_values`)."""
        return glue_values(self.study, self.coreq)

    def tables(self) -> dict[str, object]:
        """Every table the chapter shows, by glue key."""
        cmp = self.comparisons()
        return {
            "car-tab-published": comparison_display(cmp["car-tab-published"], "car_published"),
            "car-tab-typologies": typology_display(self.study),
            "car-tab-influences": influence_display(self.study),
            "car-tab-recommendations": recommendation_display(self.study),
            "car-tab-statements": comparison_display(cmp["car-tab-statements"], "car_statements"),
            "car-tab-exchange": comparison_display(cmp["car-tab-exchange"], "car_exchange"),
            "car-tab-coreq": coreq_display(self.coreq, self.study.sections),
        }

    def figures(self) -> dict[str, object]:
        """Every figure the chapter shows, by glue key (created on each call)."""
        return {
            "car-fig-flow": figures.flow_figure(self.study),
            "car-fig-matrix": figures.matrix_heatmap(self.study),
            "car-fig-map": figures.influence_map(self.study),
        }


def build(study: Study | None = None, coreq: pd.DataFrame | None = None,
          demo: ProjectSummary | None = None) -> CareersReport:
    """The careers chapter's report."""
    return CareersReport(study, coreq, demo)
