"""The whole-book PDF that ``make book`` prints and every page links: A4 pages, every
chapter, nothing lost.

Run by ``make pdf`` and by ``make test`` (with the other site tests), after the build
has printed ``_build/html/foresight.pdf``. The measurements (:mod:`pdfcheck`, with
poppler's ``pdftotext`` and ``pdftoppm``) are written to
``_build/screenshots/pdf-checks.json``.
"""

from __future__ import annotations

import json
import re

import pytest

from .conftest import ROOT
from . import pdfcheck

pytestmark = [pytest.mark.slow, pytest.mark.pdf]

PDF = ROOT / "_build" / "html" / "foresight.pdf"
SINGLE = ROOT / "_build" / "singlehtml"
A4_PT = (595.28, 841.89)
#: At most this share of pages may be more than half empty (chapter ends aside).
HALF_EMPTY_SHARE = 0.05


@pytest.fixture(scope="module")
def report():
    if not pdfcheck.tools_available():
        pytest.fail("pdftotext/pdftoppm not found: `make pdf` installs Debian's poppler-utils")
    assert PDF.is_file(), "run `make pdf`"
    rep = pdfcheck.measure(PDF, SINGLE / "intro.html")
    out = ROOT / "_build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pdf-checks.json").write_text(json.dumps(rep.summary(), indent=1))
    print("\nPDF checks:", json.dumps(rep.summary()))
    return rep


def test_pdf_is_a4_and_holds_the_whole_book():
    assert PDF.is_file(), "run `make pdf`"
    raw = PDF.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", raw)
    pages = re.findall(rb"/Type\s*/Page[^s]", raw)
    assert len(pages) >= 60 and len(boxes) == len(pages)
    for w, h in boxes:
        assert abs(float(w) - A4_PT[0]) < 1 and abs(float(h) - A4_PT[1]) < 1, (w, h)


def test_single_page_book_keeps_chapter_and_table_numbers():
    html = next(SINGLE.glob("intro.html")).read_text(encoding="utf-8")
    for n in range(1, 6):
        assert f'class="section-number">{n}. ' in html, f"chapter {n} lost its number"
    assert "Table 1.1" in html and "Fig. 1.1" in html
    assert "foresight.css" in html  # the print stylesheet is the one the site uses


def test_collapsed_sections_print_open(report):
    """Every dropdown's words and formulas are in the PDF's text."""
    assert report.dropdown_runs >= 20 and report.dropdown_formulas >= 5  # the check has work to do
    assert report.missing_dropdown_text == [], report.missing_dropdown_text[:5]
    assert report.missing_formulas == [], report.missing_formulas[:5]


def test_the_pspline_equations_are_printed(report):
    """The formulas of the P-spline method (smoothing parameters, overdispersion) are there."""
    facts = pdfcheck.html_facts(SINGLE / "intro.html")
    spline = [f for d in facts.dropdowns for f in d.formulas if "lambda" in f or "psi" in f]
    assert spline, "no dropdown holds the P-spline's formulas"
    text = "".join(pdfcheck._squash(t) for t in pdfcheck.page_texts(PDF))
    for tex in spline:
        assert pdfcheck._squash(pdfcheck.tex_signature(tex)) in text, tex


def test_no_page_holds_only_a_caption(report):
    assert report.caption_only_pages == []
    assert report.captions_at_page_foot == [], report.captions_at_page_foot


def test_no_table_header_breaks_inside_a_word(report):
    assert report.split_header_words == [], report.split_header_words[:10]


def test_few_pages_are_more_than_half_empty(report):
    share = report.half_empty_share
    assert share < HALF_EMPTY_SHARE, (
        f"{len(report.half_empty_pages)} of {report.pages} pages are more than half empty "
        f"(not counting chapter ends): {report.half_empty_pages}")


def test_every_page_links_the_pdf():
    """Every page's footer links the PDF, by a path that resolves from that page."""
    import posixpath

    from foresight.book import toc_documents

    site = ROOT / "_build" / "html"
    assert PDF.is_file() and PDF.parent == site
    for doc in toc_documents(ROOT):
        html = (site / f"{doc}.html").read_text(encoding="utf-8")
        m = re.search(r'<a class="foresight-pdf-link" href="([^"]+)"', html)
        assert m, f"{doc}: no link to the PDF"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), m.group(1)))
        assert (site / target).resolve() == PDF.resolve(), (doc, m.group(1))
