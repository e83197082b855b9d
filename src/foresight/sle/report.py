"""Presentation helpers for the chapter: deterministic styled tables."""

from __future__ import annotations

import pandas as pd


def styled(frame: pd.DataFrame, uuid: str, *, precision: int | dict[str, int] = 2,
           caption: str | None = None):
    """A pandas Styler with the index hidden, a fixed id and fixed decimals.

    ``precision`` is one number of decimals for every float column or a
    mapping column -> decimals. Missing values show as an empty cell.
    """
    fmt: dict[str, str] = {}
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            d = precision.get(col, 2) if isinstance(precision, dict) else precision
            fmt[col] = f"{{:.{d}f}}"
    sty = frame.style.hide(axis="index").format(fmt, na_rep="").set_uuid(uuid)
    if caption:
        sty = sty.set_caption(caption)
    return sty
