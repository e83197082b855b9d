"""What the package's commands share: argument types, exit codes, one-line errors, safe outputs.

Both ``python -m foresight mortality ...`` and ``python -m foresight sle ...``
run through :func:`run_command`, so they behave alike:

* exit status 0 on success, :data:`EXIT_BAD_INPUT` (2) for a bad argument or
  file (argparse usage errors included) and :data:`EXIT_INTERNAL` (1) for a
  failure that is not the user's input (a full disk, a bug);
* every error is one line on stderr, ``<prog>: error: <file, line, column:
  problem (expected ...)>``, never a traceback (``FORESIGHT_DEBUG=1`` adds the
  traceback of an internal error);
* numbers on the command line are read in one documented form (ASCII digits,
  an optional sign and decimal point; no ``nan``, ``inf`` or exponents).

:class:`StagedOutputs` writes a command's output files into a temporary
folder next to the target folder and moves them into place only when all of
them are complete, so an interrupted run (full disk, error, Ctrl-C) leaves the
previous outputs as they were.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Callable, Sequence

from foresight.errors import DataError

__all__ = [
    "EXIT_BAD_INPUT", "EXIT_INTERNAL", "OutputError", "StagedOutputs", "check_output_dir",
    "decimal", "integer", "run_command",
]

#: Exit status for bad input (arguments or files).
EXIT_BAD_INPUT = 2
#: Exit status for a failure that is not the input's fault.
EXIT_INTERNAL = 1

_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]{1,12}(?:\.[0-9]*)?|\.[0-9]+)$")


class OutputError(Exception):
    """Writing the outputs failed (disk full, permissions); previous outputs are intact."""


def integer(text: str) -> int:
    """argparse type: an integer written with ASCII digits (``2014``, ``-3``)."""
    if not _INTEGER.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number written in digits")
    return int(text)


def decimal(text: str) -> float:
    """argparse type: a decimal number (``15``, ``0.012``); no ``nan``, ``inf`` or ``1e3``."""
    if not _DECIMAL.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a decimal number such as 12.5")
    return float(text)


def run_command(prog: str, parser: argparse.ArgumentParser,
                body: Callable[[argparse.Namespace], int | None],
                argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run ``body``; map every outcome to an exit status.

    Returns
    -------
    int
        0, :data:`EXIT_BAD_INPUT` or :data:`EXIT_INTERNAL` (argparse's own
        status for ``--help`` and usage errors).
    """
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help (0) and usage errors (2); argparse printed them
        return int(exc.code or 0)
    try:
        return int(body(args) or 0)
    except DataError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; previous outputs are unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, the traceback on request
        if os.environ.get("FORESIGHT_DEBUG"):
            traceback.print_exc()
        print(f"{prog}: internal error: {type(exc).__name__}: {exc} (please report it; "
              "FORESIGHT_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")  # pragma: no cover - the root always exists


def check_output_dir(path: Path, names: Sequence[str], *, option: str = "--out") -> None:
    """Refuse an output folder that cannot receive ``names``, before anything is computed.

    Raises
    ------
    DataError
        The path is an existing file, one of the output names is a folder in it,
        or the nearest existing folder is not writable.
    """
    if path.exists() and not path.is_dir():
        raise DataError(f"{path} exists and is not a folder", row=option, row_label="option",
                        expected="a folder (new or existing) for the outputs")
    for name in names:
        if (path / name).is_dir():
            raise DataError(f"{path / name} is a folder", row=option, row_label="option",
                            expected=f"a place for the file {name}")
    base = _existing_ancestor(path if path.exists() else path.parent)
    if not base.is_dir():
        raise DataError(f"{base} is not a folder", row=option, row_label="option",
                        expected="a path whose parents are folders")
    if not os.access(base, os.W_OK | os.X_OK):
        raise DataError(f"cannot write in {base}", row=option, row_label="option",
                        expected="a folder you may write to")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class StagedOutputs:
    """Write files into a temporary folder next to ``target``; commit them all at once.

    Use as a context manager; :attr:`folder` is where to write. On a clean exit
    every file in ``names`` must exist there and they replace those in
    ``target`` (created if needed; other files in it are left alone). If the
    block raises, or writing fails, the temporary folder is removed and
    ``target`` is untouched. An :class:`OSError` is re-raised as
    :class:`OutputError`.
    """

    def __init__(self, target: Path, names: Sequence[str]) -> None:
        self.target = Path(target)
        self.names = tuple(names)
        self.folder: Path | None = None

    def __enter__(self) -> "StagedOutputs":
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.partial-",
                                                dir=self.target.parent))
        except OSError as exc:
            raise OutputError(f"cannot create a folder next to {self.target} "
                              f"({exc.strerror or exc})") from None
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        assert self.folder is not None
        try:
            if kind is None:
                self._commit()
        except OSError as err:
            raise OutputError(f"cannot write the outputs to {self.target} "
                              f"({err.strerror or err}); previous outputs are unchanged"
                              ) from None
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write the outputs to {self.target} "
                              f"({exc.strerror or exc}); previous outputs are unchanged"
                              ) from None
        return False

    def _commit(self) -> None:
        assert self.folder is not None
        missing = [n for n in self.names if not (self.folder / n).is_file()]
        if missing:  # pragma: no cover - a programming error in the command
            raise RuntimeError(f"outputs not written: {', '.join(missing)}")
        if not self.target.exists():
            self.folder.chmod(0o777 & ~_umask())  # mkdtemp made it private
            os.rename(self.folder, self.target)
            return
        backup = self.folder / ".previous"
        backup.mkdir()
        saved, placed = [], []
        try:
            for n in self.names:
                if (self.target / n).exists():
                    os.replace(self.target / n, backup / n)
                    saved.append(n)
            for n in self.names:
                os.replace(self.folder / n, self.target / n)
                placed.append(n)
        except OSError:
            for n in placed:
                os.replace(self.target / n, self.folder / n)
            for n in saved:
                os.replace(backup / n, self.target / n)
            raise
