"""The survey loader: a valid file round-trips; malformed files name line and column."""

import re

import pandas as pd
import pytest

from foresight import DataError
from foresight.sle import parse_survey, read_survey, synthetic_cohort, write_survey
from foresight.sle.survey import SURVEY_SPEC

HEADER = ",".join(c.name for c in SURVEY_SPEC.columns)
GOOD = "R1,40,female,middle,high,together,1,0,0,never,75-85,25.5,85,95,90,80,50,10"
GOOD2 = "R2,33,male,low,low,alone,0,1,1,daily,<75,31,75,90,70,40,20,5"


def _file(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_valid_file_types_and_missing_kept():
    text = _file(GOOD, GOOD2.replace(",75,90,70", ",,90,70"))
    df = parse_survey(text, label="s.csv")
    assert list(df["id"]) == ["R1", "R2"]
    assert str(df["age"].dtype) == "Int64"
    assert df.loc[0, "ssp_100"] == 10
    assert pd.isna(df.loc[1, "sle"])  # missing answer kept, not guessed
    assert bool(df.loc[1, "chronic_disease"]) is True
    assert list(df["education"].cat.categories) == ["low", "middle", "high"]


def test_round_trip_through_csv(tmp_path):
    df = synthetic_cohort(n=120, seed=3)
    path = tmp_path / "survey.csv"
    write_survey(df, path)
    back = read_survey(path)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert back["ssp_60"].isna().sum() == df["ssp_60"].isna().sum() > 0


def _replace(row: str, column: str, value: str) -> str:
    cells = row.split(",")
    cells[[c.name for c in SURVEY_SPEC.columns].index(column)] = value
    return ",".join(cells)


MALFORMED = [
    # (description, text, line, column or None, fragment of the problem)
    ("age not a number", _file(GOOD, _replace(GOOD2, "age", "thirty")), 3, "age", "not a number"),
    ("age fractional", _file(_replace(GOOD, "age", "40.5")), 2, "age", "whole number"),
    ("SLE above 120", _file(GOOD, _replace(GOOD2, "sle", "130")), 3, "sle", "above the maximum"),
    ("SSP negative", _file(_replace(GOOD, "ssp_80", "-5")), 2, "ssp_80", "below the minimum"),
    ("SSP above 100", _file(GOOD, _replace(GOOD2, "ssp_60", "101")), 3, "ssp_60", "above"),
    ("SSP fractional", _file(_replace(GOOD, "ssp_70", "50.5")), 2, "ssp_70", "whole number"),
    ("unknown education", _file(_replace(GOOD, "education", "medium")), 2, "education", "category"),
    ("unknown smoking", _file(GOOD, _replace(GOOD2, "smoking", "sometimes")), 3, "smoking", "category"),
    ("kin age typed 85+", _file(_replace(GOOD, "kin_age_at_death", "85+")), 2, "kin_age_at_death", "category"),
    ("yes/no garbage", _file(_replace(GOOD, "employed", "maybe")), 2, "employed", "yes/no"),
    ("negative minutes", _file(_replace(GOOD, "completion_minutes", "-3")), 2, "completion_minutes", "below"),
    ("duplicate id", _file(GOOD, GOOD2.replace("R2", "R1")), 3, "id", "duplicate"),
    ("missing age", _file(_replace(GOOD, "age", "")), 2, "age", "missing value"),
    ("missing id", _file(_replace(GOOD, "id", "")), 2, "id", "missing value"),
]


@pytest.mark.parametrize("desc, text, line, column, fragment", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_cell_names_line_and_column(desc, text, line, column, fragment):
    with pytest.raises(DataError) as info:
        parse_survey(text, label="survey.csv")
    msg = str(info.value)
    assert msg.startswith(f"survey.csv, line {line}, column {column}:"), msg
    assert fragment in msg
    assert info.value.row == line and info.value.column == column


def test_missing_column_named():
    text = HEADER.replace(",ssp_90", "") + "\n" + GOOD.rsplit(",", 2)[0] + ",10\n"
    with pytest.raises(DataError, match=re.escape("survey.csv, line 1: missing column 'ssp_90'")):
        parse_survey(text, label="survey.csv")


def test_unknown_column_named():
    text = HEADER + ",extra\n" + GOOD + ",1\n"
    with pytest.raises(DataError, match="line 1, column extra: unexpected column"):
        parse_survey(text, label="survey.csv")


def test_ragged_row_named():
    with pytest.raises(DataError, match="survey.csv, line 3: row has 17 fields"):
        parse_survey(_file(GOOD, GOOD2.rsplit(",", 1)[0]), label="survey.csv")


def test_empty_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="the file is empty"):
        parse_survey("", label="survey.csv")
    with pytest.raises(DataError, match="file not found"):
        read_survey(tmp_path / "nope.csv")


def test_blank_line_inside_named():
    with pytest.raises(DataError, match="line 3: blank line"):
        parse_survey(HEADER + "\n" + GOOD + "\n\n" + GOOD2 + "\n", label="survey.csv")
