"""The mortality pages read in the time issue 24 allows: visible text and sentence length.

Visible text is what a reader sees without opening a dropdown: the Markdown of the page, with
dropdown contents, directive options (names, alt texts), code fences and the bibliography
block left out, each glued number or cross-reference counted as one word. At 230 words a
minute the main page must take under 15 minutes; on every mortality page at most one
sentence in ten may run over 40 words.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT

WORDS_PER_MINUTE = 230


def visible_blocks(chapter: str) -> list[str]:
    nb = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = re.sub(r"```\{bibliography\}.*?```", "", text, flags=re.S)
    lines, hidden = [], False
    for line in text.split("\n"):
        if re.match(r"^:::\{dropdown\}", line):
            hidden = True
            continue
        if hidden:
            hidden = line.strip() != ":::"
            continue
        if re.match(r"^\s*(```|:::|:name:|:alt:|:filter:|:keyprefix:|:style:)", line):
            lines.append("")
            continue
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"\{(glue:text|numref|cite:t|cite:p|doc)\}`[^`]*`", "X", text)
    blocks = [re.sub(r"\s+", " ", b).strip() for b in re.split(r"\n\s*\n|\n(?=#)|\n(?=\* )", text)]
    return [b.lstrip("#* ").strip() for b in blocks if b.strip()]


def words(blocks: list[str]) -> int:
    return sum(len(re.findall(r"\S+", b)) for b in blocks)


def sentences(blocks: list[str]) -> list[str]:
    out = []
    for b in blocks:
        out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"(X$])", b) if s.strip()]
    return out


def test_the_main_page_reads_in_under_fifteen_minutes():
    n = words(visible_blocks("mortality"))
    assert n / WORDS_PER_MINUTE < 15, f"{n} visible words: {n / WORDS_PER_MINUTE:.1f} minutes"


@pytest.mark.parametrize("chapter", ["mortality", "tournament"])
def test_at_most_one_sentence_in_ten_runs_over_forty_words(chapter):
    s = sentences(visible_blocks(chapter))
    long = [x for x in s if len(x.split()) > 40]
    assert len(long) <= len(s) / 10, "\n".join(long)
