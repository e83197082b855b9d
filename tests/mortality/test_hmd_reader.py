"""HMD 1x1 reader: a real published table reproduced, and malformed files named precisely.

``data/mortality/hmd_gbr_fltper_1922.txt`` is the 1922 block of the Human
Mortality Database period life table for United Kingdom females
(``fltper_1x1.txt``, last modified 11 Jul 2020, Methods Protocol v6), copied
verbatim from the public copy committed to the GitHub repository
Anis-Bouaziz/Lee-Carter-R-shiny (commit dcdce028). HMD data are distributed by
the HMD (www.mortality.org) under CC BY 4.0; cite: Human Mortality Database,
University of California, Berkeley (USA), and Max Planck Institute for
Demographic Research (Germany).

All malformed fixtures are generated here in HMD layout.
"""

from pathlib import Path

import numpy as np
import pytest

import foresight.mortality as fm
from foresight import DataError

HERE = Path(__file__).parent
REAL = HERE.parents[1] / "data" / "mortality" / "hmd_gbr_fltper_1922.txt"

TITLE_D = "Exland, Deaths (period 1x1)  \tLast modified: 01 Jan 2024;  Methods Protocol: v6 (2017)"
TITLE_E = "Exland, Exposure to risk (period 1x1)  \tLast modified: 01 Jan 2024;  Methods Protocol: v6 (2017)"
HEAD = "  Year          Age             Female            Male           Total"


def hmd_text(title=TITLE_D, header=HEAD, years=(2000, 2001), top=5, value=None, rows=None):
    """An HMD-style file: ages 0..top-1 and top+ for each year."""
    lines = [title, "", header]
    if rows is None:
        rows = []
        for y in years:
            for a in range(top + 1):
                age = f"{a}+" if a == top else str(a)
                f = 10.0 + a if value is None else value
                rows.append(f"  {y}   {age:>10}   {f:>16.2f}   {f + 1:>13.2f}   {2 * f + 1:>13.2f}")
    return "\n".join(lines + rows) + "\n"


def write(tmp_path, text, name="Deaths_1x1.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------ the real table
def test_real_table_is_read():
    f = fm.hmd_example()
    assert f.attrs["file"] == "data/mortality/hmd_gbr_fltper_1922.txt"
    f = fm.read_hmd(REAL)
    assert f.attrs["country"] == "United Kingdom"
    assert f.attrs["kind"] == "lifetable"
    assert f.attrs["sex"] == "females"
    assert f.attrs["protocol"] == "v6 (2017)"
    assert len(f) == 111
    assert f["age"].iloc[-1] == 110 and bool(f["open_interval"].iloc[-1])
    assert f.loc[f["age"] == 0, "ex"].item() == 58.85


def test_engine_reproduces_published_hmd_table():
    """Acceptance: ex within 0.02 years at every age, from the table's own mx."""
    f = fm.read_hmd(REAL)
    lt = fm.period_life_table(f.set_index("age")["mx"], sex="female")
    assert np.max(np.abs(lt["ex"].to_numpy() - f["ex"].to_numpy())) < 0.02
    # qx and ax (rounded to 5 and 2 decimals in the file)
    assert np.max(np.abs(lt["qx"].to_numpy() - f["qx"].to_numpy())) < 1e-4
    assert np.max(np.abs(lt["ax"].to_numpy() - f["ax"].to_numpy())) < 0.006
    # lx, dx, Lx, Tx printed as integers
    # (the file's mx has 5 decimals, so survivors drift by a few persons per 100,000)
    for col in ("lx", "dx", "Lx"):
        assert np.max(np.abs(lt[col].to_numpy() - f[col].to_numpy())) < 5
    assert np.max(np.abs(lt["Tx"].to_numpy() - f["Tx"].to_numpy())) < 50


def test_deaths_and_exposures_to_rates(tmp_path):
    d = fm.read_hmd(write(tmp_path, hmd_text(), "Deaths_1x1.txt"))
    e = fm.read_hmd(write(tmp_path, hmd_text(title=TITLE_E, value=1000.0), "Exposures_1x1.txt"))
    mx = fm.hmd_rates(d, e, sex="female")
    assert mx.shape == (6, 2)
    assert mx.loc[3, 2001] == pytest.approx(13.0 / 1000.0)
    assert list(mx.columns) == [2000, 2001]
    surf = fm.hmd_surface(d, "male")
    assert surf.loc[5, 2000] == pytest.approx(16.0)


def test_missing_values_become_nan(tmp_path):
    text = replace_line(hmd_text(), 9, row(2000, "5+", f=".", m="16.00", t="."))
    f = fm.read_hmd(write(tmp_path, text))
    assert f["female"].isna().sum() == 1 and f["total"].isna().sum() == 1
    assert np.isnan(f.loc[(f["year"] == 2000) & (f["age"] == 5), "female"].item())


# ------------------------------------------------------------ malformed files
def replace_line(text, lineno, new):
    lines = text.split("\n")
    lines[lineno - 1] = new
    return "\n".join(lines)


def delete_line(text, lineno):
    lines = text.split("\n")
    del lines[lineno - 1]
    return "\n".join(lines)


def row(y, a, f="1.00", m="2.00", t="3.00"):
    return f"  {y}   {a:>10}   {f:>16}   {m:>13}   {t:>13}"


MALFORMED = [
    # (name, text transform, expected line, expected column, message fragment)
    ("empty file", lambda t: "", None, None, "empty"),
    ("wrong title", lambda t: replace_line(t, 1, "Year Age Female Male Total"), 1, None,
     "title"),
    ("unknown series", lambda t: replace_line(t, 1, "Exland, Births (period 1x1)"), 1, None,
     "unknown HMD series"),
    ("missing column", lambda t: replace_line(t, 3, "  Year   Age   Female   Male"), 3, "Total",
     "missing column"),
    ("extra column", lambda t: replace_line(t, 3, HEAD + "   Other"), 3, "Other",
     "unexpected column"),
    ("short row", lambda t: replace_line(t, 6, "  2000   2   12.00   13.00"), 6, "Total",
     "fields"),
    ("text in a number", lambda t: replace_line(t, 7, row(2000, 3, m="abc")), 7, "Male",
     "not a number"),
    ("negative deaths", lambda t: replace_line(t, 8, row(2000, 4, f="-3.00")), 8, "Female",
     "negative"),
    ("duplicate year-age", lambda t: replace_line(t, 6, row(2000, 1)), 6, "Age",
     "duplicate"),
    ("gap in ages", lambda t: delete_line(t, 7), 7, "Age", "gap in ages: 4 follows 2"),
    ("bad age", lambda t: replace_line(t, 5, row(2000, "1.5")), 5, "Age", "whole age"),
    ("bad year", lambda t: replace_line(t, 5, row("20x0", 1)), 5, "Year", "year"),
    ("open age not last", lambda t: replace_line(t, 6, row(2000, "2+")), 6, "Age",
     "open age"),
    ("year starts above 0", lambda t: delete_line(t, 10), 10, "Age",
     "starts at age 1"),
    ("years out of order", lambda t: t.rstrip("\n") + "\n" + row(1999, 0) + "\n", 16, "Year",
     "out of order"),
    ("different age range", lambda t: "\n".join(t.split("\n")[:-2]) + "\n", 14, "Age",
     "ends at age 4"),
    ("cohort file", lambda t: replace_line(t, 1, "Exland, Deaths (cohort 1x1)"), 1, None,
     "cohort"),
    ("no data rows", lambda t: "\n".join(t.split("\n")[:3]) + "\n", 4, None, "no data rows"),
]


@pytest.mark.parametrize("name,transform,line,column,fragment", MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_malformed_file_names_file_line_column(tmp_path, name, transform, line, column, fragment):
    p = write(tmp_path, transform(hmd_text()))
    with pytest.raises(DataError) as info:
        fm.read_hmd(p)
    msg = str(info.value)
    assert "Deaths_1x1.txt" in msg
    assert fragment in msg
    if line is not None:
        assert f"line {line}" in msg
    if column is not None:
        assert f"column {column}" in msg


def test_life_table_qx_above_one(tmp_path):
    lines = REAL.read_text(encoding="utf-8").split("\n")
    lines[4] = lines[4].replace("0.02467", "1.02467")
    p = write(tmp_path, "\n".join(lines), "fltper_1x1.txt")
    with pytest.raises(DataError, match=r"fltper_1x1.txt, line 5, column qx: .*above 1"):
        fm.read_hmd(p)


def test_life_table_title_without_sex(tmp_path):
    lines = REAL.read_text(encoding="utf-8").split("\n")
    lines[0] = "United Kingdom, Life tables (period 1x1)\tLast modified: 11 Jul 2020"
    p = write(tmp_path, "\n".join(lines), "fltper_1x1.txt")
    with pytest.raises(DataError, match="line 1.*sex"):
        fm.read_hmd(p)


def test_not_utf8(tmp_path):
    p = tmp_path / "Deaths_1x1.txt"
    p.write_bytes(b"Exland, Deaths (period 1x1)\n\xff\xfe")
    with pytest.raises(DataError, match="UTF-8"):
        fm.read_hmd(p)


def test_zero_exposure_with_deaths(tmp_path):
    d = fm.read_hmd(write(tmp_path, hmd_text(), "Deaths_1x1.txt"))
    etext = replace_line(hmd_text(title=TITLE_E, value=1000.0), 12,
                         row(2001, 2, f="0.00", m="1001.00", t="1001.00"))
    e = fm.read_hmd(write(tmp_path, etext, "Exposures_1x1.txt"))
    with pytest.raises(DataError) as info:
        fm.hmd_rates(d, e, sex="female")
    msg = str(info.value)
    assert "Exposures_1x1.txt" in msg and "line 12" in msg and "column Female" in msg


def test_rates_need_matching_files(tmp_path):
    d = fm.read_hmd(write(tmp_path, hmd_text(), "Deaths_1x1.txt"))
    e = fm.read_hmd(write(tmp_path, hmd_text(title=TITLE_E, years=(2000,)), "Exposures_1x1.txt"))
    with pytest.raises(DataError, match="different years"):
        fm.hmd_rates(d, e, sex="male")
    with pytest.raises(DataError, match="exposures"):
        fm.hmd_rates(d, d, sex="male")


# ------------------------------------------------------------ every title line the HMD writes
#: The title lines of the twelve populations shipped in data/mortality/hmd/ and of the UK files,
#: copied from the files (tab and double space as written): (title, country, population, kind).
REAL_TITLES = [
    ("Canada, Deaths (period 1x1), \tLast modified: 13 Dec 2022;  Methods Protocol: v6 (2017)",
     "Canada", "Canada", "deaths"),
    ("West Germany, Exposure to risk (period 1x1), \tLast modified: 17 Dec 2018;  Methods Protocol: "
     "v6 (2017)", "West Germany", "West Germany", "exposures"),
    ("Spain, Deaths (period 1x1), \tLast modified: 12 Sep 2020;  Methods Protocol: v6 (2017)",
     "Spain", "Spain", "deaths"),
    ("France, Civilian Population, Deaths (period 1x1), \tLast modified: 29 Aug 2020;  Methods "
     "Protocol: v6 (2017)", "France", "France, Civilian Population", "deaths"),
    ("England and Wales, Civilian National Population, Exposure to risk (period 1x1), \tLast "
     "modified: 10 Jul 2020;  Methods Protocol: v6 (2017)", "England and Wales",
     "England and Wales, Civilian National Population", "exposures"),
    ("Italy , Deaths (period 1x1), \tLast modified: 19 Feb 2020;  Methods Protocol: v6 (2017)",
     "Italy", "Italy", "deaths"),
    ("Netherlands, Exposure to risk (period 1x1), \tLast modified: 31 Mar 2021;  Methods Protocol: "
     "v6 (2017)", "Netherlands", "Netherlands", "exposures"),
    ("Norway, Deaths (period 1x1), \tLast modified: 21 Nov 2019;  Methods Protocol: v6 (2017)",
     "Norway", "Norway", "deaths"),
    ("Portugal, Exposure to risk (period 1x1), \tLast modified: 26 Sep 2017;  Methods Protocol: "
     "v6 (2017)", "Portugal", "Portugal", "exposures"),
    ("Sweden, Deaths (period 1x1), \tLast modified: 29 Oct 2020;  Methods Protocol: v6 (2017)",
     "Sweden", "Sweden", "deaths"),
    ("The United States of America, Deaths (period 1x1), \tLast modified: 17 Mar 2021;  Methods "
     "Protocol: v6 (2017)", "The United States of America", "The United States of America", "deaths"),
    ("United Kingdom, Deaths (period 1x1), \tLast modified: 03 Feb 2025;  Methods Protocol: v6 (2017)",
     "United Kingdom", "United Kingdom", "deaths"),
]


@pytest.mark.parametrize("title, country, population, kind", REAL_TITLES,
                         ids=[t[1] for t in REAL_TITLES])
def test_every_title_line_the_hmd_writes_is_read(tmp_path, title, country, population, kind):
    name = "Deaths_1x1.txt" if kind == "deaths" else "Exposures_1x1.txt"
    f = fm.read_hmd(write(tmp_path, hmd_text(title=title), name))
    assert (f.attrs["country"], f.attrs["population"], f.attrs["kind"]) == (country, population, kind)
    assert f.attrs["title"] is True and f.attrs["protocol"] == "v6 (2017)"
    assert f.attrs["last_modified"] == title.split("Last modified: ")[1].split(";")[0]
    # a caller who names the population (its first part or the whole) gets the same frame
    for named in (country, population, f"  {country.upper()} "):
        g = fm.read_hmd(write(tmp_path, hmd_text(title=title), name), population=named)
        assert g.equals(f) and g.attrs["population"] == population


def test_title_with_crlf_line_ends_is_read(tmp_path):
    """The United States files end their lines with CR LF."""
    p = tmp_path / "Deaths_1x1.txt"
    p.write_bytes(hmd_text(title=REAL_TITLES[10][0]).replace("\n", "\r\n").encode())
    f = fm.read_hmd(p)
    assert f.attrs["country"] == "The United States of America" and len(f) == 12


def untitled(text: str) -> str:
    """The file as the public copy of the Hungarian files has it: the title and blank line dropped."""
    return "\n".join(text.split("\n")[2:])


def test_a_file_without_its_title_line_is_refused_unless_the_population_is_named(tmp_path):
    p = write(tmp_path, untitled(hmd_text()), "Deaths_1x1.txt")
    with pytest.raises(DataError) as info:
        fm.read_hmd(p)
    msg = str(info.value)
    assert "Deaths_1x1.txt, line 1" in msg and "no HMD title line" in msg
    assert "population='Hungary'" in msg and "--population" in msg  # the error says how
    f = fm.read_hmd(p, population="Hungary")
    assert (f.attrs["country"], f.attrs["kind"], f.attrs["title"]) == ("Hungary", "deaths", False)
    assert f.attrs["last_modified"] is None and f.attrs["protocol"] is None
    # the values are those of the titled file, and errors still name the file's own lines
    (tmp_path / "titled").mkdir()
    titled = fm.read_hmd(write(tmp_path / "titled", hmd_text(), "Deaths_1x1.txt"))
    assert np.array_equal(f[["year", "age", "female", "male", "total"]].to_numpy(),
                          titled[["year", "age", "female", "male", "total"]].to_numpy())
    bad = replace_line(untitled(hmd_text()), 5, row(2000, 3, m="abc"))
    with pytest.raises(DataError, match=r"line 5, column Male"):
        fm.read_hmd(write(tmp_path, bad, "Deaths_1x1.txt"), population="Hungary")


def test_an_untitled_file_takes_its_series_from_the_hmd_file_name_or_the_caller(tmp_path):
    e = fm.read_hmd(write(tmp_path, untitled(hmd_text(value=1000.0)), "Exposures_1x1.txt"),
                    population="Hungary")
    assert e.attrs["kind"] == "exposures"
    odd = write(tmp_path, untitled(hmd_text()), "hungary-deaths.txt")
    with pytest.raises(DataError, match="does not say what it holds"):
        fm.read_hmd(odd, population="Hungary")
    assert fm.read_hmd(odd, population="Hungary", series="deaths").attrs["kind"] == "deaths"
    with pytest.raises(DataError, match="unknown series"):
        fm.read_hmd(odd, population="Hungary", series="births")


def test_a_named_population_that_the_title_contradicts_is_refused(tmp_path):
    p = write(tmp_path, hmd_text(title=REAL_TITLES[3][0]), "Deaths_1x1.txt")
    with pytest.raises(DataError, match=r"line 1: the title names 'France, Civilian Population', not 'Spain'"):
        fm.read_hmd(p, population="Spain")
    with pytest.raises(DataError, match="population named is empty"):
        fm.read_hmd(p, population="  ")
