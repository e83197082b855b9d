"""Measurements of the whole-book PDF, for ``make pdf`` (``test_pdf.py``) and the record.

Everything is measured on the PDF itself, with poppler's command-line tools
(``pdftotext`` for the text of each page, ``pdftoppm`` for a small greyscale
rendering of each page), against what the single-page HTML it was printed from
says should be there:

* **collapsed sections**: the text of every dropdown (``<details>``) of the HTML,
  in runs of words between its formulas, and each formula's symbols (``\\lambda_a``
  must print as "λ a"), must be in the PDF's text;
* **captions**: no page holds only a caption (its text is one caption and its ink
  fills less than a quarter of the page), and no table caption is the last text of
  its page (the table would start on the next one);
* **table headers**: no header word is split over two lines ("Publi" / "shed");
* **empty space**: a page is more than half empty when its last ink is above the
  middle of the printable area; pages that end a chapter (the next page opens the
  next chapter or appendix) are expected to be.

:func:`measure` returns every number; the tests assert on them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: Page margins of the print stylesheet (``@page`` in foresight.css), in mm.
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 16.0, 18.0
A4_HEIGHT_MM = 297.0
#: Resolution of the rendering used to find where each page's ink ends.
RASTER_DPI = 24
#: A grey level below this (0-255) is ink.
INK = 200

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Lambda": "Λ",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
NAMED = {"log": "log", "exp": "exp", "ln": "ln", "max": "max", "min": "min", "sum": "∑",
         "prod": "∏", "otimes": "⊗", "times": "×", "cdot": "⋅", "le": "≤", "ge": "≥",
         "leq": "≤", "geq": "≥", "approx": "≈", "infty": "∞", "partial": "∂"}


def tools_available() -> bool:
    return all(shutil.which(t) for t in ("pdftotext", "pdftoppm"))


def _squash(text: str) -> str:
    """Text reduced to its letters and digits (Greek and a few operators kept): spacing,
    line ends, punctuation and signs differ between the HTML and the PDF's text layer."""
    text = text.replace("ﬁ", "fi").replace("ﬂ", "fl")
    return re.sub(r"[^\w∑∏⊗×⋅≤≥≈∞∂]|_", "", text)


def tex_signature(tex: str) -> str:
    """The symbols a formula prints, in order: ``\\log_{10}\\lambda`` -> ``log10λ``."""
    tex = re.sub(r"\\(mathrm|text|mathit|mathbf|operatorname)\s*\{([^}]*)\}", r"\2", tex)
    out = []
    for m in re.finditer(r"\\([A-Za-z]+)|([A-Za-z0-9])|(\\[,;!: ])|(.)", tex):
        if m.group(1):
            name = m.group(1)
            out.append(GREEK.get(name) or NAMED.get(name) or "")
        elif m.group(2):
            out.append(m.group(2))
    return "".join(out)


@dataclass
class Dropdown:
    title: str
    runs: list[str]           # runs of words between formulas, at least five words each
    formulas: list[str]       # the TeX of each formula


@dataclass
class HtmlFacts:
    chapter_titles: list[str]
    dropdowns: list[Dropdown]
    table_captions: list[str]
    captions: list[str]
    header_words: set[str]
    vocabulary: set[str]


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


def html_facts(html_path: Path) -> HtmlFacts:
    """What the single-page book holds that the PDF must keep."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(Path(html_path).read_text(encoding="utf-8"), "html.parser")
    art = soup.select_one("article.bd-article") or soup
    for junk in art.select("a.headerlink, script, style, .sd-octicon"):
        junk.decompose()
    titles = []
    for span in art.select('span[id^="document-"]'):
        section = span.find_next_sibling("section")
        heading = section.find(re.compile(r"^h[1-3]$")) if section else None
        if heading:
            titles.append(_text(heading))
    first = art.find("h1")
    if first:
        titles.insert(0, _text(first))
    dropdowns = []
    for d in art.select("details.sd-dropdown"):
        summary = d.find("summary")
        title = _text(summary) if summary else ""
        body = d.select_one(".sd-summary-content") or d
        formulas = [m.get_text() for m in body.select(".math")]
        pieces = []
        for chunk in re.split(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$", body.get_text(" "), flags=re.S):
            words = chunk.split()
            if len(words) >= 5:
                pieces.append(" ".join(words))
        dropdowns.append(Dropdown(title, pieces, [re.sub(r"^\\[(\[]|\\[)\]]$", "", f.strip())
                                                  for f in formulas]))
    table_caps, caps = [], []
    for fig in art.select("figure"):
        cap = fig.find("figcaption")
        if not cap:
            continue
        text = _text(cap)
        caps.append(text)
        if "table-figure" in (fig.get("class") or []):
            table_caps.append(text)
    for cap in art.select("table > caption"):
        caps.append(_text(cap))
        table_caps.append(_text(cap))
    header_words = {w.strip("()[],.:;") for th in art.select("table th") for w in _text(th).split()}
    vocabulary = {w.strip("()[],.:;'\"") for w in art.get_text(" ").split()}
    return HtmlFacts(titles, dropdowns, table_caps, caps,
                     {w for w in header_words if len(w) >= 4}, vocabulary)


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def ink_extents(pdf: Path) -> list[tuple[float, float]]:
    """Per page, where its ink starts and ends, as fractions of the printable height
    (0 = top margin, 1 = bottom margin); ``(0, 0)`` for a blank page."""
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(RASTER_DPI), "-gray", str(pdf), f"{tmp}/p"],
                       check=True, capture_output=True)
        files = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
        out = []
        for f in files:
            grey = np.asarray(Image.open(f).convert("L"))
            h = grey.shape[0]
            top = h * MARGIN_TOP_MM / A4_HEIGHT_MM
            bottom = h * (1 - MARGIN_BOTTOM_MM / A4_HEIGHT_MM)
            rows = np.flatnonzero((grey < INK).any(axis=1))
            if rows.size == 0:
                out.append((0.0, 0.0))
                continue
            span = bottom - top
            out.append((max(0.0, (rows[0] - top) / span), min(1.0, (rows[-1] + 1 - top) / span)))
        return out


@dataclass
class PdfReport:
    pages: int
    missing_dropdown_text: list[str] = field(default_factory=list)
    missing_formulas: list[str] = field(default_factory=list)
    dropdown_runs: int = 0
    dropdown_formulas: int = 0
    caption_only_pages: list[int] = field(default_factory=list)
    captions_at_page_foot: list[tuple[int, str]] = field(default_factory=list)
    split_header_words: list[tuple[int, str]] = field(default_factory=list)
    half_empty_pages: list[int] = field(default_factory=list)
    chapter_end_pages: list[int] = field(default_factory=list)

    @property
    def half_empty_share(self) -> float:
        return len(self.half_empty_pages) / max(1, self.pages)

    def summary(self) -> dict:
        return {"pages": self.pages, "dropdown text runs": self.dropdown_runs,
                "dropdown runs missing": len(self.missing_dropdown_text),
                "dropdown formulas": self.dropdown_formulas,
                "formulas missing": len(self.missing_formulas),
                "caption-only pages": self.caption_only_pages,
                "table captions at a page foot": [p for p, _ in self.captions_at_page_foot],
                "header words split": len(self.split_header_words),
                "more than half empty (not chapter ends)": self.half_empty_pages,
                "more than half empty, chapter ends": self.chapter_end_pages}


def measure(pdf: Path, html: Path) -> PdfReport:
    facts = html_facts(html)
    texts = page_texts(pdf)
    ink = ink_extents(pdf)
    squashed = [_squash(t) for t in texts]
    whole = "".join(squashed)
    rep = PdfReport(pages=len(texts))

    for d in facts.dropdowns:
        for run in d.runs:
            rep.dropdown_runs += 1
            if _squash(run) not in whole:
                rep.missing_dropdown_text.append(f"{d.title}: {run[:80]}")
        for tex in d.formulas:
            sig = _squash(tex_signature(tex))
            if not sig:
                continue
            rep.dropdown_formulas += 1
            if sig not in whole:
                rep.missing_formulas.append(f"{d.title}: {tex}")

    caption_keys = [_squash(c) for c in facts.captions]
    table_keys = [_squash(c) for c in facts.table_captions]
    starts = {_squash(t)[:40] for t in facts.chapter_titles if t}
    for i, (text, sq) in enumerate(zip(texts, squashed), start=1):
        top, bottom = ink[i - 1] if i - 1 < len(ink) else (0.0, 1.0)
        # a page that holds one caption and nothing else (no picture: little ink)
        if sq and any(sq in key for key in caption_keys) and bottom - top < 0.25:
            rep.caption_only_pages.append(i)
        # a table caption that is the last text of its page
        tail = sq[-60:]
        for key in table_keys:
            if len(tail) >= 20 and key.endswith(tail):
                rep.captions_at_page_foot.append((i, key[:60]))
                break
        # header words split over two lines: "Publi" on one, "shed" on the next
        tokens = set(re.findall(r"[A-Za-z]+", text))
        for w in facts.header_words:
            for k in range(2, len(w) - 1):
                head, rest = w[:k], w[k:]
                if head in tokens and rest in tokens and head not in facts.vocabulary \
                        and rest not in facts.vocabulary:
                    rep.split_header_words.append((i, f"{head}|{rest}"))
                    break
        # more than half empty, unless the next page opens a chapter (or this is the last)
        if bottom < 0.5:
            nxt = squashed[i] if i < len(squashed) else ""
            if i == len(texts) or any(nxt.startswith(s) for s in starts):
                rep.chapter_end_pages.append(i)
            else:
                rep.half_empty_pages.append(i)
    return rep
