"""The author-year bibliography: a/b suffixes for works cited alike, names as cited."""

from __future__ import annotations

from pybtex.database import parse_string

from conftest import ROOT
from foresight.bibstyle import assign_year_suffixes, cited_names

BIB = r"""
@misc{b, author = {{Office for National Statistics}}, title = {Zeta report}, year = {2015}}
@misc{a, author = {{Office for National Statistics}}, title = {Alpha report}, year = {2015}}
@misc{c, author = {Holm, Malin and Sahlberg, Bj{\"o}rn}, title = {One}, year = {2014}}
@misc{d, author = {Holm, Malin and Sahlberg, Bj{\"o}rn and Other, A.}, title = {Two}, year = {2014}}
@misc{e, author = {Smith, A.}, title = {Alone}, year = {2001}}
"""


def test_names_as_an_author_year_citation_shows_them():
    e = parse_string(BIB, "bibtex").entries
    assert cited_names(e["a"]) == "Office for National Statistics"
    assert cited_names(e["c"]) == "Holm and Sahlberg"
    assert cited_names(e["d"]) == "Holm et al."


def test_suffixes_follow_title_order_only_where_citations_would_collide():
    e = parse_string(BIB, "bibtex").entries
    years = assign_year_suffixes(e)
    assert (years["a"], years["b"]) == ("2015a", "2015b")  # Alpha before Zeta
    assert years["c"] == years["d"] == "2014"  # "Holm and Sahlberg" vs "Holm et al." differ
    assert years["e"] == "2001"
    assert assign_year_suffixes(e) == years  # idempotent


def test_the_books_bibliography_has_unique_labels():
    e = parse_string((ROOT / "references.bib").read_text(encoding="utf-8"), "bibtex").entries
    years = assign_year_suffixes(e)
    labels = [f"{cited_names(x)} {years.get(k, '')}" for k, x in e.items()]
    assert len(set(labels)) == len(labels)
    assert years["ons2015mortality"] != years["ons2015elt17"]  # the three ONS 2015 works
