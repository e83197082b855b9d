"""The one exception type for bad input.

Every loader and validator in the package raises :class:`DataError` when a
user's file or value is malformed. The message always names *where* the
problem is (file, line or row or cell, column) and *what was expected*, so that
a reader can fix the file without reading a traceback from deep inside pandas.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path


class DataError(ValueError):
    """Bad input: malformed file, missing column, out-of-range value.

    Parameters
    ----------
    problem
        What is wrong, in a few words ("value 140 is out of range").
    file
        The file the value came from, if any.
    row
        Row of the offending value. For tabular files this is the 1-based
        *line number in the file* (header = line 1) unless ``row_label`` says
        otherwise.
    column
        Column name (or cell reference) of the offending value.
    expected
        What would have been valid ("an integer from 0 to 100").
    row_label
        How to call the position in the message: ``"line"`` (default),
        ``"row"``, ``"cell"``, ``"record"``, ``"element"``.

    Examples
    --------
    >>> str(DataError("value 140 is out of range", file="survey.csv", row=7,
    ...               column="ssp_80", expected="an integer from 0 to 100"))
    'survey.csv, line 7, column ssp_80: value 140 is out of range (expected an integer from 0 to 100)'
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | str | None = None,
        column: str | None = None,
        expected: str | None = None,
        row_label: str = "line",
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(Path(file))
        self.row = row
        self.column = column
        self.expected = expected
        self.row_label = row_label
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def __reduce__(self):  # keep pickling (multiprocessing, pytest-xdist) working
        return (
            _rebuild,
            (self.problem, self.file, self.row, self.column, self.expected, self.row_label),
        )


def _rebuild(problem, file, row, column, expected, row_label):  # pragma: no cover - pickling
    return DataError(
        problem, file=file, row=row, column=column, expected=expected, row_label=row_label
    )


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at its iteration limit before meeting its tolerance.

    The result is still returned (and flagged, e.g. ``converged=False``), but
    it may differ between machines in more than the last digits.
    """
