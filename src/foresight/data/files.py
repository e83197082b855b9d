"""Reading untrusted text files and YAML with errors that name the file and line.

Every loader in the package goes through these two functions, so a missing
file, a file in the wrong encoding and malformed YAML are reported the same
way everywhere, as :class:`foresight.DataError`.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import yaml

from foresight.errors import DataError


def read_text_file(
    path: str | PathLike[str], *, label: str | None = None, expected: str | None = None
) -> str:
    """The contents of a UTF-8 text file.

    Parameters
    ----------
    path
        File to read.
    label
        Name for the file in error messages (defaults to the path).
    expected
        What the file should be, for the message ("an HMD text file").

    Raises
    ------
    DataError
        If the file does not exist, is a directory, or is not valid UTF-8
        (naming the offending byte).
    """
    name = label or str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found", file=name, expected=expected) from None
    except IsADirectoryError:
        raise DataError("is a directory, not a file", file=name, expected=expected) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not valid UTF-8 text ({exc.reason} at byte {exc.start})",
            file=name,
            expected=expected or "a UTF-8 text file",
        ) from None


def parse_yaml(text: str, label: str) -> Any:
    """Parse YAML with ``yaml.safe_load`` (plain data only, no Python objects).

    Raises
    ------
    DataError
        If the text is not valid YAML, naming the line of the problem.
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(
            f"malformed YAML ({getattr(exc, 'problem', None) or exc})",
            file=label,
            row=None if mark is None else mark.line + 1,
        ) from None
