"""The one ZIP reader for untrusted archives: limits checked before anything is parsed.

:func:`open_zip` reads the archive with a bounded read, then checks the end of
central directory record *itself* (number of members, size of the central
directory) before :mod:`zipfile` parses the directory, so that an archive
announcing a million members is refused in microseconds rather than after
parsing them all. It then checks every member: names that escape the archive
(``..``, absolute paths, drive letters, backslashes), duplicates, encryption,
symbolic links and other special files, the uncompressed size of each member
and of all of them, and the compression ratio. :func:`read_member` reads at
most a given number of bytes, so a member whose header understates its size is
caught. Every problem is a :class:`foresight.DataError` naming the file and the
member.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from os import PathLike
from pathlib import PurePosixPath

from foresight.data.files import read_bytes
from foresight.errors import DataError

__all__ = ["DEFAULT_LIMITS", "Limits", "open_zip", "read_member", "safe_member_name"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for untrusted archives and XML (bytes unless stated)."""

    max_xml_bytes: int = 50_000_000
    max_member_bytes: int = 50_000_000
    max_total_bytes: int = 500_000_000
    max_members: int = 10_000
    max_ratio: float = 200.0
    max_archive_bytes: int = 200_000_000
    max_central_directory_bytes: int = 2_000_000
    max_xml_depth: int = 100


DEFAULT_LIMITS = Limits()

_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_NOT_A_ZIP = "a ZIP archive"


def safe_member_name(name: str) -> bool:
    """Whether a member name stays inside the archive (relative, no ``..``, no ``\\``)."""
    if not name or "\x00" in name or "\\" in name:
        return False
    p = PurePosixPath(name)
    if p.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in p.parts


def _directory_extent(data: bytes, label: str, expected: str) -> tuple[int, int]:
    """``(members, central directory bytes)`` announced by the end-of-directory records."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - _EOCD.size - 0xFFFF))
    if pos < 0 or pos + _EOCD.size > len(data):
        raise DataError("not a ZIP archive (no end of central directory)", file=label,
                        expected=expected)
    _, disk, cd_disk, _, members, cd_size, _, _ = _EOCD.unpack_from(data, pos)
    if disk or cd_disk:
        raise DataError("the archive spans several disks", file=label, expected=expected)
    if members == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = pos - _ZIP64_LOCATOR.size
        if loc < 0 or data[loc:loc + 4] != b"PK\x06\x07":
            raise DataError("not a ZIP archive (ZIP64 locator missing)", file=label,
                            expected=expected)
        rec = loc - _ZIP64_EOCD.size
        if rec < 0 or data[rec:rec + 4] != b"PK\x06\x06":
            raise DataError("not a ZIP archive (ZIP64 end of directory missing)", file=label,
                            expected=expected)
        fields = _ZIP64_EOCD.unpack_from(data, rec)
        members, cd_size = fields[7], fields[8]
    return members, cd_size


def _archive_bytes(source: str | PathLike[str] | io.BytesIO | bytes, label: str,
                   limits: Limits, expected: str) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, io.BytesIO):
        data = source.getvalue()
    else:
        return read_bytes(source, label=label, expected=expected,
                          max_bytes=limits.max_archive_bytes)
    if len(data) > limits.max_archive_bytes:
        raise DataError(f"the archive is larger than {limits.max_archive_bytes} bytes",
                        file=label, expected=expected)
    return data


def open_zip(
    source: str | PathLike[str] | io.BytesIO | bytes,
    *,
    label: str,
    limits: Limits = DEFAULT_LIMITS,
    expected: str = _NOT_A_ZIP,
) -> zipfile.ZipFile:
    """Open an untrusted ZIP archive after checking its directory and every member.

    Parameters
    ----------
    source
        Path, bytes or an in-memory buffer.
    label
        Name for the archive in messages.
    limits
        Sizes, counts and ratio allowed.
    expected
        What the archive should be, for messages.

    Returns
    -------
    zipfile.ZipFile
        Over an in-memory copy of the archive; use as a context manager.

    Raises
    ------
    DataError
        See the module docstring.
    """
    data = _archive_bytes(source, label, limits, expected)
    members, cd_size = _directory_extent(data, label, expected)
    if members > limits.max_members:
        raise DataError(f"archive has {members} members", file=label,
                        expected=f"at most {limits.max_members}")
    if cd_size > limits.max_central_directory_bytes:
        raise DataError(f"the central directory is {cd_size} bytes", file=label,
                        expected=f"at most {limits.max_central_directory_bytes} bytes")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, struct.error, UnicodeDecodeError) as exc:
        raise DataError(f"not a ZIP archive ({exc})", file=label, expected=expected) from None
    try:
        check_members(zf, label, limits)
    except DataError:
        zf.close()
        raise
    return zf


def _member_error(problem: str, label: str, name: str, expected: str) -> DataError:
    return DataError(problem, file=label, row=name, row_label="member", expected=expected)


def check_members(zf: zipfile.ZipFile, label: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an archive whose members are unsafe (see the module docstring)."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise DataError(f"archive has {len(infos)} members", file=label,
                        expected=f"at most {limits.max_members}")
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if not safe_member_name(name):
            raise _member_error(f"member name {name!r} escapes the archive (path traversal)",
                                label, name,
                                "relative paths without '..', drive letters or backslashes")
        if name in names:
            raise _member_error(f"member {name!r} appears twice", label, name,
                                "unique member names")
        names.add(name)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise _member_error("member is a symbolic link", label, name,
                                "regular files only (a link could point outside the archive)")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise _member_error("member is a special file", label, name, "regular files only")
        if info.flag_bits & 0x1:
            raise _member_error("member is encrypted", label, name, "an unencrypted archive")
        if info.file_size > limits.max_member_bytes:
            raise _member_error(f"member is {info.file_size} bytes uncompressed", label, name,
                                f"at most {limits.max_member_bytes} bytes")
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio and info.file_size > 1_000_000:
            raise _member_error(f"member expands {ratio:.0f}-fold (possible ZIP bomb)", label,
                                name,
                                f"a compression ratio of at most {limits.max_ratio:.0f}")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise DataError(f"archive expands to {total} bytes", file=label,
                        expected=f"at most {limits.max_total_bytes} bytes in total")


def read_member(zf: zipfile.ZipFile, name: str, label: str, limit: int) -> bytes:
    """Read at most ``limit`` bytes of a member; one that lies about its size is refused."""
    try:
        with zf.open(name) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError,
            ValueError, struct.error, RuntimeError) as exc:
        raise _member_error(f"member is corrupt or unreadable ({exc})", label, name,
                            "an intact, unencrypted ZIP member") from None
    if len(data) > limit:
        raise _member_error("member is larger than its header says", label, name,
                            f"at most {limit} bytes")
    return data
