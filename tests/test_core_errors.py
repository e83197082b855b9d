import pickle

import pytest

from foresight import DataError


def test_message_names_file_line_column_and_expectation():
    err = DataError("value 140 is out of range", file="survey.csv", row=7,
                    column="ssp_80", expected="an integer from 0 to 100")
    assert str(err) == ("survey.csv, line 7, column ssp_80: value 140 is out of range "
                        "(expected an integer from 0 to 100)")


def test_row_label_and_partial_location():
    assert str(DataError("bad", row=3, row_label="entry")) == "entry 3: bad"
    assert str(DataError("bad")) == "bad"
    assert str(DataError("bad", column="x")) == "column x: bad"


def test_is_a_value_error_and_pickles():
    err = DataError("bad", file="f.csv", row=2, column="c", expected="e")
    assert isinstance(err, ValueError)
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.column == "c"


def test_raised_and_caught_as_value_error():
    with pytest.raises(ValueError, match="line 2"):
        raise DataError("x", file="a", row=2)
