"""One shape for every result: ``summary()`` (text) and ``to_frame()`` (a tidy DataFrame).

As in statsmodels and lifelines, every fit or analysis in the package returns an
object with these two methods, so that printing and tabulating are written once:
:class:`Result` is the protocol they satisfy, and :func:`summary_text` lays out
every ``summary()`` the same way (a title line, then one ``name = value`` line per
figure, numbers to four significant digits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["Result", "summary_text"]


@runtime_checkable
class Result(Protocol):
    """What every result object of the package provides."""

    def summary(self) -> str:
        """A short plain-text summary."""

    def to_frame(self) -> pd.DataFrame:
        """The result as a tidy DataFrame (one row per observation or estimate)."""


def _fmt(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return "nan" if np.isnan(value) else f"{float(value):.4g}"
    return str(value)


def summary_text(title: str, fields: Mapping[str, object], table: pd.DataFrame | None = None) -> str:
    """The house layout of a ``summary()``.

    Parameters
    ----------
    title
        First line (what was fitted, on what).
    fields
        Named figures, one line each (``  name = value``); floats to four
        significant digits, integers with thousands separators, booleans as
        yes/no.
    table
        An optional small table printed after the fields (e.g. coefficients).
    """
    lines = [title]
    width = max((len(k) for k in fields), default=0)
    lines += [f"  {k:<{width}} = {_fmt(v)}" for k, v in fields.items()]
    if table is not None:
        lines.append(table.to_string(float_format=lambda x: f"{x:.4g}"))
    return "\n".join(lines)
