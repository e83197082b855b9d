"""Reader-facing quality of the built site: alt text, headings, captions, downloads, dark mode.

Screenshots of every page in light and dark mode go to ``_build/screenshots/``
(outside the repository's tracked files); the test checks that dark mode is
really applied and that each figure, which carries its own white background,
stays bright, i.e. legible, on the dark page.
"""

from __future__ import annotations

import io
import json

import pytest

from .conftest import ROOT, SITE
from .test_site import PAGES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = ROOT / "_build" / "screenshots"

OUTLINE_JS = """
() => {
  const main = document.querySelector('article.bd-article') || document.querySelector('main');
  const hs = Array.from(main.querySelectorAll('h1, h2, h3, h4, h5, h6'));
  return hs.map(h => [parseInt(h.tagName[1]), h.textContent.trim()]);
}
"""

IMAGES_JS = """
() => Array.from(document.querySelectorAll('article img')).map(i => ({
  src: i.getAttribute('src'), alt: (i.getAttribute('alt') || '').trim(),
  w: i.naturalWidth, h: i.naturalHeight}))
"""

TABLES_JS = """
() => Array.from(document.querySelectorAll('article table')).map(t => {
  const cap = t.querySelector('caption');
  const fig = t.closest('figure, .figure, div.figure');
  const figcap = fig ? fig.querySelector('figcaption, .caption') : null;
  const text = (cap ? cap.textContent : '') + (figcap ? figcap.textContent : '');
  return {caption: text.trim(), head: t.innerText.slice(0, 60)};
})
"""


@pytest.fixture(scope="module")
def pages(browser, site_url):
    out = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in PAGES:
        info = {}
        for scheme in ("light", "dark"):
            ctx = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(f"{site_url}/{path}", wait_until="networkidle")
            page.wait_for_timeout(200)
            info[f"theme_{scheme}"] = page.evaluate("document.documentElement.dataset.theme")
            shot = page.screenshot(full_page=False)
            (SHOTS / f"{path.replace('/', '__')}.{scheme}.png").write_bytes(shot)
            info[f"bg_{scheme}"] = page.evaluate(
                "getComputedStyle(document.body).backgroundColor"
            )
            if scheme == "dark":
                info["figure_luminance"] = []
                for img in page.query_selector_all("article img")[:6]:
                    img.scroll_into_view_if_needed()
                    info["figure_luminance"].append(_mean_luminance(img.screenshot()))
            else:
                info["outline"] = page.evaluate(OUTLINE_JS)
                info["images"] = page.evaluate(IMAGES_JS)
                info["tables"] = page.evaluate(TABLES_JS)
            ctx.close()
        out[path] = info
    (SHOTS / "summary.json").write_text(json.dumps(out, indent=1, default=str))
    return out


def _mean_luminance(png: bytes) -> float:
    """Luminance (0-255) of the darkest of the four 6x6-pixel corners of a rendered figure.

    The corners are the figure's own background: white in the house style, so
    the figure stays readable on a dark page whatever the theme does around it.
    (A whole-image mean would penalise figures that are dark inside, such as
    heat maps; a border strip can touch axis labels once the browser scales the
    image down.)
    """
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("L")
    w, h = im.size
    k = 6
    corners = [(0, 0), (w - k, 0), (0, h - k), (w - k, h - k)]
    means = []
    for x, y in corners:
        hist = im.crop((x, y, x + k, y + k)).histogram()
        means.append(sum(i * n for i, n in enumerate(hist)) / max(1, sum(hist)))
    return min(means)


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_has_alt_text(pages, path):
    missing = [i["src"] for i in pages[path]["images"] if not i["alt"]]
    assert missing == [], f"{path}: images without alt text: {missing}"


@pytest.mark.parametrize("path", PAGES)
def test_headings_form_a_clean_outline(pages, path):
    levels = [lvl for lvl, _ in pages[path]["outline"]]
    assert levels and levels[0] == 1, f"{path}: the page must start with one h1"
    assert levels.count(1) == 1, f"{path}: more than one h1: {pages[path]['outline']}"
    for a, b in zip(levels, levels[1:]):
        assert b <= a + 1, f"{path}: heading level jumps from h{a} to h{b}"


@pytest.mark.parametrize("path", PAGES)
def test_tables_have_captions(pages, path):
    bare = [t["head"] for t in pages[path]["tables"] if not t["caption"]]
    assert bare == [], f"{path}: tables without a caption: {bare}"


@pytest.mark.parametrize("path", PAGES)
def test_dark_mode_applies_and_figures_stay_legible(pages, path):
    info = pages[path]
    assert info["theme_light"] == "light" and info["theme_dark"] == "dark"
    assert info["bg_light"] != info["bg_dark"]
    # Figures carry a white background, so they stay light behind their dark ink
    # on the dark page. The theme dims images in dark mode on purpose
    # (pydata-sphinx-theme: brightness(0.8) contrast(1.2)), which brings white to
    # about 175/255; a transparent figure would show the page's near-black instead.
    for lum in info["figure_luminance"]:
        assert lum > 150, f"{path}: a figure is too dark to read in dark mode ({lum:.0f}/255)"


def test_chapters_offer_their_executed_notebook():
    for name in ("mortality", "sle", "careers", "selection", "synthesis"):
        src = SITE / "_sources" / "chapters" / f"{name}.ipynb"
        assert src.is_file(), f"no downloadable notebook for {name}"
        nb = json.loads(src.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(c.get("outputs") is not None for c in code)
        html = (SITE / "chapters" / f"{name}.html").read_text()
        assert f"_sources/chapters/{name}.ipynb" in html  # the download button links it
