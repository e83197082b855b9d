"""Reading load of the built pages: visible words, minutes at 230 words a minute, long sentences.

*Visible text* is what a reader meets without opening anything: headings, paragraphs,
list items, admonitions and figure or table captions. Not counted: what sits in a
collapsed section (dropdowns, hidden code), table cells, code, the page's navigation and
footer, reference lists and the keys under tables. A *sentence* ends at ".", "?" or "!" followed by a space and a
capital letter, a digit or an opening bracket (abbreviations such as "e.g.", "et al." and
"Fig." do not end one); a *long* sentence has more than 40 words. A word is a run of
letters or digits (a number counts as a word).

Run ``python tests/website/reading.py [_build/html]`` for the table;
``tests/website/test_reading.py`` holds the limits.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

WORDS_PER_MINUTE = 230
LONG_SENTENCE = 40
ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "Fig.", "Figs.", "No.", "cf.", "approx.",
                 "p.", "pp.", "Dr.", "St.", "Mr.", "Mrs.", "Ms.", "U.S.", "U.K.", "v.")
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9]+(?:[-'’.,][A-Za-zÀ-ÿ0-9]+)*")
_HIDDEN = "details, table, pre, .cell_input, script, style, .headerlink, nav, .bibliography, .citation-list, " \
          "[role='doc-bibliography'], .math-wrapper, .mjx-container, mjx-container, .foresight-figure-open, " \
          ".house-table-key"


@dataclass
class Sentence:
    text: str
    words: int


@dataclass
class Section:
    title: str
    words: int = 0
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def prose_words(self) -> int:
        """Words of the section's text, its heading aside."""
        return sum(s.words for s in self.sentences)


@dataclass
class Page:
    path: str
    sections: list[Section]

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sections)

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def sentences(self) -> list[Sentence]:
        return [x for s in self.sections for x in s.sentences]

    @property
    def long(self) -> list[Sentence]:
        return [s for s in self.sentences if s.words > LONG_SENTENCE]

    @property
    def long_share(self) -> float:
        return len(self.long) / max(1, len(self.sentences))


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    protected = text
    for i, abbr in enumerate(ABBREVIATIONS):  # whole words only: "p." is not the end of "group."
        protected = re.sub(rf"(?<![A-Za-z]){re.escape(abbr)}", abbr.replace(".", f"\x00{i}\x00"), protected)
    parts = re.split(r"(?<=[.?!])[\"”’)]*\s+(?=[A-Z0-9(\"“‘])", protected)
    out = []
    for part in parts:
        for i, abbr in enumerate(ABBREVIATIONS):
            part = part.replace(abbr.replace(".", f"\x00{i}\x00"), abbr)
        if count_words(part):
            out.append(part)
    return out


def read_page(html_path: Path, rel: str = "") -> Page:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(Path(html_path).read_text(encoding="utf-8"), "html.parser")
    art = soup.select_one("article.bd-article") or soup
    for hidden in art.select(_HIDDEN):
        hidden.decompose()
    sections = [Section("(top)")]
    blocks = art.find_all(["h1", "h2", "h3", "h4", "p", "li", "figcaption", "dt", "dd", "caption"])
    for block in blocks:
        if block.find_parent(["li", "figcaption", "caption", "dd"]) and block.name == "p":
            continue  # counted with its list item or caption
        if block.name == "li" and block.find_parent("li"):
            continue  # nested items are part of their parent's text
        text = re.sub(r"\s+", " ", block.get_text(" ")).strip()
        if not text:
            continue
        if block.name in ("h1", "h2", "h3", "h4"):
            sections.append(Section(re.sub(r"#$", "", text).strip()))
            sections[-1].words += count_words(text)
            continue
        sec = sections[-1]
        sec.words += count_words(text)
        for s in split_sentences(text):
            sec.sentences.append(Sentence(s, count_words(s)))
    return Page(rel or str(html_path), [s for s in sections if s.words])


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "_build/html")
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "src"))
    from foresight.book import toc_documents

    print(f"{'page':42} {'words':>6} {'min':>5} {'sentences':>9} {'> 40 words':>10} {'share':>6}")
    for doc in toc_documents(root):
        page = read_page(site / f"{doc}.html", doc)
        print(f"{doc:42} {page.words:6d} {page.minutes:5.1f} {len(page.sentences):9d} "
              f"{len(page.long):10d} {page.long_share:6.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
