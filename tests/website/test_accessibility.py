"""Reader-facing quality of the built site: alt text, headings, captions, downloads, dark mode.

Screenshots of every page in light and dark mode go to ``_build/screenshots/``
(outside the repository's tracked files); the test checks that dark mode is
really applied and that each figure, which carries its own white background,
stays bright, i.e. legible, on the dark page.
"""

from __future__ import annotations

import json

import pytest

from .conftest import ROOT, SITE
from .test_site import PAGES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = ROOT / "_build" / "screenshots"


@pytest.fixture(scope="module")
def pages(measured):
    """Each page at 1400 px in light and dark mode (screenshots in ``_build/screenshots/``)."""
    out = {}
    for path in PAGES:
        light, dark = measured(path, "desktop", "light"), measured(path, "desktop", "dark")
        out[path] = {"theme_light": light["theme"], "theme_dark": dark["theme"],
                     "bg_light": light["bodyBackground"], "bg_dark": dark["bodyBackground"],
                     "figure_luminance": dark["figure_luminance"], "outline": light["outline"],
                     "images": light["images"], "tables": light["tables"]}
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "summary.json").write_text(json.dumps(out, indent=1, default=str))
    return out


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
