"""Meta-analytic evidence, loaded from cited tables in ``data/selection/``.

* :func:`kuncel2013` — mean validities of mechanical and holistic (clinical)
  combination by criterion, Kuncel, Klieger, Connelly & Ones (2013). The
  ``verification`` column says how each value was checked.
* :func:`schmidt_hunter1998` — operational validities for job performance and
  multiple R with general mental ability (Schmidt & Hunter 1998, Table 1).
* :func:`predictor_correlations` — predictor intercorrelations, each marked
  ``solved`` (solved from a published multiple R), ``derived`` (shown to be
  consistent with one) or ``assumed``.
* :func:`taylor_russell_table` — a few published Taylor & Russell (1939)
  table entries, used to test :func:`foresight.selection.taylor_russell`.
* :func:`default_predictors` — the four-predictor set the chapter simulates.
* :func:`readings_of_drop` — what "validity falls by 25%" can mean.
* :func:`abstract_gain` — the abstract's bound on the mechanical advantage for
  job performance, read from its wording quoted in ``kuncel2013.csv``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from foresight.data import (QUALIFIERS, Column, TableSpec, check_figures, data_dir,
                            read_table_with_lines)
from foresight.errors import DataError
from foresight.selection.combine import PredictorSet

_R = dict(minimum=-1.0, maximum=1.0)

KUNCEL_SPEC = TableSpec(
    name="Kuncel et al. (2013) validities",
    columns=(
        Column("criterion", "str", description="criterion predicted"),
        Column("setting", "category", categories=("work", "academic")),
        Column("mechanical", "float", **_R, description="mean validity, mechanical combination"),
        Column("holistic", "float", **_R, description="mean validity, holistic combination"),
        Column("verification", "str", description="how the value was checked"),
        Column("in_abstract", "category", categories=("yes", "no"),
               description="whether the article's abstract names the criterion (no: unconfirmed)"),
        Column("note", "str", missing_ok=True),
    ),
    key=("criterion",),
)
SH_SPEC = TableSpec(
    name="Schmidt & Hunter (1998) validities",
    columns=(
        Column("predictor", "str"),
        Column("validity", "float", **_R, description="operational validity for job performance"),
        Column("multiple_r_with_gma", "float", minimum=0, maximum=1, missing_ok=True,
               description="multiple R of the predictor combined with GMA"),
        Column("decimals", "int", minimum=0, maximum=6, description="decimals as printed"),
        Column("qualifier", "category", categories=tuple(QUALIFIERS),
               description="how the table states the values (rules in foresight.data.compare)"),
        Column("note", "str", missing_ok=True),
    ),
    key=("predictor",),
)
CORR_SPEC = TableSpec(
    name="predictor intercorrelations",
    columns=(
        Column("predictor_a", "str"),
        Column("predictor_b", "str"),
        Column("r", "float", **_R),
        Column("basis", "category", categories=("solved", "derived", "assumed", "published"),
               description="solved: solved from a published multiple R (checks against it are "
                           "calibrated); derived: a value shown to reproduce one; assumed: "
                           "illustrative; published: printed in a cited source"),
        Column("note", "str", missing_ok=True),
    ),
    key=("predictor_a", "predictor_b"),
)
TR_SPEC = TableSpec(
    name="Taylor & Russell (1939) table entries",
    columns=(
        Column("base_rate", "float", minimum=0, maximum=1),
        Column("selection_ratio", "float", minimum=0, maximum=1),
        Column("validity", "float", **_R),
        Column("success_ratio", "float", minimum=0, maximum=1),
        Column("decimals", "int", minimum=0, maximum=6, description="decimals as printed"),
        Column("qualifier", "category", categories=tuple(QUALIFIERS),
               description="how the table states the values (rules in foresight.data.compare)"),
        Column("verification", "category", categories=("secondary", "primary"),
               description="secondary: as quoted by textbooks or other software, not read from "
                           "the 1939 tables themselves"),
        Column("note", "str", missing_ok=True),
    ),
    key=("base_rate", "selection_ratio", "validity"),
)


def _read(name: str, spec: TableSpec) -> pd.DataFrame:
    label = f"data/selection/{name}"
    table, lines = read_table_with_lines(data_dir() / "selection" / name, spec, label=label)
    if "qualifier" in table:
        check_figures(table, label, lines=lines)
    table.attrs["file"] = label
    return table


def kuncel2013() -> pd.DataFrame:
    """Mechanical vs holistic validities by criterion (Kuncel et al. 2013)."""
    return _read("kuncel2013.csv", KUNCEL_SPEC)


def schmidt_hunter1998() -> pd.DataFrame:
    """Validities and multiple R with GMA (Schmidt & Hunter 1998, Table 1)."""
    return _read("schmidt_hunter_1998.csv", SH_SPEC)


def predictor_correlations() -> pd.DataFrame:
    """Predictor intercorrelations with their basis (derived or assumed)."""
    return _read("predictor_correlations.csv", CORR_SPEC)


def taylor_russell_table() -> pd.DataFrame:
    """Published Taylor-Russell table entries."""
    return _read("taylor_russell_1939.csv", TR_SPEC)


DEFAULT_PREDICTORS: tuple[str, ...] = (
    "general mental ability", "conscientiousness", "structured interview", "reference checks",
)


def build_predictor_set(validities: pd.DataFrame, correlations: pd.DataFrame,
                        names: tuple[str, ...] = DEFAULT_PREDICTORS,
                        label: str = "data/selection/predictor_correlations.csv") -> PredictorSet:
    """Assemble a :class:`PredictorSet`; every pair of ``names`` needs a correlation."""
    v = validities.set_index("predictor")["validity"]
    missing = [n for n in names if n not in v.index]
    if missing:
        raise DataError(f"no validity for {missing[0]!r}", file="data/selection/schmidt_hunter_1998.csv",
                        column="predictor")
    k = len(names)
    R = np.eye(k)
    lookup = {}
    for row in correlations.itertuples(index=False):
        lookup[(row.predictor_a, row.predictor_b)] = lookup[(row.predictor_b, row.predictor_a)] = row.r
    for i in range(k):
        for j in range(i + 1, k):
            if (names[i], names[j]) not in lookup:
                raise DataError(f"no correlation between {names[i]!r} and {names[j]!r}",
                                file=label, column="r", expected="one row per pair of predictors")
            R[i, j] = R[j, i] = lookup[(names[i], names[j])]
    return PredictorSet(tuple(names), np.array([v[n] for n in names], float), R)


def default_predictors() -> PredictorSet:
    """GMA, conscientiousness, structured interview and references, from the data tables."""
    return build_predictor_set(schmidt_hunter1998(), predictor_correlations())


def confirmed_criteria(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`kuncel2013` whose criterion the article's abstract names."""
    return table[table["in_abstract"].astype(str) == "yes"].reset_index(drop=True)


def readings_of_drop(table: pd.DataFrame) -> pd.DataFrame:
    """Ways to express the loss of validity from mechanical to holistic combination.

    Parameters
    ----------
    table
        Columns ``criterion, mechanical, holistic`` (e.g. :func:`kuncel2013`).

    Returns
    -------
    pandas.DataFrame
        Per criterion: ``relative_loss = 1 - holistic / mechanical`` (share of
        the mechanical validity lost), ``variance_loss = 1 - (holistic /
        mechanical)^2`` (share of explained criterion variance lost) and
        ``mechanical_gain = mechanical / holistic - 1`` (the improvement from
        switching to mechanical), plus two summary rows: ``mean of criteria``
        (unweighted mean of each column) and ``ratio of mean validities``
        (computed from the mean mechanical and mean holistic validity).
    """
    m = table["mechanical"].to_numpy(float)
    h = table["holistic"].to_numpy(float)
    out = pd.DataFrame({
        "criterion": table["criterion"].astype(str).to_numpy(),
        "mechanical": m, "holistic": h,
        "relative_loss": 1 - h / m,
        "variance_loss": 1 - (h / m) ** 2,
        "mechanical_gain": m / h - 1,
    })
    means = out[["mechanical", "holistic", "relative_loss", "variance_loss", "mechanical_gain"]].mean()
    mm, hm = m.mean(), h.mean()
    summary = pd.DataFrame([
        {"criterion": "mean of criteria", **means.to_dict()},
        {"criterion": "ratio of mean validities", "mechanical": mm, "holistic": hm,
         "relative_loss": 1 - hm / mm, "variance_loss": 1 - (hm / mm) ** 2,
         "mechanical_gain": mm / hm - 1},
    ])
    return pd.concat([out, summary], ignore_index=True)


def drop_readings(table: pd.DataFrame) -> pd.DataFrame:
    """The readings of "validity falls by X%" as a tidy list, one row per reading.

    Returns
    -------
    pandas.DataFrame
        Columns ``reading`` (words), ``measure`` (``relative_loss``,
        ``variance_loss`` or ``mechanical_gain``), ``basis`` (a criterion, or
        one of the two summaries of :func:`readings_of_drop`) and ``value``
        (a proportion).
    """
    wide = readings_of_drop(table)
    words = {
        "relative_loss": "validity lost by holistic combination",
        "variance_loss": "explained variance lost by holistic combination",
        "mechanical_gain": "validity gained by mechanical combination",
    }
    rows = []
    for measure, text in words.items():
        for crit, value in zip(wide["criterion"], wide[measure]):
            rows.append({"reading": f"{text}, {crit}", "measure": measure, "basis": crit,
                         "value": float(value)})
    return pd.DataFrame(rows)


def nearest_reading(readings: pd.DataFrame, target: float) -> pd.Series:
    """The reading whose value is closest to ``target`` (a proportion, e.g. 0.25)."""
    idx = (readings["value"] - target).abs().idxmin()
    return readings.loc[idx]


#: The abstract's sentence on job performance, as quoted in the note of the job-performance row
#: of ``data/selection/kuncel2013.csv``: the qualifier and the printed figure.
ABSTRACT_QUOTE = re.compile(r"'improvement in prediction of (more than) (\d+%)'")


def abstract_gain(table: pd.DataFrame) -> tuple[float, str]:
    """The gain from mechanical combination the article's abstract states for job performance.

    Read from the abstract's words quoted in the note of the job-performance
    row (``'improvement in prediction of more than 50%'``), with
    :func:`foresight.data.read_printed`. Returns ``(gain, qualifier)``, the
    gain as a fraction of the holistic validity: ``(0.5, "more than")``. A
    gain above ``g`` is a loss above ``1 - 1 / (1 + g)`` of the mechanical
    validity, whatever the per-criterion values.

    Raises
    ------
    DataError
        When the row or the quotation is missing.
    """
    from foresight.data import read_printed

    label = table.attrs.get("file", "data/selection/kuncel2013.csv")
    rows = table[table["criterion"].astype(str) == "job performance"]
    match = ABSTRACT_QUOTE.search(str(rows["note"].iloc[0])) if len(rows) else None
    if match is None:
        raise DataError("no quotation of the abstract's job-performance figure", file=label, column="note",
                        expected="'improvement in prediction of more than <n>%' in the job-performance row")
    return read_printed(match.group(2), "%", file=label, row="job performance") / 100, match.group(1)
