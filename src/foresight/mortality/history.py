"""The changing life table: summaries of many life tables and checks of published statements.

Helpers for the first half of the mortality chapter: the sexes-combined
survival curve used by ONS Figure 4.10, a table of summary measures per life
table, and the checks of printed figures about the English Life Tables and of
the ONS statements about them (both through :func:`foresight.data.compare`).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from foresight.data import QUALIFIERS, Column, TableSpec, check_figures, compare, data_dir
from foresight.data.tables import read_table_with_lines
from foresight.errors import DataError
from foresight.mortality.lifetable import (
    LifeTables,
    arriaga,
    interquartile_range,
    keyfitz_entropy,
    life_expectancy,
    median_age_at_death,
    modal_age_at_death,
)

__all__ = [
    "ARRIAGA_BREAKS",
    "CHANGING_LIFE_TABLE_BASIS",
    "changing_life_table_checks",
    "changing_life_table_figures",
    "elt_arriaga",
    "elt_both_sexes",
    "elt_by_sex",
    "elt_catalogue_table",
    "elt_cited_checks",
    "elt_cited_figures",
    "elt_history",
    "elt_improvement",
    "elt_improvement_by_age",
    "life_table_summary",
    "mix_life_tables",
]


def mix_life_tables(a: LifeTables, b: LifeTables, *, weight_b: float = 0.5,
                    labels=None) -> LifeTables:
    """Life table of a birth cohort made of two sub-cohorts (e.g. the two sexes).

    Survivors, deaths and person-years of the mixed cohort are the weighted
    sums ``(1 - w) X_a + w X_b`` of those of the two tables (each scaled to
    the common radix), so ``lx`` is the average survival curve and the other
    columns follow exactly: ``qx = dx / lx``, ``mx = dx / Lx``,
    ``ax = (Lx - l_{x+1}) / dx``, ``ex = Tx / lx``. Schedule ``j`` of ``a`` is
    mixed with schedule ``j`` of ``b``; the open age of the mix is the later
    of the two.

    Parameters
    ----------
    a, b
        Life tables on the same ages with the same number of schedules.
    weight_b
        Share of the cohort following ``b`` (0.5: an equal mix).
    labels
        Labels of the mixed schedules (default: ``a``'s labels).
    """
    if not np.array_equal(a.ages, b.ages) or a.n != b.n:
        raise DataError("life tables to mix differ in ages or number of schedules",
                        expected="the same age grid and schedules")
    if not 0.0 <= weight_b <= 1.0:
        raise ValueError("weight_b must be in [0, 1]")
    z = lambda v: np.nan_to_num(v)  # noqa: E731
    sa, sb = a.radix, b.radix
    w = weight_b
    lx = (1 - w) * z(a.lx) / sa + w * z(b.lx) / sb
    dx = (1 - w) * z(a.dx) / sa + w * z(b.dx) / sb
    Lx = (1 - w) * z(a.Lx) / sa + w * z(b.Lx) / sb
    Tx = (1 - w) * z(a.Tx) / sa + w * z(b.Tx) / sb
    omega = np.maximum(a.omega, b.omega)
    rows = np.arange(a.ages.size)[:, None]
    beyond = rows > omega[None, :]
    l_next = np.vstack([lx[1:], np.zeros((1, a.n))])
    with np.errstate(divide="ignore", invalid="ignore"):
        qx = np.where(lx > 0, dx / lx, np.nan)
        mx = np.where(Lx > 0, dx / Lx, np.nan)
        ax = np.where(dx > 0, (Lx - l_next) / dx, np.nan)
        ex = np.where(lx > 0, Tx / lx, np.nan)
    radix = a.radix
    nan = np.where(beyond, np.nan, 1.0)
    return LifeTables(
        ages=a.ages, mx=mx * nan, qx=qx * nan, ax=ax * nan, lx=lx * radix * nan,
        dx=dx * radix * nan, Lx=Lx * radix * nan, Tx=Tx * radix * nan, ex=ex * nan,
        omega=omega, radix=radix, labels=a.labels if labels is None else pd.Index(labels),
    )


def life_table_summary(lt: LifeTables) -> pd.DataFrame:
    """Summary measures of every schedule, one row each.

    Columns: ``e0``, ``e65`` (years), ``median`` and ``mode`` (adult modal
    age) of the age at death, ``iqr`` (interquartile range of the age at
    death, years) and ``entropy`` (Keyfitz's H).
    """
    def col(v):
        return np.atleast_1d(np.asarray(v, dtype=float))

    out = pd.DataFrame({
        "e0": col(life_expectancy(lt, 0)),
        "e65": col(life_expectancy(lt, 65)),
        "median": col(median_age_at_death(lt)),
        "mode": col(modal_age_at_death(lt)),
        "iqr": col(interquartile_range(lt)),
        "entropy": col(keyfitz_entropy(lt)),
    }, index=lt.labels if lt.labels is not None else pd.RangeIndex(lt.n))
    return out


# ------------------------------------------------------------------ English Life Tables
def elt_by_sex() -> dict[str, LifeTables]:
    """English Life Tables (those starting at age 0) by sex, labelled by ELT number."""
    from foresight.mortality.soa import elt_life_tables

    lt = elt_life_tables()
    sexes = lt.labels.get_level_values("sex")
    elts = lt.labels.get_level_values("elt")
    out = {}
    for sex in ("female", "male"):
        mask = np.asarray(sexes == sex)
        out[sex] = lt.take(mask).relabel(pd.Index(elts[mask], name="elt"))
    return out


def elt_both_sexes() -> LifeTables:
    """Each ELT as an equal mix of its male and female survival (``mix_life_tables``).

    This is the "average of male and female mortality" on which ONS Figures
    4.10 and 4.11 are based, read as the average of the two survival curves.
    """
    by_sex = elt_by_sex()
    return mix_life_tables(by_sex["female"], by_sex["male"], weight_b=0.5)


def elt_history() -> pd.DataFrame:
    """Summary of every English Life Table starting at age 0, one row per ELT.

    Columns: ``period, mid_year``; ``e0_female, e0_male, e65_female,
    e65_male`` (years); ``gap_e0, gap_e65`` (female minus male); and, for the
    sexes-mixed table, ``e0_both, median, mode, iqr, entropy``.
    """
    from foresight.mortality.soa import elt_tables

    cat = elt_tables().drop_duplicates("elt").set_index("elt")
    by_sex = elt_by_sex()
    out = pd.DataFrame(index=by_sex["female"].labels)
    out["period"] = cat.loc[out.index, "period"].to_numpy()
    out["mid_year"] = cat.loc[out.index, "mid_year"].to_numpy()
    for sex, lt in by_sex.items():
        out[f"e0_{sex}"] = np.asarray(life_expectancy(lt, 0), dtype=float)
        out[f"e65_{sex}"] = np.asarray(life_expectancy(lt, 65), dtype=float)
    out["gap_e0"] = out["e0_female"] - out["e0_male"]
    out["gap_e65"] = out["e65_female"] - out["e65_male"]
    both = life_table_summary(elt_both_sexes())
    out["e0_both"] = both["e0"].to_numpy()
    for col in ("median", "mode", "iqr", "entropy"):
        out[col] = both[col].to_numpy()
    return out


def elt_improvement(start: int = 8, end: int = 16, *, max_age: int = 99) -> pd.DataFrame:
    """Average annual improvement in age-standardised death rates between two ELTs.

    Rates are standardised to the 2013 European Standard Population over ages
    0 to ``max_age`` (see :func:`foresight.mortality.age_standardised_rate`);
    the years between the tables are the difference of their mid-years.

    Returns
    -------
    pandas.DataFrame
        Index ``sex``; columns ``asmr_start, asmr_end`` (per 1,000
        person-years), ``years`` and ``improvement`` (% per year).
    """
    from foresight.mortality.soa import elt_tables
    from foresight.mortality.standard import age_standardised_rate, annual_improvement

    mid = elt_tables().drop_duplicates("elt").set_index("elt")["mid_year"]
    years = float(mid[end] - mid[start])
    rows = {}
    for sex, lt in elt_by_sex().items():
        pick = lt.take(np.isin(lt.labels, [start, end]))
        asr = age_standardised_rate(pick, max_age=max_age)
        rows[sex] = {
            "asmr_start": 1000 * asr[start], "asmr_end": 1000 * asr[end], "years": years,
            "improvement": annual_improvement(asr[start], asr[end], years),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("sex")


def elt_improvement_by_age(start: int = 8, end: int = 16, *, max_age: int = 99) -> pd.DataFrame:
    """Average annual improvement (% per year) in the death rate at each age, by sex."""
    from foresight.mortality.soa import elt_tables
    from foresight.mortality.standard import annual_improvement

    mid = elt_tables().drop_duplicates("elt").set_index("elt")["mid_year"]
    years = float(mid[end] - mid[start])
    out = {}
    for sex, lt in elt_by_sex().items():
        mx = lt.column("mx").loc[:max_age]
        out[sex] = annual_improvement(mx[start].to_numpy(), mx[end].to_numpy(), years)
    return pd.DataFrame(out, index=pd.Index(np.arange(max_age + 1), name="age"))


#: Age groups for the decomposition of the gain in life expectancy.
ARRIAGA_BREAKS = (0, 1, 5, 15, 45, 65, 85)


def elt_arriaga(start: int = 3, end: int = 11, *, breaks=ARRIAGA_BREAKS) -> pd.DataFrame:
    """Arriaga decomposition of the gain in e0 between two ELTs, by sex and age group.

    Returns
    -------
    pandas.DataFrame
        Index ``age_group``; columns ``lower``, ``female``, ``male`` (years
        of the gain contributed by each age group).
    """
    by_sex = elt_by_sex()
    cols = {}
    lower = None
    for sex, lt in by_sex.items():
        a = lt.take(np.asarray(lt.labels == start))
        b = lt.take(np.asarray(lt.labels == end))
        dec = arriaga(a, b, breaks=breaks)
        lower = dec["lower"]
        cols[sex] = dec.iloc[:, 1].to_numpy()
    out = pd.DataFrame(cols, index=lower.index)
    out.insert(0, "lower", lower.to_numpy())
    return out


# ------------------------------------------------------------------ figures printed about the ELTs
ELT_CITED_FILE = "data/mortality/elt_cited_figures.csv"

#: What a row of ``elt_cited_figures.csv`` may state about one English Life Table.
ELT_CITED_MEASURES = {
    "ex": "life expectancy at exact age `age`, years",
    "dead_by": "per cent of births dead before exact age `age`",
    "median": "median age at death, years (no `age`)",
}

ELT_CITED_SPEC = TableSpec(
    name="figures printed about the English Life Tables",
    columns=(
        Column("id", "str", description="identifier of the figure"),
        Column("elt", "int", minimum=1, maximum=17, description="English Life Table number"),
        Column("sex", "category", categories=("female", "male")),
        Column("measure", "category", categories=tuple(ELT_CITED_MEASURES),
               description="; ".join(f"{k}: {v}" for k, v in ELT_CITED_MEASURES.items())),
        Column("age", "int", minimum=0, maximum=110, missing_ok=True,
               description="exact age the measure refers to (empty for the median)"),
        Column("value", "float", description="the figure as printed"),
        Column("unit", "str"),
        Column("decimals", "int", minimum=0, maximum=6, description="decimals as printed"),
        Column("qualifier", "category", categories=tuple(QUALIFIERS),
               description="how the text states it (rules in foresight.data.compare)"),
        Column("tolerance", "float", minimum=0, missing_ok=True,
               description="explicit tolerance; empty means the rule of the qualifier"),
        Column("tolerance_basis", "str", missing_ok=True,
               description="why the explicit tolerance (required with a tolerance)"),
        Column("reference", "str", description="key in references.bib"),
        Column("source", "str", description="short citation shown in the comparison table"),
        Column("location", "str", description="where in the reference"),
        Column("note", "str", missing_ok=True),
    ),
    key=("id",),
)


def elt_cited_figures(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Figures that other texts print about individual English Life Tables.

    These are not from the four source documents but from texts that report
    on the same tables (an ONS article and bulletin, an 1881 review of Farr's
    ELT 3), kept in ``data/mortality/elt_cited_figures.csv`` with reference
    and location so that the engine can be checked against them.

    Parameters
    ----------
    path
        Another CSV file in the same format (for figures a reader has found);
        the default is the book's own file.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``; columns as in the file (see ``ELT_CITED_SPEC``).

    Raises
    ------
    DataError
        Naming the file, line and column when a row is malformed, when an
        ``ex`` or ``dead_by`` row has no age, or when a ``median`` row has one.
    """
    if path is None:
        path, label = data_dir() / "mortality" / "elt_cited_figures.csv", ELT_CITED_FILE
    else:
        label = str(path)
    table, lines = read_table_with_lines(path, ELT_CITED_SPEC, label=label)
    return _check_cited(table, label, lines)


def _check_cited(table: pd.DataFrame, label: str, lines: np.ndarray) -> pd.DataFrame:
    check_figures(table, label, lines=lines)
    for i, row in enumerate(table.itertuples(index=False)):
        needs_age = row.measure != "median"
        if needs_age and pd.isna(row.age):
            raise DataError(f"measure {row.measure!r} needs an age", file=label,
                            row=int(lines[i]), column="age",
                            expected="the exact age the figure refers to")
        if not needs_age and not pd.isna(row.age):
            raise DataError("the median age at death takes no age", file=label,
                            row=int(lines[i]), column="age", expected="an empty cell")
    out = table.set_index("id")
    out.attrs["file"] = label
    # line of each figure in its file (where its record starts), so that errors found
    # later (in elt_cited_checks, possibly on a subset) still point at the right line
    out.attrs["lines"] = dict(zip(out.index, (int(n) for n in lines)))
    return out


def elt_cited_reproduced(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The life-table engine's value of every figure printed about the ELTs.

    Parameters
    ----------
    figures
        As for :func:`elt_cited_checks`.

    Returns
    -------
    pandas.DataFrame
        Indexed by figure id: ``quantity`` (what the figure measures, in
        words, naming the table and sex) and ``reproduced``.

    Raises
    ------
    DataError
        When a row names an ELT and sex that is not among the life tables
        (for example ELT 9, which does not exist, or ELT 10, which has no
        age 0), or an age beyond the table; the message names the file the
        figures were read from and the figure's line in it.
    """
    from foresight.mortality.soa import elt_life_tables

    if figures is None:
        figures = elt_cited_figures()
    label = figures.attrs.get("file", ELT_CITED_FILE)
    lines = figures.attrs.get("lines", {})
    lt = elt_life_tables()
    lx = lt.column("lx")
    median = median_age_at_death(lt)
    available = sorted({elt for elt, _ in lx.columns})
    ages = sorted({int(a) for a, m in zip(figures["age"], figures["measure"]) if m == "ex"})
    ex = {age: life_expectancy(lt, age) for age in ages}
    rows = {}
    for fid, row in figures.iterrows():
        line = lines.get(fid)
        key = (int(row["elt"]), str(row["sex"]))
        if key not in lx.columns:
            raise DataError(f"no life table for ELT {key[0]}, {key[1]}s", file=label,
                            row=line, column="elt",
                            expected="one of the ELTs that start at age 0: "
                                     + ", ".join(map(str, available)))
        measure = str(row["measure"])
        if measure == "median":
            value, what = float(median[key]), "median age at death"
        else:
            age = int(row["age"])
            surv = lx[key].dropna()
            if age not in surv.index:
                raise DataError(f"ELT {key[0]} has no age {age}", file=label, row=line,
                                column="age", expected=f"an age up to {int(surv.index.max())}")
            if measure == "ex":
                value, what = float(ex[age][key]), f"life expectancy at {age}"
            else:
                value = float(100.0 * (1.0 - surv.loc[age] / surv.iloc[0]))
                what = f"per cent dead before age {age}"
        rows[fid] = {"quantity": f"ELT {key[0]}, {key[1]}s: {what}", "reproduced": value}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("id")


def elt_cited_checks(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The life-table engine on the ELTs against figures printed about them.

    A genuine reproduction (the same tables, the same quantity), so each row
    agrees or differs; the tolerance is the row's explicit one (with its
    reason) or the rule of its printed precision and qualifier.

    Parameters
    ----------
    figures
        Table as returned by :func:`elt_cited_figures` (the default: the
        book's own file), or any subset of its rows. Errors name the file it
        was read from and the figure's line in it.

    Returns
    -------
    pandas.DataFrame
        The comparison table of :func:`foresight.data.compare`, one row per
        figure (indexed by its id); "source and section" is the citation and
        the place in it.

    Raises
    ------
    DataError
        See :func:`elt_cited_reproduced`.
    """
    if figures is None:
        figures = elt_cited_figures()
    rep = elt_cited_reproduced(figures)
    fig = figures.assign(quantity=rep["quantity"], section=figures["location"])
    fig.attrs.update(figures.attrs)
    return compare(fig, rep["reproduced"])


# ------------------------------------------------------------------ the ONS statements
def changing_life_table_figures() -> pd.DataFrame:
    """What the English Life Tables give for each ONS statement of section 7-12.

    Returns
    -------
    pandas.DataFrame
        One row per check (index: row id, in the chapter's order), columns
        ``figure`` (the published figure's id in
        ``data/published/ons2015mortality.csv``), ``number`` (the statement's
        number in the chapter), ``label`` (what is compared, with the tables
        used) and ``reproduced`` (in the published figure's unit).

    Notes
    -----
    The statements: the median age at death on the rates of 1851 (ELT 3,
    1841-50, sexes mixed); the female advantage in e0 in 1980 (ELT 14) and the
    year it peaked (mid-year of the ELT with the largest gap); the average
    improvement over a hundred years (ELT 8 to ELT 16, standardised on the
    ESP 2013); the survival curve becoming more rectangular (change in
    Keyfitz's H and in the interquartile range of the age at death from the
    first to the last table); the share of the gain in e0 from ages 0-4
    (Arriaga, ELT 3 to ELT 11).
    """
    from foresight.mortality.soa import elt_tables

    hist = elt_history()
    imp = elt_improvement(8, 16)
    dec = elt_arriaga(3, 11)
    mid = elt_tables().drop_duplicates("elt").set_index("elt")["mid_year"]
    gap = hist["gap_e0"]
    h = hist["entropy"].to_numpy()
    iqr = hist["iqr"].to_numpy()
    first, last = hist.index[0], hist.index[-1]
    total = dec[["female", "male"]].sum()
    young = dec.loc[dec["lower"] < 5, ["female", "male"]].sum()
    rows = [
        ("median_1851", "ons_median_age_death_1851", "1",
         "Median age at death on the rates of 1851: ELT 3 (1841-50), both sexes, years",
         float(hist.loc[3, "median"])),
        ("gap_e0_1980", "ons_sex_gap_e0_1980", "2a",
         "Female minus male e0 in 1980: ELT 14 (1980-82), England and Wales, years",
         float(gap.loc[14])),
        ("gap_e0_peak", "ons_sex_gap_e0_peak_year", "2b",
         "Year of the largest female advantage in e0: mid-year of that ELT",
         float(mid[int(gap.idxmax())])),
        ("improvement_female", "ons_improvement_last_100y", "3a",
         "Average annual improvement, females: ELT 8 (1910-12) to ELT 16 (2000-02), % per year",
         float(imp.loc["female", "improvement"])),
        ("improvement_male", "ons_improvement_last_100y", "3b",
         "Average annual improvement, males: ELT 8 (1910-12) to ELT 16 (2000-02), % per year",
         float(imp.loc["male", "improvement"])),
        ("entropy_change", "ons_rectangular_entropy", "4a",
         f"Change in Keyfitz's H, ELT {first} to ELT {last} (both sexes)",
         float(h[-1] - h[0])),
        ("iqr_change", "ons_rectangular_iqr", "4b",
         f"Change in the interquartile range of the age at death, ELT {first} to ELT {last}, years",
         float(iqr[-1] - iqr[0])),
        ("young_share_female", "ons_infant_child_share_cohort_gain", "5a",
         "Share of the e0 gain from ages 0-4, females: ELT 3 to ELT 11 (a period analogue)",
         float(young["female"] / total["female"])),
        ("young_share_male", "ons_infant_child_share_cohort_gain", "5b",
         "Share of the e0 gain from ages 0-4, males: ELT 3 to ELT 11 (a period analogue)",
         float(young["male"] / total["male"])),
    ]
    out = pd.DataFrame(rows, columns=["id", "figure", "number", "label", "reproduced"])
    return out.set_index("id")


def changing_life_table_checks() -> pd.DataFrame:
    """The ONS statements about the changing life table, checked on the English Life Tables.

    Returns
    -------
    pandas.DataFrame
        The comparison table of :func:`foresight.data.compare` (row ids of
        :func:`changing_life_table_figures`), with the basis of each row from
        the chapter's one rule (:func:`foresight.mortality.statements.basis`):
        statements about the UK, another window of years, or cohorts are *not
        comparable* with the English Life Tables and carry no pass or fail.
    """
    from foresight.data import published
    from foresight.mortality.statements import basis, role_marks

    figs = changing_life_table_figures()
    marks = role_marks("mort-tab-verdicts")
    labels = {row: f"{label} ({marks[row]})" if marks.get(row) else label
              for row, label in figs["label"].items()}
    return compare(published("ons2015mortality"), figs["reproduced"],
                   basis=basis("mort-tab-verdicts"), figure_ids=figs["figure"].to_dict(), labels=labels)


def elt_catalogue_table() -> pd.DataFrame:
    """The ELT catalogue for display: one row per ELT, both sexes side by side."""
    from foresight.mortality.soa import elt_tables

    cat = elt_tables()
    f = cat[cat["sex"] == "female"].set_index("elt")
    m = cat[cat["sex"] == "male"].set_index("elt")
    out = pd.DataFrame({
        "period": f["period"],
        "SOA id (female)": f["table_id"],
        "SOA id (male)": m["table_id"],
        "ages (female)": f["min_age"].astype(str) + "-" + f["max_age"].astype(str),
        "ages (male)": m["min_age"].astype(str) + "-" + m["max_age"].astype(str),
        "age basis": f["age_basis"],
        "caveats": f["caveats"],
    })
    out.index.name = "ELT"
    return out
