"""Smoke test of the built site in a real headless Chromium.

Every page in the table of contents is opened from a local server and must:
answer HTTP 200, log no JavaScript console error, decode every image, and
make no request to any host other than 127.0.0.1. Every internal link on
every page must resolve, and the search page must find a word from the intro.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from foresight.book import chapter_paths, toc_documents

from .conftest import ROOT, SITE

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def toc_pages() -> list[str]:
    """HTML paths of every document in _toc.yml (root first)."""
    return [f + ".html" for f in toc_documents(ROOT)]


PAGES = toc_pages()


def _local(url: str, base: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True
    return parsed.hostname == urllib.parse.urlparse(base).hostname and parsed.port == urllib.parse.urlparse(base).port


def test_every_toc_page_is_built():
    missing = [p for p in PAGES if not (SITE / p).is_file()]
    assert not missing, f"pages in _toc.yml without HTML: {missing}"
    assert len(PAGES) >= 9  # intro, five chapters, three appendices


@pytest.fixture(scope="module")
def visits(measured):
    """Every toc page as loaded at 1400 px: status, console errors, images, requests, links."""
    return {p: {"status": m["status"], "requests": m["requests"], "errors": m["errors"],
                "broken_images": m["brokenImages"], "n_images": m["nImages"], "links": m["links"]}
            for p in PAGES for m in [measured(p, "desktop", "light")]}


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_cleanly(visits, site_url, page_path):
    v = visits[page_path]
    assert v["status"] == 200
    assert v["errors"] == [], f"console errors on {page_path}: {v['errors']}"
    assert v["broken_images"] == [], f"images that did not decode: {v['broken_images']}"
    external = [u for u in v["requests"] if not _local(u, site_url)]
    assert external == [], f"{page_path} requested other hosts: {external}"
    assert any(u.endswith(page_path) for u in v["requests"])  # the recorder works


def test_no_request_leaves_localhost(visits, site_url):
    total = sum(len(v["requests"]) for v in visits.values())
    external = [u for v in visits.values() for u in v["requests"] if not _local(u, site_url)]
    assert total > len(PAGES)  # pages plus their assets were really recorded
    assert external == []


def test_every_internal_link_resolves(visits, site_url):
    checked, broken = set(), []
    for page_path, v in visits.items():
        for href in v["links"]:
            if not _local(href, site_url):
                continue
            target = href.split("#")[0]
            if target in checked:
                continue
            checked.add(target)
            try:
                with urllib.request.urlopen(target, timeout=10) as r:
                    if r.status != 200:
                        broken.append((page_path, href, r.status))
            except urllib.error.HTTPError as exc:
                broken.append((page_path, href, exc.code))
    assert len(checked) > len(PAGES)
    assert broken == [], f"broken internal links: {broken}"


def test_search_finds_a_word_from_the_intro(browser, site_url):
    word = "compendium"
    assert word in (ROOT / "intro.md").read_text().lower()
    page = browser.new_page()
    page.goto(f"{site_url}/search.html?q={word}", wait_until="networkidle")
    page.wait_for_selector("#search-results li, ul.search li", timeout=15000)
    hits = page.evaluate("document.querySelectorAll('#search-results li, ul.search li').length")
    page.wait_for_timeout(1500)  # excerpts are fetched page by page
    excerpts = page.evaluate(
        "Array.from(document.querySelectorAll('ul.search li p.context')).map(p => p.textContent)")
    page.close()
    assert hits >= 1
    assert excerpts


def test_search_excerpts_come_from_the_article_not_the_contents_list(browser, site_url):
    """A word in a heading is first found in the page's "Contents" list; the excerpt
    must still be article text (foresight-search.js drops the navigation)."""
    import re

    word = "thread"
    assert "## The common thread" in (ROOT / "intro.md").read_text()
    page = browser.new_page()
    page.goto(f"{site_url}/search.html?q={word}", wait_until="networkidle")
    page.wait_for_selector("ul.search li p.context", timeout=15000)
    hit = page.evaluate("""() => { const li = document.querySelector('ul.search li');
        return {href: li.querySelector('a').href, text: li.querySelector('p.context').textContent}; }""")
    page.goto(hit["href"].split("#")[0], wait_until="networkidle")
    article = page.evaluate("""() => { const a = document.querySelector('article.bd-article').cloneNode(true);
        a.querySelectorAll('.headerlink, script, style').forEach(e => e.remove()); return a.textContent; }""")
    page.close()
    norm = lambda t: re.sub(r"\s+", "", t)  # noqa: E731  (element boundaries differ in spacing)
    excerpt = norm(hit["text"].replace("...", " "))
    assert word in excerpt.lower() and len(excerpt) > 40
    assert excerpt in norm(article), f"excerpt not from the article: {excerpt!r}"


def test_math_is_typeset_locally(browser, site_url, visits):
    mj = [u for v in visits.values() for u in v["requests"] if "mathjax" in u.lower()]
    # MathJax, when a page needs it, comes from _static, never a CDN.
    assert all(u.startswith(site_url) for u in mj)


def test_chapters_in_toc_are_notebooks():
    assert {p.stem for p in chapter_paths(ROOT)} >= {"mortality", "sle", "careers", "selection", "synthesis"}


def _last_commit_date():
    """Date (UTC) of the checkout's last commit, or None outside a git checkout."""
    import datetime as dt
    import subprocess

    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return dt.datetime.fromtimestamp(int(out), tz=dt.timezone.utc).date() if out else None


@pytest.mark.parametrize("page_path", PAGES)
def test_page_dates_are_not_older_than_the_last_commit(page_path):
    """The footer's "Last updated" date and copyright year come from the last commit."""
    import datetime as dt
    import re

    last = _last_commit_date()
    if last is None:
        pytest.skip("not a git checkout: no commit date to compare with")
    html = (SITE / page_path).read_text(encoding="utf-8")
    updated = re.findall(r"Last updated on\s+([A-Z][a-z]{2} \d{1,2}, \d{4})", html)
    years = [int(y) for y in re.findall(r"Copyright\s+(\d{4})", html)]
    assert updated, f"{page_path}: no 'Last updated on' date in the footer"
    assert years, f"{page_path}: no copyright year in the footer"
    for text in updated:
        shown = dt.datetime.strptime(text, "%b %d, %Y").date()
        assert shown >= last, f"{page_path}: 'Last updated on {text}' is older than the last commit ({last})"
    assert min(years) >= last.year, f"{page_path}: copyright {min(years)} is older than the last commit"
