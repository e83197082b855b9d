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
