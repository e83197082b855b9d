"""Data access for the compendium: every dataset, where it comes from, how it is checked.

* :func:`catalogue` lists every dataset the book uses (real, published,
  synthetic, fixture) from the YAML files in ``foresight/data/catalogue/``,
  one file per domain. The data page of the book is generated from it.
* :func:`published` loads the figures the four source documents publish,
  from ``data/published/*.csv`` (document, section, quantity, value), so that
  chapters compare against cited numbers instead of typed ones.
* :func:`compare` sets reproduced values beside published figures with one
  column set and one vocabulary of verdicts (agrees, differs, calibrated, not
  comparable); the rules for each ``qualifier`` are in
  :mod:`foresight.data.compare`.
* :func:`read_printed` reads the characters a document prints for a figure
  (``1.2%``, ``(0.587)``, ``20-talet``, ``half``) as a number; the loader of
  :func:`published` checks with it, for every row, that the figure's
  ``value`` is what its quoted ``wording`` prints, and evaluates the formula
  of every ``derived:`` row (:mod:`foresight.data.printed`).
* :func:`read_table` / :class:`Column` / :class:`TableSpec` read and validate
  small CSV tables with errors that name file, line and column.

The input layer every reader uses (each failure a :class:`DataError` naming
file, line and column and what was expected):

* :func:`read_bytes` / :func:`read_text_file` (:mod:`foresight.data.files`):
  regular files only, size capped while reading, UTF-8 with decoding errors
  and NUL characters located;
* :func:`load_yaml` / :func:`parse_yaml` (:mod:`foresight.data.yamlsafe`):
  strict YAML (no duplicate keys, bounded depth, no aliases, dates as text)
  and :func:`validate` (:mod:`foresight.data.schema`), the one schema checker;
* :func:`parse_xml` (:mod:`foresight.data.xmlsafe`): defusedxml with DTDs
  forbidden, bounded size and depth;
* :func:`open_zip` / :func:`read_member` (:mod:`foresight.data.archive`):
  ZIP limits checked before the central directory is parsed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from foresight.data.archive import Limits, open_zip, read_member
from foresight.data.files import DEFAULT_MAX_BYTES, decode_text, read_bytes, read_text_file
from foresight.data.schema import validate
from foresight.data.tables import (Column, TableSpec, check_columns, parse_table,
                                   parse_table_with_lines, read_table, read_table_with_lines)
from foresight.data.xmlsafe import parse_xml
from foresight.data.yamlsafe import YamlDoc, load_yaml, parse_yaml
from foresight.data.compare import (
    BASES,
    COLUMNS,
    QUALIFIERS,
    VERDICTS,
    check_figures,
    compare,
    comparison_display,
    verdict_counts,
)
from foresight.data.printed import (
    USES,
    check_derived_figures,
    check_printed_figures,
    evaluate_derived,
    read_printed,
)
from foresight.errors import DataError

__all__ = [
    "BASES",
    "COLUMNS",
    "QUALIFIERS",
    "VERDICTS",
    "check_figures",
    "compare",
    "comparison_display",
    "verdict_counts",
    "Column",
    "DEFAULT_MAX_BYTES",
    "DataError",
    "Limits",
    "TableSpec",
    "YamlDoc",
    "catalogue",
    "check_columns",
    "data_dir",
    "decode_text",
    "load_yaml",
    "open_zip",
    "parse_table",
    "parse_table_with_lines",
    "parse_xml",
    "parse_yaml",
    "read_bytes",
    "read_member",
    "read_table_with_lines",
    "read_text_file",
    "validate",
    "published",
    "published_value",
    "read_printed",
    "evaluate_derived",
    "read_table",
    "DOCUMENTS",
    "DOCUMENT_LABELS",
    "DOCUMENT_LICENCES",
    "sources",
]

#: The four source documents, by their key in ``references.bib``.
DOCUMENTS: dict[str, str] = {
    "ons2015mortality": "ONS, National Population Projections: 2014-based, chapter on mortality",
    "rappange2017sle": "Rappange, van Exel & Brouwer (2017), subjective life expectancy",
    "ranieri2018careers": "Ranieri, Barratt, Rees & Fulop (2018), clinical academic careers",
    "psykologtidningen2014debate": "Psykologtidningen debate 2013-2014, clinical vs mechanical selection",
}


#: How a comparison table names each source document (its short citation).
DOCUMENT_LABELS: dict[str, str] = {
    "ons2015mortality": "ONS (2015)",
    "rappange2017sle": "Rappange et al. (2017)",
    "ranieri2018careers": "Ranieri et al. (2018)",
    "psykologtidningen2014debate": "Psykologtidningen (2013-14)",
}


#: Each source document's own licence, as stated in (or known for) the document.
DOCUMENT_LICENCES: dict[str, str] = {
    "ons2015mortality": (
        "Crown copyright; ONS publications are released under the Open Government Licence v3.0"
    ),
    "rappange2017sle": "CC BY 4.0 (stated in the article)",
    "ranieri2018careers": "CC BY 4.0 (stated in the article)",
    "psykologtidningen2014debate": (
        "Copyright the authors and Psykologtidningen; no open licence stated. The compendium "
        "summarises in its own English words and quotes at most a sentence"
    ),
}


def sources() -> pd.DataFrame:
    """The four source documents: key, description, licence, number of figures on file."""
    counts = published()["document"].astype(str).value_counts()
    return pd.DataFrame(
        {
            "document": list(DOCUMENTS),
            "description": list(DOCUMENTS.values()),
            "licence": [DOCUMENT_LICENCES[k] for k in DOCUMENTS],
            "published_figures": [int(counts.get(k, 0)) for k in DOCUMENTS],
        }
    )


def data_dir() -> Path:
    """The repository's ``data/`` directory.

    ``FORESIGHT_DATA`` overrides it (for tests and for users who keep the data
    elsewhere); otherwise it is ``data/`` next to ``src/`` in the source tree
    that this package was installed from (``pip install -e .``).
    """
    env = os.environ.get("FORESIGHT_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    candidate = here.parents[3] / "data"
    if not candidate.is_dir():
        raise DataError(
            "cannot find the compendium's data/ directory",
            file=str(candidate),
            expected="an editable install from the repository, or FORESIGHT_DATA set",
        )
    return candidate


PUBLISHED_SPEC = TableSpec(
    name="published figures",
    columns=(
        Column("id", "str", description="unique identifier of the figure"),
        Column(
            "document",
            "category",
            categories=tuple(DOCUMENTS),
            description="key of the source document in references.bib",
        ),
        Column("section", "str", description="where in the document the figure is stated"),
        Column("quantity", "str", description="what the figure measures, in words"),
        Column("value", "float", description="the figure as published"),
        Column("unit", "str", description="unit (years, %, count, ...)"),
        Column(
            "decimals",
            "int",
            minimum=0,
            maximum=6,
            description="decimals as printed; half a unit in the last place is the rounding error",
        ),
        Column("qualifier", "category", categories=tuple(QUALIFIERS),
               description="how the document states it: a plain number ('exact'), 'about', "
                           "'almost', or a bound ('more than', 'at least', ...); the rule "
                           "for each word is in foresight.data.compare"),
        Column("note", "str", missing_ok=True, description="context, caveats"),
        Column("tolerance", "float", minimum=0, missing_ok=True,
               description="explicit tolerance in the figure's unit; empty means the rule "
                           "of the qualifier (half a unit of the last printed digit for a "
                           "plain number)"),
        Column("tolerance_basis", "str", missing_ok=True,
               description="why the explicit tolerance (required with a tolerance)"),
        Column("use", "category", categories=USES,
               description="'compared': the published figure of at least one row of a "
                           "comparison table of the book; 'context': cited but not compared, "
                           "so its printed text and wording are what check it"),
        Column("printed", "str", missing_ok=True,
               description="the characters of the source that state the figure (e.g. "
                           "'1.2%', '(0.587)', '20-talet', 'half'), runs of whitespace written "
                           "as one space; read by foresight.data.read_printed, which must give "
                           "the value; empty for a derived figure or one the text does not print"),
        Column("wording", "str",
               description="the source's sentence, table cell or table row that contains "
                           "'printed' (a short attributed quotation, in the source's language), "
                           "or 'derived: <formula over other figure ids>', or 'not printed: "
                           "<where the figure comes from>' (only for a compared figure)"),
    ),
    key=("id",),
)


@lru_cache(maxsize=None)
def _published_all(directory: str) -> pd.DataFrame:
    files = sorted(Path(directory).glob("*.csv"))
    if not files:
        raise DataError("no published-figure tables found", file=directory,
                        expected="one or more CSV files")
    frames = []
    line_of: dict[str, int] = {}
    for f in files:
        label = str(Path("data/published") / f.name)
        frame, lines = read_table_with_lines(f, PUBLISHED_SPEC, label=label)
        check_figures(frame, label, lines=lines)
        check_printed_figures(frame, label, lines=lines)
        line_of.update(zip(frame["id"].astype(str), (int(x) for x in lines)))
        frame.insert(0, "file", label)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(out.columns.get_loc("section"), "source",
               out["document"].astype(str).map(DOCUMENT_LABELS))
    dup = out.duplicated("id")
    if dup.any():
        first = out.loc[dup.idxmax()]
        raise DataError(f"figure id {first['id']!r} appears in more than one file",
                        file=first["file"], column="id",
                        expected="ids unique across data/published/")
    check_derived_figures(out, line_of)
    return out


def published(document: str | None = None) -> pd.DataFrame:
    """Figures published in the source documents, with where they are stated.

    Parameters
    ----------
    document
        A key of :data:`DOCUMENTS` to select one document's figures, or
        ``None`` for all.

    Returns
    -------
    pandas.DataFrame
        Columns ``file, id, document, source, section, quantity, value,
        unit, decimals, qualifier, note, tolerance, tolerance_basis, use,
        printed, wording``, indexed by ``id``; ``source`` is the document's
        short citation (:data:`DOCUMENT_LABELS`). This is the ``figures``
        table that :func:`compare` takes.

    Raises
    ------
    DataError
        A malformed file (see :data:`PUBLISHED_SPEC`) or a row that
        contradicts itself, naming file, line and column: an unknown
        qualifier or an unexplained tolerance
        (:func:`foresight.data.compare.check_figures`); a value with more
        decimals than stated, printed text that cannot be read, reads as
        another value or is not in its wording, a figure neither printed
        nor compared, or a ``derived:`` formula that does not give the value
        (:mod:`foresight.data.printed`).
    """
    table = _published_all(str(data_dir() / "published")).copy()
    if document is not None:
        if document not in DOCUMENTS:
            raise DataError(f"unknown document {document!r}",
                            expected="one of " + ", ".join(DOCUMENTS))
        table = table[table["document"] == document]
    return table.set_index("id", drop=False)


def published_value(figure_id: str) -> float:
    """The published value of one figure, by id."""
    table = published()
    if figure_id not in table.index:
        raise DataError(f"no published figure with id {figure_id!r}",
                        file="data/published", column="id")
    return float(table.loc[figure_id, "value"])


_CATALOGUE_REQUIRED = {
    "id": str,
    "title": str,
    "kind": str,
    "chapter": str,
    "source": str,
    "licence": str,
    "loader": str,
}
_CATALOGUE_OPTIONAL = {
    "provider": str,
    "tables": list,
    "path": str,
    "population": str,
    "period": str,
    "sex": str,
    "ages": str,
    "age_basis": str,
    "citation": str,
    "calibrated_to": str,
    "checks": list,
    "caveats": list,
    "format": str,
}
CATALOGUE_KINDS = ("real", "published", "synthetic", "fixture", "structured")


def _validate_entry(entry: object, label: str, index: int) -> dict:
    where = dict(file=label, row=index + 1, row_label="entry")
    if not isinstance(entry, dict):
        raise DataError("catalogue entry is not a mapping", **where, expected="key: value pairs")
    for key, typ in _CATALOGUE_REQUIRED.items():
        if key not in entry:
            raise DataError(f"missing key {key!r}", **where, column=key,
                            expected=", ".join(_CATALOGUE_REQUIRED))
        if not isinstance(entry[key], typ) or (typ is str and not entry[key].strip()):
            raise DataError(f"key {key!r} has the wrong type", **where, column=key,
                            expected=f"a non-empty {typ.__name__}")
    for key, value in entry.items():
        if key in _CATALOGUE_REQUIRED:
            continue
        if key not in _CATALOGUE_OPTIONAL:
            raise DataError(f"unknown key {key!r}", **where, column=key,
                            expected="one of " + ", ".join([*_CATALOGUE_REQUIRED, *_CATALOGUE_OPTIONAL]))
        if not isinstance(value, _CATALOGUE_OPTIONAL[key]):
            raise DataError(f"key {key!r} has the wrong type", **where, column=key,
                            expected=_CATALOGUE_OPTIONAL[key].__name__)
    if entry["kind"] not in CATALOGUE_KINDS:
        raise DataError(f"kind {entry['kind']!r} is not allowed", **where, column="kind",
                        expected="one of " + ", ".join(CATALOGUE_KINDS))
    return entry


def load_catalogue_text(text: str, label: str) -> list[dict]:
    """Parse and validate one catalogue YAML document (a list of entries)."""
    doc = parse_yaml(text, label)
    if not isinstance(doc, list):
        raise DataError("the catalogue file is not a list of entries", file=label,
                        expected="a YAML list")
    return [_validate_entry(e, label, i) for i, e in enumerate(doc)]


def catalogue() -> pd.DataFrame:
    """Every dataset the compendium uses, one row each, sorted by chapter and id.

    Read from the YAML files in ``foresight/data/catalogue/`` (one per
    domain). Ids must be unique across files.
    """
    entries: list[dict] = []
    folder = resources.files("foresight.data") / "catalogue"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        label = f"src/foresight/data/catalogue/{item.name}"
        for e in load_catalogue_text(item.read_text(encoding="utf-8"), label):
            entries.append({**e, "catalogue_file": item.name})
    seen: dict[str, str] = {}
    for e in entries:
        if e["id"] in seen:
            raise DataError(f"dataset id {e['id']!r} is defined twice",
                            file=f"src/foresight/data/catalogue/{e['catalogue_file']}",
                            column="id", expected=f"unique ids (also in {seen[e['id']]})")
        seen[e["id"]] = e["catalogue_file"]
    columns = [*_CATALOGUE_REQUIRED, *_CATALOGUE_OPTIONAL, "catalogue_file"]
    frame = pd.DataFrame(entries).reindex(columns=columns)
    return frame.sort_values(["chapter", "id"]).reset_index(drop=True)
