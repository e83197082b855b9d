"""Zero and p-values as numbers: the one absolute floor below which a result is round-off.

(And how a p-value is written: a bound below :data:`P_FLOOR`, never ``7e-53``.)

A quantity that is zero by construction (the two sides of an identity, the
difference of two equal terms, a residual that least squares makes
orthogonal) is computed in floating point and comes out as ``0.0`` on one
machine and ``1.11e-16`` or ``-2e-17`` on another. Such a value has no
significant digits: written with six of them, ``1.11022e-16`` looks like a
result. The book therefore treats every value smaller in magnitude than
:data:`ZERO_FLOOR` as zero, in three places and nowhere else:

* :func:`foresight.chapter.glue_all` glues it as ``0.0``;
* :func:`foresight.display.house_table` shows it as ``0`` at the column's
  precision and does not let it set the column's decimals;
* :mod:`foresight.nbcompare` (strict notebook validation) compares it as ``0``.

The choice of ``1e-8`` and the margins that justify it are in
:mod:`foresight.nbcompare`; a test checks them on the committed outputs.
"""

from __future__ import annotations

import math
import numbers as _numbers

__all__ = ["DISPLAY_DIGITS", "P_FLOOR", "ZERO_FLOOR", "format_p", "identity_text", "is_round_off",
           "settle", "snap_zero"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: Magnitude below which a value is round-off around zero (absolute, in the value's own unit).
ZERO_FLOOR = 1e-8


def is_round_off(value: float) -> bool:
    """Whether ``value`` is a float smaller in magnitude than :data:`ZERO_FLOOR` (``-0.0`` included).

    ``NaN`` is not round-off (it is missing), nor is any integer.
    """
    if isinstance(value, (bool, _numbers.Integral)) or not isinstance(value, _numbers.Real):
        return False
    x = float(value)
    return not math.isnan(x) and abs(x) < ZERO_FLOOR


def snap_zero(value):
    """``0.0`` for a round-off value (see :func:`is_round_off`), else ``value`` unchanged.

    Examples
    --------
    >>> snap_zero(1.1102230246251565e-16), snap_zero(-0.0), snap_zero(0.25), snap_zero(3)
    (0.0, 0.0, 0.25, 3)
    """
    return 0.0 if is_round_off(value) else value


#: Significant digits a number keeps on its way to the page (see :func:`settle`).
DISPLAY_DIGITS = 12


def settle(value):
    """``value`` as it goes to the page: round-off around zero snapped, then 12 significant digits.

    A result that lands on a rounding edge of what the page shows (``1.17 / 0.80 - 1``
    is 0.4625 exactly, shown as a percentage to one decimal) is computed as
    ``0.46249999999999997`` on one machine and ``0.4625000000000001`` on another,
    and the two print as 46.2% and 46.3%. Rounded to :data:`DISPLAY_DIGITS`
    significant digits first, both become the same double, which prints the same
    everywhere; only round-off below about 1e-12 relative is removed. Anything that
    is not a finite float passes unchanged.

    Examples
    --------
    >>> settle(0.46249999999999997) == settle(0.4625000000000001)
    True
    >>> settle(1.1102230246251565e-16), settle(83.96717115328825), settle(7), settle("x")
    (0.0, 83.9671711533, 7, 'x')
    """
    if isinstance(value, (bool, _numbers.Integral)) or not isinstance(value, _numbers.Real):
        return value
    x = float(snap_zero(value))
    if not math.isfinite(x):
        return value
    return float(f"{x:.{DISPLAY_DIGITS}g}")


def identity_text(lhs: float, rhs: float) -> str:
    """How two sides of an identity compare, in words a reader can check.

    ``"agree to within round-off (they differ by less than 10⁻⁸)"`` when
    ``|lhs - rhs|`` is below :data:`ZERO_FLOOR`, otherwise ``"differ by 2.5e-03"``:
    the same words on every machine when the identity holds, and the size of
    the failure when it does not.

    Examples
    --------
    >>> identity_text(0.5362, 0.5362 + 1.1e-16)
    'agree to within round-off (they differ by less than 10⁻⁸)'
    >>> identity_text(0.5362, 0.5387)
    'differ by 2.5e-03'
    """
    gap = abs(float(lhs) - float(rhs))
    if gap < ZERO_FLOOR:
        power = str(round(math.log10(ZERO_FLOOR))).translate(_SUPERSCRIPT)
        return f"agree to within round-off (they differ by less than 10{power})"
    return f"differ by {gap:.1e}"


#: Smallest p-value written as a number; anything smaller is written as a bound.
P_FLOOR = 0.001


def format_p(p: float) -> str:
    """A p-value as a reader sees it: ``p = 0.042`` or, below :data:`P_FLOOR`, ``p < 0.001``.

    A p-value of ``7e-53`` carries no information beyond "far below any test
    level", and its digits depend on the far tail of a distribution: the
    book writes it as a bound, as the source documents do.

    Raises
    ------
    ValueError
        For a value outside [0, 1] or NaN.

    Examples
    --------
    >>> format_p(6.7e-53), format_p(0.0421), format_p(0.001), format_p(1.0)
    ('p < 0.001', 'p = 0.042', 'p = 0.001', 'p = 1.000')
    """
    x = float(p)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"a p-value must lie in [0, 1], got {p!r}")
    return f"p < {P_FLOOR:g}" if x < P_FLOOR else f"p = {x:.3f}"
