"""What a reader meets on a phone and on a desktop, measured in headless Chromium.

* Navigation: the contents button and the page-contents button each open their panel
  with a tap and close it again, at 390 px (as dialogs) and at 1400 px (the side
  columns hide and return); on a phone the contents panel links every page.
* Figures on a phone: every figure opens at full size with one tap, and there its
  smallest text is at least 9 CSS px (inline, a figure drawn for a 750 px column shows
  at about half size).
* Tables: at 1400 px none needs sideways scrolling; at 390 px none needs both sideways
  and downwards scrolling inside its box, and a long one (more than 20 rows) can be
  filtered; table text and captions are set at body weight with a contrast ratio of at
  least 4.5:1 (WCAG AA) against what is behind them, in light and dark mode.
* Code: every chapter shows the code that made it, collapsed behind one tap.

The page loads are the shared ones of ``conftest.measured``; the numbers are written to
``_build/screenshots/measurements.json``.
"""

from __future__ import annotations

import re

import pytest

from .conftest import NAV_PAGES
from .test_site import PAGES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MIN_TEXT_PX = 9.0
AA_CONTRAST = 4.5
LONG_TABLE = 20


def _rgb(text: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", text)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of text ``colour`` (alpha blended) on ``background``."""
    fg, bg = _rgb(colour), _rgb(background)
    a = fg[3]
    blended = [a * f + (1 - a) * b for f, b in zip(fg[:3], bg[:3])]
    hi, lo = sorted([_luminance(blended), _luminance(bg)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") == pytest.approx(4.48, abs=0.01)
    assert contrast("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(1.0)


# --------------------------------------------------------------------------- navigation

@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("path", NAV_PAGES)
@pytest.mark.parametrize("which", ["primary", "secondary"])
def test_navigation_panels_open_and_close_with_a_tap(measured, path, viewport, which):
    rec = measured(path, viewport)["panels"][which]
    assert rec["buttons"] == 1, f"{path} at {viewport}: {rec['buttons']} visible {which} buttons"
    # a phone starts with both panels closed, a desktop with both open
    assert rec["before"] is (viewport == "desktop"), rec
    assert rec["after_tap"] is (not rec["before"]), f"{path} at {viewport}: the tap did not toggle the {which} panel"
    assert rec["after_second_tap"] is rec["before"], f"{path} at {viewport}: the {which} panel did not close"
    if viewport == "phone":
        assert rec["dialog"], "on a phone the panel opens as a dialog"


def test_on_a_phone_the_contents_reach_every_page(measured, site_url):
    links = measured("chapters/careers.html", "phone")["panels"]["primary"]["links"]
    reached = {u.split("#")[0].removeprefix(site_url + "/") for u in links}
    missing = [p for p in PAGES if p not in reached]
    assert missing == [], f"pages the phone's contents panel does not link: {missing}"


# --------------------------------------------------------------------------- figures

@pytest.mark.parametrize("path", PAGES)
def test_every_figure_opens_legibly_on_a_phone(measured, path):
    m = measured(path, "phone")
    views = m["figure_views"]
    assert len(views) == len([i for i in m["images"] if i["id"]]), f"{path}: a figure cannot be opened"
    for v in views:
        assert v["open"], f"{path}: tapping {v['src']} opened nothing"
        assert v["min_text_px"] is not None, f"{path}: {v['src']} records no text size"
        assert v["min_text_px"] >= MIN_TEXT_PX, (
            f"{path}: full size, the smallest text in {v['src']} is {v['min_text_px']:.1f} px")
    if views:
        assert m["figure_button_opens"], f"{path}: the 'full size' button did not open the figure"


def test_the_figure_checks_have_figures_to_check(measured):
    views = [v for p in PAGES for v in measured(p, "phone")["figure_views"]]
    assert len(views) >= 20
    # the reason for the full-size view: inline, the text is too small on a phone
    assert min(v["inline_min_text_px"] for v in views) < MIN_TEXT_PX


# --------------------------------------------------------------------------- tables

@pytest.mark.parametrize("path", PAGES)
def test_no_table_scrolls_sideways_on_a_desktop(measured, path):
    wide = [(t["number"] or t["id"], t["scrollWidth"], t["boxWidth"])
            for t in measured(path, "desktop")["tables"] if t["sideways"]]
    assert wide == [], f"{path}: tables wider than their box at 1400 px (table, width, box): {wide}"


@pytest.mark.parametrize("path", PAGES)
def test_no_table_scrolls_both_ways_on_a_phone(measured, path):
    tables = measured(path, "phone")["tables"]
    both = [(t["number"] or t["id"], t["scrollWidth"], t["scrollHeight"], t["boxWidth"], t["boxHeight"])
            for t in tables if t["sideways"] and t["downwards"]]
    assert both == [], f"{path}: tables that scroll sideways and downwards at 390 px: {both}"
    unfiltered = [t["number"] or t["id"] for t in tables if t["rows"] > LONG_TABLE + 1 and not t["filter"]]
    assert unfiltered == [], f"{path}: long tables without a filter: {unfiltered}"


def test_the_table_checks_have_tables_to_check(measured):
    tables = [t for p in PAGES for t in measured(p, "phone")["tables"]]
    assert len(tables) >= 40
    assert any(t["stacked"] for t in tables)  # narrow screens do stack the wide ones


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_table_text_and_captions_are_legible(measured, path, scheme):
    texts = measured(path, "desktop", scheme)["text"]
    light = [t["example"] for t in texts if t["weight"] < 400]
    assert light == [], f"{path} ({scheme}): table text or captions lighter than body weight: {light}"
    low = [(t["example"], round(contrast(t["color"], t["background"]), 2)) for t in texts
           if contrast(t["color"], t["background"]) < AA_CONTRAST]
    assert low == [], f"{path} ({scheme}): contrast below {AA_CONTRAST}:1: {low}"


# --------------------------------------------------------------------------- code

@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("chapters/") and "bibliography" not in p])
def test_each_chapter_shows_its_code_collapsed(measured, path):
    code = measured(path, "desktop")["code"]
    assert code, f"{path}: no code shown"
    hidden = [c for c in code if c["hidden"]]
    assert hidden, f"{path}: the report cell is not offered behind a toggle"
    for c in hidden:
        assert c["toggle"] and c["collapsed"], f"{path}: code not collapsed behind a toggle: {c}"
        assert c["source"], f"{path}: an empty code cell"
