"""The house table formatter: every table the book shows goes through :func:`house_table`.

One look for every table, whichever chapter made it:

* labelled headers (``mean_sle`` never reaches a reader: snake_case names are
  turned into words, and :data:`LABELS` or the ``labels`` argument name the
  ones words alone cannot);
* no index unless it means something (a named index becomes the first,
  labelled column; an unnamed or integer index is dropped);
* missing values (``NaN``, ``None``, empty text) shown as an em dash, "—";
* text left-aligned, numbers right-aligned at a fixed precision per column
  (``precision`` or ``formats``; otherwise three significant digits of the
  column's typical magnitude), negative zero shown as ``0``; a value that is
  round-off around zero (below :data:`foresight.rounding.ZERO_FLOOR`) is shown
  as zero and does not set the column's decimals, and every number is rounded
  to 12 significant digits before it is formatted
  (:func:`foresight.rounding.settle`), so a value on a rounding edge of the
  column's precision prints the same on every machine;
* a horizontal scroll container around the table, so a wide table scrolls
  inside the text column instead of widening the page; a long table (more than
  :data:`TALL_ROWS` rows) also scrolls vertically under a sticky header;
* every number cell that shows a non-zero number records the value it was
  formatted from in ``data-value`` (12 significant digits), so a test can tell
  which prose number and which cell come from the same result;
* an optional key under the table (``notes``) explains abbreviations.

The result, :class:`HouseTable`, renders as HTML in a notebook and in the book
(``_repr_html_``) and as aligned plain text elsewhere; its ``data`` are the
strings shown, for tests.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from typing import Union

import numpy as np
import pandas as pd

from foresight.rounding import ZERO_FLOOR, settle, snap_zero

__all__ = ["HouseTable", "LABELS", "MISSING", "TALL_ROWS", "as_table", "house_table", "label"]

#: What a missing value looks like.
MISSING = "—"
#: Tables with more rows than this scroll vertically inside their container.
TALL_ROWS = 20
#: Labels for column names that words alone cannot explain.
LABELS: dict[str, str] = {
    "p60_85": "P(survive 60 to 85)",
    "q60": "q(60)",
    "q80": "q(80)",
    "ratio_to_previous": "ratio to the previous table",
    "survival_60": "survival to 60 (%)",
    "survival_100": "survival to 100 (%)",
    "expected_age_at_death": "expected age at death",
    "median_age_at_death": "median age at death",
    "judgement_value": "judged value",
    "reference_value": "reference value",
    "ratio_range": "ratio range",
    "table_id": "table",
}

_SNAKE = re.compile(r"^[A-Za-z0-9]+(_[A-Za-z0-9]+)+$")
_NONZERO = re.compile(r"[1-9]")
#: Significant digits of the value a number cell records (``data-value``).
RECORDED_DIGITS = 12


def _recorded(x: float) -> str:
    """The value a number cell records: 12 significant digits, round-off around zero as zero.

    Only cells that show a non-zero number record one, so the record never holds
    a difference that is round-off in disguise (a cell showing "0.000").
    """
    return repr(float(f"{snap_zero(x):.{RECORDED_DIGITS}g}"))
_NUMBER = re.compile(r"^[-+−]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s?%?$")

Format = Union[str, Callable[[object], str]]


def label(name: object, labels: Mapping[str, str] | None = None) -> str:
    """The header a reader sees for a column called ``name``.

    ``labels`` first, then :data:`LABELS`, then snake_case turned into words
    (``mean_ssp_pe`` -> ``Mean ssp pe``); anything else as it is. Every header starts with
    a capital when its first word is an ordinary lower-case word.
    """
    text = str(name).strip()
    for mapping in (labels or {}, LABELS):
        if text in mapping:
            return _capital(mapping[text])
    if _SNAKE.match(text):
        text = text.replace("_", " ")
    return _capital(text)


def _capital(text: str) -> str:
    """First letter up when the first word is an ordinary lower-case word, whatever
    follows it (``published`` -> ``Published``, ``men, 20-59`` -> ``Men, 20-59``,
    ``rule's target`` -> ``Rule's target``; ``e0``, ``q(60)``, ``mx`` stay)."""
    if re.match(r"[a-z]{3,}\b", text) and not re.match(r"[a-z]+\(", text):
        return text[0].upper() + text[1:]
    return text


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _auto_decimals(values: pd.Series) -> int:
    """Decimals showing about three significant digits of a column's typical value."""
    x = np.abs(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
    x = x[np.isfinite(x) & (x >= ZERO_FLOOR)]
    if x.size == 0:
        return 0
    if np.all(np.isclose(x, np.round(x), rtol=0, atol=1e-9)):
        return 0
    magnitude = math.floor(math.log10(float(np.median(x))))
    return int(min(4, max(0, 2 - magnitude)))


def _fixed(value: float, decimals: int) -> str:
    text = f"{settle(value):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _formatter(column: pd.Series, decimals: int | None, fmt: Format | None) -> Callable[[object], str]:
    if fmt is not None:
        if isinstance(fmt, str):
            return lambda v: fmt.format(settle(v))
        return lambda v: fmt(settle(v))
    if pd.api.types.is_bool_dtype(column):
        return lambda v: "yes" if v else "no"
    if pd.api.types.is_integer_dtype(column):
        return lambda v: str(int(v))
    if pd.api.types.is_float_dtype(column):
        d = _auto_decimals(column) if decimals is None else decimals
        return lambda v: _fixed(float(v), d)
    return str


class HouseTable:
    """A table formatted in the house style (see the module docstring).

    Attributes
    ----------
    data
        The strings shown, one column per displayed column, headers labelled.
    numeric
        Per displayed column, whether it is right-aligned as numbers.
    caption
        Optional caption rendered inside the table (the chapters caption their
        tables with a numbered ``{glue:figure}`` instead).
    """

    def __init__(self, data: pd.DataFrame, numeric: list[bool], caption: str | None = None,
                 values: pd.DataFrame | None = None, notes: list[str] | None = None):
        self.data, self.numeric, self.caption = data, numeric, caption
        #: Per shown cell, the number it was formatted from (NaN where there is none).
        self.values = values
        #: Lines of a key printed under the table.
        self.notes = list(notes or [])

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.data.columns]

    @property
    def tall(self) -> bool:
        return len(self.data) > TALL_ROWS

    def _repr_html_(self) -> str:
        def cls(j: int, prose: bool) -> str:
            names = ["num"] if self.numeric[j] else (["text", "prose"] if prose else ["text"])
            return " ".join(names)

        prose = [(not self.numeric[j]) and self.data.iloc[:, j].str.len().mean() > 40
                 for j in range(self.data.shape[1])]
        head = "".join(f'<th scope="col" class="{cls(j, prose[j])}">{html.escape(h)}</th>'
                       for j, h in enumerate(self.headers))
        values = self.values
        rows = []
        for i, r in enumerate(self.data.itertuples(index=False)):
            cells = []
            for j, v in enumerate(r):
                attr = ""
                if values is not None and self.numeric[j] and v != MISSING and _NONZERO.search(v):
                    x = values.iat[i, j]
                    if isinstance(x, (int, float, np.floating, np.integer)) and math.isfinite(float(x)):
                        attr = f' data-value="{_recorded(float(x))}"'
                cells.append(f'<td class="{cls(j, prose[j])}{" missing" if v == MISSING else ""}"{attr}>'
                             f"{html.escape(v)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        wrap = "house-table-wrap house-table-tall" if self.tall else "house-table-wrap"
        key = "".join(f'<p class="house-table-key">{html.escape(n)}</p>' for n in self.notes)
        return (f'<div class="{wrap}" tabindex="0">'
                f'<table class="house-table">{caption}<thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>{key}')

    def __repr__(self) -> str:
        text = self.data.to_string(index=False)
        text = f"{self.caption}\n{text}" if self.caption else text
        return "\n".join([text, *self.notes])

    def to_csv(self) -> str:
        """The shown table as CSV text (for a download or a diff)."""
        return self.data.to_csv(index=False)


def as_table(value: object) -> HouseTable:
    """Any table a report returns, as the reader sees it: a :class:`HouseTable`
    as it is, a DataFrame or Series through :func:`house_table` with its defaults.

    Raises
    ------
    TypeError
        For anything else (a pandas Styler included: its formatting bypasses the house style).
    """
    if isinstance(value, HouseTable):
        return value
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return house_table(value)
    raise TypeError(f"not a table for the house formatter: {type(value).__name__}")


def house_table(
    frame: pd.DataFrame | pd.Series,
    *,
    labels: Mapping[str, str] | None = None,
    precision: int | Mapping[str, int] | None = None,
    formats: Mapping[str, Format] | None = None,
    index: bool | None = None,
    caption: str | None = None,
    values: pd.DataFrame | None = None,
    notes: list[str] | None = None,
    row_decimals: Mapping[str, object] | None = None,
) -> HouseTable:
    """Format ``frame`` in the house style.

    Parameters
    ----------
    frame
        The table. A Series becomes a one-column table.
    labels
        Column name -> header, for names words alone cannot explain (see
        :func:`label`).
    precision
        Decimals for every float column, or column -> decimals. Without it, a
        float column shows about three significant digits of its typical value.
    formats
        Column -> format string (``"{:.1%}"``) or function of one value; wins
        over ``precision``.
    index
        Show the index as the first column(s): ``None`` (default) shows it when
        it is named and is not a plain 0..n-1 range, ``True`` always, ``False``
        never.
    caption
        A caption inside the table (for tables not captioned by the chapter).
    values
        For a table whose numbers are already text: the numbers they show, same
        index and columns as ``frame`` (recorded in ``data-value``). Number
        columns of ``frame`` record their own values.
    notes
        A key printed under the table (one paragraph per item).
    row_decimals
        Column -> decimals for each row (a sequence aligned with the rows), for a
        column whose values are printed at different precisions (published figures
        at the precision their documents print them: 6.0 stays "6.0"). Wins over
        ``formats`` and ``precision``.
    """
    df = frame.to_frame() if isinstance(frame, pd.Series) else frame.copy()
    if index is None:
        named = any(n is not None for n in df.index.names)
        plain = (isinstance(df.index, pd.RangeIndex) and df.index.start == 0
                 and df.index.step == 1)
        index = named and not plain
    raw = None
    if values is not None:
        raw = values.reindex(index=df.index, columns=df.columns)
    df = df.reset_index() if index else df.reset_index(drop=True)
    if raw is not None:
        raw = raw.reset_index(drop=True)
        if index:  # the index columns come first and carry no recorded value
            for k, name in enumerate(df.columns[: df.shape[1] - raw.shape[1]]):
                raw.insert(k, f"__index_{k}", np.nan)
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [" ".join(str(p) for p in c if str(p)) for c in df.columns]
    formats = formats or {}
    shown: dict[int, list[str]] = {}
    numeric: list[bool] = []
    recorded: dict[int, list[float]] = {}
    for j, name in enumerate(df.columns):
        col = df.iloc[:, j]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            recorded[j] = pd.to_numeric(col, errors="coerce").astype(float).tolist()
        elif raw is not None:
            recorded[j] = pd.to_numeric(raw.iloc[:, j], errors="coerce").astype(float).tolist()
        else:
            recorded[j] = [math.nan] * len(col)
        key = str(name)
        decimals = precision.get(key) if isinstance(precision, Mapping) else precision
        fmt = _formatter(col, decimals, formats.get(key))
        if row_decimals is not None and key in row_decimals:
            places = [int(d) for d in row_decimals[key]]
            if len(places) != len(col):
                raise ValueError(f"row_decimals[{key!r}] has {len(places)} entries for {len(col)} rows")
            cells = [MISSING if _is_missing(v) else _fixed(float(v), d)
                     for v, d in zip(col.tolist(), places)]
        else:
            cells = [MISSING if _is_missing(v) else str(fmt(v)) for v in col.tolist()]
        present = [c for c in cells if c != MISSING]
        numeric.append(bool(present) and (pd.api.types.is_numeric_dtype(col)
                                          and not pd.api.types.is_bool_dtype(col)
                                          or all(_NUMBER.match(c) for c in present)))
        shown[j] = cells
    headers = [label(c, labels) for c in df.columns]
    data = pd.DataFrame({j: shown[j] for j in shown}, dtype=object)
    data.columns = headers
    recorded_frame = pd.DataFrame({j: recorded[j] for j in recorded}, dtype=float)
    recorded_frame.columns = headers
    return HouseTable(data, numeric, caption, values=recorded_frame, notes=notes)
