"""Which ONS statement each row of the chapter's comparison tables checks, on what, and how it counts.

``data/mortality/ons_statements.csv`` records, for every row of the two tables that set
ONS statements beside the book's values (the English Life Tables, ``mort-tab-verdicts``;
the annual HMD series, ``mortp-tab-ons``): the published figure it checks, the
population the statement describes (as the document gives it, and the populations whose
data can check it), the data the row uses, whether those data cover the years the
statement names, and the row's role in the counts. One rule gives every row its basis
(:func:`basis`):

* a **calibrated** row fixes an assumption (verdict *calibrated*);
* a row is a **reproduction** (verdict *agrees* or *differs*) when its data describe a
  population the statement describes and cover the years it names;
* otherwise it is **not comparable**: the difference is shown without a verdict.

The roles say what the headline counts count (:func:`statement_counts`): ``check`` (a
number the document prints, checked once), ``words`` (the book's reading of a statement
made in words), ``derived`` (follows from other rows: a difference of two of them, or a
row that shares another's miss), ``reading`` (another reading the wording allows, e.g.
another standardisation), ``repeat`` (a statement counted on other data), ``calibrated``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import pandas as pd

from foresight.data import VERDICTS, Column, TableSpec, data_dir, read_table

__all__ = ["ROLES", "STATEMENTS_FILE", "basis", "role_marks", "statement_counts", "statement_record"]

STATEMENTS_FILE = "data/mortality/ons_statements.csv"
ROLES: tuple[str, ...] = ("check", "words", "derived", "reading", "repeat", "calibrated")
TABLES: tuple[str, ...] = ("mort-tab-verdicts", "mortp-tab-ons")

SPEC = TableSpec(
    name="ONS statements and the rows that check them",
    columns=(
        Column("table", "category", categories=TABLES, description="the comparison table of the row"),
        Column("row", "str", description="the row id in that table"),
        Column("figure", "str", description="the published figure checked (data/published/ons2015mortality.csv)"),
        Column("population", "str", description="the population the statement describes, as the document gives it"),
        Column("matches", "str", description="the populations whose data can check it, separated by ';'"),
        Column("data", "str", description="the population of the data the row uses (and the series)"),
        Column("window", "category", categories=("same", "other"),
               description="whether the data cover the years the statement names"),
        Column("role", "category", categories=ROLES, description="how the row counts (see the module)"),
        Column("derived_from", "str", missing_ok=True,
               description="the rows a derived row follows from, or the row a reading or repeat belongs to"),
        Column("label", "str", missing_ok=True,
               description="what the row measures, where it differs from the figure's quantity (e.g. another window)"),
        Column("note", "str", missing_ok=True, description="why"),
    ),
    key=("table", "row"),
)


@lru_cache(maxsize=1)
def _record() -> pd.DataFrame:
    return read_table(data_dir() / "mortality" / "ons_statements.csv", SPEC, label=STATEMENTS_FILE)


def statement_record(table: str | None = None) -> pd.DataFrame:
    """The record (one table's rows, in order, indexed by row id; or all rows)."""
    rec = _record().copy()
    if table is None:
        return rec
    return rec[rec["table"] == table].set_index("row")


def _population(data: str) -> str:
    return str(data).split(" (")[0].strip()


def basis(table: str) -> dict[str, str]:
    """The basis of every row of ``table`` by the one rule (module docstring): row -> basis."""
    rec = statement_record(table)
    out = {}
    for row, r in rec.iterrows():
        if r["role"] == "calibrated":
            out[row] = "calibrated"
        elif _population(r["data"]) in [m.strip() for m in str(r["matches"]).split(";")] \
                and r["window"] == "same":
            out[row] = "reproduction"
        else:
            out[row] = "not comparable"
    return out


#: How a row that does not count is marked in its table's label.
ROLE_MARKS: dict[str, str] = {
    "derived": "derived, not counted",
    "reading": "another reading, not counted",
    "repeat": "scored again on other data, counted there",
    "calibrated": "calibration, not counted",
}


def role_marks(table: str) -> dict[str, str]:
    """Row -> the mark its label carries when the row does not count (empty when it counts)."""
    rec = statement_record(table)
    return {row: ROLE_MARKS.get(r["role"], "") for row, r in rec.iterrows()}


def statement_counts(comparisons: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Verdicts of the rows that count, by the population of the statement and the kind of check.

    ``comparisons``: the chapter's comparison tables by name (the two of :data:`TABLES`).
    Rows with the roles ``check`` (independent numbers the document prints) and ``words``
    (readings of statements in words) count once each; derived rows, other readings,
    repeats and calibrations do not. Returns one row per population and kind (``numbers``,
    ``words``) with ``rows`` and one column per verdict; the ``reading`` rows add
    ``agree_other_reading``: how many of the counted numbers agree under the other reading
    the wording allows (where there is one; the counted reading otherwise).
    """
    parts = []
    for name in TABLES:
        rec = statement_record(name)
        table = comparisons[name]
        missing = sorted(set(rec.index) ^ set(table.index))
        if missing:
            raise ValueError(f"{name}: rows and record differ: {missing}")
        joined = rec.join(table[["verdict"]])
        parts.append(joined.reset_index())
    rows = pd.concat(parts, ignore_index=True)
    counted = rows[rows["role"].isin(["check", "words"])].copy()
    counted["kind"] = counted["role"].map({"check": "numbers", "words": "words"})
    # the other reading's verdict, for the counted rows that have one
    readings = rows[rows["role"] == "reading"].set_index("derived_from")["verdict"]
    other = counted["row"].map(readings).fillna(counted["verdict"])
    counted["agree_other_reading"] = (other == "agrees").astype(int)
    g = counted.groupby(["population", "kind"], sort=False)
    out = g["verdict"].value_counts().unstack(fill_value=0).reindex(columns=list(VERDICTS), fill_value=0)
    out.insert(0, "rows", g.size())
    out["agree_other_reading"] = g["agree_other_reading"].sum()
    return out.reset_index()
