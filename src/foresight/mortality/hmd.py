"""Reader for Human Mortality Database (HMD) 1x1 text files.

The HMD (https://www.mortality.org) distributes, per country, whitespace-
aligned text files such as ``Deaths_1x1.txt``, ``Exposures_1x1.txt``,
``Mx_1x1.txt`` and the period life tables ``mltper_1x1.txt``,
``fltper_1x1.txt``, ``bltper_1x1.txt``. Each starts with two header lines (a
title line ``"<Country>, <What> (period 1x1)<TAB>Last modified: ...;  Methods
Protocol: v6 (2017)"`` and, after a blank line, the column names), followed by
one row per year and single year of age; the last age is ``110+`` and missing
values are shown as ``.``. Values are read only in the form the HMD writes
them: ASCII digits with an optional decimal point, below 10^10, no exponent (so
``1e300`` deaths or a full-width ``２０００`` year are refused, not read).

This project cannot download HMD data (registration required; no network at
run time); users who have the files read them with :func:`read_hmd` and build
rates with :func:`hmd_rates`. Every malformed file raises
:class:`foresight.DataError` naming the file, the line and the column.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.data.files import read_text_file

__all__ = ["HMD_UK_FILES", "hmd_example", "hmd_rates", "hmd_surface", "hmd_uk", "read_hmd"]

_SEX_COLUMNS = ("Year", "Age", "Female", "Male", "Total")
_LT_COLUMNS = ("Year", "Age", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex")

#: title (lower case, without country) -> (kind, expected columns)
_KINDS = {
    "deaths": ("deaths", _SEX_COLUMNS),
    "exposure to risk": ("exposures", _SEX_COLUMNS),
    "exposures": ("exposures", _SEX_COLUMNS),
    "death rates": ("mx", _SEX_COLUMNS),
    "life tables": ("lifetable", _LT_COLUMNS),
}
#: A line end as the HMD (or a program that re-saved its file) may write it: LF, CRLF or a lone CR.
_LINE_END = re.compile(r"\r\n|\r|\n")

#: The title line the HMD writes: ``<population>, <series> (period 1x1)[, <sex>]``, then a tab,
#: ``Last modified: <date>;  Methods Protocol: <version>``. The population may carry
#: qualifiers after commas ("England and Wales, Civilian National Population", "France,
#: Civilian Population") and stray spaces ("Italy , Deaths"); the series is the last
#: comma-separated part before the parenthesis.
_TITLE = re.compile(
    r"^\ufeff?\s*(?P<population>\S.*?)\s*,\s*(?P<what>[A-Za-z][A-Za-z ]*?)\s*"
    r"\((?P<type>period|cohort)\s+1x1\)\s*,?\s*(?P<sex>Males|Females|Total)?\s*(?:\t|\s)*"
    r"(?:Last modified:\s*(?P<date>[^;]*);?)?\s*(?:Methods Protocol:\s*(?P<protocol>.*?))?\s*$"
)
#: A column header line (the first line of a file whose title line was lost).
_HEADER_START = re.compile(r"^\ufeff?\s*Year\s+Age\b")
#: The HMD's own file names, for a file without its title line: name -> series (as in the title).
_FILE_SERIES = {
    "deaths_1x1.txt": "deaths",
    "exposures_1x1.txt": "exposure to risk",
    "mx_1x1.txt": "death rates",
}


#: The written form of a value: ASCII digits, at most 10 before an optional decimal point
#: (so below 10^10, more than any country's deaths or person-years), no exponent; a
#: leading minus is read so that a negative value is reported as such.
_NUMBER = r"-?(?:[0-9]{1,10}(?:\.[0-9]*)?|\.[0-9]+)"
_NUMBER_EXPECTED = "a decimal number below 10^10 such as 1234.56 (no exponent), or '.' for missing"


def _fail(problem, *, file, line=None, column=None, expected=None):
    raise DataError(problem, file=file, row=line, column=column, expected=expected)


def read_hmd(path: str | PathLike[str], *, label: str | None = None,
             population: str | None = None, series: str | None = None) -> pd.DataFrame:
    """Read one HMD 1x1 period file into a tidy DataFrame.

    Parameters
    ----------
    path
        An HMD ``*_1x1.txt`` file (deaths, exposures, death rates, or a
        period life table).
    label
        Name for the file in error messages (default: the path).
    population
        The population the file describes. Needed only for a file whose
        title line is missing (some public copies drop it): the column
        header is then the first line, and the series is taken from
        ``series`` or from the HMD's own file name (``Deaths_1x1.txt``,
        ``Exposures_1x1.txt``, ``Mx_1x1.txt``). For a file with its title
        line it must agree with the title's population (its first part, or
        the whole population with its qualifiers), case and spacing aside.
    series
        ``"deaths"``, ``"exposure to risk"`` or ``"death rates"``, for a file
        without its title line whose name is not the HMD's.

    Returns
    -------
    pandas.DataFrame
        One row per (year, age), sorted, with columns ``year`` (int),
        ``age`` (int; the open interval ``110+`` becomes 110),
        ``open_interval`` (bool) and the file's value columns in lower case
        (``female, male, total`` or ``mx, qx, ax, lx, dx, Lx, Tx, ex``);
        ``.`` becomes ``NaN``. ``.attrs``: ``country`` (the title's first
        part, e.g. ``"France"``), ``population`` (the whole population as
        written, qualifiers included, e.g. ``"France, Civilian
        Population"``), ``kind`` (``deaths``, ``exposures``, ``mx``,
        ``lifetable``), ``sex`` (life tables), ``last_modified``,
        ``protocol`` (``None`` when the file has no title line), ``title``
        (whether it has one), ``file``.

    Raises
    ------
    DataError
        A path that is not a regular file of at most 16 MB, empty or non-UTF-8
        file, unrecognised title line, a missing title line when no
        ``population`` is named (or a named population that the title
        contradicts), wrong or missing
        column header, a row with too few or too many fields, text where a
        number belongs, negative values, probabilities above 1, an open age
        that is not last, duplicate (year, age), gaps in ages, years out of
        order, or years with different age ranges. The message names the
        file, line and column.
    """
    p = Path(path)
    name = label or str(p)
    if population is not None:
        if not str(population).strip():
            raise DataError("the population named is empty", file=name, column="population",
                            expected="the population the file describes, e.g. 'Hungary'")
        population = " ".join(str(population).split())
    if series is not None:
        if str(series).strip().lower() not in _KINDS or _KINDS[str(series).strip().lower()][0] == "lifetable":
            raise DataError(f"unknown series {series!r}", file=name, column="series",
                            expected="'deaths', 'exposure to risk' or 'death rates'")
        series = str(series).strip().lower()
    elif p.name.lower() in _FILE_SERIES:
        series = _FILE_SERIES[p.name.lower()]
    text = read_text_file(p, label=name, expected="an HMD text file")
    return parse_hmd(text, label=name, population=population, series=series)


def _same_population(named: str, title_population: str) -> bool:
    def norm(x: str) -> str:
        return " ".join(x.replace(" ,", ",").split()).casefold()

    full = norm(title_population)
    return norm(named) in (full, full.split(",")[0].strip())


def parse_hmd(text: str, *, label: str = "<text>", population: str | None = None,
              series: str | None = None) -> pd.DataFrame:
    """Parse the contents of an HMD 1x1 file; see :func:`read_hmd`.

    A text without its title line is refused unless ``population`` is named and
    ``series`` says what it holds (:func:`read_hmd` takes the series from the
    HMD's file name); the error says how to name them.
    """
    # split at LF, CRLF or a lone CR (old Mac line ends) only: str.splitlines also breaks
    # at form feeds, \x1c-\x1e and Unicode separators, which would shift every later line number
    lines = _LINE_END.split(text)
    if not lines or not any(s.strip() for s in lines):
        _fail("the file is empty", file=label, expected="an HMD 1x1 text file")
    named = population
    m = _TITLE.match(lines[0])
    if m:
        what = m.group("what").strip().lower()
        if what not in _KINDS:
            _fail(f"unknown HMD series {m.group('what')!r}", file=label, line=1,
                  expected="one of " + ", ".join(sorted(_KINDS)))
        if m.group("type") != "period":
            _fail("cohort files are not supported", file=label, line=1,
                  expected="a period (1x1) file")
        title_population = ", ".join(part.strip() for part in m.group("population").split(","))
        title_population = " ".join(title_population.split())
        if named is not None and not _same_population(named, title_population):
            _fail(f"the title names {title_population!r}, not {named!r}", file=label, line=1,
                  expected=f"a file of {named} (or name the population the title gives)")
        h = 1
    elif _HEADER_START.match(lines[0]):
        if named is None:
            _fail("the file has no HMD title line: its first line is the column header",
                  file=label, line=1,
                  expected="the title line the HMD writes ('<Country>, Deaths (period 1x1)...'), "
                           "or name the population: read_hmd(path, population='Hungary') or, on "
                           "the command line, --population 'Hungary'")
        what = series
        if what is None:
            _fail("the file has no title line and its name does not say what it holds",
                  file=label, line=1,
                  expected="an HMD file name (Deaths_1x1.txt, Exposures_1x1.txt, Mx_1x1.txt) "
                           "or read_hmd(..., series='deaths')")
        title_population = named
        h = 0
    else:
        _fail("first line is not an HMD title line", file=label, line=1,
              expected="'<Country>, <Deaths|Exposure to risk|Death rates|Life tables> "
                       "(period 1x1)...' as written by the HMD")
    kind, expected_cols = _KINDS[what]
    if kind == "lifetable" and not m.group("sex"):
        _fail("life-table title does not name the sex", file=label, line=1,
              expected="'..., Life tables (period 1x1), Males|Females|Total'")
    # column header: the first non-blank line after the title (the first line without one)
    while h < len(lines) and not lines[h].strip():
        h += 1
    if h >= len(lines):
        _fail("no column header", file=label, line=h + 1,
              expected="a header line: " + " ".join(expected_cols))
    header = lines[h].split()
    for col in expected_cols:
        if col not in header:
            _fail(f"missing column {col!r}", file=label, line=h + 1, column=col,
                  expected="a header line: " + " ".join(expected_cols))
    if tuple(header) != expected_cols:
        extra = [c for c in header if c not in expected_cols]
        _fail(f"unexpected column header {' '.join(header)!r}", file=label, line=h + 1,
              column=extra[0] if extra else None,
              expected="exactly: " + " ".join(expected_cols))
    ncol = len(header)

    body_no, body = [], []
    for i in range(h + 1, len(lines)):
        fields = lines[i].split()
        if not fields:
            continue
        if len(fields) != ncol:
            col = header[len(fields)] if len(fields) < ncol else None
            _fail(f"row has {len(fields)} fields but the header has {ncol}", file=label,
                  line=i + 1, column=col, expected=f"{ncol} whitespace-separated fields")
        body_no.append(i + 1)
        body.append(fields)
    if not body:
        _fail("no data rows", file=label, line=h + 2, expected="rows of Year, Age and values")
    cells = np.array(body, dtype=object)
    line_no = np.asarray(body_no)

    def bad(mask: np.ndarray, j: int, problem: str, expected: str):
        k = int(np.flatnonzero(mask)[0])
        value = str(cells[k, j])
        value = value if len(value) <= 40 else f"{value[:24]}...{value[-8:]}"
        _fail(problem.format(value=value), file=label, line=int(line_no[k]),
              column=header[j], expected=expected)

    years_s = pd.Series(cells[:, 0].astype(str))
    year_ok = years_s.str.fullmatch(r"[0-9]{4}").to_numpy()
    if not year_ok.all():
        bad(~year_ok, 0, "year {value!r} is not a four-digit year", "a calendar year like 1922")
    years = years_s.astype(int).to_numpy()
    ages_s = pd.Series(cells[:, 1].astype(str))
    age_ok = ages_s.str.fullmatch(r"[0-9]{1,3}\+?").to_numpy()
    if not age_ok.all():
        bad(~age_ok, 1, "age {value!r} is not a whole age", "an age like 0, 45 or 110+")
    is_open = ages_s.str.endswith("+").to_numpy()
    ages = ages_s.str.rstrip("+").astype(int).to_numpy()

    values = {}
    for j in range(2, ncol):
        raw = pd.Series(cells[:, j].astype(str))
        missing = (raw == ".").to_numpy()
        form = raw.str.fullmatch(_NUMBER).to_numpy()
        not_num = ~missing & ~form
        if not_num.any():
            bad(not_num, j, "{value!r} is not a number in the HMD's form", _NUMBER_EXPECTED)
        num = pd.to_numeric(raw.where(~missing), errors="coerce").to_numpy(dtype=float)
        if (num < 0).any():
            bad(num < 0, j, "negative value {value}", "a value >= 0")
        values[header[j]] = num
    if kind == "lifetable":
        j = header.index("qx")
        if (values["qx"] > 1).any():
            bad(values["qx"] > 1, j, "probability qx = {value} is above 1", "0 <= qx <= 1")

    # structure: years in order, ages consecutive from 0, open age last, no duplicates
    dup = pd.DataFrame({"y": years, "a": ages}).duplicated().to_numpy()
    if dup.any():
        bad(dup, 1, "duplicate year-age row (age {value})", "each (Year, Age) once")
    back = np.r_[False, np.diff(years) < 0]
    if back.any():
        bad(back, 0, "year {value} is out of order", "years in increasing order")
    first = np.r_[True, years[1:] != years[:-1]]
    step_ok = np.where(first, ages == 0, np.r_[False, np.diff(ages) == 1])
    if not step_ok.all():
        k = int(np.flatnonzero(~step_ok)[0])
        prev = None if first[k] else int(ages[k - 1])
        problem = (f"year {years[k]} starts at age {ages[k]}" if first[k]
                   else f"gap in ages: {ages[k]} follows {prev}")
        _fail(problem, file=label, line=int(line_no[k]), column="Age",
              expected="consecutive single-year ages from 0 in each year")
    last = np.r_[years[1:] != years[:-1], True]
    open_misplaced = is_open & ~last
    if open_misplaced.any():
        bad(open_misplaced, 1, "open age {value} is not the last age of its year",
            "the open interval (e.g. 110+) last")
    top = ages[last]
    if np.any(top != top[0]):
        k = int(np.flatnonzero(last)[int(np.flatnonzero(top != top[0])[0])])
        _fail(f"year {years[k]} ends at age {ages[k]} but year {years[0]} ends at {top[0]}",
              file=label, line=int(line_no[k]), column="Age",
              expected="the same age range in every year")

    frame = pd.DataFrame({"year": years, "age": ages, "open_interval": is_open & last})
    for col, v in values.items():
        frame[col if col in ("Lx", "Tx") else col.lower()] = v
    frame.attrs = {
        "country": title_population.split(",")[0].strip(),
        "population": title_population,
        "kind": kind,
        "sex": ((m.group("sex") or "").lower() or None) if m else None,
        "last_modified": ((m.group("date") or "").strip() or None) if m else None,
        "protocol": ((m.group("protocol") or "").strip() or None) if m else None,
        "title": m is not None,
        "file": str(label),
        "line": dict(zip(zip(years.tolist(), ages.tolist()), line_no.tolist())),
    }
    return frame


def hmd_surface(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Pivot a tidy HMD frame into an age x year surface of one column."""
    if column not in frame.columns:
        raise DataError(f"no column {column!r}", file=frame.attrs.get("file"), column=column,
                        expected="one of " + ", ".join(map(str, frame.columns[3:])))
    out = frame.pivot(index="age", columns="year", values=column)
    out.columns.name = "year"
    return out


def hmd_rates(deaths: pd.DataFrame, exposures: pd.DataFrame, *, sex: str) -> pd.DataFrame:
    """Central death rates ``D / E`` (age x year) from HMD deaths and exposures.

    Parameters
    ----------
    deaths, exposures
        Frames from :func:`read_hmd` of a ``Deaths_1x1`` and an
        ``Exposures_1x1`` file of the same country, years and ages.
    sex
        ``"female"``, ``"male"`` or ``"total"``.

    Returns
    -------
    pandas.DataFrame
        Rates per person-year, indexed by ``age`` with one column per year;
        ``NaN`` where deaths or exposure are missing, and 0 where both are 0.

    Raises
    ------
    DataError
        Mismatched years/ages, or an exposure of zero (or less) where deaths
        are positive, naming the exposure file, line and column.
    """
    if sex not in ("female", "male", "total"):
        raise DataError(f"unknown sex {sex!r}", column="sex",
                        expected="'female', 'male' or 'total'")
    for f, k in ((deaths, "deaths"), (exposures, "exposures")):
        if f.attrs.get("kind") != k:
            raise DataError(f"expected an HMD {k} file, got {f.attrs.get('kind')!r}",
                            file=f.attrs.get("file"), expected=f"a frame from read_hmd of {k}")
    keys_d = deaths[["year", "age"]].to_numpy()
    keys_e = exposures[["year", "age"]].to_numpy()
    if keys_d.shape != keys_e.shape or np.any(keys_d != keys_e):
        raise DataError("deaths and exposures cover different years or ages",
                        file=exposures.attrs.get("file"), column="Year/Age",
                        expected="the same (Year, Age) rows as the deaths file")
    d = deaths[sex].to_numpy()
    e = exposures[sex].to_numpy()
    bad = (d > 0) & ~(e > 0) & ~np.isnan(e)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        y, a = int(keys_e[k, 0]), int(keys_e[k, 1])
        line = exposures.attrs.get("line", {}).get((y, a))
        raise DataError(f"exposure {e[k]} with {d[k]} deaths (year {y}, age {a})",
                        file=exposures.attrs.get("file"), row=line, column=sex.capitalize(),
                        expected="a positive exposure wherever deaths are positive")
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = np.where((d == 0) & (e == 0), 0.0, d / e)
    tidy = pd.DataFrame({"year": keys_e[:, 0], "age": keys_e[:, 1], "mx": mx})
    out = tidy.pivot(index="age", columns="year", values="mx")
    out.columns.name = "year"
    return out


def hmd_example() -> pd.DataFrame:
    """A real published HMD period life table: United Kingdom, females, 1922.

    The 1922 block of the HMD file ``fltper_1x1.txt`` (last modified
    11 Jul 2020, Methods Protocol v6), shipped in
    ``data/mortality/hmd_gbr_fltper_1922.txt`` (HMD data, CC BY 4.0; see
    ``data/mortality/README.md`` for provenance). Read with :func:`read_hmd`.
    """
    from foresight.data import data_dir

    return read_hmd(data_dir() / "mortality" / "hmd_gbr_fltper_1922.txt",
                    label="data/mortality/hmd_gbr_fltper_1922.txt")


#: The Human Mortality Database files for the United Kingdom that the book ships in
#: ``data/mortality/hmd/<version>/``, unchanged: version -> file -> SHA-256. v2025
#: (last modified 03 Feb 2025) has deaths and exposures 1950-2022; v2018 (28 May 2018)
#: death rates, exposures and the period life tables 1922-2016. Provenance, licence
#: (CC BY 4.0) and citation: ``data/mortality/hmd/README.md``.
HMD_UK_FILES: dict[str, dict[str, str]] = {
    "v2025": {
        "Deaths_1x1.txt": "96fd04047dabe1776bc33d2720b9a5fd43449a5f6258546f680a8b886de77980",
        "Exposures_1x1.txt": "59aae37e7b5fb41cdaf527e313fcf3e8d21ad4edcfb93de5487a4c36b6aeed6f",
    },
    "v2018": {
        "Exposures_1x1.txt": "663b8c98f5dd20cc3821aa446a7a6189b170417daca978e42387e1ea077c9e1a",
        "Mx_1x1.txt": "1526473339a78028b6934a7474ce2e2b39cc001ffeecc45fd62aca92ea9de512",
        "bltper_1x1.txt": "f89c1239e240955e67f0507c48d97bbb5583d38b6f95bdc21f7c44d9f6cbbccc",
        "fltper_1x1.txt": "8710f34db781ce5e143df22107bc86d2075939da1409cae336bc8d83ec354e1b",
        "mltper_1x1.txt": "0f1d552f0329e3045387b143781e1fb83ad623591b7aeef26c5e1f1f5c7e9deb",
    },
}


def hmd_uk(name: str, version: str = "v2025") -> pd.DataFrame:
    """One of the shipped HMD United Kingdom files, checked and read with :func:`read_hmd`.

    Parameters
    ----------
    name
        File name, e.g. ``"Deaths_1x1.txt"``, ``"Exposures_1x1.txt"``,
        ``"Mx_1x1.txt"`` or ``"mltper_1x1.txt"`` (see :data:`HMD_UK_FILES`).
    version
        ``"v2025"`` or ``"v2018"``. The versions differ where the HMD revised
        its series; every result says which it uses and none mixes them.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_hmd`, with ``attrs["version"]`` added.

    Raises
    ------
    DataError
        For an unknown version or file, or a file whose bytes differ from
        the HMD file the book was built with (SHA-256 in :data:`HMD_UK_FILES`).
    """
    import hashlib

    from foresight.data import data_dir
    from foresight.data.files import read_bytes

    if version not in HMD_UK_FILES:
        raise DataError(f"unknown HMD version {version!r}", expected="one of " + ", ".join(HMD_UK_FILES))
    if name not in HMD_UK_FILES[version]:
        raise DataError(f"no file {name!r} in HMD {version}", expected="one of " + ", ".join(HMD_UK_FILES[version]))
    label = f"data/mortality/hmd/{version}/{name}"
    raw = read_bytes(data_dir() / "mortality" / "hmd" / version / name, label=label)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != HMD_UK_FILES[version][name]:
        raise DataError(f"SHA-256 {digest[:16]}... differs from the HMD file the book was built with",
                        file=label, expected=f"the unchanged HMD file ({HMD_UK_FILES[version][name][:16]}...)")
    frame = parse_hmd(raw.decode("utf-8"), label=label)
    frame.attrs["version"] = version
    return frame
