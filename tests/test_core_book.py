"""Execution policy: the cache is wiped whenever code, data or the lock change."""

import shutil
from pathlib import Path

import pytest

from foresight.book import chapter_paths, environment_table, inputs_hash, prepare_build

from conftest import ROOT


@pytest.fixture
def mini(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/a\n  - file: chapters/b\n"
    )
    (tmp_path / "intro.md").write_text("# hi\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "a.ipynb").write_text("{}")
    (tmp_path / "chapters" / "b.md").write_text("# b\n")
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "m.py").write_text("X = 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("a\n1\n")
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "requirements.lock").write_text("numpy==1\n")
    return tmp_path


@pytest.mark.parametrize(
    "relpath, content",
    [
        ("src/pkg/m.py", "X = 2\n"),
        ("data/d.csv", "a\n2\n"),
        (".ci/requirements.lock", "numpy==2\n"),
        ("src/pkg/new.yaml", "k: v\n"),
    ],
)
def test_hash_changes_with_code_data_and_lock(mini, relpath, content):
    before = inputs_hash(mini)
    (mini / relpath).write_text(content)
    assert inputs_hash(mini) != before


def test_hash_ignores_bytecode_and_chapters(mini):
    before = inputs_hash(mini)
    cache = mini / "src" / "pkg" / "__pycache__"
    cache.mkdir()
    (cache / "m.cpython-311.pyc").write_bytes(b"\0\1")
    (mini / "chapters" / "b.md").write_text("# changed prose\n")
    assert inputs_hash(mini) == before


def test_prepare_build_keeps_then_wipes_both_caches(mini):
    build = mini / "_build"
    assert prepare_build(build, mini) is False  # nothing to keep yet
    for cache in (".jupyter_cache", ".doctrees"):  # execution cache, Sphinx environment
        (build / cache).mkdir()
        (build / cache / "entry").write_text("cached")
    assert prepare_build(build, mini) is True
    assert (build / ".doctrees" / "entry").exists()
    (mini / "src" / "pkg" / "m.py").write_text("X = 3\n")
    assert prepare_build(build, mini) is False
    assert not (build / ".jupyter_cache").exists() and not (build / ".doctrees").exists()


def test_prepare_build_rewrites_pages_when_the_commit_date_changes(mini, monkeypatch):
    """A new SOURCE_DATE_EPOCH (a new commit) drops the parsed pages and HTML, keeps executions."""
    build = mini / "_build"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    prepare_build(build, mini)
    for cache in (".jupyter_cache", ".doctrees", "html"):
        (build / cache).mkdir()
        (build / cache / "entry").write_text("cached")
    assert prepare_build(build, mini) is True  # same inputs, same date: everything kept
    assert all((build / c / "entry").exists() for c in (".jupyter_cache", ".doctrees", "html"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795266440")
    assert prepare_build(build, mini) is True
    assert (build / ".jupyter_cache" / "entry").exists()
    assert not (build / ".doctrees").exists() and not (build / "html").exists()


def test_chapter_paths_reads_toc_in_order(mini):
    assert [p.name for p in chapter_paths(mini)] == ["a.ipynb"]


def test_real_toc_lists_every_chapter():
    names = [p.stem for p in chapter_paths(ROOT)]
    for chapter in ("mortality", "sle", "careers", "selection", "synthesis"):
        assert chapter in names


def test_environment_table_reports_pinned_versions():
    table = environment_table(("numpy", "surely-not-installed-pkg"))
    versions = dict(zip(table["software"], table["version"]))
    import numpy

    assert versions["numpy"] == numpy.__version__
    assert versions["surely-not-installed-pkg"] == "not installed"
    lock = (ROOT / ".ci" / "requirements.lock").read_text()
    assert f"numpy=={numpy.__version__}" in lock


def test_committed_chapters_are_executed():
    """Strict nbval compares against stored outputs; a chapter committed without
    executing would give it nothing to compare, so every code cell must carry an
    execution count."""
    import nbformat

    for path in chapter_paths(ROOT):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.source.strip():
                assert cell.get("execution_count") is not None, (
                    f"{path.relative_to(ROOT)}: code cell {i} was never executed "
                    "(run `make execute` and commit)"
                )


def test_toc_documents_root_first_in_order(mini):
    from foresight.book import toc_documents

    assert toc_documents(mini) == ["intro", "chapters/a", "chapters/b"]


def test_build_info_and_footer_name_version_commit_and_licences(tmp_path, monkeypatch):
    import foresight
    from foresight.book import LICENCE_TEXT, build_info, footer_html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 UTC
    (tmp_path / "CITATION.cff").write_text("cff-version: 1.2.0\nrepository-code: https://example.org/r\n")
    info = build_info(tmp_path)  # not a git checkout
    assert info == {"version": foresight.__version__, "commit": "unknown", "year": "2026",
                    "repository": "https://example.org/r"}
    html = footer_html({**info, "commit": "abc<1>"})
    assert "commit <code" in html and "abc&lt;1&gt;" in html
    assert 'href="https://example.org/r"' in html and "MIT licence" in LICENCE_TEXT
    assert "Source:" not in footer_html({**info, "repository": ""})
    # the dates are named, and with a path the footer links the whole book's PDF
    assert "\u201cLast updated\u201d is the date of the last commit" in html
    assert "foresight-pdf-link" not in html
    linked = footer_html(info, "../../foresight.pdf")
    assert '<a class="foresight-pdf-link" href="../../foresight.pdf">' in linked


def test_numbered_headings_get_one_number():
    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser

    from foresight.book import _single_heading_numbers

    doc = new_document("x", get_default_settings(Parser))
    for text in ("1. The median age at death", "Life tables", "2039 and after"):
        sec = nodes.section()
        sec += nodes.title(text, text)
        doc += sec
    _single_heading_numbers(None, doc)
    titles = [t.astext() for t in doc.findall(nodes.title)]
    assert titles == ["Statement 1: The median age at death", "Life tables", "2039 and after"]


def test_execute_refuses_an_error_raised_while_displaying(mini):
    """IPython turns an exception in ``_repr_html_`` into an error output and the cell still
    succeeds; executing a chapter must refuse that rather than commit the traceback."""
    import nbformat

    from foresight.book import execute_notebook

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        "class T:\n    def _repr_html_(self):\n        raise NameError('snap')\n"
        "from IPython.display import display\ndisplay(T())\nprint('went ' + 'on')"))
    path = mini / "chapters" / "a.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="cell 0 showed an error.*NameError: snap"):
        execute_notebook(path, root=mini)
    assert "went on" not in path.read_text()  # the executed notebook was not written
