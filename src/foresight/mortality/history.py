"""The changing life table: summaries of many life tables and checks of published statements.

Helpers for the first half of the mortality chapter: the sexes-combined
survival curve used by ONS Figure 4.10, a table of summary measures per life
table, and the comparison of a reproduced number with a published one under
an explicit tolerance.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from foresight.data import Column, TableSpec, data_dir
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
    "changing_life_table_verdicts",
    "compare_published",
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
    "tolerance_for",
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


def tolerance_for(decimals: int, qualifier: str) -> float:
    """Tolerance implied by how a figure is printed.

    ``exact``: half a unit in the last printed place (rounding). ``about``:
    one unit in the last printed place (the word widens the rounding
    interval). ``at least`` / ``at most``: half a unit, applied one-sidedly by
    :func:`compare_published`.
    """
    unit = 10.0 ** (-int(decimals))
    if qualifier == "about":
        return unit
    if qualifier in ("exact", "at least", "at most"):
        return unit / 2
    raise DataError(f"unknown qualifier {qualifier!r}", column="qualifier",
                    expected="exact, about, at least or at most")


def compare_published(published: float, reproduced: float, *, tolerance: float,
                      qualifier: str = "exact") -> str:
    """Verdict on a reproduced number: ``"agrees"`` or ``"differs"``.

    ``"agrees"`` when ``|reproduced - published| <= tolerance`` (or, for ``at
    least``/``at most``, when the bound holds within the tolerance).
    """
    diff = reproduced - published
    if qualifier == "at least":
        ok = diff >= -tolerance
    elif qualifier == "at most":
        ok = diff <= tolerance
    else:
        ok = abs(diff) <= tolerance + 1e-12
    return "agrees" if ok else "differs"


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
        Column("qualifier", "category", categories=("exact", "about")),
        Column("tolerance", "float", minimum=0, missing_ok=True,
               description="explicit tolerance; empty means the printed rounding"),
        Column("reference", "str", description="key in references.bib"),
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


def elt_cited_checks(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The life-table engine on the ELTs against figures printed about them.

    Parameters
    ----------
    figures
        Table as returned by :func:`elt_cited_figures` (the default: the
        book's own file), or any subset of its rows. Errors name the file it
        was read from and the figure's line in it.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``table, sex, quantity, published, reproduced,
        difference, tolerance, reference, location, verdict``. The tolerance
        is the row's explicit one or else :func:`tolerance_for` the printed
        precision and qualifier.

    Raises
    ------
    DataError
        When a row names an ELT and sex that is not among the life tables
        (for example ELT 9, which does not exist, or ELT 10, which has no
        age 0), or an age beyond the table.
    """
    from foresight.mortality.soa import elt_life_tables

    if figures is None:
        figures = elt_cited_figures()
    label = figures.attrs.get("file", ELT_CITED_FILE)
    lines = figures.attrs.get("lines", {})
    lt = elt_life_tables()
    ex_cache: dict[int, pd.Series] = {}
    lx = lt.column("lx")
    median = median_age_at_death(lt)
    rows = []
    available = sorted({elt for elt, _ in lx.columns})
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
            reproduced = float(median[key])
            quantity = "median age at death"
        else:
            age = int(row["age"])
            surv = lx[key].dropna()
            if age not in surv.index:
                raise DataError(f"ELT {key[0]} has no age {age}", file=label, row=line,
                                column="age", expected=f"an age up to {int(surv.index.max())}")
            if measure == "ex":
                if age not in ex_cache:
                    ex_cache[age] = life_expectancy(lt, age)
                reproduced = float(ex_cache[age][key])
                quantity = f"life expectancy at {age}"
            else:
                reproduced = float(100.0 * (1.0 - surv.loc[age] / surv.iloc[0]))
                quantity = f"per cent dead before age {age}"
        tol = row["tolerance"]
        if pd.isna(tol):
            tol = tolerance_for(int(row["decimals"]), str(row["qualifier"]))
        published = float(row["value"])
        rows.append({
            "id": fid, "table": f"ELT {key[0]}", "sex": key[1], "quantity": quantity,
            "published": published, "reproduced": reproduced,
            "difference": reproduced - published, "tolerance": float(tol),
            "reference": str(row["reference"]), "location": str(row["location"]),
            "verdict": compare_published(published, reproduced, tolerance=float(tol)),
        })
    return pd.DataFrame(rows).set_index("id")


# ------------------------------------------------------------------ verdicts
def _published_row(figure_id: str) -> pd.Series:
    from foresight.data import published

    table = published("ons2015mortality")
    if figure_id not in table.index:
        raise DataError(f"no published figure {figure_id!r}",
                        file="data/published/ons2015mortality.csv", column="id")
    return table.loc[figure_id]


def changing_life_table_verdicts() -> pd.DataFrame:
    """Side-by-side check of five ONS statements against the English Life Tables.

    Returns
    -------
    pandas.DataFrame
        One row per checked quantity (seven rows for the five statements:
        the improvement rate and the infant-and-child share are checked for
        each sex), columns ``statement, section, published, reproduced,
        difference, tolerance, data, verdict``. ``published`` and
        ``reproduced`` are numbers where the statement gives one (otherwise
        ``NaN`` and the words are in ``statement``/``data``); the tolerance
        follows :func:`tolerance_for` from the printed precision and qualifier.
    """
    hist = elt_history()
    imp = elt_improvement(8, 16)
    dec = elt_arriaga(3, 11)
    rows = []

    def add(statement, fid, reproduced, data, *, trend_ok=True, scale=1.0):
        pub = _published_row(fid)
        tol = tolerance_for(int(pub["decimals"]), str(pub["qualifier"])) * scale
        value = float(pub["value"]) * scale
        verdict = compare_published(value, reproduced, tolerance=tol,
                                    qualifier=str(pub["qualifier"]))
        if not trend_ok:
            verdict = "differs"
        rows.append({"statement": statement, "section": pub["section"], "published": value,
                     "reproduced": reproduced, "difference": reproduced - value,
                     "tolerance": tol, "data": data, "verdict": verdict})

    add("Median age at death on the mortality of 1851 (both sexes), years",
        "ons_median_age_death_1851", float(hist.loc[3, "median"]),
        "ELT 3 (1841-50), equal mix of male and female survival")
    gap = hist["gap_e0"]
    peak = int(gap.loc[6:].idxmax())
    after = gap.loc[peak:]
    trend_ok = (gap.loc[peak] > gap.loc[6]) and bool((np.diff(after.to_numpy()) < 0).all())
    add("Female minus male e0 in 1980 (and rising 1900-1970, falling since), years",
        "ons_sex_gap_e0_1980", float(gap.loc[14]),
        f"ELT 14 (1980-82); the gap peaks at ELT {peak} and falls at every later table",
        trend_ok=trend_ok)
    for sex in ("female", "male"):
        add(f"Average annual improvement over the last hundred years, {sex}s, % per year",
            "ons_improvement_last_100y", float(imp.loc[sex, "improvement"]),
            "ELT 8 (1910-12) to ELT 16 (2000-02), 90 years; rates standardised to ESP 2013, "
            "ages 0-99")
    h = hist["entropy"]
    iqr = hist["iqr"]
    steps = np.diff(h.to_numpy())
    rows.append({
        "statement": "Survival curves steadily more rectangular (entropy H, IQR of age at death)",
        "section": "12. The changing life table", "published": np.nan,
        "reproduced": float(h.iloc[-1] - h.iloc[0]), "difference": np.nan, "tolerance": np.nan,
        "data": f"H falls in {int((steps < 0).sum())} of {steps.size} steps between successive "
                "ELTs (both sexes)",
        "verdict": "agrees" if (h.iloc[-1] < h.iloc[0] and iqr.iloc[-1] < iqr.iloc[0]
                                and (steps < 0).mean() > 0.5) else "differs",
    })
    total = dec[["female", "male"]].sum()
    young = dec.loc[dec["lower"] < 5, ["female", "male"]].sum()
    for sex in ("female", "male"):
        add(f"Share of the e0 gain from ages 0-4, {sex}s (period analogue of a cohort statement)",
            "ons_infant_child_share_cohort_gain", float(young[sex] / total[sex]),
            "Arriaga decomposition, ELT 3 (1841-50) to ELT 11 (1950-52)")
    out = pd.DataFrame(rows)
    out.index = pd.Index(["1", "2", "3a", "3b", "4", "5a", "5b"], name="no.")
    return out


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
