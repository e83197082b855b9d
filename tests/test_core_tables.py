"""foresight.data.read_table: every malformed input names file, line and column."""

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from foresight import DataError
from foresight.data import Column, TableSpec, parse_table, read_table

SPEC = TableSpec(
    columns=(
        Column("id", "int", minimum=1),
        Column("sex", "category", categories=("male", "female")),
        Column("p", "int", minimum=0, maximum=100, missing_ok=True),
        Column("rate", "float", minimum=0),
        Column("smoker", "bool", missing_ok=True),
    ),
    key=("id",),
)
GOOD = "id,sex,p,rate,smoker\n1,male,50,0.01,yes\n2,female,,0.02,0\n"


def test_good_table_is_typed():
    t = parse_table(GOOD, SPEC, label="t.csv")
    assert list(t.columns) == ["id", "sex", "p", "rate", "smoker"]
    assert t["id"].tolist() == [1, 2]
    assert t["sex"].cat.categories.tolist() == ["male", "female"]
    assert t["p"].isna().tolist() == [False, True]  # missing kept, not imputed
    assert t["rate"].dtype == "float64" and math.isclose(t["rate"][1], 0.02)
    assert t["smoker"].tolist() == [True, False]


@pytest.mark.parametrize(
    "text, line, column, fragment",
    [
        ("id,sex,p,rate,smoker\n1,male,140,0.01,yes\n", 2, "p", "above the maximum"),
        ("id,sex,p,rate,smoker\n1,male,50,-0.5,yes\n", 2, "rate", "below the minimum"),
        ("id,sex,p,rate,smoker\n1,male,abc,0.1,yes\n", 2, "p", "not a number"),
        ("id,sex,p,rate,smoker\n1,male,5.5,0.1,yes\n", 2, "p", "not a whole number"),
        ("id,sex,p,rate,smoker\n1,man,5,0.1,yes\n", 2, "sex", "not an allowed category"),
        ("id,sex,p,rate,smoker\n1,male,5,,yes\n", 2, "rate", "missing value"),
        ("id,sex,p,rate,smoker\n1,male,5,0.1,maybe\n", 2, "smoker", "yes/no"),
        ("id,sex,p,rate,smoker\n1,male,5,0.1,1\n1,female,5,0.1,1\n", 3, "id", "duplicate key"),
        ("id,sex,p,rate,smoker\n1,male,5,inf,1\n", 2, "rate", "not a finite number"),
    ],
)
def test_bad_cells(text, line, column, fragment):
    with pytest.raises(DataError) as info:
        parse_table(text, SPEC, label="survey.csv")
    msg = str(info.value)
    assert msg.startswith(f"survey.csv, line {line}, column {column}:")
    assert fragment in msg
    assert "(expected" in msg


@pytest.mark.parametrize(
    "text, fragment, line",
    [
        ("id,sex,rate,smoker\n1,male,0.1,1\n", "missing column 'p'", 1),
        ("id,sex,p,rate,smoker,extra\n1,male,1,0.1,1,x\n", "unexpected column 'extra'", 1),
        ("id,sex,p,rate,smoker\n1,male,1,0.1\n", "row has 4 fields", 2),
        ("id,sex,p,rate,smoker\n1,male,1,0.1,1\n\n2,male,1,0.1,1\n", "blank line", 3),
        ("", "the file is empty", None),
        ("id,id,p,rate,smoker\n", "duplicate column header", 1),
        ('id,sex,p,rate,smoker\n1,"male,1,0.1,1\n', "malformed CSV", None),
    ],
)
def test_bad_structure(text, fragment, line):
    with pytest.raises(DataError) as info:
        parse_table(text, SPEC, label="f.csv")
    msg = str(info.value)
    assert msg.startswith("f.csv")
    assert fragment in msg
    if line is not None:
        assert f"line {line}" in msg


def test_file_errors(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "nope.csv", SPEC)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("id,sex\n1,m\xe4n\n".encode("latin-1"))
    with pytest.raises(DataError, match="not valid UTF-8"):
        read_table(bad, SPEC)


def test_bom_and_trailing_blank_lines_are_fine(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_text("\ufeff" + GOOD + "\n\n", encoding="utf-8")
    assert len(read_table(f, SPEC)) == 2


@given(st.lists(st.integers(0, 100), min_size=1, max_size=30))
def test_round_trip_of_valid_integers(values):
    rows = "\n".join(f"{i + 1},female,{v},0.5,no" for i, v in enumerate(values))
    t = parse_table("id,sex,p,rate,smoker\n" + rows + "\n", SPEC)
    assert t["p"].tolist() == values
    assert isinstance(t, pd.DataFrame)


def test_read_text_file_and_parse_yaml_name_the_problem(tmp_path):
    from foresight.data import parse_yaml, read_text_file

    with pytest.raises(DataError, match=r"^missing\.txt: file not found"):
        read_text_file(tmp_path / "missing.txt", label="missing.txt")
    with pytest.raises(DataError, match="is a directory"):
        read_text_file(tmp_path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=r"not valid UTF-8 text .* at byte 3"):
        read_text_file(bad)
    assert parse_yaml("a: [1, 2]\n", "ok.yaml") == {"a": [1, 2]}
    with pytest.raises(DataError, match=r"^bad\.yaml, line 2, column 5: malformed YAML"):
        parse_yaml("a: 1\nb: c: d\n", "bad.yaml")  # mapping values not allowed on line 2
    with pytest.raises(DataError, match="malformed YAML"):
        parse_yaml("!!python/object:os.system ls\n", "unsafe.yaml")  # safe_load refuses objects
