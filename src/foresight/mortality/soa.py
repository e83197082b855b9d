"""Historical life tables shipped by ``pymort`` (Society of Actuaries' XTbML files).

``pymort`` bundles the SOA mortality-table database (https://mort.soa.org) as
XTbML files, one per table id. This module parses them safely
(:func:`foresight.data.xmlsafe.parse_xml`: ``defusedxml`` with DTDs forbidden,
bounded size and depth) into a ``qx`` Series with metadata, and catalogues the
English Life Tables (ELT, England & Wales, 1841 to 2000-02) that the mortality
chapter uses.

Tables published as survivors ``lx`` are converted to ``qx = 1 - l_{x+1}/l_x``
(``qx = 1`` at the last age); ``attrs["converted_from"]`` says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from foresight.data.xmlsafe import parse_xml
from foresight.errors import DataError
from foresight.mortality.lifetable import LifeTables, life_tables_from_qx

__all__ = ["elt_life_tables", "elt_tables", "read_soa_table", "soa_tables"]

_PACKAGE = "pymort.table_xml"

#: English Life Tables in pymort: number -> (period, data years, male id, female id, caveats).
#: The qx versions are used; ELT 1, 2, 4 and 5 also exist as lx tables (ids in caveats).
_ELT = {
    1: ("1841", (1841, 1841), 2757, 2758,
        "qx derived by SOA from the published lx (lx versions: 2755, 2756); qx = 1 at the last age"),
    2: ("1838-44", (1838, 1844), 2761, 2762,
        "qx derived by SOA from the published lx (lx versions: 2759, 2760); qx = 1 at the last age"),
    3: ("1841-50", (1838, 1854), 1602, 1603,
        "Farr's table; deaths 1838-54 with the 1841 and 1851 censuses (SOA comments)"),
    4: ("1871-80", (1871, 1880), 2751, 2752,
        "qx derived by SOA from the published lx (lx versions: 2745, 2746); ends at age 99"),
    5: ("1881-90", (1881, 1890), 2765, 2766,
        "qx derived by SOA from the published lx (lx versions: 2763, 2764); qx = 1 at the last age"),
    6: ("1891-1900", (1891, 1900), 2714, 2715, "qx = 1 at the last age (105)"),
    7: ("1901-10", (1901, 1910), 2721, 2722,
        "SOA title says 1901-1911; ends at age 100"),
    8: ("1910-12", (1910, 1912), 2062, 2063, "qx printed to 7 decimals"),
    10: ("1930-32", (1930, 1932), 2753, 2754,
         "ages 5 to 90 only: no life expectancy at birth"),
    11: ("1950-52", (1950, 1952), 2777, 2862, ""),
    12: ("1960-62", (1960, 1962), 659, 660, "qx = 1 at the last age"),
    13: ("1970-72", (1970, 1972), 661, 662, ""),
    14: ("1980-82", (1980, 1982), 520, 521, ""),
    15: ("1990-92", (1990, 1992), 1705, 1704, ""),
    16: ("2000-02", (2000, 2002), 1606, 1605, ""),
}
#: ELT 9 (1920-22) is not in pymort (nor in the SOA database it copies).
MISSING_ELT = (9,)


def _xml_bytes(table_id: int) -> tuple[bytes, str]:
    name = f"t{int(table_id)}.xml"
    label = f"pymort/table_xml/{name}"
    try:
        raw = (resources.files(_PACKAGE) / name).read_bytes()
    except (FileNotFoundError, OSError):
        raise DataError(f"no SOA table with id {table_id} in pymort", file=label,
                        expected="a table id that pymort ships (see soa_tables())") from None
    return raw, label


def _text(root, path: str) -> str:
    node = root.find(path)
    return "" if node is None or node.text is None else node.text.strip()


def _parse_sex(name: str, description: str) -> str:
    text = f"{name} {description}"
    if re.search(r"\bfemales?\b|\bGBV\b|\bvrouwen\b", text, re.I):
        return "female"
    if re.search(r"\bmales?\b|\bGBM\b|\bmannen\b", text, re.I):
        return "male"
    if re.search(r"\bunisex\b|\bpersons\b|\btotal\b", text, re.I):
        return "total"
    return "unknown"


def _parse_period(name: str) -> str:
    m = re.search(r"\(?(1[6-9]\d\d|20\d\d)(?:\s*-\s*(\d{2,4}))?\)?", name)
    if not m:
        return ""
    return m.group(0).strip("()")


def _parse_basis(name: str, description: str) -> str:
    text = f"{name} {description}"
    if re.search(r"\bANB\b|nearest birthday", text, re.I):
        return "age nearest birthday"
    if re.search(r"\bALB\b|last birthday", text, re.I):
        return "age last birthday"
    return "not stated"


@lru_cache(maxsize=256)
def _read(table_id: int) -> tuple[pd.Series, dict]:
    raw, label = _xml_bytes(table_id)
    root = parse_xml(raw, label, expected="an XTbML document")
    cc = "./ContentClassification/"
    name = _text(root, cc + "TableName")
    description = _text(root, cc + "TableDescription")
    content = _text(root, cc + "ContentType")
    tables = root.findall("./Table")
    if len(tables) != 1:
        raise DataError(f"table has {len(tables)} sub-tables (select/ultimate or grouped ages)",
                        file=label, row_label="element", row="Table",
                        expected="a single one-dimensional table by age")
    table = tables[0]
    axes = table.findall("./MetaData/AxisDef")
    if len(axes) != 1:
        raise DataError(f"table has {len(axes)} axes", file=label, row_label="element",
                        row="AxisDef", expected="one axis (age)")
    ages, values = [], []
    for y in table.iter("Y"):
        if y.text is None or not y.text.strip():
            continue
        try:
            ages.append(int(y.get("t")))
            values.append(float(y.text))
        except (TypeError, ValueError):
            raise DataError(f"value {y.text!r} at t={y.get('t')!r} is not a number",
                            file=label, row_label="element", row=f"Y t={y.get('t')}",
                            expected="numeric <Y t='age'> elements") from None
    ages_arr = np.asarray(ages)
    vals = np.asarray(values, dtype=float)
    if ages_arr.size == 0 or np.any(np.diff(ages_arr) != 1):
        raise DataError("ages are not consecutive single years", file=label,
                        row_label="element", row="Values",
                        expected="one value per single year of age")
    converted = None
    if content.lower() == "life table":
        lx = vals
        if np.any(np.diff(lx) > 0) or lx[0] <= 0:
            raise DataError("survivors lx increase with age", file=label,
                            expected="non-increasing lx")
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(lx[:-1] > 0, 1.0 - lx[1:] / lx[:-1], 1.0)
        vals = np.append(q, 1.0)
        converted = "lx"
    if np.any((vals < 0) | (vals > 1)):
        bad = int(np.flatnonzero((vals < 0) | (vals > 1))[0])
        raise DataError(f"qx = {vals[bad]} at age {ages_arr[bad]} is outside [0, 1]",
                        file=label, row_label="element", row=f"Y t={ages_arr[bad]}",
                        expected="probabilities of death")
    nation = _text(table, "./MetaData/Nation")
    meta = {
        "table_id": int(table_id),
        "name": name,
        "description": description,
        "content_type": content,
        "population": nation,
        "period": _parse_period(name),
        "sex": _parse_sex(name, description),
        "age_basis": _parse_basis(name, description),
        "min_age": int(ages_arr[0]),
        "max_age": int(ages_arr[-1]),
        "reference": _text(root, cc + "TableReference"),
        "provider": _text(root, cc + "ProviderDomain"),
        "converted_from": converted,
        "source": f"pymort {label}",
    }
    series = pd.Series(vals, index=pd.Index(ages_arr, name="age"), name="qx")
    return series, meta


def read_soa_table(table_id: int) -> pd.Series:
    """One SOA mortality table shipped by ``pymort``, as ``qx`` by age.

    Parameters
    ----------
    table_id
        SOA table identity (e.g. 1602 = ELT No. 3 males, 968 = observed Dutch
        GBM 1989-93).

    Returns
    -------
    pandas.Series
        ``qx`` (probability of death between ages ``x`` and ``x + 1``) indexed
        by integer ``age``. ``.attrs`` holds ``table_id, name, description,
        content_type, population, period, sex, age_basis, min_age, max_age,
        reference, provider, converted_from, source``. ``sex`` is parsed from
        the title (``male``/``female``/``total``/``unknown``) and
        ``age_basis`` from "ANB"/"nearest birthday" (else ``not stated``).

    Raises
    ------
    DataError
        Unknown id, malformed XML, select (two-dimensional) or grouped-age
        tables, or probabilities outside [0, 1]; the message names the file
        inside pymort.
    """
    series, meta = _read(int(table_id))
    out = series.copy()
    out.attrs = dict(meta)
    return out


@lru_cache(maxsize=1)
def soa_tables() -> pd.DataFrame:
    """Index of every table pymort ships: id, name, content type (sorted by id)."""
    rows = []
    folder = resources.files(_PACKAGE)
    pat_name = re.compile(r"<TableName>([^<]*)</TableName>")
    pat_type = re.compile(r"<ContentType[^>]*>([^<]*)</ContentType>")
    for item in folder.iterdir():
        m = re.fullmatch(r"t(\d+)\.xml", item.name)
        if not m:
            continue
        head = item.read_bytes()[:6000].decode("utf-8-sig", errors="replace")
        n, t = pat_name.search(head), pat_type.search(head)
        rows.append({"table_id": int(m.group(1)), "name": n.group(1).strip() if n else "",
                     "content_type": t.group(1).strip() if t else ""})
    return pd.DataFrame(rows).sort_values("table_id").reset_index(drop=True)


def elt_tables() -> pd.DataFrame:
    """Catalogue of the English Life Tables available in pymort.

    Returns
    -------
    pandas.DataFrame
        One row per table and sex, sorted by ELT number then sex, with columns
        ``elt, period, first_year, last_year, mid_year, sex, table_id, name,
        min_age, max_age, age_basis, population, caveats``. ELT 9 (1920-22)
        is absent from pymort and so from this catalogue.
    """
    rows = []
    for number, (period, (y0, y1), male_id, female_id, caveat) in sorted(_ELT.items()):
        for sex, tid in (("female", female_id), ("male", male_id)):
            s = read_soa_table(tid)
            rows.append({
                "elt": number, "period": period, "first_year": y0, "last_year": y1,
                "mid_year": (y0 + y1) / 2, "sex": sex, "table_id": tid,
                "name": s.attrs["name"], "min_age": s.attrs["min_age"],
                "max_age": s.attrs["max_age"], "age_basis": s.attrs["age_basis"],
                "population": "England and Wales", "caveats": caveat,
            })
    return pd.DataFrame(rows)


def elt_life_tables(*, sex: str | None = None, radix: float = 100_000) -> LifeTables:
    """Life tables for the English Life Tables, all computed at once.

    Parameters
    ----------
    sex
        ``"male"``, ``"female"`` or ``None`` for both.
    radix
        ``l0``.

    Returns
    -------
    LifeTables
        Columns labelled by a MultiIndex ``(elt, sex)``; ages 0 to the highest
        age of any table, each table closed at its own last age. ELT 10
        (ages 5 to 90 only) is left out because it has no rates below age 5.
    """
    cat = elt_tables()
    if sex is not None:
        cat = cat[cat["sex"] == sex]
    cat = cat[cat["min_age"] == 0]
    if cat.empty:
        raise DataError(f"no English Life Table for sex={sex!r}", column="sex",
                        expected="'male', 'female' or None")
    lo = int(cat["min_age"].min())
    hi = int(cat["max_age"].max())
    ages = np.arange(lo, hi + 1)
    qx = np.full((ages.size, len(cat)), np.nan)
    for j, tid in enumerate(cat["table_id"]):
        s = read_soa_table(int(tid))
        qx[s.index.to_numpy() - lo, j] = s.to_numpy()
    labels = pd.MultiIndex.from_arrays([cat["elt"].to_numpy(), cat["sex"].to_numpy()],
                                       names=["elt", "sex"])
    frame = pd.DataFrame(qx, index=pd.Index(ages, name="age"), columns=labels)
    return life_tables_from_qx(frame, sex=list(cat["sex"]), radix=radix)
