"""Presentation helpers for the chapter: deterministic styled tables."""

from __future__ import annotations

import pandas as pd


def styled(frame: pd.DataFrame, uuid: str, *, precision: int | dict[str, int] = 2,
           caption: str | None = None):
    """A pandas Styler with the index hidden, a fixed id and fixed decimals.

    ``precision`` is one number of decimals for every float column or a
    mapping column -> decimals. Missing values show as an empty cell, and a
    value that rounds to zero shows without a minus sign.
    """
    fmt: dict[str, object] = {}
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            d = precision.get(col, 2) if isinstance(precision, dict) else precision
            fmt[col] = _fixed(d)
    sty = frame.style.hide(axis="index").format(fmt, na_rep="").set_uuid(uuid)
    if caption:
        sty = sty.set_caption(caption)
    return sty


def _fixed(decimals: int):
    def fmt(value: float) -> str:
        text = f"{value:.{decimals}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text

    return fmt
