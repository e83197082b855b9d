"""How a published figure is printed in its source, and the checks that tie the two together.

Every row of ``data/published/*.csv`` carries, besides its ``value``, the
columns ``use``, ``printed`` and ``wording`` (see
:data:`foresight.data.PUBLISHED_SPEC`). ``printed`` holds the characters of the
source that state the figure (``1.2%``, ``(0.587)``, ``20-talet``, ``half``);
``wording`` holds the sentence, table cell or table row of the source that
contains them, or says why there is none:

* a **quotation**: the source's own words, with ``printed`` inside them;
* ``derived: <formula>``: the figure is computed from other figures of the
  table (``printed`` is empty), e.g. ``derived: sle_initial_sample -
  sle_excl_speeders``; the formula takes figure ids, numbers, ``+ - * /`` and
  parentheses, nothing else (:func:`evaluate_derived`);
* ``not printed: <where it comes from>``: the document states the figure only
  in words, or a chart shows it; such a row must be compared with a
  reproduction in a table of the book (``use`` is ``compared``), since nothing
  in the source text can check its value.

In both ``printed`` and ``wording`` each run of whitespace of the source
(including the no-break spaces of web captures) is written as one space.

:func:`read_printed` turns ``printed`` into a number;
:func:`check_printed_figures` checks one file's rows when it is loaded and
:func:`check_derived_figures` the formulas once every file is in; each failure
is a :class:`foresight.DataError` naming the file, the line and the column.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError

__all__ = [
    "DERIVED",
    "NOT_PRINTED",
    "USES",
    "check_derived_figures",
    "check_printed_figures",
    "evaluate_derived",
    "formula_names",
    "printed_in_wording",
    "read_printed",
    "wording_kind",
]

#: The values of the ``use`` column.
USES: tuple[str, ...] = ("compared", "context")

#: How a ``wording`` cell that holds a formula begins.
DERIVED = "derived:"

#: How a ``wording`` cell for a figure the text does not print begins.
NOT_PRINTED = "not printed:"

#: Relative allowance when a reading or a formula is set against ``value``.
_RELATIVE = 1e-9

_ENGLISH = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20,
}
_SWEDISH = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10,
}
_WORDS = {**_ENGLISH, **_SWEDISH}

_SIGNS = {"-": -1.0, "\u2212": -1.0, "+": 1.0, "": 1.0}
_NUMBER = re.compile(
    r"(?P<open>\()?(?P<sign>[-\u2212+]?)(?P<int>[0-9]+)(?:(?P<mark>[.,])(?P<frac>[0-9]+))?"
    r"(?P<close>\))?(?P<percent>\s?%|\s(?i:procent))?"
)
_DECADE = re.compile(r"(?P<nn>[0-9]{2})-talet")
_ABOUT = re.compile(r"(?:(?i:ett)\s)?(?P<nn>[0-9]+)-tal")
_RATIO = re.compile(r"(?P<n>[0-9]+|[^\W\d_]+)\sin\s(?P<m>[0-9]+|[^\W\d_]+)")

_EXPECTED = ("a number (sign -, \u2212 or +; decimal mark . or ,; optional parentheses and a "
             "trailing %, ' %' or ' procent'), 'NN-talet' (a decade, unit 'year'), "
             "'ett NN-tal' / 'NN-tal', a number word (one to twenty; en/ett to tio), 'half', "
             "or 'N in M'")


def _is_percent(unit: str) -> bool:
    return str(unit).strip().startswith("%")


def _is_fraction(unit: str) -> bool:
    return str(unit).strip() in ("share", "ratio")


def read_printed(printed: str, unit: str, *, file: str | None = None,
                 row: int | str | None = None) -> float:
    """The number a document prints, read from the characters that print it.

    Parameters
    ----------
    printed
        The characters of the source that state the figure, whitespace runs
        written as one space (the ``printed`` column of
        ``data/published/*.csv``).
    unit
        The figure's unit (the ``unit`` column): some forms mean different
        numbers in different units (``half`` is 0.5 of a share but 50 %).
    file, row
        Where ``printed`` comes from, for the error message.

    Returns
    -------
    float
        The figure in its unit.

    Raises
    ------
    DataError
        When no rule below reads the whole text, or a rule refuses it (a
        percentage in a unit that is not one, a decade whose unit is not a
        year, half of a count, a comma before three digits), naming
        ``file``, ``row`` and the column ``printed``.

    Notes
    -----
    The rules, each there because one of the four source documents needs it;
    the text must match one rule as a whole (surrounding spaces are ignored),
    and nothing else is read:

    1. **A number**: optional sign (``-``; the typographic minus ``−``,
       which the SLE paper uses in its Table 2; ``+``, which it puts on the
       upper end of a range of differences), digits, optionally a decimal
       mark and more digits. The mark may be ``.`` (English) or ``,``
       (Swedish); a comma followed by exactly three digits is refused,
       because it may be a thousands separator (thousands are never
       separated in these tables). Optionally:

       * enclosed in parentheses: how the SLE paper prints a robust standard
         error in Table 2 and an SD in Table 1 (``(0.587)`` is 0.587);
       * followed by ``%``, `` %`` or `` procent`` (the Swedish debate
         spells the word out); allowed only when the unit is a percentage
         (begins with ``%``), so that a share is never read as a percentage.
    2. **A Swedish decade**, ``NN-talet`` (the decade NN of a century):
       19NN, and only when the unit is ``year``. The debate, written in
       2013-14, dates early studies by decade of the twentieth century
       without naming the century.
    3. **A Swedish round number**, ``ett NN-tal`` or ``NN-tal`` (some NN, NN
       or so): NN. The debate gives the authors' experience this way; the
       vagueness belongs in the ``qualifier`` column ("about"), not in the
       number.
    4. **A number word**, in any case: English one to twenty (the careers
       paper counts occasions, transcripts and group members in words) and
       Swedish en/ett to tio (the debate counts the scores of a test battery
       in a word).
    5. **half**: 0.5 when the unit is ``share`` or ``ratio``, 50 when it is
       a percentage (the ONS chapter and the careers paper state shares as a
       half). Half of a count is refused: it depends on the count.
    6. **N in M** (numbers or number words): N/M as a share or ratio, 100
       N/M as a percentage (the SLE paper's Discussion states one share as
       one respondent in a given number).

    Examples
    --------
    >>> read_printed("1.2%", "% per year")
    1.2
    >>> read_printed("(0.587)", "years")
    0.587
    >>> read_printed("\u221232", "years")
    -32.0
    >>> read_printed("25 procent", "%")
    25.0
    >>> read_printed("1,5", "years")
    1.5
    >>> read_printed("20-talet", "year")
    1920.0
    >>> read_printed("ett 20-tal", "years")
    20.0
    >>> read_printed("Eight", "count"), read_printed("fem", "count")
    (8.0, 5.0)
    >>> read_printed("half", "share"), read_printed("half", "%")
    (0.5, 50.0)
    >>> read_printed("One in five", "%")
    20.0
    >>> read_printed("about 46", "years")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    foresight.errors.DataError: column printed: cannot read 'about 46' as a figure in years (expected ...)
    """
    if not isinstance(printed, str):
        raise DataError(f"{printed!r} is not text", file=file, row=row, column="printed",
                        expected=_EXPECTED)
    text = printed.strip()

    def refuse(why: str) -> DataError:
        return DataError(why, file=file, row=row, column="printed", expected=_EXPECTED)

    m = _NUMBER.fullmatch(text)
    if m:
        if bool(m["open"]) != bool(m["close"]):
            raise refuse(f"unbalanced parentheses in {text!r}")
        if m["mark"] == "," and len(m["frac"]) == 3:
            raise refuse(f"{text!r} is ambiguous: a comma before three digits may separate "
                         "thousands")
        if m["percent"] and not _is_percent(unit):
            raise refuse(f"{text!r} is a percentage but the unit is {unit!r}")
        digits = m["int"] + ("." + m["frac"] if m["frac"] else "")
        return _SIGNS[m["sign"]] * float(digits)
    m = _DECADE.fullmatch(text)
    if m:
        if str(unit).strip() != "year":
            raise refuse(f"{text!r} is a decade but the unit is {unit!r}, not 'year'")
        return float(1900 + int(m["nn"]))
    m = _ABOUT.fullmatch(text)
    if m:
        return float(int(m["nn"]))
    word = text.lower()
    if word in _WORDS:
        return float(_WORDS[word])
    if word == "half":
        return _part(1.0, 2.0, unit, text, refuse)
    m = _RATIO.fullmatch(word)
    if m:
        n, d = (_count(g) for g in (m["n"], m["m"]))
        if n is not None and d:
            return _part(n, d, unit, text, refuse)
    raise refuse(f"cannot read {text!r} as a figure in {unit}")


def _count(token: str) -> float | None:
    if token.isdigit():
        return float(token)
    return float(_WORDS[token]) if token in _WORDS else None


def _part(n: float, d: float, unit: str, text: str, refuse) -> float:
    if _is_percent(unit):
        return 100.0 * n / d
    if _is_fraction(unit):
        return n / d
    raise refuse(f"{text!r} is a part of a whole, but the unit is {unit!r} "
                 "(expected a share, a ratio or a percentage)")


def wording_kind(wording: str) -> str:
    """``"derived"``, ``"not printed"`` or ``"quotation"``, from how a ``wording`` cell begins."""
    text = str(wording).strip()
    if text.startswith(DERIVED):
        return "derived"
    if text.startswith(NOT_PRINTED):
        return "not printed"
    return "quotation"


def printed_in_wording(printed: str, wording: str) -> bool:
    """Whether ``printed`` occurs in ``wording`` as a whole token.

    The occurrence may not continue a word or a number on either side, so
    ``5`` is not found in ``15`` or ``0.5``, nor ``five`` in ``fives``.

    >>> printed_in_wording("5", "a score of 5 here"), printed_in_wording("5", "in 15 or 0.5")
    (True, False)
    """
    pattern = r"(?<!\w)(?<!\w[.,])" + re.escape(printed) + r"(?!\w)(?![.,]\d)"
    return re.search(pattern, wording) is not None


_ALLOWED_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def _formula(wording: str) -> str:
    return str(wording).strip()[len(DERIVED):].strip()


def _parse(expression: str) -> ast.Expression:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ValueError(f"{expression!r} is not a formula") from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Name, ast.Load, ast.BinOp, ast.UnaryOp,
                             ast.UAdd, ast.USub, *_ALLOWED_OPS)):
            continue
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            continue
        raise ValueError(f"{expression!r}: {type(node).__name__} is not allowed "
                         "(only figure ids, numbers, + - * / and parentheses)")
    return tree


def formula_names(expression: str) -> list[str]:
    """The figure ids a formula refers to, in order of first use."""
    names: list[str] = []
    for node in ast.walk(_parse(expression)):
        if isinstance(node, ast.Name) and node.id not in names:
            names.append(node.id)
    return names


def evaluate_derived(expression: str, values: Mapping[str, float]) -> float:
    """Evaluate a ``derived:`` formula over figure values, without ``eval``.

    Parameters
    ----------
    expression
        The formula, with or without its ``derived:`` prefix: figure ids,
        numbers, ``+ - * /`` (and unary signs) and parentheses.
    values
        Figure id -> value.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Anything else in the formula (a call, an attribute, a power, a
        comparison, a string), an id not in ``values``, or a division by
        zero.

    Examples
    --------
    >>> evaluate_derived("derived: a - b", {"a": 1223, "b": 156})
    1067.0
    >>> evaluate_derived("(n + 1) / 2", {"n": 11})
    6.0
    >>> evaluate_derived("__import__('os')", {})
    Traceback (most recent call last):
    ...
    ValueError: "__import__('os')": Call is not allowed (only figure ids, numbers, + - * / and parentheses)
    """
    text = expression.strip()
    if text.startswith(DERIVED):
        text = _formula(text)
    tree = _parse(text)

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"unknown figure id {node.id!r} in {text!r}")
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp):
            x = ev(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        assert isinstance(node, ast.BinOp)
        a, b = ev(node.left), ev(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ValueError(f"division by zero in {text!r}")
        return a / b

    return ev(tree)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _RELATIVE * max(1.0, abs(a), abs(b))


def _blank(x: object) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or not str(x).strip()


def check_printed_figures(figures: pd.DataFrame, label: str, *,
                          lines: Sequence[int] | None = None, first_line: int = 2) -> None:
    """Check one file's figures against how the document prints them, at load time.

    For each row (line ``lines[i]``, else ``first_line + i``):

    * ``value`` has no more decimals than ``decimals`` says (column
      ``value``);
    * a quotation needs ``printed``; ``printed`` must be readable by
      :func:`read_printed` (column ``printed``), read as ``value`` (column
      ``value``) and occur in the quotation (column ``wording``);
    * a ``derived:`` or ``not printed:`` row has no ``printed``; a formula
      must be well formed and must not name its own row (column
      ``wording``); its value is checked by :func:`check_derived_figures`
      once every file is loaded;
    * a ``not printed:`` row must be ``compared`` (column ``use``): nothing in
      the source could check it otherwise.

    Raises
    ------
    DataError
        At the first failure, naming the file, the line and the column.
    """
    ids = figures["id"].astype(str).tolist() if "id" in figures else [""] * len(figures)
    value = figures["value"].to_numpy(dtype=float)
    decimals = figures["decimals"].to_numpy(dtype=float)
    unit = figures["unit"].astype(object).tolist()
    printed = figures["printed"].astype(object).tolist()
    wording = figures["wording"].astype(object).tolist()
    use = figures["use"].astype(object).tolist()
    for i in range(len(figures)):
        line = int(lines[i]) if lines is not None else first_line + i
        where = dict(file=label, row=line)
        v, d = value[i], int(decimals[i])
        if not _close(round(v, d), v):
            raise DataError(f"value {v:g} has more decimals than the {d} its decimals column "
                            "states", **where, column="value",
                            expected=f"a value with at most {d} decimals, or decimals raised")
        kind = wording_kind(wording[i])
        has_printed = not _blank(printed[i])
        if kind == "quotation":
            if not has_printed:
                raise DataError("a quotation without the printed figure", **where,
                                column="printed",
                                expected="the characters of the quotation that state the figure, "
                                         f"or a wording that begins {DERIVED!r} or "
                                         f"{NOT_PRINTED!r}")
            p = str(printed[i]).strip()
            reading = read_printed(p, str(unit[i]), file=label, row=line)
            if not _close(reading, v):
                raise DataError(f"value {v:g}, but the document prints {p!r}, which reads "
                                f"as {reading:g}", **where, column="value",
                                expected="the value the printed text states")
            if not printed_in_wording(p, str(wording[i])):
                raise DataError(f"the printed figure {p!r} does not occur in the quoted wording",
                                **where, column="wording",
                                expected="the source's sentence, cell or row that prints it")
            continue
        if has_printed:
            raise DataError(f"a {kind} figure with printed text {str(printed[i])!r}", **where,
                            column="printed",
                            expected="an empty cell (or a quotation in wording)")
        if kind == "not printed":
            if use[i] != "compared":
                raise DataError("a figure the text does not print is not compared", **where,
                                column="use",
                                expected="'compared' (a reproduction in a table of the book "
                                         "checks it), or the printed text and its wording")
            if not str(wording[i]).strip()[len(NOT_PRINTED):].strip():
                raise DataError("'not printed:' without where the figure comes from", **where,
                                column="wording", expected="where the figure comes from")
            continue
        try:
            names = formula_names(_formula(wording[i]))
        except ValueError as exc:
            raise DataError(str(exc), **where, column="wording",
                            expected="derived: a formula of figure ids, numbers, + - * / "
                                     "and parentheses") from None
        if ids[i] in names:
            raise DataError(f"the formula of {ids[i]!r} refers to the figure itself", **where,
                            column="wording", expected="a formula over other figures")


def check_derived_figures(table: pd.DataFrame, lines: Mapping[str, int] | None = None) -> None:
    """Check every ``derived:`` formula of the whole published table against its ``value``.

    The formula is evaluated over the other figures' values
    (:func:`evaluate_derived`) and rounded to the row's ``decimals``; it must
    equal ``value``. ``table`` has columns ``id``, ``file``, ``value``,
    ``decimals`` and ``wording``; ``lines`` maps a figure id to its file line.

    Raises
    ------
    DataError
        An unknown id in a formula (column ``wording``) or a formula whose
        result differs from the value (column ``value``).
    """
    ids = table["id"].astype(str).tolist()
    values = dict(zip(ids, table["value"].to_numpy(dtype=float)))
    for fid, f, d, w, v in zip(ids, table["file"].astype(str), table["decimals"].to_numpy(float),
                               table["wording"].astype(object), table["value"].to_numpy(float)):
        if wording_kind(w) != "derived":
            continue
        where = dict(file=f, row=(lines or {}).get(fid))
        others = {k: x for k, x in values.items() if k != fid}
        try:
            result = evaluate_derived(_formula(w), others)
        except ValueError as exc:
            raise DataError(str(exc), **where, column="wording",
                            expected="a formula over the ids of data/published/") from None
        if not _close(round(result, int(d)), v):
            raise DataError(f"value {v:g}, but its formula {_formula(w)!r} gives {result:g}",
                            **where, column="value",
                            expected=f"the formula's result at {int(d)} decimals")
