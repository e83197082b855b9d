"""Command line: ``python -m foresight <domain> ...``.

Each domain that offers a command exposes ``main(argv) -> int`` in its
``cli`` module; this dispatcher only routes to it. Exit status, the same for
every command (:mod:`foresight.commands`): 0 done, 2 bad input, 1 any other
failure.
"""

from __future__ import annotations

import importlib
import sys
from typing import Sequence

from foresight.commands import EXIT_BAD_INPUT
from foresight.errors import DataError

COMMANDS = {
    "mortality": ("foresight.mortality.cli", "project or back-test mortality from HMD files"),
    "sle": ("foresight.sle.cli", "run the subjective life expectancy pipeline on a survey CSV"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m foresight <command> [options]\n\ncommands:")
        for name, (_, text) in COMMANDS.items():
            print(f"  {name:<10} {text}")
        return 0 if args else EXIT_BAD_INPUT
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"foresight: unknown command {name!r} (try --help)", file=sys.stderr)
        return EXIT_BAD_INPUT
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except DataError as exc:  # the commands report their own; this is a safety net
        print(f"foresight {name}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
