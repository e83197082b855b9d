"""How strict notebook validation compares numbers: at six significant digits.

The chapters are committed with their outputs, and ``make test`` re-executes
them under strict ``nbval``, which fails on any output that differs from the
committed one. Floating-point results carry round-off from the BLAS kernel
and the SIMD loops a machine happens to use: a glued ``1.0054530635256076``
on one machine is ``1.0054530635255965`` on another. Nobody reads those last
digits, but a plain string comparison fails on them.

The rule, applied to every output nbval compares (text, HTML, glued values)
on both sides, reference and re-executed:

* every decimal number (a literal with a point or an exponent, standing on
  its own) is compared by its value rounded to :data:`SIGNIFICANT_DIGITS`
  significant digits: ``1.0054530635256076`` and ``1.0054530635255965`` are
  both ``1.00545``, ``1.0`` and ``1.0000000000000002`` both ``1``, while a
  table's ``0.37`` stays ``0.37``;
* everything else (integers, words, version strings such as ``1.0.4``) must
  match exactly.

Pictures are not compared byte for byte. nbval already leaves displayed
``image/png`` out; figures stored with myst-nb's ``glue`` arrive under
``application/papermill.record/image/png`` and are left out the same way: a
change of 1e-12 in a fitted curve can move one anti-aliased pixel and with
it every byte of the PNG. What a figure shows is checked through the glued
numbers and tables computed from the same results.

So a result that moves in its 4th significant digit still fails validation,
while round-off in the 10th does not. The iterative fits behind the numbers
converge to tolerances far tighter than that (see
:mod:`foresight.mortality.pspline`), so the rounding only ever absorbs
round-off.

Zero has no significant digits to keep: a quantity that is zero by
construction (the two sides of an identity, a difference of equal terms)
comes out as ``0`` on one machine and ``1.11e-16`` or ``-2e-17`` on
another, and six significant digits of round-off are still round-off. So
the rule has an absolute floor, :data:`ZERO_FLOOR` (``1e-8``), stated once
here and applied in the mechanism rather than by each author:

* in the comparison, every decimal number smaller in magnitude than the
  floor is written as ``0`` (so are ``-0.0`` and ``-0.000``);
* at the source, :func:`foresight.chapter.glue_all` glues such a value as
  ``0.0`` and :func:`foresight.display.house_table` neither shows it as
  ``-0.000`` nor lets it choose a column's decimals
  (:func:`foresight.rounding.snap_zero`).

Why ``1e-8``: the largest decimal in the committed outputs is about ``5e4``
(expected deaths in the SLE chapter's graduation check, which a table cell
records in full), and the round-off of a zero-by-construction quantity built
from terms that large is a few units of ``5e4 * 2.2e-16``, about ``1e-11``:
the floor is a thousand times above it, and ten times above a sum of a
hundred such terms. (It was ``1e-9`` while the largest number was ``5e3``.)
The smallest non-zero decimal the book shows is ``2e-4`` (a table of
validities), ``2e4`` times above the floor, so the floor can never hide a
real number.
``tests/test_core_nbcompare.py`` checks both margins on the committed
outputs of every chapter, so a chapter that starts to show a number outside
them fails.

The module is a pytest plugin, registered through the ``pytest11`` entry
point in ``pyproject.toml``: whenever pytest runs in the project's
environment with ``--nbval``, nbval's sanitiser gets this rule after the
regular expressions of ``tests/nbval_sanitize.cfg``.
"""

from __future__ import annotations

import re

from foresight.rounding import ZERO_FLOOR

__all__ = ["FLOAT_PATTERN", "GLUED_PICTURES", "SIGNIFICANT_DIGITS", "ZERO_FLOOR", "round_floats"]

#: Digits kept when comparing decimal numbers in notebook outputs.
SIGNIFICANT_DIGITS = 6

#: Pictures stored by myst-nb's ``glue``, left out of the comparison like nbval's own ``image/png``.
GLUED_PICTURES = ("application/papermill.record/image/png", "application/papermill.record/image/jpeg")

#: A decimal number (with a point or an exponent) standing on its own: not
#: part of a word, an identifier or a dotted version string.
FLOAT_PATTERN = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])"
)


def _round_match(match: re.Match[str], digits: int = SIGNIFICANT_DIGITS) -> str:
    value = float(match.group(0))
    if abs(value) < ZERO_FLOOR:  # round-off around zero (and -0.0): no digits to keep
        return "0"
    return f"{value:.{digits}g}"


def round_floats(text: str, digits: int = SIGNIFICANT_DIGITS) -> str:
    """Write every decimal number in ``text`` as its value to ``digits`` significant digits.

    A number smaller in magnitude than :data:`ZERO_FLOOR` is written as ``0``.

    Examples
    --------
    >>> round_floats("e0 = 57.89615153415008, n = 35, version 1.0.4, share 0.37, psi2 1.0")
    'e0 = 57.8962, n = 35, version 1.0.4, share 0.37, psi2 1'
    >>> round_floats("gap 1.1102230246251565e-16, -0.000, 0.0")
    'gap 0, 0, 0'
    """
    return FLOAT_PATTERN.sub(lambda m: _round_match(m, digits), text)


def pytest_configure(config) -> None:  # pragma: no cover - exercised through nbval in the tests
    """Give every notebook nbval collects the rounding rule, after its sanitiser file."""
    try:
        from nbval import plugin as nbval_plugin
    except ImportError:
        return
    cls = nbval_plugin.IPyNbFile
    original = cls.setup_sanitize_files
    if getattr(original, "_foresight_digits", False):
        return

    def setup_sanitize_files(self) -> None:
        original(self)
        # nbval applies ``re.sub(pattern, replacement, text)``; a callable
        # replacement rounds each number it finds.
        self.sanitize_patterns[FLOAT_PATTERN.pattern] = _round_match
        self.skip_compare = tuple(dict.fromkeys((*self.skip_compare, *GLUED_PICTURES)))

    setup_sanitize_files._foresight_digits = True  # type: ignore[attr-defined]
    cls.setup_sanitize_files = setup_sanitize_files
