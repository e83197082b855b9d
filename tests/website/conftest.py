"""Fixtures for the built-site tests: a local HTTP server and headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail("the site is not built: run `make book` first (make test does)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: `make browser` installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


# --------------------------------------------------------------------------- shared page loads
#
# Every test that looks at a page reads it from one cache per test run: each page is
# loaded once per (viewport, colour scheme), everything the tests need is measured in that
# one visit, then the page is operated (navigation buttons, full-size figures, print
# layout) and the results kept. The xdist workers share the cache through files.

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1400, "height": 900}}
#: Pages whose navigation buttons are tapped (the theme puts the same ones on every page):
#: the front page, a chapter and an appendix.
NAV_PAGES = ("intro.html", "chapters/careers.html", "chapters/appendix/data.html")
A4_PX = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch
SHOTS = ROOT / "_build" / "screenshots"

MEASURE_JS = (Path(__file__).parent / "measure.js").read_text(encoding="utf-8")

PANEL_JS = """
which => {
  const inView = e => { if (!e) return false; const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
    return r.width > 40 && r.height > 40 && r.right > 20 && r.left < innerWidth - 20 && r.bottom > 0 &&
           cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0.1; };
  const dialog = document.getElementById(`pst-${which}-sidebar-modal`);
  const sidebar = document.getElementById(`pst-${which}-sidebar`);
  const open = !!(dialog && dialog.open && inView(dialog));
  const links = Array.from((open ? dialog : sidebar || document).querySelectorAll('a[href]'))
    .filter(a => a.getClientRects().length > 0).map(a => a.href);
  return {shown: open || inView(sidebar), dialog: open, links};
}
"""

VIEWER_JS = """
() => {
  const dialog = document.querySelector('dialog.foresight-figure-view');
  const out = [];
  document.querySelectorAll('article.bd-article img.foresight-zoomable').forEach(img => {
    img.click();
    const big = dialog && dialog.querySelector('img');  // the picture the viewer shows
    const r = big ? big.getBoundingClientRect() : {width: 0};
    out.push({src: img.currentSrc || img.src, open: !!(dialog && dialog.open), shown: r.width,
              inline: img.getBoundingClientRect().width, natural: img.naturalWidth});
    if (dialog && dialog.open) dialog.close();
  });
  return out;
}
"""

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

_PNG_META: dict[str, dict[str, str]] = {}


def png_text(url: str) -> dict[str, str]:
    """The text chunks of a PNG the site serves (cached per URL)."""
    if url not in _PNG_META:
        import io
        import urllib.request

        from PIL import Image

        with urllib.request.urlopen(url, timeout=10) as r:
            im = Image.open(io.BytesIO(r.read()))
            im.load()
        _PNG_META[url] = dict(getattr(im, "text", {}) or {})
    return _PNG_META[url]


def _min_text_px(meta: dict[str, str], shown: float, natural: float) -> float | None:
    """CSS px of a figure's smallest text when the picture is drawn ``shown`` px wide."""
    try:
        dpi, pt = float(meta["foresight:dpi"]), float(meta["foresight:min-font-pt"])
    except (KeyError, ValueError):
        return None
    return pt / 72 * dpi * shown / natural if natural else None


def _tap_panels(page) -> dict:
    """Tap the contents and page-contents buttons; record each panel before, after the
    tap, and after closing it again (a tap beside the dialog on a phone, the same button
    on a desktop)."""
    out = {}
    for which in ("primary", "secondary"):
        buttons = [b for b in page.query_selector_all(f"button.{which}-toggle") if b.is_visible()]
        rec = {"buttons": len(buttons), "before": page.evaluate(PANEL_JS, which)["shown"]}
        if len(buttons) == 1:
            buttons[0].click()
            page.wait_for_timeout(400)  # the theme animates the panel (0.2-0.4 s)
            opened = page.evaluate(PANEL_JS, which)
            rec["after_tap"], rec["dialog"], rec["links"] = opened["shown"], opened["dialog"], opened["links"]
            if opened["dialog"]:
                box = page.eval_on_selector(f"#pst-{which}-sidebar-modal",
                                            "d => { const r = d.getBoundingClientRect(); return [r.left, r.right]; }")
                x = box[1] + 10 if box[1] + 10 < page.viewport_size["width"] else box[0] - 10
                page.mouse.click(x, page.viewport_size["height"] / 2)
            else:
                buttons[0].click()
            page.wait_for_timeout(400)
            rec["after_second_tap"] = page.evaluate(PANEL_JS, which)["shown"]
        out[which] = rec
    return out


def _measure(browser, site_url: str, path: str, viewport: str, scheme: str) -> dict:
    ctx = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(f"{site_url}/{path}", wait_until="networkidle")
    page.wait_for_timeout(200)  # MathJax and the theme finish
    m = page.evaluate(MEASURE_JS)
    m.update(status=response.status if response else None, requests=requests, errors=errors,
             viewport=viewport, scheme=scheme)
    for img in m["images"]:
        meta = png_text(img["src"]) if img["src"].startswith(site_url) else {}
        img["dpi"] = float(meta["foresight:dpi"]) if "foresight:dpi" in meta else None
        img["min_text_px"] = _min_text_px(meta, img["shown"], img["natural"])
    if scheme == "dark":
        # A figure taller than the screen cannot be captured whole (and the sticky header
        # would cover its top): the corners are read on a screen tall enough for any figure.
        page.set_viewport_size({**VIEWPORTS[viewport], "height": 2400})
        page.add_style_tag(content=".bd-header-article { position: static !important; }")
        m["figure_luminance"] = []
        for img in page.query_selector_all("article img")[:6]:
            img.scroll_into_view_if_needed()
            m["figure_luminance"].append(_corner_luminance(img.screenshot()))
        page.set_viewport_size(VIEWPORTS[viewport])
    if viewport == "desktop":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        (SHOTS / f"{path.replace('/', '__')}.{scheme}.png").write_bytes(page.screenshot(full_page=False))
    if scheme == "light":
        if viewport == "phone":
            views = page.evaluate(VIEWER_JS)
            for v in views:
                meta = png_text(v["src"]) if v["src"].startswith(site_url) else {}
                v["min_text_px"] = _min_text_px(meta, v["shown"], v["natural"])
                v["inline_min_text_px"] = _min_text_px(meta, v["inline"], v["natural"])
            m["figure_views"] = views
            # one real tap on the first figure's button, as a reader would
            button = next((b for b in page.query_selector_all(".foresight-figure-open") if b.is_visible()), None)
            m["figure_button_opens"] = None
            if button is not None:
                button.click()
                page.wait_for_timeout(150)
                m["figure_button_opens"] = page.evaluate(
                    "!!(document.querySelector('dialog.foresight-figure-view') || {}).open")
                page.keyboard.press("Escape")
        if path in NAV_PAGES:
            m["panels"] = _tap_panels(page)
        if viewport == "desktop" and path.startswith("chapters/"):
            page.set_viewport_size(A4_PX)
            page.emulate_media(media="print")
            m["print"] = page.evaluate(PRINT_JS)
    ctx.close()
    return m


def _corner_luminance(png: bytes) -> float:
    """Luminance (0-255) of the darkest of the four 6x6-pixel corners of a rendered figure.

    The corners are the figure's own background: white in the house style, so the figure
    stays readable on a dark page whatever the theme does around it.
    """
    import io

    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("L")
    w, h = im.size
    k = 6
    means = []
    for x, y in [(0, 0), (w - k, 0), (0, h - k), (w - k, h - k)]:
        hist = im.crop((x, y, x + k, y + k)).histogram()
        means.append(sum(i * n for i, n in enumerate(hist)) / max(1, sum(hist)))
    return min(means)


@pytest.fixture(scope="session")
def measured(browser, site_url, tmp_path_factory, request):
    """``measured(path, viewport="desktop", scheme="light")``: the measurements of one page
    load, made once per test run and shared by every test that asks.

    Under pytest-xdist the site tests run in two processes; the first process that needs
    a page load makes it and leaves the result in the run's shared temporary directory
    (a lock per load), where the other process finds it. Addresses are stored relative
    to the local server, each process having its own.
    """
    import fcntl
    import json

    cache: dict[tuple[str, str, str], dict] = {}
    shared = None
    if hasattr(request.config, "workerinput"):  # an xdist worker: share with the others
        shared = tmp_path_factory.getbasetemp().parent / "site-measurements"
        shared.mkdir(exist_ok=True)

    def get(path: str, viewport: str = "desktop", scheme: str = "light") -> dict:
        key = (path, viewport, scheme)
        if key in cache:
            return cache[key]
        if shared is None:
            cache[key] = _measure(browser, site_url, path, viewport, scheme)
            return cache[key]
        stem = re.sub(r"[^A-Za-z0-9]+", "_", "_".join(key))
        with open(shared / f"{stem}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = shared / f"{stem}.json"
            if done.is_file():
                text = done.read_text(encoding="utf-8").replace("{SITE}", site_url)
                cache[key] = json.loads(text)
            else:
                cache[key] = _measure(browser, site_url, path, viewport, scheme)
                text = json.dumps(cache[key]).replace(site_url, "{SITE}")
                (shared / f"{stem}.tmp").write_text(text, encoding="utf-8")
                (shared / f"{stem}.tmp").rename(done)
        return cache[key]

    yield get
    if cache:
        import json

        SHOTS.mkdir(parents=True, exist_ok=True)
        summary = {}
        for (path, viewport, scheme), m in sorted(cache.items()):
            summary[f"{path} {viewport} {scheme}"] = {
                "panels": {k: {kk: vv for kk, vv in v.items() if kk != "links"}
                           for k, v in m.get("panels", {}).items()},
                "tables": [{k: t[k] for k in ("number", "id", "sideways", "downwards", "boxWidth",
                                              "boxHeight", "scrollWidth", "scrollHeight", "stacked")}
                           for t in m["tables"]],
                "figure_text_px": [round(i["min_text_px"], 1) for i in m["images"] if i["min_text_px"]],
                "figure_view_text_px": [round(v["min_text_px"], 1) for v in m.get("figure_views", [])
                                        if v["min_text_px"]],
                "text_colours": m["text"],
            }
        (SHOTS / "measurements.json").write_text(json.dumps(summary, indent=1, default=str))
