"""Every CSV (and HMD text) reader reads LF, CRLF and lone-CR line ends alike (issue 22).

Spreadsheet programs still write old Mac line ends (a lone carriage return).
For each reader, the book's own file is rewritten with each of the three line
ends and read: the results must be identical, and an error in a lone-CR file
must name the same line as in the LF file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from foresight import DataError
from foresight.data import Column, TableSpec, read_table

from conftest import ROOT

DATA = ROOT / "data"
ENDS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}


def _with_line_ends(text: str, end: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", end)


def _rewrite(src: Path, dst: Path, end: str) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(_with_line_ends(src.read_text(encoding="utf-8"), end).encode("utf-8"))
    return dst


def _same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        assert repr(a) == repr(b)


# --- readers given a path by their caller ----------------------------------------------------

def _path_readers():
    from foresight.mortality import elt_cited_figures, read_hmd
    from foresight.sle import read_survey

    spec = TableSpec(name="generic", columns=(Column("id", "str"), Column("value", "float"),
                                              Column("note", "str", missing_ok=True)), key=("id",))
    return {
        "read_survey": (read_survey, DATA / "sle" / "example_survey.csv"),
        "elt_cited_figures": (elt_cited_figures, DATA / "mortality" / "elt_cited_figures.csv"),
        "read_hmd": (read_hmd, DATA / "mortality" / "hmd_gbr_fltper_1922.txt"),
        "read_table": (lambda p: read_table(p, spec), None),
    }


GENERIC = 'id,value,note\na,1.5,"two\nlines"\nb,2,\nc,-0.25,plain\n'


@pytest.mark.parametrize("name", ["read_survey", "elt_cited_figures", "read_hmd", "read_table"])
@pytest.mark.parametrize("end", ["CRLF", "CR"])
def test_a_reader_given_a_path_reads_every_line_end_alike(name, end, tmp_path):
    reader, seed = _path_readers()[name]
    if seed is None:
        seed = tmp_path / "seed.csv"
        seed.write_text(GENERIC, encoding="utf-8")
    lf = reader(_rewrite(seed, tmp_path / "lf" / seed.name, "\n"))
    other = reader(_rewrite(seed, tmp_path / end / seed.name, ENDS[end]))
    _same(lf, other)


@pytest.mark.parametrize("end", ["LF", "CRLF", "CR"])
def test_an_error_in_a_lone_cr_file_names_the_same_line(end, tmp_path):
    """The survey's 4th line made bad: every line-end style reports line 4."""
    from foresight.sle import read_survey

    lines = (DATA / "sle" / "example_survey.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    age = header.index("age")
    cells[age] = "forty"
    lines[3] = ",".join(cells)
    path = tmp_path / "survey.csv"
    path.write_bytes(ENDS[end].join(lines + [""]).encode("utf-8"))
    with pytest.raises(DataError) as err:
        read_survey(path)
    assert err.value.row == 4 and err.value.column == "age", str(err.value)


@pytest.mark.parametrize("end", ["LF", "CR"])
def test_the_hmd_reader_names_the_same_line_with_lone_cr(end, tmp_path):
    lines = (DATA / "mortality" / "hmd_gbr_fltper_1922.txt").read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if line.strip().startswith("1922") and "  10  " in line)
    lines[bad] = lines[bad].replace("  10  ", "  1O  ", 1)
    path = tmp_path / "hmd.txt"
    path.write_bytes(ENDS[end].join(lines + [""]).encode("utf-8"))
    from foresight.mortality import read_hmd

    with pytest.raises(DataError) as err:
        read_hmd(path)
    assert err.value.row == bad + 1, str(err.value)


# --- readers of the book's own data (found through FORESIGHT_DATA) ----------------------------

def _data_readers():
    from foresight.data import published
    from foresight.mortality.standard import european_standard_population
    from foresight.selection import evidence

    return {
        "published": lambda: published(),
        "european_standard_population": european_standard_population,
        "kuncel2013": evidence.kuncel2013,
        "schmidt_hunter1998": evidence.schmidt_hunter1998,
        "predictor_correlations": evidence.predictor_correlations,
        "taylor_russell_table": evidence.taylor_russell_table,
    }


@pytest.fixture(scope="module")
def lone_cr_data(tmp_path_factory):
    """A copy of data/ with every CSV file rewritten with lone-CR line ends."""
    root = tmp_path_factory.mktemp("cr") / "data"
    shutil.copytree(DATA, root)
    n = 0
    for csv in root.rglob("*.csv"):
        _rewrite(csv, csv, "\r")
        n += 1
    assert n >= 10
    return root


@pytest.mark.parametrize("name", ["published", "european_standard_population", "kuncel2013",
                                  "schmidt_hunter1998", "predictor_correlations",
                                  "taylor_russell_table"])
def test_a_reader_of_the_books_data_reads_lone_cr_files(name, lone_cr_data, monkeypatch):
    reader = _data_readers()[name]
    expected = reader()
    monkeypatch.setenv("FORESIGHT_DATA", str(lone_cr_data))
    got = reader()
    if isinstance(expected, pd.DataFrame):
        # the published loader records each row's file line: it must be the same too
        pd.testing.assert_frame_equal(expected, got)
    else:
        _same(expected, got)
