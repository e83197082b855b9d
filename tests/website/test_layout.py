"""Layout and legibility of the built site, measured in headless Chromium.

* At 390 px (a phone) no page is wider than the viewport: nothing scrolls sideways
  except inside a table's own scroll container.
* At 1400 px no table or figure reaches past the text column (a table may be
  wider than the column only inside its scroll container).
* Every figure's smallest text is at least 9 CSS px at 1400 px: each PNG the book
  shows records its resolution and the point size of its smallest text
  (:func:`foresight.plotting.render`), and the browser gives the scale it is drawn at.
* Tables are tables: every captioned block holding a table is numbered "Table",
  never "Fig.", and no header or cell shows a snake_case name or internal id.
* The bibliography: one author-year style, every entry and every label unique.

The measurements are written to ``_build/screenshots/layout.json`` for the record.
"""

from __future__ import annotations

import json
import re

import pytest

from .conftest import ROOT, SITE, VIEWPORTS
from .test_site import PAGES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MIN_TEXT_PX = 9.0
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


@pytest.fixture(scope="module")
def layout(measured):
    out = {p: {"phone": measured(p, "phone"), "desktop": measured(p, "desktop")} for p in PAGES}
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    summary = {p: {"phone_page_width": v["phone"]["page"], "column": v["desktop"]["column"],
                   "widest_table": max([t["visible"] for t in v["desktop"]["tables"]], default=0),
                   "widest_image": max([round(i["shown"]) for i in v["desktop"]["images"]], default=0),
                   "smallest_figure_text_px": min([i["min_text_px"] for i in v["desktop"]["images"]
                                                   if i["min_text_px"]], default=None)}
               for p, v in out.items()}
    (shots / "layout.json").write_text(json.dumps(summary, indent=1))
    return out


@pytest.mark.parametrize("path", PAGES)
def test_no_page_is_wider_than_a_phone(layout, path):
    phone = layout[path]["phone"]
    width = VIEWPORTS["phone"]["width"]
    assert phone["page"] <= width, f"{path} is {phone['page']} px wide at {width} px: {phone['culprits']}"


@pytest.mark.parametrize("path", PAGES)
def test_tables_and_figures_stay_in_the_text_column(layout, path):
    d = layout[path]["desktop"]
    assert d["column"] > 300
    spill = [t for t in d["tables"] if t["over"] > 1] + [i for i in d["images"] if i["over"] > 1]
    assert spill == [], f"{path}: wider than the {d['column']} px column: {spill}"


@pytest.mark.parametrize("path", PAGES)
def test_one_search_box(layout, path):
    assert layout[path]["desktop"]["searches"] == 1, f"{path}: {layout[path]['desktop']['searches']} search boxes"
    assert layout[path]["phone"]["searches"] >= 1, f"{path}: no search on a phone"


@pytest.mark.parametrize("path", PAGES)
def test_no_table_is_taller_than_the_screen(layout, path):
    """Long tables scroll inside their own box instead of running for thousands of pixels."""
    screen = VIEWPORTS["desktop"]["height"]
    tall = [(t["id"], t["height"]) for t in layout[path]["desktop"]["tables"] if t["height"] > screen]
    assert tall == [], f"{path}: tables taller than the {screen} px screen: {tall}"


@pytest.mark.parametrize("path", PAGES)
def test_figure_text_is_legible_at_desktop_width(layout, path):
    for img in layout[path]["desktop"]["images"]:
        assert img["min_text_px"] is not None, f"{path}: {img['src']} records no text size"
        assert img["dpi"] >= 200, f"{path}: {img['id']} is {img['dpi']} dpi"
        assert img["min_text_px"] >= MIN_TEXT_PX, (
            f"{path}: smallest text in {img['id']} is {img['min_text_px']:.1f} px")


def test_the_measurements_cover_figures_and_tables(layout):
    """The checks above bite: the chapters have figures and tables to measure."""
    images = sum(len(v["desktop"]["images"]) for v in layout.values())
    tables = sum(len(v["desktop"]["tables"]) for v in layout.values())
    assert images >= 20 and tables >= 30


@pytest.mark.parametrize("path", PAGES)
def test_tables_are_numbered_and_cited_as_tables(layout, path):
    d = layout[path]["desktop"]
    for f in d["captions"]:
        if f["table"] and not f["image"] and f["caption"]:
            assert f["caption"].startswith("Table"), f"{path}: {f['id']} is captioned {f['caption']!r}"
        if f["image"] and f["caption"]:
            assert f["caption"].startswith("Fig"), f"{path}: {f['id']} is captioned {f['caption']!r}"
    tables = {f["id"] for f in d["captions"] if f["table"] and not f["image"]}
    for ref in d["refs"]:
        target = ref["href"].rsplit("#", 1)[-1]
        if target in tables:
            assert ref["text"].startswith("Table"), f"{path}: {ref} refers to a table as {ref['text']!r}"


@pytest.mark.parametrize("path", PAGES)
def test_table_headers_start_with_a_capital(layout, path):
    """'Table', 'Respondent', not 'table', 'respondent' (symbols such as 'n', 'e0' and
    'q(60)' stay as they are)."""
    lower = sorted({h for h in layout[path]["desktop"]["headers"]
                    if re.match(r"^[a-z]{3,}\b", h) and not re.match(r"^[a-z]+\(", h)})
    assert lower == [], f"{path}: headers in lower case: {lower}"


@pytest.mark.parametrize("path", PAGES)
def test_no_snake_case_name_or_internal_id_in_a_table(layout, path):
    bad = sorted({c for c in layout[path]["desktop"]["cells"] if SNAKE.match(c)})
    assert bad == [], f"{path}: tables show internal names: {bad[:10]}"


def test_bibliography_is_author_year_with_unique_entries_and_labels():
    html = (SITE / "chapters" / "appendix" / "bibliography.html").read_text(encoding="utf-8")
    entries = re.findall(r'role="doc-biblioentry">\s*<span class="label">(.*?)</span></span>\s*(.*?)</div>',
                         html, re.S)
    strip = lambda t: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", t)).strip("[] ")  # noqa: E731
    labels = [strip(label) for label, _ in entries]
    bodies = [strip(body) for _, body in entries]
    assert len(labels) >= 40
    assert len(set(labels)) == len(labels), "duplicate bibliography labels"
    assert len(set(bodies)) == len(bodies), "duplicate bibliography entries"
    for label in labels:
        assert re.search(r" (1[5-9]|20)\d{2}[a-z]?$", label), f"not an author-year label: {label}"
    assert not re.search(r"\\(texttt|url|emph|textit)|texttt", html), "LaTeX leaks into the bibliography"
    assert "European" in html and "Hursch, Hammond" in html  # capitals kept
    # works cited alike carry a/b suffixes, in the citations too
    assert "Office for National Statistics 2015a" in labels and "Office for National Statistics 2015b" in labels
    for chapter in ("mortality", "selection"):
        text = (SITE / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        assert not re.search(r"(Office for National Statistics|Holm and Sahlberg), 201[45](?![a-z])", text), chapter
        # author-year in round brackets, as in the text of the sources: "Ranieri et al. (2018)"
        assert not re.search(r"(et al\.|Statistics|Sahlberg) \[", text), chapter


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("chapters/")])
def test_print_layout_fits_a4(layout, path):
    """In print (A4 width), nothing is clipped or overflows, the navigation is gone,
    and a numbered chapter keeps its number in its title."""
    m = layout[path]["desktop"]["print"]
    assert m["page"] <= m["W"], f"{path} prints {m['page']} px wide on A4's {m['W']}: {m['over'][:5]}"
    assert m["over"] == [], f"{path}: clipped in print: {m['over'][:5]}"
    assert not m["sidebar"], f"{path}: navigation printed"
    if "/appendix/" not in path:
        assert re.match(r"^\d+(\.\d+)*\.\s", m["h1"]), f"{path}: the printed title lost its number: {m['h1']!r}"
    else:  # appendices are lettered
        assert re.match(r"^[A-Z]\.\s", m["h1"]), f"{path}: the printed title has no letter: {m['h1']!r}"
