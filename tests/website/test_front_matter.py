"""Front matter: every page names its version, commit and licences; the book says how to cite it."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from .conftest import ROOT, SITE
from .test_site import PAGES

pytestmark = [pytest.mark.slow]


def _head() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


@pytest.mark.parametrize("page_path", PAGES)
def test_every_page_shows_version_commit_and_licences(page_path):
    import foresight

    html = (SITE / page_path).read_text(encoding="utf-8")
    m = re.search(r'foresight ([\w.+-]+), commit <code class="foresight-commit">([^<]+)</code>', html)
    assert m, f"{page_path}: no version and commit in the footer"
    assert m.group(1) == foresight.__version__
    head = _head()
    if head is not None:
        assert m.group(2).split("+")[0] == head, f"{page_path}: built from {m.group(2)}, HEAD is {head}"
    assert "MIT licence" in html and "CC BY 4.0" in html


def test_citation_file_matches_the_package():
    import tomllib

    import foresight

    meta = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["cff-version"] == "1.2.0"
    assert str(meta["version"]) == project["version"] == foresight.__version__
    assert meta["license"] == project["license"]
    assert meta["title"] and meta["authors"]


def test_intro_says_how_to_cite_with_version_and_commit():
    import foresight

    html = (SITE / "intro.html").read_text(encoding="utf-8")
    assert 'id="how-to-cite"' in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert re.search(rf"version {re.escape(foresight.__version__)}, commit\s+\w+", text)
    assert "{{" not in text  # every substitution was filled


@pytest.mark.parametrize("page_path", PAGES)
def test_mathjax_only_on_pages_with_mathematics(page_path):
    html = (SITE / page_path).read_text(encoding="utf-8")
    has_math = 'class="math' in html or "\\(" in html or "$$" in html
    loads = "tex-chtml.js" in html
    assert loads == has_math, f"{page_path}: MathJax {'loaded' if loads else 'missing'}, math {has_math}"


def test_furniture_no_empty_index_no_emoji_status():
    assert not (SITE / "genindex.html").exists()
    for page_path in PAGES:
        html = (SITE / page_path).read_text(encoding="utf-8")
        assert 'href="genindex.html"' not in html and "✅" not in html, page_path
    assert any('class="math' in (SITE / p).read_text(encoding="utf-8") for p in PAGES)  # math pages exist


def test_downloaded_notebooks_say_how_to_install_foresight():
    """The notebook a reader downloads starts with one line on installing foresight; the page
    itself does not show it (the cell is tagged remove-cell)."""
    import json

    from foresight.book import chapter_paths

    for path in chapter_paths(ROOT):
        rel = path.relative_to(ROOT)
        src = SITE / "_sources" / rel
        assert src.is_file(), f"{rel}: not offered for download"
        first = json.loads(src.read_text(encoding="utf-8"))["cells"][0]
        text = "".join(first["source"])
        assert first["cell_type"] == "markdown" and "\n" not in text.strip(), f"{rel}: no one-line note first"
        assert "`foresight`" in text and ("pip install" in text or "make install" in text), text
        assert "remove-cell" in first.get("metadata", {}).get("tags", []), f"{rel}: the note shows on the page"
        html = (SITE / rel.with_suffix(".html")).read_text(encoding="utf-8")
        assert "To run this notebook" not in html, f"{rel}: the install note is on the page"
