"""The whole-book PDF that ``make pdf`` prints: A4 pages, every chapter, its numbers kept.

Run by ``make pdf`` after it builds ``_build/pdf/foresight.pdf`` (not by ``make
test``: the single-page build and the printing take more than a minute).
"""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.pdf]

PDF = ROOT / "_build" / "pdf" / "foresight.pdf"
SINGLE = ROOT / "_build" / "singlehtml"
A4_PT = (595.28, 841.89)


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
