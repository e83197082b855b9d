"""English Life Tables from pymort: catalogue, metadata, and values against cited figures.

The cited figures live in ``data/mortality/elt_cited_figures.csv``, each with
its reference and location (none is taken from this package's own output):

* ELT No. 1 (1841): life expectancy at birth 40.2 (males) and 42.2 (females)
  and at age 1 46.7 (males), ONS, "How has life expectancy changed over
  time?" (2015).
* ELT No. 3 (1841-50), males: Wehle, "Modern basis of life insurance",
  Popular Science Monthly 19 (1881), p. 630, prints the percentage dying in
  the first year and within 5, 10 and 20 years, and that half have died by
  about age 44½.
* ELT No. 8 (1910-12): the ONS bulletin "English Life Tables No. 17: 2010 to
  2012" (2015), main points: life expectancy at birth 51 (males) and 55
  (females), rounded to whole years.

No citable figure for the life expectancy at birth of ELT No. 3 or No. 16 was
reachable from this project (see the chapter and the closing note of the
issue), so those two values are checked only for plausibility.
"""

import numpy as np
import pytest

import foresight.mortality as fm
from foresight import DataError

from conftest import bib_keys


@pytest.fixture(scope="module")
def elt():
    return fm.elt_life_tables()


def test_catalogue_covers_elt_1_to_16_without_9():
    cat = fm.elt_tables()
    assert sorted(cat["elt"].unique()) == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]
    assert (cat.groupby("elt")["sex"].apply(sorted) == [["female", "male"]] * 15).all()
    row10 = cat[cat["elt"] == 10].iloc[0]
    assert (row10["min_age"], row10["max_age"]) == (5, 90)
    assert cat["table_id"].is_unique


def test_read_soa_table_metadata():
    s = fm.read_soa_table(1602)
    assert s.index.name == "age"
    assert s.attrs["table_id"] == 1602
    assert s.attrs["sex"] == "male"
    assert s.attrs["age_basis"] == "age nearest birthday"
    assert s.attrs["period"] == "1841-50"
    assert "Farr" in s.attrs["reference"]
    assert s.loc[0] == pytest.approx(0.16359)


def test_read_soa_table_dutch_and_lx_tables():
    gbm = fm.read_soa_table(968)  # observed Dutch GBM 1989-93, ages 50-89
    assert gbm.attrs["sex"] == "male" and gbm.attrs["population"] == "Netherlands"
    assert (gbm.index.min(), gbm.index.max()) == (50, 89)
    gbv = fm.read_soa_table(969)
    assert gbv.attrs["sex"] == "female"
    # an lx table is converted: ELT 1 males lx (2755) gives the SOA's own qx version (2757)
    lx_version = fm.read_soa_table(2755)
    assert lx_version.attrs["converted_from"] == "lx"
    qx_version = fm.read_soa_table(2757)
    np.testing.assert_allclose(lx_version.to_numpy()[:-1], qx_version.to_numpy()[:-1], atol=2e-5)


def test_read_soa_table_errors():
    with pytest.raises(DataError, match="no SOA table with id 999999"):
        fm.read_soa_table(999999)
    with pytest.raises(DataError, match="t2921.xml"):  # Scottish 1861-70: grouped ages
        fm.read_soa_table(2921)


CITED = fm.elt_cited_figures()


@pytest.mark.parametrize("figure_id", list(CITED.index))
def test_elt_agrees_with_cited_figure(figure_id):
    check = fm.elt_cited_checks(CITED.loc[[figure_id]]).loc[figure_id]
    assert check["verdict"] == "agrees", check.to_dict()
    assert abs(check["difference"]) <= check["tolerance"]


def test_cited_checks_fail_when_a_figure_is_off():
    figures = CITED.copy()
    figures.loc["elt1_e0_male", "value"] += 0.2
    figures.loc["elt3_dead_by_5_male", "value"] -= 0.05
    checks = fm.elt_cited_checks(figures)
    assert checks.loc["elt1_e0_male", "verdict"] == "differs"
    assert checks.loc["elt3_dead_by_5_male", "verdict"] == "differs"
    assert (checks.drop(["elt1_e0_male", "elt3_dead_by_5_male"])["verdict"] == "agrees").all()


def test_cited_figures_name_references_in_the_bibliography():
    assert set(CITED["reference"]) <= bib_keys()
    assert CITED["location"].str.len().min() > 5


def test_cited_tolerance_defaults_to_printed_rounding():
    checks = fm.elt_cited_checks(CITED)
    assert checks.loc["elt1_e0_male", "tolerance"] == pytest.approx(0.05)
    assert checks.loc["elt8_e0_female", "tolerance"] == pytest.approx(0.5)
    assert checks.loc["elt3_dead_by_1_male", "tolerance"] == pytest.approx(0.02)


HEADER = ("id,elt,sex,measure,age,value,unit,decimals,qualifier,tolerance,tolerance_basis,"
          "reference,source,location,note\n")


@pytest.mark.parametrize("row, column, message", [
    ("a,3,male,ex,,39.9,years,1,exact,,,k,S,p. 1,\n", "age", "needs an age"),
    ("a,3,male,median,5,44,years,0,exact,,,k,S,p. 1,\n", "age", "takes no age"),
    ("a,3,male,e0,0,39.9,years,1,exact,,,k,S,p. 1,\n", "measure", "measure"),
    ("a,3,boys,ex,0,39.9,years,1,exact,,,k,S,p. 1,\n", "sex", "sex"),
    ("a,3,male,ex,0,forty,years,1,exact,,,k,S,p. 1,\n", "value", "forty"),
    ("a,3,male,ex,0,39.9,years,1,roughly,,,k,S,p. 1,\n", "qualifier", "qualifier"),
    ("a,3,male,ex,0,39.9,years,1,exact,-1,why,k,S,p. 1,\n", "tolerance", "tolerance"),
    ("a,3,male,ex,0,39.9,years,1,exact,0.5,,k,S,p. 1,\n", "tolerance_basis", "without its reason"),
])
def test_cited_figures_reject_malformed_rows(tmp_path, row, column, message):
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(DataError, match=message) as err:
        fm.elt_cited_figures(path)
    assert err.value.file == str(path) and err.value.row == 2 and err.value.column == column


def test_cited_figures_reject_missing_column(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(HEADER.replace(",tolerance,", ",") + "a,3,male,ex,0,39.9,years,1,exact,,k,S,p,\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match="tolerance"):
        fm.elt_cited_figures(path)


@pytest.mark.parametrize("row, column, message", [
    ("a,9,male,ex,0,55,years,0,exact,,,k,S,p. 1,\n", "elt", "no life table for ELT 9"),
    ("a,17,male,ex,0,79,years,0,exact,,,k,S,p. 1,\n", "elt", "no life table for ELT 17"),
    ("a,10,female,ex,0,60,years,0,exact,,,k,S,p. 1,\n", "elt", "no life table for ELT 10"),
    ("a,3,male,ex,110,1,years,0,exact,,,k,S,p. 1,\n", "age", "ELT 3 has no age 110"),
])
def test_cited_checks_reject_figures_the_tables_cannot_answer(tmp_path, row, column, message):
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "b,1,male,ex,0,40.2,years,1,exact,,,k,S,p. 1,\n" + row,
                    encoding="utf-8")
    figures = fm.elt_cited_figures(path)
    with pytest.raises(DataError, match=message) as err:
        fm.elt_cited_checks(figures)
    assert err.value.file == str(path) and err.value.row == 3 and err.value.column == column
    with pytest.raises(DataError, match=message) as err:  # a subset keeps the file's lines
        fm.elt_cited_checks(figures.loc[["a"]])
    assert err.value.file == str(path) and err.value.row == 3 and err.value.column == column


def test_elt_e0_plausible_and_rising(elt):
    e0 = fm.life_expectancy(elt, 0).unstack()
    # ELT 3 and 16: no citable published value reachable; check range and order only
    assert 35 < e0.loc[3, "male"] < 45 and 35 < e0.loc[3, "female"] < 45
    assert 74 < e0.loc[16, "male"] < 78 and 79 < e0.loc[16, "female"] < 83
    assert (e0["female"] > e0["male"]).all()
    assert e0.loc[[8, 11, 12, 13, 14, 15, 16], "male"].is_monotonic_increasing


def test_elt_life_tables_close_each_table_at_its_own_last_age(elt):
    cat = fm.elt_tables().set_index(["elt", "sex"])
    for j, key in enumerate(elt.labels):
        assert elt.ages[elt.omega[j]] == cat.loc[key, "max_age"]
