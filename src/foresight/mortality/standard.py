"""Age-standardised death rates and annual rates of mortality improvement.

The standard population is the 2013 European Standard Population (ESP 2013,
Eurostat 2013), shipped in ``data/mortality/esp2013.csv`` as 20 age groups
(0, 1-4, 5-9, ..., 85-89, 90+) with weights summing to 100,000.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.data import Column, TableSpec, data_dir, read_table
from foresight.errors import DataError
from foresight.mortality.lifetable import LifeTables

__all__ = ["age_standardised_rate", "annual_improvement", "european_standard_population"]

ESP_SPEC = TableSpec(
    name="European Standard Population 2013",
    columns=(
        Column("age_group", "str", description="label of the age group"),
        Column("lower", "int", minimum=0, maximum=120, description="first age of the group"),
        Column("upper", "int", minimum=0, maximum=120, missing_ok=True,
               description="last age of the group (empty for the open group)"),
        Column("weight", "float", minimum=0, description="standard population (of 100,000)"),
    ),
    key=("lower",),
)


def european_standard_population() -> pd.DataFrame:
    """The 2013 European Standard Population (Eurostat 2013), by age group.

    Returns
    -------
    pandas.DataFrame
        Columns ``age_group, lower, upper, weight``; weights sum to 100,000.
    """
    path = data_dir() / "mortality" / "esp2013.csv"
    table = read_table(path, ESP_SPEC, label="data/mortality/esp2013.csv")
    lowers = table["lower"].to_numpy(dtype=int)
    if lowers[0] != 0 or np.any(np.diff(lowers) <= 0):
        raise DataError("age groups are not increasing from 0", file="data/mortality/esp2013.csv",
                        column="lower", expected="contiguous groups from age 0")
    if abs(table["weight"].sum() - 100_000) > 1e-6:
        raise DataError("weights do not sum to 100,000", file="data/mortality/esp2013.csv",
                        column="weight", expected="the published ESP 2013 weights")
    return table


def age_standardised_rate(
    lt: LifeTables, *, standard: pd.DataFrame | None = None, max_age: int | None = None,
) -> np.ndarray | pd.Series:
    """Directly age-standardised death rate of each life table (per person-year).

    The death rate of each standard age group is the life-table central rate
    of the group, ``Σ dx / Σ Lx`` over its single ages (the rate the table
    implies for a stationary population); the standardised rate is the
    weighted mean of the group rates with the standard population's weights.

    Parameters
    ----------
    lt
        Life tables starting at age 0.
    standard
        Age groups with ``lower`` and ``weight`` (default: ESP 2013).
    max_age
        Last single age used (the open standard group then covers
        ``lower .. max_age``). Default: the lowest open age among the
        schedules, so that every table is measured over the same ages.

    Returns
    -------
    numpy.ndarray or pandas.Series
        One rate per schedule (a Series by label when the tables are labelled).
    """
    std = european_standard_population() if standard is None else standard
    if lt.ages[0] != 0:
        raise DataError("life tables do not start at age 0", column="age",
                        expected="tables from age 0 for age standardisation")
    top = int(lt.ages[lt.omega].min()) if max_age is None else int(max_age)
    lowers = std["lower"].to_numpy(dtype=int)
    weights = std["weight"].to_numpy(dtype=float)
    if top < lowers[-1]:
        raise DataError(f"tables end at age {top}, below the last standard group ({lowers[-1]}+)",
                        column="age", expected="tables covering every standard age group")
    use = lt.ages <= top
    ages = lt.ages[use]
    dx = np.nan_to_num(lt.dx[use])
    # within the kept ages, the person-years of the last age: closed-age Lx unless open
    Lx = np.nan_to_num(lt.Lx[use])
    group = np.searchsorted(lowers, ages, side="right") - 1
    D = np.zeros((lowers.size, lt.n))
    L = np.zeros((lowers.size, lt.n))
    np.add.at(D, group, dx)
    np.add.at(L, group, Lx)
    rates = D / L
    asr = (weights[:, None] * rates).sum(axis=0) / weights.sum()
    if lt.labels is None:
        return asr
    return pd.Series(asr, index=lt.labels, name="asmr")


def annual_improvement(rate_start, rate_end, years) -> np.ndarray | float:
    """Average annual rate of mortality improvement, in per cent per year.

    ``100 * (1 - (rate_end / rate_start) ** (1 / years))``: the constant
    yearly percentage fall that turns ``rate_start`` into ``rate_end`` over
    ``years`` years (positive when mortality falls).
    """
    years = np.asarray(years, dtype=float)
    if np.any(years <= 0):
        raise ValueError("years must be positive")
    ratio = np.asarray(rate_end, dtype=float) / np.asarray(rate_start, dtype=float)
    out = 100.0 * (1.0 - ratio ** (1.0 / years))
    return float(out) if np.ndim(out) == 0 else out
