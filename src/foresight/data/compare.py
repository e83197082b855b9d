"""Published against reproduced: one comparison, one vocabulary.

Every side-by-side table in the book (a figure as a document prints it next to
the same quantity computed by the package) is made by :func:`compare`. It
returns the same columns everywhere (:data:`COLUMNS`) and one of four verdicts
(:data:`VERDICTS`):

``agrees`` / ``differs``
    A genuine reproduction (basis ``"reproduction"``): the same quantity
    computed from the same kind of data. ``agrees`` when the reproduced value
    is inside the range the printed figure allows (below), ``differs``
    otherwise.
``calibrated``
    Agreement by construction (basis ``"calibrated"``): the data were made to
    match the figure, e.g. a synthetic cohort tuned to the published
    statistics, or a parameter solved from the figure. Inside the allowed
    range the verdict is ``calibrated``; outside it the calibration missed and
    the verdict is ``differs``.
``not comparable``
    A different population, period or kind of data (basis
    ``"not comparable"``): the difference is shown, but there is no pass or
    fail.

What range a printed figure allows
----------------------------------
Let ``v`` be the printed value with ``d`` decimals and ``u = 10**-d`` one unit
of its last printed digit. The ``qualifier`` column of ``data/published/*.csv``
says how the document states ``v``; each accepted word maps to one rule:

==============================================  ===============================  ===================
qualifier (words accepted)                      reproduced ``r`` agrees when     default tolerance
==============================================  ===============================  ===================
``exact`` (a plain printed number)              ``|r - v| <= u/2``               ``u/2`` (rounding)
``about``, ``around``, ``approximately``        ``|r - v| <= u``                 ``u``
``almost``, ``nearly``                          ``v - u <= r < v``               ``u`` (below only)
``more than``, ``over``                         ``r > v``                        none (one-sided)
``at least``                                    ``r >= v``                       none (one-sided)
``less than``, ``under``, ``fewer than``        ``r < v``                        none (one-sided)
``at most``                                     ``r <= v``                       none (one-sided)
==============================================  ===============================  ===================

* A plain number is the rounding of the true value, so anything that rounds to
  it agrees; the boundary itself (``v +/- u/2``) agrees, since either rounding
  direction could print it.
* "About" widens the rounding to a whole unit either side: "about 46" admits
  45 to 47.
* "Almost" is a value just short of ``v``: "almost 95 %" admits 94 up to but
  not including 95.
* "More than", "less than" and their kin are bounds and only bounds: "more
  than 75 %" is satisfied by any value above 75 and by nothing at or below it
  (72 % does not agree, and neither does 75 %); "at least" and "at most"
  include the bound. A bound is never widened: a ``tolerance`` on a one-sided
  row is an error.
* An explicit ``tolerance`` in the data (with its reason in
  ``tolerance_basis``) replaces the default width of a two-sided rule (``u/2``
  or ``u``) or the width below ``v`` of "almost". It is the only way to change
  a tolerance; code never passes one.
* Every comparison allows ``1e-9 * max(1, |v|)`` for floating-point round-off:
  a reproduced value equal to a bound in nine significant digits counts as
  equal to it.
* Any other qualifier is an error (:class:`foresight.DataError`).

The ``figures`` table
---------------------
:func:`compare` takes the figures as a DataFrame indexed by figure id with
columns ``quantity``, ``value``, ``decimals`` and ``qualifier`` and, optionally,
``tolerance``/``tolerance_basis`` (explicit tolerance and its reason),
``source`` and ``section`` (shown together as "source and section") and
``file`` (named in error messages). :func:`foresight.data.published` returns
such a table; so do the other reference tables of the book (for example
:func:`foresight.mortality.elt_cited_figures`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from foresight.errors import DataError

__all__ = [
    "BASES",
    "COLUMNS",
    "QUALIFIERS",
    "VERDICTS",
    "Rule",
    "check_figures",
    "compare",
    "comparison_display",
    "rule_for",
    "verdict_counts",
    "within",
]

#: The four verdicts, in the order tables count them.
VERDICTS: tuple[str, ...] = ("agrees", "differs", "calibrated", "not comparable")

#: What a reproduced value is, relative to the published one.
BASES: tuple[str, ...] = ("reproduction", "calibrated", "not comparable")

#: The columns of every comparison table, in order (the index is the row id).
COLUMNS: tuple[str, ...] = (
    "figure",
    "source and section",
    "published",
    "reproduced",
    "difference",
    "tolerance",
    "basis of the tolerance",
    "verdict",
)


@dataclass(frozen=True)
class Rule:
    """How one qualifier reads a printed figure ``v``.

    Attributes
    ----------
    name
        Short name of the rule (``"rounded"``, ``"approximate"``,
        ``"just below"``, ``"greater"``, ``"at least"``, ``"less"``,
        ``"at most"``).
    lower, upper
        Each end of the accepted range: ``"width"`` (``v`` minus / plus the
        tolerance, included), ``"value"`` (``v`` itself, included),
        ``"value, excluded"`` (``v`` itself, excluded) or ``"open"`` (no limit
        on that side).
    width_units
        Default tolerance in units of the last printed digit (0 for bounds).
    words
        How the basis column describes the rule (``{q}`` is the qualifier).
    """

    name: str
    lower: str
    upper: str
    width_units: float
    words: str

    @property
    def widen(self) -> bool:
        """Whether the rule has a width (so an explicit tolerance may replace it)."""
        return "width" in (self.lower, self.upper)


_ROUNDED = Rule("rounded", "width", "width", 0.5,
                "rounding of the printed figure: half a unit of its last digit")
_APPROX = Rule("approximate", "width", "width", 1.0,
               "'{q}': one unit of the last printed digit either side")
_ALMOST = Rule("just below", "width", "value, excluded", 1.0,
               "'{q}': up to one unit of the last printed digit below, not at or above")
_GREATER = Rule("greater", "value, excluded", "open", 0.0, "'{q}': one-sided, must exceed the figure")
_AT_LEAST = Rule("at least", "value", "open", 0.0, "'{q}': one-sided, must reach the figure")
_LESS = Rule("less", "open", "value, excluded", 0.0, "'{q}': one-sided, must stay below the figure")
_AT_MOST = Rule("at most", "open", "value", 0.0, "'{q}': one-sided, must not exceed the figure")

#: Every accepted qualifier and the rule it follows (see the module docstring).
QUALIFIERS: dict[str, Rule] = {
    "exact": _ROUNDED,
    "about": _APPROX,
    "around": _APPROX,
    "approximately": _APPROX,
    "almost": _ALMOST,
    "nearly": _ALMOST,
    "more than": _GREATER,
    "over": _GREATER,
    "at least": _AT_LEAST,
    "less than": _LESS,
    "under": _LESS,
    "fewer than": _LESS,
    "at most": _AT_MOST,
}

#: Relative allowance for floating-point round-off at a bound.
ROUNDOFF = 1e-9


def rule_for(qualifier: str, *, file: str | None = None, row: int | str | None = None) -> Rule:
    """The :class:`Rule` of one qualifier; :class:`DataError` for an unknown word."""
    try:
        return QUALIFIERS[str(qualifier)]
    except KeyError:
        raise DataError(f"unknown qualifier {qualifier!r}", file=file, row=row, column="qualifier",
                        expected="one of " + ", ".join(repr(q) for q in QUALIFIERS)) from None


def _tolerances(decimals: np.ndarray, rules: Sequence[Rule], explicit: np.ndarray) -> np.ndarray:
    unit = 10.0 ** (-np.asarray(decimals, dtype=float))
    default = unit * np.array([r.width_units for r in rules], dtype=float)
    widen = np.array([r.widen for r in rules], dtype=bool)
    return np.where(widen & ~np.isnan(explicit), explicit, default)


def _end(kind: np.ndarray, v: np.ndarray, t: np.ndarray, sign: float) -> np.ndarray:
    return np.select([kind == "width", kind == "open"], [v + sign * t, sign * np.inf], default=v)


def within(published, reproduced, decimals, qualifier, tolerance=None) -> np.ndarray:
    """Whether each reproduced value is inside the range its printed figure allows.

    Parameters
    ----------
    published, reproduced
        Printed and reproduced values (arrays of the same length, or scalars).
    decimals
        Decimals printed (``0`` for whole numbers).
    qualifier
        One qualifier per value (see :data:`QUALIFIERS`).
    tolerance
        Explicit tolerances (``NaN`` where the default applies), or ``None``.

    Returns
    -------
    numpy.ndarray
        Booleans, one per value (the rules of the module docstring). A
        reproduced value that is not finite is never inside.
    """
    v, r, d, q, tol = np.broadcast_arrays(
        np.atleast_1d(np.asarray(published, dtype=float)),
        np.atleast_1d(np.asarray(reproduced, dtype=float)),
        np.atleast_1d(np.asarray(decimals, dtype=float)),
        np.atleast_1d(np.asarray(qualifier, dtype=object)),
        np.atleast_1d(np.asarray(np.nan if tolerance is None else tolerance, dtype=float)),
    )
    rules = [rule_for(x) for x in q]
    t = _tolerances(d, rules, tol)
    lower = np.array([x.lower for x in rules], dtype=object)
    upper = np.array([x.upper for x in rules], dtype=object)
    lo, hi = _end(lower, v, t, -1.0), _end(upper, v, t, 1.0)
    eps = ROUNDOFF * np.maximum(1.0, np.abs(v))
    with np.errstate(invalid="ignore"):
        ok_lo = np.where(lower == "value, excluded", r > lo + eps, r >= lo - eps)
        ok_hi = np.where(upper == "value, excluded", r < hi - eps, r <= hi + eps)
    return ok_lo & ok_hi & np.isfinite(r)


def check_figures(figures: pd.DataFrame, label: str, *, first_line: int = 2,
                  lines: Sequence[int] | None = None) -> None:
    """Check the comparison columns of a figures table as read from ``label``.

    Every qualifier must be known; an explicit ``tolerance`` needs its reason
    in ``tolerance_basis`` (and a reason needs a tolerance); a one-sided bound
    takes no tolerance. Errors name the file, the line and the column: row
    ``i`` of the table is line ``lines[i]`` when the reader gave the line of
    each row (:func:`foresight.data.read_table_with_lines`, right after quoted
    multi-line fields), else line ``first_line + i``.
    """
    qual = figures["qualifier"].astype(object).to_numpy()
    tol = (figures["tolerance"].to_numpy(dtype=float) if "tolerance" in figures
           else np.full(len(figures), np.nan))
    why = (figures["tolerance_basis"].to_numpy(dtype=object) if "tolerance_basis" in figures
           else np.full(len(figures), None, dtype=object))
    for i, (q, t, w) in enumerate(zip(qual, tol, why)):
        line = int(lines[i]) if lines is not None else first_line + i
        rule = rule_for(q, file=label, row=line)
        has_reason = w is not None and not (isinstance(w, float) and np.isnan(w)) and str(w).strip()
        if not np.isnan(t) and not has_reason:
            raise DataError("a tolerance without its reason", file=label, row=line,
                            column="tolerance_basis",
                            expected="the reason for the explicit tolerance")
        if np.isnan(t) and has_reason:
            raise DataError("a tolerance reason without a tolerance", file=label, row=line,
                            column="tolerance", expected="the tolerance the reason explains")
        if not np.isnan(t) and not rule.widen:
            raise DataError(f"the bound {q!r} takes no tolerance", file=label, row=line,
                            column="tolerance",
                            expected="an empty cell (a one-sided bound is never widened)")


def _basis_text(rules: Sequence[Rule], qualifiers: Sequence[str], explicit: np.ndarray,
                reasons: np.ndarray) -> list[str]:
    out = []
    for rule, q, t, why in zip(rules, qualifiers, explicit, reasons):
        if not np.isnan(t):
            out.append(str(why))
        else:
            out.append(rule.words.format(q=q))
    return out


def compare(
    figures: pd.DataFrame,
    reproduced: Mapping[str, float] | pd.Series,
    *,
    basis: str | Mapping[str, str] = "reproduction",
    figure_ids: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Set reproduced values beside the figures a document prints, with a verdict.

    Parameters
    ----------
    figures
        The printed figures, indexed by figure id (see the module docstring;
        e.g. :func:`foresight.data.published`).
    reproduced
        Reproduced values keyed by row id, in the order the table shows them.
        A row id is a figure id unless ``figure_ids`` maps it to one (so that
        two rows can be checked against the same figure, e.g. the lowest and
        the highest count a text admits).
    basis
        ``"reproduction"``, ``"calibrated"`` or ``"not comparable"`` (see
        :data:`BASES`): one for every row, or a mapping with one per row id.
    figure_ids
        Row id -> figure id, for rows whose id is not a figure id.
    labels
        Row id -> text for the ``figure`` column (default: the figure's
        ``quantity``).

    Returns
    -------
    pandas.DataFrame
        Indexed by row id (index name ``id``), columns :data:`COLUMNS`:
        ``figure`` (what is compared), ``source and section``, ``published``,
        ``reproduced``, ``difference`` (reproduced minus published, in the
        figure's unit), ``tolerance`` (the width the rule allows; 0 for a
        one-sided bound), ``basis of the tolerance`` (the rule or the stated
        reason) and ``verdict`` (one of :data:`VERDICTS`).

    Raises
    ------
    DataError
        An unknown figure id or qualifier (naming the file where known).
    ValueError
        An unknown basis, a basis mapping that misses a row, or a reproduced
        value that is not a finite number.

    Examples
    --------
    >>> figs = pd.DataFrame({"quantity": ["share of answers that are multiples of ten"],
    ...                      "value": [75.0], "decimals": [0], "qualifier": ["more than"]},
    ...                     index=["tens"])
    >>> compare(figs, {"tens": 72.0})["verdict"].tolist()
    ['differs']
    >>> compare(figs, {"tens": 77.6})["verdict"].tolist()
    ['agrees']
    """
    rep = pd.Series(reproduced, dtype=float) if not isinstance(reproduced, pd.Series) \
        else reproduced.astype(float)
    rows = [str(k) for k in rep.index]
    if len(set(rows)) != len(rows):
        raise ValueError("row ids must be unique")
    ids = [str((figure_ids or {}).get(k, k)) for k in rows]
    label_file = figures.attrs.get("file")
    missing = [i for i in ids if i not in figures.index]
    if missing:
        raise DataError(f"no figure with id {missing[0]!r}", file=label_file or "data/published",
                        column="id", expected="an id of the figures table")
    fig = figures.loc[ids]
    bad = ~np.isfinite(rep.to_numpy(dtype=float))
    if bad.any():
        first = rows[int(np.flatnonzero(bad)[0])]
        raise ValueError(f"row {first!r}: the reproduced value is not a finite number")
    if isinstance(basis, str):
        bases = [basis] * len(rows)
    else:
        lacking = [k for k in rows if k not in basis]
        if lacking:
            raise ValueError(f"no basis for row {lacking[0]!r}")
        bases = [str(basis[k]) for k in rows]
    unknown = sorted(set(bases) - set(BASES))
    if unknown:
        raise ValueError(f"unknown basis {unknown[0]!r} (expected one of {', '.join(BASES)})")

    files = fig["file"].astype(str).tolist() if "file" in fig else [label_file] * len(fig)
    qualifiers = [str(q) for q in fig["qualifier"].astype(object)]
    rules = [rule_for(q, file=f, row=i) for q, f, i in zip(qualifiers, files, ids)]
    explicit = (fig["tolerance"].to_numpy(dtype=float) if "tolerance" in fig
                else np.full(len(fig), np.nan))
    reasons = (fig["tolerance_basis"].to_numpy(dtype=object) if "tolerance_basis" in fig
               else np.full(len(fig), None, dtype=object))
    for rule, t, f, i, q in zip(rules, explicit, files, ids, qualifiers):
        if not np.isnan(t) and not rule.widen:
            raise DataError(f"figure {i!r}: the bound {q!r} takes no tolerance", file=f,
                            column="tolerance", expected="an empty cell")
    value = fig["value"].to_numpy(dtype=float)
    decimals = fig["decimals"].to_numpy(dtype=float)
    r = rep.to_numpy(dtype=float)
    ok = within(value, r, decimals, qualifiers, explicit)
    b = np.asarray(bases, dtype=object)
    verdict = np.select([b == "not comparable", ok & (b == "calibrated"), ok],
                        ["not comparable", "calibrated", "agrees"], default="differs")
    quantity = [str((labels or {}).get(k, q)) for k, q in zip(rows, fig["quantity"].astype(str))]
    source = _source_and_section(fig)
    out = pd.DataFrame(
        {
            "figure": quantity,
            "source and section": source,
            "published": value,
            "reproduced": r,
            "difference": r - value,
            "tolerance": _tolerances(decimals, rules, explicit),
            "basis of the tolerance": _basis_text(rules, qualifiers, explicit, reasons),
            "verdict": verdict.astype(object),
        },
        index=pd.Index(rows, name="id"),
    )
    out.attrs["decimals"] = dict(zip(rows, decimals.astype(int).tolist()))
    out.attrs["figure_ids"] = dict(zip(rows, ids))
    return out


def _source_and_section(fig: pd.DataFrame) -> list[str]:
    parts = []
    for col in ("source", "section"):
        if col in fig:
            parts.append(fig[col].astype(object).where(fig[col].notna(), "").astype(str).tolist())
    if not parts:
        return [""] * len(fig)
    return [", ".join(p for p in pieces if p) for pieces in zip(*parts)]


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of rows with each verdict (every verdict of :data:`VERDICTS`, zeros included)."""
    counts = table["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def _number(x: float, decimals: int) -> str:
    from foresight.rounding import settle

    text = f"{settle(x):.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


#: Short labels for the default bases in the displayed tables, with the key printed
#: under each table that uses them (rule name -> (label, key entry)).
_BASIS_SHORT: dict[str, tuple[str, str]] = {
    "rounded": ("rounding", "rounding: the figure is printed rounded, so half a unit of its last "
                            "digit either side."),
    "approximate": ("'{q}'", "'about' (or 'around', 'approximately'): one unit of the last "
                             "printed digit either side."),
    "just below": ("'{q}'", "'almost' (or 'nearly'): up to one unit of the last printed digit "
                            "below the figure, not at or above it."),
    "greater": ("'{q}' (bound)", "bound: one-sided, no tolerance; 'more than' or 'over' must exceed "
                                 "the figure, 'less than', 'under' or 'fewer than' stay below it, "
                                 "'at least' and 'at most' may equal it."),
}
_BASIS_SHORT["less"] = _BASIS_SHORT["at least"] = _BASIS_SHORT["at most"] = _BASIS_SHORT["greater"]


def _short_basis(text: str) -> tuple[str, str | None]:
    """The label shown for a basis text and the key entry that explains it (``None``
    for a reason stated in the data, which is shown in full)."""
    for q, rule in QUALIFIERS.items():
        if text == rule.words.format(q=q):
            label, key = _BASIS_SHORT[rule.name]
            return label.format(q=q), key
    return text, None


def _exact_decimals(x: float, least: int, most: int = 6) -> int:
    """Fewest decimals (at least ``least``) that write ``x`` exactly (up to ``most``)."""
    for k in range(least, most + 1):
        if abs(round(x, k) - x) <= 1e-9 * max(1.0, abs(x)):
            return k
    return most


def _units(table: pd.DataFrame) -> dict[str, str]:
    """Unit of each row: recorded by ``compare`` (``attrs['units']``) or, for rows that
    check a figure of ``data/published``, that figure's unit."""
    units = dict(table.attrs.get("units", {}))
    ids = table.attrs.get("figure_ids", {})
    missing = {row: fid for row, fid in ids.items() if row not in units}
    if missing:
        from foresight.data import published

        pub = published()
        for row, fid in missing.items():
            if fid in pub.index and isinstance(pub.loc[fid, "unit"], str):
                units[row] = pub.loc[fid, "unit"]
    return units


#: Units not worth repeating after a figure's name (a count is a plain number).
_SILENT_UNITS = {"count", ""}


def _with_unit(name: str, unit: str) -> str:
    """The figure's name followed by its unit, unless the name already says it."""
    import re

    if unit in _SILENT_UNITS or re.search(rf"(^|[\s(]){re.escape(unit)}($|[\s),;:])", name):
        return name
    return f"{name} ({unit})"


def comparison_display(table: pd.DataFrame, key: str, *, index: Mapping[str, str] | None = None,
                       index_name: str = "No.", extra_decimals: int = 2):
    """A comparison table ready to show: numbers as text at a fixed precision.

    ``published`` is shown as printed (its ``decimals``: 6.0 stays "6.0");
    ``reproduced`` and ``difference`` with ``extra_decimals`` more decimals than
    the published figure (none for a whole number reproduced as a whole number);
    ``tolerance`` with as many decimals as it needs, at least the figure's. The
    figure's unit, where known, follows its name. The default bases are
    abbreviated ("rounding", "'about'", "bound") with a key under the table; a
    reason stated in the data is shown in full. The row ids are internal and are
    not shown, unless ``index`` maps them to labels the text refers to (e.g. the
    numbers of the statements checked). Every number cell records the value it
    shows (``data-value``).

    Returns
    -------
    foresight.display.HouseTable
        The columns :data:`COLUMNS`, through the house formatter (``key`` names
        the table in messages and is kept for callers).
    """
    from foresight.display import house_table

    decimals = table.attrs.get("decimals", {})
    units = _units(table)
    shown = pd.DataFrame(index=table.index, columns=list(COLUMNS), dtype=object)
    values = pd.DataFrame(np.nan, index=table.index, columns=list(COLUMNS), dtype=float)
    keys: list[str] = []
    for row, r in table.iterrows():
        d = int(decimals.get(row, 2))
        whole = d == 0 and float(r["reproduced"]).is_integer()
        more = 0 if whole else d + extra_decimals
        tol = float(r["tolerance"])
        basis, entry = _short_basis(str(r["basis of the tolerance"]))
        if entry and entry not in keys:
            keys.append(entry)
        name = _with_unit(str(r["figure"]), units.get(row, ""))
        shown.loc[row] = [name, r["source and section"], _number(r["published"], d),
                          _number(r["reproduced"], more), _number(r["difference"], more),
                          _number(tol, _exact_decimals(tol, d)), basis, r["verdict"]]
        values.loc[row, ["published", "reproduced", "difference", "tolerance"]] = [
            float(r["published"]), float(r["reproduced"]), float(r["difference"]), tol]
    notes = [f"Key to the basis of the tolerance. {' '.join(keys)}"] if keys else None
    if index is not None:
        labels = pd.Index([index[k] for k in table.index], name=index_name)
        shown.index = values.index = labels
        return house_table(shown, index=True, values=values, notes=notes)
    return house_table(shown, index=False, values=values, notes=notes)
