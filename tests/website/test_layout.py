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

import io
import json
import re
import urllib.request

import pytest

from .conftest import ROOT, SITE
from .test_site import PAGES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
MIN_TEXT_PX = 9.0
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")

PHONE_JS = """
() => ({viewport: window.innerWidth,
        page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        culprits: Array.from(document.querySelectorAll('body *')).filter(e => {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.right <= window.innerWidth + 1) return false;
            for (let p = e.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX;
                if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
            }
            return true;
        }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)),
        searches: Array.from(document.querySelectorAll('.search-button-field, .search-button'))
          .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length})
"""

DESKTOP_JS = """
() => {
  const art = document.querySelector('article.bd-article');
  const col = art.getBoundingClientRect();
  const box = el => {
    for (let p = el.parentElement; p && p !== art; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return p.getBoundingClientRect();
    }
    return el.getBoundingClientRect();
  };
  const over = (r) => Math.max(0, Math.round(r.right - col.right), Math.round(col.left - r.left));
  const tables = Array.from(art.querySelectorAll('table')).map(t => {
    const r = box(t), fig = t.closest('figure');
    return {id: fig ? fig.id : '', visible: Math.round(r.width), full: Math.round(t.getBoundingClientRect().width),
            over: over(r), height: Math.round(r.height)};
  });
  const images = Array.from(art.querySelectorAll('img')).map(i => {
    const r = i.getBoundingClientRect();
    return {src: i.currentSrc || i.src, shown: r.width, natural: i.naturalWidth, over: over(r),
            id: (i.closest('figure') || {}).id || ''};
  });
  const captions = Array.from(art.querySelectorAll('figure')).map(f => ({
    id: f.id, table: !!f.querySelector('table'), image: !!f.querySelector('img'),
    caption: ((f.querySelector('figcaption .caption-number') || {}).textContent || '').trim()}));
  const refs = Array.from(art.querySelectorAll('a.reference.internal span.std-numref')).map(s => ({
    text: s.textContent.trim(), href: s.parentElement.getAttribute('href')}));
  const cells = Array.from(art.querySelectorAll('table th, table td')).map(c => c.textContent.trim());
  const searches = Array.from(document.querySelectorAll('.search-button-field, .search-button'))
    .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length;
  return {column: Math.round(col.width), tables, images, captions, refs, cells, searches};
}
"""


def _png_text(url: str) -> dict[str, str]:
    from PIL import Image

    with urllib.request.urlopen(url, timeout=10) as r:
        im = Image.open(io.BytesIO(r.read()))
        im.load()
    return dict(getattr(im, "text", {}) or {})


@pytest.fixture(scope="module")
def layout(browser, site_url):
    out = {}
    for path in PAGES:
        info = {}
        ctx = browser.new_context(viewport=PHONE)
        page = ctx.new_page()
        page.goto(f"{site_url}/{path}", wait_until="networkidle")
        info["phone"] = page.evaluate(PHONE_JS)
        ctx.close()
        ctx = browser.new_context(viewport=DESKTOP)
        page = ctx.new_page()
        page.goto(f"{site_url}/{path}", wait_until="networkidle")
        page.wait_for_timeout(200)
        info["desktop"] = page.evaluate(DESKTOP_JS)
        ctx.close()
        for img in info["desktop"]["images"]:
            meta = _png_text(img["src"]) if img["src"].startswith(site_url) else {}
            img["dpi"] = float(meta["foresight:dpi"]) if "foresight:dpi" in meta else None
            img["min_font_pt"] = (float(meta["foresight:min-font-pt"])
                                  if "foresight:min-font-pt" in meta else None)
            if img["dpi"] and img["min_font_pt"] and img["natural"]:
                img["min_text_px"] = (img["min_font_pt"] / 72 * img["dpi"]
                                      * img["shown"] / img["natural"])
            else:
                img["min_text_px"] = None
        out[path] = info
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
    assert phone["viewport"] == PHONE["width"]
    assert phone["page"] <= phone["viewport"], (
        f"{path} is {phone['page']} px wide at {phone['viewport']} px: {phone['culprits']}")


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
    tall = [(t["id"], t["height"]) for t in layout[path]["desktop"]["tables"] if t["height"] > DESKTOP["height"]]
    assert tall == [], f"{path}: tables taller than the {DESKTOP['height']} px screen: {tall}"


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


PRINT_JS = """
() => {
  const W = window.innerWidth;
  const art = document.querySelector('article.bd-article');
  const over = Array.from(art.querySelectorAll('table, img, pre, figure, svg')).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > W + 1 || r.left < -1);
  }).map(e => e.tagName + '#' + ((e.closest('figure') || {}).id || '') + ' ' + Math.round(e.getBoundingClientRect().right));
  const h1 = document.querySelector('article h1');
  return {page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), W, over,
          h1: h1 ? h1.textContent.trim() : '',
          sidebar: !!Array.from(document.querySelectorAll('.bd-sidebar-primary, .bd-header'))
                     .find(e => getComputedStyle(e).display !== 'none')};
}
"""
A4_PX = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("chapters/")])
def test_print_layout_fits_a4(browser, site_url, path):
    """In print (A4 width), nothing is clipped or overflows, the navigation is gone,
    and a numbered chapter keeps its number in its title."""
    ctx = browser.new_context(viewport=A4_PX)
    page = ctx.new_page()
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    page.emulate_media(media="print")
    m = page.evaluate(PRINT_JS)
    ctx.close()
    assert m["page"] <= m["W"], f"{path} prints {m['page']} px wide on A4's {m['W']}: {m['over'][:5]}"
    assert m["over"] == [], f"{path}: clipped in print: {m['over'][:5]}"
    assert not m["sidebar"], f"{path}: navigation printed"
    if "/appendix/" not in path:
        assert re.match(r"^\d+(\.\d+)*\.\s", m["h1"]), f"{path}: the printed title lost its number: {m['h1']!r}"
