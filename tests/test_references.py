"""The bibliography: a link for every work that has one, and no typos.

* Every entry of ``references.bib`` gives a DOI or a URL, unless it is listed in
  :data:`NO_LINK` with the reason (a book without a DOI, an article whose publisher page
  could not be found). Each listed entry must still lack a link, so the list shrinks as
  links are found.
* The bibliography as the book prints it (the ``foresight`` pybtex style) passes a
  spelling check (``pyspellchecker``'s English dictionary plus the names and terms in
  ``tests/reference/bibliography_words.txt``) and a punctuation check (no space before
  a full stop or comma, no repeated word, no "2 edition").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORDS = ROOT / "tests" / "reference" / "bibliography_words.txt"

#: Entries without a DOI or URL, and why.
NO_LINK = {
    "bruinedebruin2002fifty": "a DOI could not be confirmed from a source at hand",
    "tucker1964suggested": "a DOI could not be confirmed from a source at hand",
    "cronbach1965psychological": "a 1965 book: no DOI, no authorised online copy",
    "keyfitz1977applied": "a 1977 book: no DOI (the later Springer editions have their own)",
    "thatcher1998force": "a 1998 monograph: no DOI; an online copy could not be confirmed",
    "wehle1881modern": "an 1881 magazine article: no DOI; its transcription's address could not be confirmed",
    "psykologtidningen2014debate": "the debate as a whole: its five contributions are listed separately",
    "holm2014ursakt": "published on psykologtidningen.se; the article's address could not be confirmed",
    "holm2014klinisk": "published on psykologtidningen.se; the article's address could not be confirmed",
    "sjoberg2013metoder": "published on psykologtidningen.se; the article's address could not be confirmed",
    "sjoberg2014mekanisk": "published on psykologtidningen.se; the article's address could not be confirmed",
}


@pytest.fixture(scope="module")
def bib():
    from pybtex.database import parse_file

    return parse_file(str(ROOT / "references.bib"))


@pytest.fixture(scope="module")
def printed(bib):
    """Each entry as the book prints it, by key."""
    from pybtex.plugin import find_plugin

    from foresight.bibstyle import assign_year_suffixes, register

    register()
    assign_year_suffixes(bib.entries)
    style = find_plugin("pybtex.style.formatting", "foresight")()
    return {e.key: e.text.render_as("text") for e in style.format_entries(bib.entries.values())}


def test_every_work_that_has_a_link_gives_it(bib):
    linked = {k for k, e in bib.entries.items() if e.fields.get("doi") or e.fields.get("url")}
    missing = sorted(set(bib.entries) - linked - set(NO_LINK))
    assert missing == [], f"entries without a DOI or URL (add one, or say why in NO_LINK): {missing}"
    stale = sorted(set(NO_LINK) & linked)
    assert stale == [], f"these have a link now; remove them from NO_LINK: {stale}"
    assert len(linked) >= 0.75 * len(bib.entries)


def test_dois_and_urls_are_well_formed(bib):
    for key, e in bib.entries.items():
        doi, url = e.fields.get("doi", ""), e.fields.get("url", "")
        assert not doi or re.fullmatch(r"10\.\d{4,9}/\S+", doi), (key, doi)
        assert not url or re.fullmatch(r"https?://[^\s{}]+", url), (key, url)
        assert "\\url" not in e.fields.get("howpublished", ""), f"{key}: a URL belongs in the url field"


def _plain(latex: str) -> str:
    from pybtex.richtext import Text

    return Text.from_latex(latex).render_as("text")


def _words(text: str) -> list[str]:
    text = re.sub(r"(https?://|doi:)\S+|\bURL:", " ", text)
    return re.findall(r"[A-Za-zÀ-ÿ]+(?:'[a-z]+)?", text)


def test_the_printed_bibliography_passes_a_spelling_check(bib, printed):
    from spellchecker import SpellChecker

    allowed = {w.strip().lower() for w in WORDS.read_text(encoding="utf-8").splitlines()
               if w.strip() and not w.startswith("#")}
    checker = SpellChecker(language="en")
    unknown = {}
    for key, text in printed.items():
        e = bib.entries[key]
        people = [p for role in ("author", "editor") for p in e.persons.get(role, [])]
        names = {w for person in people for part in
                 (*person.first_names, *person.middle_names, *person.prelast_names, *person.last_names)
                 for w in re.findall(r"[A-Za-zÀ-ÿ]+", _plain(part))}
        if e.fields.get("language", "").lower() == "swedish":
            # a Swedish title is checked only in its English rendering, in brackets
            text = re.sub(r"\. [^.\[]*\[", ". [", text, count=1)
        words = [w for w in _words(text) if w not in names and len(w) > 2]
        for w in checker.unknown([w.lower() for w in words]):
            if w not in allowed:
                unknown.setdefault(w, key)
    assert unknown == {}, f"words the spelling check does not know (fix, or add to {WORDS.name}): {unknown}"


def test_the_printed_bibliography_has_no_punctuation_slips(printed):
    slips = {}
    for key, text in printed.items():
        for pattern, what in ((r"\s[.,;:](?!\d)", "space before punctuation"),
                              (r"\b(\w+) \1\b", "a repeated word"),
                              (r"\b\d+ edition\b", "a bare number before 'edition'"),
                              (r"\s{2,}", "a double space"), (r"\.\.(?!\.)", "a double full stop")):
            m = re.search(pattern, re.sub(r"(https?://|doi:)\S+", "", text))
            if m:
                slips[key] = f"{what}: {m.group(0)!r}"
    assert slips == {}, slips


def test_the_checks_bite():
    """A misspelt title and a stray space are found."""
    from spellchecker import SpellChecker

    assert SpellChecker(language="en").unknown(["demograhy", "mortality"]) == {"demograhy"}
    assert re.search(r"\s[.,;:](?!\d)", "Demography .")
