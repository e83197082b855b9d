"""Everything the synthesis chapter shows: glued numbers, tables and figures.

The chapter (``chapters/synthesis.ipynb``) calls::

    r = report.build()
    glue_all(r.values(), r.tables(), r.figures())

Besides the judgement-against-reference table of :mod:`foresight.synthesis`, the
synthesis counts the verdicts of every comparison table in the book: each
chapter's report returns its comparisons (made by :func:`foresight.data.compare`),
so the one vocabulary reads the same everywhere.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from foresight import synthesis
from foresight.display import house_table
from foresight.data import VERDICTS, verdict_counts

__all__ = ["CHAPTERS", "SynthesisReport", "build", "chapter_comparisons", "verdict_table"]

#: The chapters with comparison tables, in the book's order.
CHAPTERS: tuple[str, ...] = ("mortality", "sle", "careers", "selection")


def _titles() -> dict[str, str]:
    from foresight.careers import report as careers_report
    from foresight.mortality import report as mortality_report
    from foresight.selection import report as selection_report
    from foresight.sle import report as sle_report

    return {**mortality_report.COMPARISON_TITLES, **sle_report.COMPARISON_TITLES,
            **careers_report.COMPARISON_TITLES, **selection_report.COMPARISON_TITLES}


def chapter_comparisons(mortality=None) -> dict[str, dict[str, pd.DataFrame]]:
    """Every chapter's comparison tables, by chapter and table name.

    Builds each chapter's report as the chapter does (the SLE chapter on the
    synthetic cohort of the paper's size) and asks only for its comparisons.
    ``mortality``: the mortality chapter's report, if already built.
    """
    import foresight.sle as sle
    from foresight.careers import report as careers_report
    from foresight.mortality import report as mortality_report
    from foresight.selection import report as selection_report
    from foresight.sle import report as sle_report

    cohort = sle.synthetic_cohort()
    return {
        "mortality": (mortality_report.build() if mortality is None else mortality).comparisons(),
        "sle": sle_report.build(cohort, sle.analyse(cohort)).comparisons(),
        "careers": careers_report.build().comparisons(),
        "selection": selection_report.build().comparisons(),
    }


def verdict_table(comparisons: dict[str, dict[str, pd.DataFrame]]) -> pd.DataFrame:
    """Rows per verdict for every comparison table: ``chapter, table, rows`` and one column
    per verdict of :data:`foresight.data.VERDICTS`, in the book's order. ``table`` is what the
    table checks, in words (each report's ``COMPARISON_TITLES``)."""
    titles = _titles()
    rows = []
    for chapter, tables in comparisons.items():
        for name, table in tables.items():
            rows.append({"chapter": chapter, "table": titles[name], "rows": len(table),
                         **verdict_counts(table)})
    return pd.DataFrame(rows, columns=["chapter", "table", "rows", *VERDICTS])


class SynthesisReport:
    """The synthesis chapter's results, each computed once when first needed."""

    @cached_property
    def mortality(self):
        from foresight.mortality import report as mortality_report

        return mortality_report.build()

    @cached_property
    def table(self) -> pd.DataFrame:
        return synthesis.judgement_table(self.mortality)

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        return verdict_table(chapter_comparisons(self.mortality))

    def values(self) -> dict[str, object]:
        """Every number the chapter's prose shows, by glue key."""
        table = self.table
        summary = synthesis.chapter_summary(table)
        v: dict[str, object] = {
            "syn_n_cases": int(len(table)),
            "syn_target_max_pct": table.attrs["mortality_target_range_pct"][1],
            "syn_n_chapters": int(table["chapter"].nunique()),
        }
        for chapter, row in summary.iterrows():
            v[f"syn_{chapter}_departure"] = float(row["max_departure_pct"])
            v[f"syn_{chapter}_cases"] = int(row["cases"])
        totals = self.verdicts[["rows", *VERDICTS]].sum()
        v["syn_cmp_tables"] = int(len(self.verdicts))
        v["syn_cmp_rows"] = int(totals["rows"])
        for verdict in VERDICTS:
            v[f"syn_cmp_{verdict.replace(' ', '_')}"] = int(totals[verdict])
        return v

    def tables(self) -> dict[str, object]:
        """Every table the chapter shows, by glue key."""
        table = self.table
        shown = table.assign(
            ratio_range=[f"{lo:.2f} to {hi:.2f}" if hi > lo else ""
                         for lo, hi in zip(table.ratio_low, table.ratio_high)]
        )[["chapter", "case", "judgement", "judgement_value", "reference", "reference_value", "unit",
           "ratio", "ratio_range", "data"]]
        return {
            "syn-tab-cases": house_table(
                shown, index=False, caption="Judgement against its reference in each document",
                formats={"judgement_value": "{:.3g}", "reference_value": "{:.3g}", "ratio": "{:.2f}"}),
            "syn-tab-verdicts": house_table(self.verdicts, index=False),
        }

    def figures(self) -> dict[str, object]:
        """Every figure the chapter shows, by glue key (created on each call)."""
        return {"syn-fig-ratios": synthesis.plot_ratios(self.table)}


def build() -> SynthesisReport:
    """The synthesis chapter's report (computed lazily)."""
    return SynthesisReport()
