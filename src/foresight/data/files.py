"""Reading untrusted files: bounded, regular files only, errors that name file, line and column.

Every reader in the package goes through :func:`read_bytes` (and, for text,
:func:`read_text_file`), so that a missing file, a directory, a device such as
``/dev/zero``, a FIFO, an oversized file, a file in the wrong encoding or with
NUL characters are all refused the same way, as :class:`foresight.DataError`:

* only regular files are read; the file is opened without blocking, so a FIFO
  is refused instead of waiting for a writer;
* the size cap is checked *while reading* (the size a file reports is not
  trusted: ``/proc`` files report 0, a file can grow while it is read);
* text must be UTF-8 (a leading byte-order mark is dropped); a decoding error
  names the line and the column (in bytes) of the first bad byte, and a NUL
  character is refused with its line and column.

YAML is parsed by :func:`foresight.data.yamlsafe.parse_yaml` (re-exported here
as :func:`parse_yaml`).
"""

from __future__ import annotations

import os
import stat
from os import PathLike
from typing import Any

from foresight.errors import DataError

__all__ = ["DEFAULT_MAX_BYTES", "check_text", "decode_text", "parse_yaml", "read_bytes", "read_text_file"]

#: Default cap on the size of any file a reader accepts (bytes). The largest file the
#: compendium reads is a few hundred kilobytes; an HMD ``Deaths_1x1.txt`` of the longest
#: series (Sweden, from 1751) is about 2.5 MB, and a survey of 200 000 respondents about
#: 15 MB, which takes some 6 s and 500 MB to validate. Readers take ``max_bytes`` to go further.
DEFAULT_MAX_BYTES = 16_000_000

_CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _open_flags() -> int:
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_CLOEXEC", "O_NOCTTY", "O_BINARY"):
        flags |= getattr(os, name, 0)
    return flags


def _open_error(exc: OSError | ValueError) -> str:
    if isinstance(exc, ValueError):
        return "the path contains a NUL character"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is not a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot open the file ({exc.strerror or exc})"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    for test, name in _KINDS:
        if test(mode):
            return f"is {name}, not a regular file"
    return "is not a regular file"


def read_bytes(
    path: str | PathLike[str],
    *,
    label: str | None = None,
    expected: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> bytes:
    """The contents of a regular file, at most ``max_bytes`` long.

    Parameters
    ----------
    path
        File to read.
    label
        Name for the file in error messages (defaults to the path).
    expected
        What the file should be, for the message ("an HMD text file").
    max_bytes
        Largest accepted size; checked while reading, so devices and files
        that misreport their size are caught too.

    Raises
    ------
    DataError
        If the file does not exist, cannot be opened, is a directory, a FIFO, a
        device or a socket, or is larger than ``max_bytes``.
    """
    name = label or str(path)
    try:
        fd = os.open(os.fspath(path), _open_flags())
    except (OSError, ValueError) as exc:
        raise DataError(_open_error(exc), file=name, expected=expected) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise DataError(_kind(mode), file=name, expected=expected or "a regular file")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise DataError(f"the file is larger than {max_bytes} bytes", file=name,
                                expected=f"at most {max_bytes} bytes")
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or exc})", file=name,
                        expected=expected) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _position(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``data`` (columns in bytes or characters)."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1
    return line, column


def decode_text(data: bytes, *, label: str, expected: str | None = None) -> str:
    """Decode UTF-8 ``data`` (a leading byte-order mark is dropped).

    Raises
    ------
    DataError
        If the bytes are not UTF-8 (naming the line and byte column of the
        first bad byte, and saying so when the file is UTF-16), or if the text
        contains a NUL character (naming its line and column).
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataError("the file is UTF-16 encoded", file=label, row=1,
                        expected=expected or "a UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise DataError(
            f"not valid UTF-8 text ({exc.reason} at byte {exc.start}, "
            f"0x{data[exc.start]:02x})",
            file=label, row=line, column=str(column),
            expected=expected or "a UTF-8 text file",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return check_text(text, label=label, expected=expected)


def check_text(text: str, *, label: str, expected: str | None = None,
               max_chars: int | None = None) -> str:
    """``text`` itself, after checking it has no NUL character (and at most ``max_chars``).

    For text that did not come through :func:`decode_text` (an open stream).

    Raises
    ------
    DataError
        Naming the line and column of the first NUL character, or the size.
    """
    if max_chars is not None and len(text) > max_chars:
        raise DataError(f"the text is longer than {max_chars} characters", file=label,
                        expected=expected or f"at most {max_chars} characters")
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _position(text, nul)
        raise DataError("NUL character in a text file", file=label, row=line,
                        column=str(column), expected=expected or "a UTF-8 text file")
    return text


def read_text_file(
    path: str | PathLike[str],
    *,
    label: str | None = None,
    expected: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """The contents of a UTF-8 text file, read with :func:`read_bytes`.

    Parameters
    ----------
    path
        File to read.
    label
        Name for the file in error messages (defaults to the path).
    expected
        What the file should be, for the message ("an HMD text file").
    max_bytes
        Largest accepted size in bytes.

    Raises
    ------
    DataError
        As :func:`read_bytes` and :func:`decode_text`.
    """
    name = label or str(path)
    data = read_bytes(path, label=name, expected=expected, max_bytes=max_bytes)
    return decode_text(data, label=name, expected=expected)


def parse_yaml(text: str, label: str) -> Any:
    """Parse YAML strictly; see :func:`foresight.data.yamlsafe.parse_yaml`."""
    from foresight.data.yamlsafe import parse_yaml as _parse

    return _parse(text, label)
