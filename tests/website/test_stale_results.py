"""The execution policy cannot serve stale results, and a failing cell fails the build.

A copy of the repository with a reduced table of contents (intro, the
reproducibility page, the bibliography) is built with the real ``make book``.
Then a value in ``src/`` changes (the package version, which the
reproducibility page prints from the running code), the copy is rebuilt, and
the new value must appear in the HTML: the build directory (execution cache
and Sphinx's parsed pages) was emptied because the hash of ``src/`` changed,
and the page re-executed. (An earlier version wiped only the execution cache;
this test showed Sphinx then reused the old page.) Finally a deliberately
failing cell, and then a Sphinx warning, must make ``make book`` exit
non-zero, and keep doing so when it is run again unchanged (Sphinx saves its
environment even when ``-W --keep-going`` fails the build, so a naive rerun
found every page up to date and reported success). Hidden tool directories
such as ``.pytest_cache`` must not be read as pages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

VENV = Path(sys.prefix)  # the running virtualenv (not the interpreter it links to)


def _copy_repo(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    (dest / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "  - file: chapters/appendix/reproducibility\n"
        "  - file: chapters/appendix/bibliography\n"
    )
    (dest / "intro.md").write_text("# Stale-results check\n\nA reduced copy {cite:p}`ons2015mortality`.\n")


def _make_book(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "book", f"VENV={VENV}", "SKIP_INSTALL=1", "BOOK_PDF=0"],
        cwd=repo, capture_output=True, text=True, timeout=900,
    )


def test_change_in_src_reaches_the_html_and_failures_fail(tmp_path):
    repo = tmp_path / "copy"
    _copy_repo(repo)
    page = repo / "_build" / "html" / "chapters" / "appendix" / "reproducibility.html"
    init = repo / "src" / "foresight" / "__init__.py"
    marker = "0.1.0+stale.check"

    (repo / ".pytest_cache").mkdir()
    (repo / ".pytest_cache" / "README.md").write_text("# pytest cache directory\n")

    first = _make_book(repo)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "build directory emptied" in first.stdout
    html = page.read_text()
    assert marker not in html
    import foresight

    assert f">{foresight.__version__}</td>" in html  # the value today

    again = _make_book(repo)  # nothing changed: the cache is reused
    assert again.returncode == 0
    assert "build directory kept" in again.stdout

    text = init.read_text()
    assert f'__version__ = "{foresight.__version__}"' in text
    init.write_text(text.replace(f'__version__ = "{foresight.__version__}"', f'__version__ = "{marker}"'))
    changed = _make_book(repo)
    assert changed.returncode == 0, changed.stdout[-3000:] + changed.stderr[-3000:]
    assert "build directory emptied" in changed.stdout
    assert f">{marker}</td>" in page.read_text()

    nb_path = repo / "chapters" / "appendix" / "reproducibility.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    original = nb_path.read_text()
    nb.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("deliberately failing cell")'))
    nbformat.write(nb, nb_path)
    failed = _make_book(repo)
    assert failed.returncode != 0
    assert "deliberately failing cell" in failed.stdout + failed.stderr
    failed_again = _make_book(repo)
    assert failed_again.returncode != 0
    assert "deliberately failing cell" in failed_again.stdout + failed_again.stderr

    nb_path.write_text(original)
    intro = repo / "intro.md"
    intro.write_text(intro.read_text() + "\nSee {numref}`no-such-label`.\n")
    warned = _make_book(repo)
    assert warned.returncode != 0
    assert "no-such-label" in warned.stdout + warned.stderr
    warned_again = _make_book(repo)
    assert warned_again.returncode != 0, warned_again.stdout[-3000:]
    assert "no-such-label" in warned_again.stdout + warned_again.stderr
