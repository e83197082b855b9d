"""Validated reading of small CSV tables.

A :class:`Column` describes one column (type, range, categories, whether a
value may be missing); :func:`read_table` reads a CSV and checks every column,
raising :class:`foresight.DataError` at the *first* bad cell with the file,
the 1-based line number in the file (the header is line 1; a record whose
quoted field spans several lines is named by the line it starts on, so later
records keep their file lines) and the column. Lines may end in LF, CRLF or a
lone CR. Nothing is dropped or coerced
silently.

Values are accepted only in these written forms (ASCII digits only, so
full-width ``２０００`` is refused):

* ``int``: an optional sign and digits (``40``, ``-3``), or the same followed by
  a point and zeros (``40.0``); never an exponent (``4e1``);
* ``float``: an optional sign, digits with an optional decimal point, and an
  optional exponent (``0.5``, ``.5``, ``1.5e-3``); never ``nan`` or ``inf``;
* missing: an empty cell or ``NA`` (only where the column allows it);
* ``str`` and ``category``: text without control characters (tab, newline
  and carriage return inside a quoted field are allowed).
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

from foresight.data.files import DEFAULT_MAX_BYTES, check_text, read_text_file
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
_MISSING = {"", "NA"}
_INT_FORM = r"[+-]?[0-9]+(?:\.0*)?"
_FLOAT_FORM = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_MAX_EXACT_INT = 2**53 - 1
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def read_table(
    source: str | PathLike[str] | io.TextIOBase,
    spec: TableSpec,
    *,
    label: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
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
    max_bytes
        Largest file accepted (for a stream: characters).

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
    return read_table_with_lines(source, spec, label=label, max_bytes=max_bytes)[0]


def read_table_with_lines(
    source: str | PathLike[str] | io.TextIOBase,
    spec: TableSpec,
    *,
    label: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`read_table`, and the file line on which each row starts (an int array)."""
    if isinstance(source, (str, PathLike)):
        name = label or str(Path(source))
        text = read_text_file(source, label=name, expected="a UTF-8 CSV file",
                              max_bytes=max_bytes)
    else:
        name = label or str(getattr(source, "name", "<stream>"))
        text = source.read(max_bytes + 1)
        if not isinstance(text, str):
            raise DataError("the stream does not give text", file=name,
                            expected="a text stream (open the file in text mode)")
        check_text(text, label=name, max_chars=max_bytes)
    return parse_table_with_lines(text, spec, label=name)


def parse_table(text: str, spec: TableSpec, *, label: str = "<text>") -> pd.DataFrame:
    """Validate CSV ``text`` against ``spec``; see :func:`read_table`."""
    return parse_table_with_lines(text, spec, label=label)[0]


def parse_table_with_lines(text: str, spec: TableSpec, *,
                           label: str = "<text>") -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`parse_table`, and the file line on which each row starts (an int array)."""
    rows, starts = _split_csv(text, label)
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
    lines = np.asarray(starts[1:], dtype=int)
    width = len(header)
    for i, r in enumerate(body):
        if len(r) != width:
            raise DataError(
                f"row has {len(r)} fields but the header has {width}",
                file=label,
                row=int(lines[i]),
                expected=f"{width} comma-separated fields",
            )
    raw = pd.DataFrame(body, columns=header, dtype=object)
    out = {}
    for col in spec.columns:
        out[col.name] = _convert(raw[col.name], col, label, lines)
    frame = pd.DataFrame(out)
    if spec.key:
        dup = frame.duplicated(list(spec.key), keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            first = frame.loc[dup.index[i], list(spec.key)].tolist()
            raise DataError(
                f"duplicate key {dict(zip(spec.key, first))}",
                file=label,
                row=int(lines[i]),
                column=spec.key[0] if len(spec.key) == 1 else ",".join(spec.key),
                expected="each key to appear once",
            )
    return frame, lines


def _split_csv(text: str, label: str) -> tuple[list[list[str]], list[int]]:
    """Records of ``text`` and the file line each starts on; blank lines only at the end.

    Line ends may be LF, CRLF or a lone CR (old Mac files, which spreadsheet
    programs still write): ``newline=""`` hands each to the csv module
    untranslated, which ends a record at any of them outside quotes and counts
    file lines the same way for all three. A line break inside a quoted field
    is kept as one ``\n`` whichever way the file wrote it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    has_cr = "\r" in text
    rows: list[list[str] | None] = []
    starts: list[int] = []
    end = 0
    try:
        for r in reader:
            starts.append(end + 1)
            end = reader.line_num
            # blank lines are not data; keep them to report one inside the table
            if has_cr:
                r = [f.replace("\r\n", "\n").replace("\r", "\n") for f in r]
            rows.append(None if not r or all(not f.strip() for f in r) else r)
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", file=label, row=reader.line_num,
                        expected="comma-separated fields, quoted with \" where needed") from None
    while rows and rows[-1] is None:
        rows.pop()
        starts.pop()
    for r, line in zip(rows, starts):
        if r is None:
            raise DataError("blank line inside the table", file=label, row=line)
    return rows, starts  # type: ignore[return-value]


def _convert(values: pd.Series, col: Column, label: str, lines: np.ndarray) -> pd.Series:
    s = values.astype(str).str.strip()
    is_missing = s.isin(_MISSING)
    if is_missing.any() and not col.missing_ok:
        i = int(np.flatnonzero(is_missing.to_numpy())[0])
        raise DataError(
            "missing value", file=label, row=int(lines[i]), column=col.name,
            expected=col.expectation()
        )
    present = ~is_missing

    def fail(mask: np.ndarray, problem: str) -> None:
        i = int(np.flatnonzero(mask)[0])
        value = s.iloc[i]
        raise DataError(
            problem.format(value=value if len(value) <= 40 else f"{value[:24]}...{value[-8:]}"),
            file=label,
            row=int(lines[i]),
            column=col.name,
            expected=col.expectation(),
        )

    if col.kind in ("int", "float"):
        special = s.str.fullmatch(r"(?i)[+-]?(?:inf|infinity|nan)").fillna(False)
        if (present & special).any():
            fail((present & special).to_numpy(dtype=bool), "{value!r} is not a finite number")
        is_float = s.str.fullmatch(_FLOAT_FORM).fillna(False).to_numpy(dtype=bool)
        bad = present.to_numpy() & ~is_float
        if bad.any():
            fail(bad, "{value!r} is not a number")
        if col.kind == "int":
            whole = s.str.fullmatch(_INT_FORM).fillna(False).to_numpy(dtype=bool)
            frac = present.to_numpy() & ~whole
            if frac.any():
                fail(frac, "{value!r} is not a whole number")
        with np.errstate(over="ignore"):
            num = pd.to_numeric(s.where(present), errors="coerce")
        unread = (present & num.isna()).to_numpy(dtype=bool)
        if unread.any():  # e.g. thousands of digits: never let it become a missing value
            fail(unread, "{value} has too many digits to be read as a number")
        finite_bad = (present & ~np.isfinite(num.fillna(0.0))).to_numpy()
        if finite_bad.any():
            fail(finite_bad, "{value!r} is not a finite number")
        if col.kind == "int":
            huge = (present & (num.abs() > _MAX_EXACT_INT)).to_numpy(dtype=bool)
            if huge.any():
                fail(huge, "{value} is too large to be an exact integer")
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
    control = (present & s.str.contains(_CONTROL)).to_numpy(dtype=bool)
    if control.any():
        fail(control, "text contains a control character")
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
