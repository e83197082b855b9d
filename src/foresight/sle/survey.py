"""The survey file: one row per respondent, validated on reading.

The format follows Rappange, van Exel & Brouwer (2017): a subjective life
expectancy (SLE) point estimate ("What age do you expect to reach
yourself?", an integer 0-120) and subjective survival probabilities (SSP,
"What are the chances that you will live to be age T or more?", integers
0-100) for target ages 60, 70, 80, 90 and 100, with the background
characteristics the paper's Table 1 describes.

Missing answers are allowed (an empty cell or ``NA``) and kept as missing;
nothing is imputed. Which analyses drop them is decided explicitly by the
exclusion cascade (:mod:`foresight.sle.cascade`) and the models (listwise).
"""

from __future__ import annotations

import io
from os import PathLike

import numpy as np
import pandas as pd

from foresight.data import Column, TableSpec, parse_table, read_table

#: Target ages of the SSP questions, in years.
TARGET_AGES: tuple[int, ...] = (60, 70, 80, 90, 100)
#: Column names of the SSP answers, in target-age order.
SSP_COLUMNS: tuple[str, ...] = tuple(f"ssp_{a}" for a in TARGET_AGES)
#: Longest completion time accepted, in minutes (one week): a questionnaire left open
#: longer is a recording error, and a value like 1e308 would overflow every mean.
MAX_MINUTES: float = 10_080.0

SURVEY_SPEC = TableSpec(
    name="subjective life expectancy survey",
    columns=(
        Column("id", "str", description="respondent identifier, unique"),
        Column("age", "int", minimum=0, maximum=120, description="age in completed years"),
        Column("sex", "category", categories=("female", "male"), missing_ok=True,
               description="sex as recorded by the survey"),
        Column("education", "category", categories=("low", "middle", "high"), missing_ok=True,
               description="low = primary or lower secondary; middle = upper secondary or "
                           "post-secondary non-tertiary; high = bachelor or higher"),
        Column("income", "category", categories=("low", "middle", "high"), missing_ok=True,
               description="net monthly household income: low < EUR 1500, middle 1500-2999, "
                           "high >= 3000"),
        Column("marital", "category", categories=("alone", "together"), missing_ok=True,
               description="alone = living alone, divorced or widowed; together = married or "
                           "living together"),
        Column("employed", "bool", missing_ok=True, description="employed or self-employed"),
        Column("chronic_disease", "bool", missing_ok=True, description="has a chronic disease"),
        Column("severe_disorder", "bool", missing_ok=True,
               description="has (or ever had) a severe disorder"),
        Column("smoking", "category", categories=("never", "occasionally", "daily"),
               missing_ok=True, description="smoking status"),
        Column("kin_age_at_death", "category", categories=("<75", "75-85", ">=85"),
               missing_ok=True, description="age at death of next of kin (parents), years"),
        Column("completion_minutes", "float", minimum=0, maximum=MAX_MINUTES, missing_ok=True,
               description="time taken to complete the questionnaire, minutes (at most a "
                           "week)"),
        Column("sle", "int", minimum=0, maximum=120, missing_ok=True,
               description="SLE point estimate: the age the respondent expects to reach, years"),
        *(
            Column(c, "int", minimum=0, maximum=100, missing_ok=True,
                   description=f"subjective chance (%) of living to age {a} or more")
            for a, c in zip(TARGET_AGES, SSP_COLUMNS)
        ),
    ),
    key=("id",),
)


def read_survey(source: str | PathLike[str] | io.TextIOBase, *,
                label: str | None = None) -> pd.DataFrame:
    """Read and validate a survey CSV file.

    Parameters
    ----------
    source
        Path to a UTF-8 CSV file with the columns of :data:`SURVEY_SPEC`
        (header row required, column order free), or an open text stream.
    label
        Name used for the file in error messages.

    Returns
    -------
    pandas.DataFrame
        One row per respondent in file order. Integers are nullable
        ``Int64``, categories are ordered as in the spec, yes/no columns
        are nullable ``boolean``. Missing answers stay missing.

    Raises
    ------
    foresight.DataError
        At the first problem, naming the file, the line (header = line 1;
        the line a record starts on) and the column: a file that is not a
        regular UTF-8 file of at most 16 MB, missing or unknown column, a value
        that is not a number in the documented form (see
        :mod:`foresight.data.tables`: no ``NaN``, no ``4e1`` for an integer, no
        full-width digits), out of range, not an allowed category, a control
        character (e.g. NUL) in a text cell, a duplicate id.
    """
    return read_table(source, SURVEY_SPEC, label=label)


def parse_survey(text: str, *, label: str = "<survey>") -> pd.DataFrame:
    """Validate survey CSV ``text``; see :func:`read_survey`."""
    return parse_table(text, SURVEY_SPEC, label=label)


def ssp_matrix(survey: pd.DataFrame) -> np.ndarray:
    """The SSP answers as an ``(n, 5)`` float array in percent, NaN where missing."""
    return np.column_stack(
        [pd.to_numeric(survey[c], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
         for c in SSP_COLUMNS]
    )


def as_float(series: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing (nullable ints included)."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def example_survey() -> pd.DataFrame:
    """The thirteen hand-written respondents of ``data/sle/example_survey.csv``.

    One per path through the pipeline (documented in ``data/sle/README.md``).
    """
    from foresight.data import data_dir

    return read_survey(data_dir() / "sle" / "example_survey.csv",
                       label="data/sle/example_survey.csv")
