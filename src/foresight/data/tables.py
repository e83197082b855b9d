"""Validated reading of small CSV tables.

A :class:`Column` describes one column (type, range, categories, whether a
value may be missing); :func:`read_table` reads a CSV and checks every column,
raising :class:`foresight.DataError` at the *first* bad cell with the file,
the 1-based line number in the file (the header is line 1) and the column.
Nothing is dropped or coerced silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from foresight.data.files import read_text_file
from foresight.errors import DataError

_KINDS = ("int", "float", "str", "category", "bool")


@dataclass(frozen=True)
class Column:
    """Specification of one column of a table.

    Parameters
    ----------
    name
        Column header, exactly as in the file.
    kind
        ``"int"``, ``"float"``, ``"str"``, ``"category"`` or ``"bool"``
        (``bool`` accepts 0/1, true/false, yes/no in any case).
    minimum, maximum
        Inclusive bounds for numeric kinds.
    categories
        Allowed values for ``kind="category"``.
    missing_ok
        Whether an empty cell (or ``NA``) is allowed; it becomes ``NaN`` /
        ``<NA>``. Missing values are kept, never imputed.
    description
        Meaning and unit, used in generated documentation.
    """

    name: str
    kind: str = "str"
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[str, ...] | None = None
    missing_ok: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Column {self.name!r}: kind must be one of {_KINDS}")
        if self.kind == "category" and not self.categories:
            raise ValueError(f"Column {self.name!r}: a category column needs categories")

    def expectation(self) -> str:
        """Human-readable description of a valid value (used in messages)."""
        if self.kind == "category":
            text = "one of " + ", ".join(repr(c) for c in self.categories or ())
        elif self.kind == "bool":
            text = "0/1, true/false or yes/no"
        elif self.kind in ("int", "float"):
            noun = "an integer" if self.kind == "int" else "a number"
            if self.minimum is not None and self.maximum is not None:
                text = f"{noun} from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
            elif self.minimum is not None:
                text = f"{noun} of at least {_fmt(self.minimum)}"
            elif self.maximum is not None:
                text = f"{noun} of at most {_fmt(self.maximum)}"
            else:
                text = noun
        else:
            text = "text"
        if not self.missing_ok:
            text += ", not missing"
        return text


@dataclass(frozen=True)
class TableSpec:
    """A table: its columns, the key that must be unique, and a name for messages."""

    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    allow_extra_columns: bool = False
    name: str = "table"
    notes: Sequence[str] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}
_MISSING = {"", "na", "nan", "n/a"}


def read_table(
    source: str | PathLike[str] | io.TextIOBase,
    spec: TableSpec,
    *,
    label: str | None = None,
) -> pd.DataFrame:
    """Read a CSV file and validate it against ``spec``.

    Parameters
    ----------
    source
        Path to a UTF-8 CSV file with a header row, or an open text stream.
    spec
        The expected columns, key and options.
    label
        Name used for the file in error messages (defaults to the path).

    Returns
    -------
    pandas.DataFrame
        One column per spec column, typed: ``int`` → nullable ``Int64``,
        ``float`` → ``float64``, ``category`` → ``pandas.Categorical`` with the
        spec's categories in order, ``bool`` → nullable ``boolean``, ``str`` →
        ``object``. Row order is the file's.

    Raises
    ------
    DataError
        On the first problem found: unreadable file, wrong or missing header,
        ragged row, bad value, duplicate key.
    """
    if isinstance(source, (str, PathLike)):
        name = label or str(Path(source))
        text = read_text_file(source, label=name, expected="a UTF-8 CSV file")
    else:
        name = label or getattr(source, "name", "<stream>")
        text = source.read()
    return parse_table(text, spec, label=name)


def parse_table(text: str, spec: TableSpec, *, label: str = "<text>") -> pd.DataFrame:
    """Validate CSV ``text`` against ``spec``; see :func:`read_table`."""
    rows = _split_csv(text, label)
    if not rows:
        raise DataError("the file is empty", file=label, expected="a header row naming the columns")
    header = [h.strip() for h in rows[0]]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError(f"duplicate column header {dupes[0]!r}", file=label, row=1)
    wanted = [c.name for c in spec.columns]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise DataError(
            f"missing column {missing[0]!r}",
            file=label,
            row=1,
            expected="a header with columns " + ", ".join(wanted),
        )
    extra = [h for h in header if h not in wanted]
    if extra and not spec.allow_extra_columns:
        raise DataError(
            f"unexpected column {extra[0]!r}",
            file=label,
            row=1,
            column=extra[0],
            expected="only the columns " + ", ".join(wanted),
        )
    body = rows[1:]
    width = len(header)
    for i, r in enumerate(body):
        if len(r) != width:
            raise DataError(
                f"row has {len(r)} fields but the header has {width}",
                file=label,
                row=i + 2,
                expected=f"{width} comma-separated fields",
            )
    raw = pd.DataFrame(body, columns=header, dtype=object)
    out = {}
    for col in spec.columns:
        out[col.name] = _convert(raw[col.name], col, label)
    frame = pd.DataFrame(out)
    if spec.key:
        dup = frame.duplicated(list(spec.key), keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            first = frame.loc[dup.index[i], list(spec.key)].tolist()
            raise DataError(
                f"duplicate key {dict(zip(spec.key, first))}",
                file=label,
                row=i + 2,
                column=spec.key[0] if len(spec.key) == 1 else ",".join(spec.key),
                expected="each key to appear once",
            )
    return frame


def _split_csv(text: str, label: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), strict=True)
    rows: list[list[str]] = []
    try:
        for r in reader:
            if not r or all(not f.strip() for f in r):
                # blank lines are not data; keep line numbering by recording them
                rows.append(None)  # type: ignore[arg-type]
                continue
            rows.append(r)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", file=label, row=reader.line_num) from None
    # Blank lines: allowed only at the end of the file.
    while rows and rows[-1] is None:
        rows.pop()
    for i, r in enumerate(rows):
        if r is None:
            raise DataError("blank line inside the table", file=label, row=i + 1)
    return rows


def _convert(values: pd.Series, col: Column, label: str) -> pd.Series:
    s = values.astype(str).str.strip()
    is_missing = s.str.lower().isin(_MISSING)
    if is_missing.any() and not col.missing_ok:
        i = int(np.flatnonzero(is_missing.to_numpy())[0])
        raise DataError(
            "missing value", file=label, row=i + 2, column=col.name, expected=col.expectation()
        )
    present = ~is_missing

    def fail(mask: np.ndarray, problem: str) -> None:
        i = int(np.flatnonzero(mask)[0])
        raise DataError(
            problem.format(value=s.iloc[i]),
            file=label,
            row=i + 2,
            column=col.name,
            expected=col.expectation(),
        )

    if col.kind in ("int", "float"):
        num = pd.to_numeric(s.where(present), errors="coerce")
        bad = (present & num.isna()).to_numpy()
        if bad.any():
            fail(bad, "{value!r} is not a number")
        finite_bad = (present & ~np.isfinite(num.fillna(0.0))).to_numpy()
        if finite_bad.any():
            fail(finite_bad, "{value!r} is not a finite number")
        if col.kind == "int":
            frac = (present & (num.fillna(0.0) % 1 != 0)).to_numpy()
            if frac.any():
                fail(frac, "{value!r} is not a whole number")
        if col.minimum is not None:
            low = (present & (num < col.minimum)).to_numpy()
            if low.any():
                fail(low, "value {value} is below the minimum")
        if col.maximum is not None:
            high = (present & (num > col.maximum)).to_numpy()
            if high.any():
                fail(high, "value {value} is above the maximum")
        if col.kind == "int":
            return num.round().astype("Int64")
        return num.astype("float64")
    if col.kind == "bool":
        low = s.str.lower()
        ok = low.isin(_TRUE | _FALSE) | is_missing
        if (~ok).any():
            fail((~ok).to_numpy(), "{value!r} is not a yes/no value")
        out = pd.array([pd.NA] * len(s), dtype="boolean")
        out[low.isin(_TRUE).to_numpy()] = True
        out[low.isin(_FALSE).to_numpy()] = False
        return pd.Series(out, index=s.index)
    if col.kind == "category":
        assert col.categories is not None
        ok = s.isin(col.categories) | is_missing
        if (~ok).any():
            fail((~ok).to_numpy(), "{value!r} is not an allowed category")
        return pd.Series(
            pd.Categorical(s.where(present), categories=list(col.categories)), index=s.index
        )
    return s.where(present, None).astype(object)


def check_columns(frame: pd.DataFrame, names: Iterable[str], *, label: str) -> None:
    """Raise :class:`DataError` if ``frame`` lacks any of ``names``."""
    for n in names:
        if n not in frame.columns:
            raise DataError(f"missing column {n!r}", file=label, column=n)
