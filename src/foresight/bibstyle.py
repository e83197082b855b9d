"""One author-year style for every citation and bibliography in the book.

* Citations are author-year (``bibtex_reference_style: author_year``); the
  bibliography labels entries the same way ("Holm and Sahlberg 2014a"), never
  with numbers or per-chapter prefixes.
* Works that would read the same (same authors as cited, same year) get
  a, b, c suffixes in title order (:func:`assign_year_suffixes`), in the
  citation and in the list alike, so every label is unique.
* Titles keep the capitals the ``.bib`` file gives them (the stock ``plain``
  style lowercases "European" and "Hursch, Hammond").

The style is registered with pybtex as ``foresight`` by :func:`register`,
which the Sphinx extension in :mod:`foresight.book` calls.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

__all__ = ["STYLE_NAME", "assign_year_suffixes", "cited_names", "register"]

STYLE_NAME = "foresight"
_YEAR = re.compile(r"^(\d{4})([a-z]?)$")


def _plain(latex: str) -> str:
    from pybtex.richtext import Text

    return Text.from_latex(latex).render_as("text").strip()


def cited_names(entry) -> str:
    """The names an author-year citation shows: one, two joined by "and", or "X et al."."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [_plain(" ".join([*p.prelast_names, *p.last_names])) for p in persons]
    if not last:
        return _plain(entry.fields.get("organization", entry.fields.get("title", "Anonymous")))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


def assign_year_suffixes(entries: Mapping[str, object]) -> dict[str, str]:
    """Give works that would be cited alike ("ONS, 2015") a, b, c year suffixes.

    ``entries`` are pybtex entries by key; their ``year`` field is changed in
    place (idempotent: an existing suffix is recomputed). Works are grouped by
    :func:`cited_names` and year, and lettered in the order of their titles.

    Returns
    -------
    dict
        Key -> the year as cited, for every entry with a year.
    """
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key, entry in entries.items():
        m = _YEAR.match(str(entry.fields.get("year", "")).strip())
        if not m:
            continue
        groups[(cited_names(entry), m.group(1))].append((_plain(entry.fields.get("title", "")), key))
    out: dict[str, str] = {}
    for (_, year), members in groups.items():
        members.sort()
        for i, (_, key) in enumerate(members):
            shown = year + ("abcdefghijklmnopqrstuvwxyz"[i] if len(members) > 1 else "")
            entries[key].fields["year"] = shown
            out[key] = shown
    return out


def _order(entry) -> tuple[str, str, str]:
    """Bibliography order: names as cited, year (with its suffix), title."""
    return (cited_names(entry).casefold(), str(entry.fields.get("year", "")),
            _plain(entry.fields.get("title", "")).casefold())


def register() -> None:
    """Register the ``foresight`` formatting style with pybtex (idempotent)."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as Unsrt
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.formatting.unsrt import dashify, date
    from pybtex.style.template import field, optional_field, sentence

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                yield f"{cited_names(entry)} {entry.fields.get('year', 'n.d.')}"

    class Style(Unsrt):
        """unsrt's entry layout; author-year labels and order; titles as written."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.label_style = AuthorYearLabels()
            self.format_labels = self.label_style.format_labels
            self.sort = lambda entries: sorted(entries, key=_order)

        def format_title(self, e, which_field, as_sentence=True):
            title = field(which_field)
            return sentence[title] if as_sentence else title

        def get_article_template(self, e):
            """unsrt's article, but the volume and issue are shown without pages too
            (unsrt drops them: "Academic Medicine, 2018." instead of "93(11), 2018.")."""
            from pybtex.style.formatting import toplevel
            from pybtex.style.template import first_of, join, optional, tag, words

            pages = field("pages", apply_func=dashify)
            volume_and_pages = first_of[
                optional[join[field("volume"), optional["(", field("number"), ")"], ":", pages]],
                optional[join[field("volume"), optional["(", field("number"), ")"]]],
                words["pages", pages],
            ]
            return toplevel[
                self.format_names("author"),
                self.format_title(e, "title"),
                sentence[tag("em")[field("journal")], optional[volume_and_pages], date],
                sentence[optional_field("note")],
                self.format_web_refs(e),
            ]

    register_plugin("pybtex.style.formatting", STYLE_NAME, Style, force=True)
    from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin

    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", STYLE_NAME, _reference_style(),
                           force=True)


def _reference_style():
    """sphinxcontrib-bibtex's author-year citations with round brackets:
    "Ranieri et al. (2018)", "(Patton and McMahon, 2006)"."""
    from dataclasses import dataclass, field

    from sphinxcontrib.bibtex.style.referencing import BracketStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    def round_brackets() -> BracketStyle:
        return BracketStyle(left="(", right=")")

    @dataclass
    class ReferenceStyle(AuthorYearReferenceStyle):
        bracket_textual: BracketStyle = field(default_factory=round_brackets)
        bracket_parenthetical: BracketStyle = field(default_factory=round_brackets)
        bracket_author: BracketStyle = field(default_factory=round_brackets)
        bracket_label: BracketStyle = field(default_factory=round_brackets)
        bracket_year: BracketStyle = field(default_factory=round_brackets)

    return ReferenceStyle
