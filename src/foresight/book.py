"""Build machinery for the Jupyter Book: execution-cache policy and offline assets.

Execution policy
----------------
Jupyter Book's execution cache (jupyter-cache) keys a notebook on its own code
cells only, so a change in ``src/`` or ``data/`` would not invalidate it and
the site could show results that the current code no longer produces. The
policy here:

1. The book is built with ``execute_notebooks: cache``. Before each build,
   :func:`prepare_build` computes :func:`inputs_hash` (every file under
   ``src/`` and ``data/``, the lock file and the Python version) and empties
   ``_build/`` when it differs from the hash of the last build: that removes
   both Jupyter Book's execution cache and Sphinx's cache of parsed pages, the
   two places an old result could survive. A cached result is therefore only
   ever reused for identical code, data and dependencies; anything else
   re-executes.
2. Chapters are also committed *with* their outputs, and strict ``nbval``
   (``make test``) re-runs every chapter and fails on any output that differs
   from the committed one, so the notebooks a reader downloads are current too.
   ``make execute`` re-executes them in place (:func:`execute_notebook`).

The module is also a Sphinx extension (``sphinx: extra_extensions:
[foresight.book]``) that serves MathJax from the locally installed
``django-static-mathjax`` package instead of a CDN, so the site works offline.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import platform
import shutil
import sys
from pathlib import Path
from typing import Iterable, Sequence

#: Directories and files that feed the chapters' results.
INPUT_DIRS = ("src", "data")
LOCK_FILE = Path(".ci") / "requirements.lock"
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
HASH_FILE_NAME = "foresight-inputs.sha256"
DATE_FILE_NAME = "foresight-source-date"


def repo_root(start: Path | None = None) -> Path:
    """The repository root: the nearest ancestor holding ``_config.yml``."""
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "_config.yml").is_file() and (p / "src").is_dir():
            return p
    raise FileNotFoundError(f"no compendium root (with _config.yml and src/) above {here}")


def _input_files(root: Path) -> Iterable[Path]:
    for d in INPUT_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(root)
            if _SKIP_PARTS.intersection(rel.parts) or path.suffix in _SKIP_SUFFIXES:
                continue
            if any(part.endswith(".egg-info") for part in rel.parts):
                continue
            yield path
    lock = root / LOCK_FILE
    if lock.is_file():
        yield lock


def inputs_hash(root: Path | None = None) -> str:
    """SHA-256 over the inputs of every chapter.

    Covers the relative path and bytes of every file under ``src/`` and
    ``data/`` (bytecode and caches excluded), the lock file, and the
    interpreter's major.minor version. Order-independent of the file system
    (paths are sorted).
    """
    root = repo_root() if root is None else Path(root)
    h = hashlib.sha256()
    h.update(f"python {platform.python_version_tuple()[0]}.{platform.python_version_tuple()[1]}\n".encode())
    for path in _input_files(root):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def prepare_build(build_dir: Path, root: Path | None = None) -> bool:
    """Empty ``build_dir`` unless it was built from the current inputs.

    Both caches that could serve an old result live under the build
    directory: Jupyter Book's execution cache (keyed only on a notebook's code
    cells) and Sphinx's environment of parsed documents (which re-reads a page
    only when *its* source file changes). When :func:`inputs_hash` differs from
    the hash recorded at the last build, the whole directory is removed, so
    every chapter is executed and parsed anew.

    Returns ``True`` when the build directory was kept, ``False`` when it was
    emptied (or did not exist). Afterwards it exists and records the current hash.
    """
    root = repo_root() if root is None else Path(root)
    build_dir = Path(build_dir)
    if not build_dir.is_absolute():
        build_dir = root / build_dir
    current = inputs_hash(root)
    stamp = build_dir / HASH_FILE_NAME
    kept = stamp.is_file() and stamp.read_text().strip() == current
    if not kept and build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    # Every page shows the build's date (SOURCE_DATE_EPOCH, the last commit's);
    # Sphinx rewrites only pages whose source changed, so a new date drops its
    # parsed pages and HTML (the execution cache stays: the results are the same).
    date_stamp = build_dir / DATE_FILE_NAME
    date = os.environ.get("SOURCE_DATE_EPOCH", "")
    if kept and date_stamp.is_file() and date_stamp.read_text().strip() != date:
        for sub in (".doctrees", "html"):
            shutil.rmtree(build_dir / sub, ignore_errors=True)
    date_stamp.write_text(date + "\n")
    return kept


def execution_env(root: Path) -> dict[str, str]:
    """Environment for executing chapters: deterministic and offline."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHONHASHSEED": "0",
            "TZ": "UTC",
            "SOURCE_DATE_EPOCH": "1700000000",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONPATH": os.pathsep.join(
                [str(root / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
    )
    return env


def execute_notebook(path: Path, *, timeout: int = 600, root: Path | None = None) -> None:
    """Execute one chapter in place (cwd = its folder), without timing metadata.

    Raises the kernel's error if a cell fails, so a broken chapter is never
    committed with partial outputs.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).resolve()
    root = repo_root(path.parent) if root is None else Path(root)
    nb = nbformat.read(path, as_version=4)
    old = dict(os.environ)
    os.environ.update(execution_env(root))
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            record_timing=False,
            allow_errors=False,
        )
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    # An exception inside a display method (a table's _repr_html_, say) does not fail
    # the cell: IPython shows it as an error output and the cell still reports success.
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise RuntimeError(f"{path}: cell {i} showed an error while displaying its output: "
                                   f"{out.get('ename')}: {out.get('evalue')}")
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def toc_documents(root: Path) -> list[str]:
    """Every document named in ``_toc.yml``, root first, in toc order (no suffix)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = [toc["root"]] if "root" in toc else []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def chapter_paths(root: Path) -> list[Path]:
    """Every notebook listed in ``_toc.yml``, in toc order."""
    out = []
    for f in toc_documents(root):
        p = root / f
        if p.suffix == "":
            p = p.with_suffix(".ipynb") if p.with_suffix(".ipynb").exists() else p.with_suffix(".md")
        if p.suffix == ".ipynb":
            out.append(p)
    return out


KEY_PACKAGES = (
    "foresight", "numpy", "scipy", "pandas", "matplotlib", "statsmodels", "pymort",
    "networkx", "defusedxml", "jupyter-book", "myst-nb", "sphinx", "sphinx-book-theme",
    "sphinxcontrib-bibtex", "nbclient", "ipykernel", "nbval", "pytest", "hypothesis",
)


def environment_table(packages: Sequence[str] = KEY_PACKAGES):
    """Python and key package versions of the running environment, as a DataFrame.

    A package that is not installed is listed as ``"not installed"`` rather
    than omitted, so a missing piece is visible on the reproducibility page.
    """
    from importlib import metadata

    import pandas as pd

    import foresight

    rows = [("Python", platform.python_version())]
    for name in packages:
        if name == "foresight":  # the code that actually ran, not the install record
            rows.append((name, foresight.__version__))
            continue
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return pd.DataFrame(rows, columns=["software", "version"])


# --------------------------------------------------------------------------- Sphinx


def nodes_figure():
    from docutils import nodes

    return nodes.figure



def _mathjax_dir() -> Path | None:
    try:
        import mathjax  # django-static-mathjax
    except ImportError:  # pragma: no cover - book extra not installed
        return None
    d = Path(mathjax.__file__).parent / "static"
    return d if (d / "mathjax" / "es5" / "tex-chtml.js").is_file() else None


def _config_inited(app, config) -> None:
    d = _mathjax_dir()
    if d is None:
        raise RuntimeError(
            "django-static-mathjax is not installed: the site would load MathJax from a CDN"
        )
    config.html_static_path = [*config.html_static_path, str(d), str(Path(__file__).parent / "assets")]
    config.mathjax_path = "mathjax/es5/tex-chtml.js"
    info = build_info(repo_root(Path(app.confdir)))
    app._foresight_info = info
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = footer_html(info)
    if info["repository"]:
        options["repository_url"] = info["repository"]
        options["use_repository_button"] = True
    config.html_theme_options = options
    config.myst_substitutions = {**(config.myst_substitutions or {}),
                                 **{f"foresight_{k}": v or "" for k, v in info.items()}}
    if not config.html_favicon:
        config.html_favicon = str(Path(__file__).parent / "assets" / "favicon.svg")


#: Licences shown in every page's footer (see README.md, "Licences").
LICENCE_TEXT = ("Code: MIT licence. Text, figures and the compendium's own data: CC BY 4.0. "
                "Source documents and third-party data keep their own licences (see the data page).")


def build_info(root: Path) -> dict[str, str]:
    """Version, commit, year and repository of the build, for every page and the citation.

    ``version`` is the package's; ``commit`` the short hash of ``HEAD`` (with
    ``+changes`` when the working tree differs from it, "unknown" outside a git
    checkout); ``year`` that of ``SOURCE_DATE_EPOCH`` (the last commit's date);
    ``repository`` the ``repository-code`` of ``CITATION.cff`` (empty if none).
    """
    import datetime as dt
    import subprocess

    import foresight

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                                  check=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short=10", "HEAD") or "unknown"
    if commit != "unknown" and git("status", "--porcelain", "--untracked-files=no"):
        commit += "+changes"
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 0) or None
    year = str(dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).year) if epoch else ""
    repository = ""
    cff = root / "CITATION.cff"
    if cff.is_file():
        import yaml

        meta = yaml.safe_load(cff.read_text(encoding="utf-8")) or {}
        repository = str(meta.get("repository-code") or "")
    return {"version": foresight.__version__, "commit": commit, "year": year,
            "repository": repository}


#: The whole book as one PDF, printed into the site's root by ``make book``.
PDF_NAME = "foresight.pdf"


def footer_html(info: dict[str, str], pdf_href: str | None = None) -> str:
    """The footer line with the version, commit, licence, (if known) repository and,
    with ``pdf_href`` (relative to the page), a link to the whole book as a PDF."""
    import html

    parts = [f"foresight {html.escape(info['version'])}, commit "
             f"<code class=\"foresight-commit\">{html.escape(info['commit'])}</code>."]
    if pdf_href:
        parts.append(f'<a class="foresight-pdf-link" href="{html.escape(pdf_href, quote=True)}">'
                     "The whole book as one PDF (A4)</a>.")
    if info["repository"]:
        url = html.escape(info["repository"], quote=True)
        parts.append(f'Source: <a href="{url}">{url}</a>.')
    parts.append(html.escape(LICENCE_TEXT))
    parts.append("\u201cLast updated\u201d is the date of the last commit; the reproducibility "
                 "page says when the notebooks were executed.")
    return f'<p class="foresight-build-info">{" ".join(parts)}</p>'


def _footer_with_pdf_link(app, pagename, templatename, context, doctree) -> None:
    """Every page's footer links the PDF, by a path relative to that page."""
    info = getattr(app, "_foresight_info", None)
    if info is None or "pathto" not in context:
        return
    context["theme_extra_footer"] = footer_html(info, context["pathto"](PDF_NAME, 1))


def _is_thebe_script(script) -> bool:
    text = f"{getattr(script, 'filename', '') or ''} {getattr(script, 'attributes', {}).get('body', '')}"
    return "thebe" in text.lower()


_MATH_IN_RAW = re.compile(r"\\\(|\\\[|\$\$|\\begin\{")


def page_needs_mathjax(doctree) -> bool:
    """Whether a page has mathematics: math nodes, or TeX delimiters in raw output."""
    from docutils import nodes

    if doctree is None:
        return True  # generated pages (search, index): be safe, the policy below decides
    if any(True for _ in doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))):
        return True
    return any(_MATH_IN_RAW.search(n.astext()) for n in doctree.findall(nodes.raw))


def _mathjax_only_where_needed(app, pagename, templatename, context, doctree) -> None:
    """myst-nb asks Sphinx to put MathJax (about 1 MB) on every page; keep it only
    on pages with mathematics."""
    if doctree is None or page_needs_mathjax(doctree):
        return
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [
            sc for sc in scripts
            if "mathjax" not in f"{getattr(sc, 'filename', '') or ''}".lower()
            and "mathjax" not in str(getattr(sc, "attributes", {}).get("body", "")).lower()]


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts: Thebe is off (no live kernels in an offline
    book), yet the extension injects its inline configuration twice, which is a
    console error, and names a CDN URL."""
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe_script(s)]


class table_figure(nodes_figure()):  # noqa: N801 - docutils node naming
    """A captioned, numbered table: a ``{glue:figure}`` whose content is a table.

    Chapters glue their tables with ``{glue:figure}`` (the directive that gives
    a glued output a caption and a label); Sphinx would number them as figures.
    This node type is registered as an enumerable ``table``, so they are
    numbered "Table n.m" in their captions and in every ``{numref}``.
    """


def _is_table_figure(node) -> bool:
    from docutils import nodes

    if not isinstance(node, nodes.figure) or isinstance(node, table_figure):
        return False
    if any(True for _ in node.findall(nodes.image)):
        return False
    html = " ".join(r.astext() for r in node.findall(nodes.raw))
    return "<table" in html or any(True for _ in node.findall(nodes.table))


def _tables_are_tables(app, doctree) -> None:
    """Turn every figure that holds a table into a :class:`table_figure`,
    caption first (a table's caption goes above it)."""
    from docutils import nodes

    for fig in list(doctree.findall(nodes.figure)):
        if not _is_table_figure(fig):
            continue
        new = table_figure(fig.rawsource, *fig.children, **fig.attributes)
        new["classes"] = [*fig["classes"], "table-figure"]
        captions = [c for c in new.children if isinstance(c, nodes.caption)]
        for c in captions:
            new.remove(c)
            new.insert(0, c)
        if captions:
            # docutils closes <figcaption> only when the figure ends (a legend may follow
            # the caption); with the caption first, the table itself would sit inside the
            # caption and take its light, muted type. Close it right after the caption.
            new.insert(1, nodes.raw("", "</figcaption>\n", format="html"))
            new["foresight_caption_closed"] = True
        new.source, new.line = fig.source, fig.line
        fig.replace_self(new)
        for node_id in new["ids"]:  # the document's id map still names the old node
            doctree.ids[node_id] = new


_NUMBERED_TITLE = re.compile(r"^(\d+)\.\s+(\S.*)$")


def _single_heading_numbers(app, doctree) -> None:
    """Headings carry the book's section numbers only.

    A heading that starts with its own number ("1. The median age at death in
    1851", the document's numbered statements) would read "1.2.3. 1. The median
    ..." under the book's numbering; it becomes "Statement 1: The median ...",
    which keeps the link to the numbered rows of the chapter's tables.
    """
    from docutils import nodes

    for title in doctree.findall(nodes.title):
        if not isinstance(title.parent, nodes.section) or not title.children:
            continue
        first = title.children[0]
        if not isinstance(first, nodes.Text):
            continue
        m = _NUMBERED_TITLE.match(first.astext())
        if m:
            title.replace(first, nodes.Text(f"Statement {m.group(1)}: {m.group(2)}"))


def _toc_order(env) -> list[str]:
    """Every document in the order of the table of contents, root first."""
    order: list[str] = []

    def walk(doc: str) -> None:
        if doc in order:
            return
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order


def _appendix_numbers(app, env) -> list[str]:
    """Letter the appendices as the chapters are numbered: "B. Data", "Table B.1".

    Sphinx numbers only the documents of a numbered toctree; the others (here the
    appendices after the five numbered chapters) get no section numbers, and their
    tables were counted on from the front page's ("Table 3" on the reproducibility
    page). Every document after the last numbered one gets a letter, its sections
    "B.1", "B.2", ..., and its tables and figures are numbered again from those.
    Returns the documents whose numbers changed (Sphinx rewrites them).
    """
    from docutils import nodes
    from sphinx.environment.collectors.toctree import TocTreeCollector

    order = _toc_order(env)
    numbered = [d for d in order if env.toc_secnumbers.get(d)]
    if not numbered:
        return []
    after = order[order.index(numbered[-1]) + 1:]
    changed = []
    for letter, doc in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", after):
        doctree = env.get_doctree(doc)
        top = next(iter(doctree.findall(nodes.section)), None)
        if top is None:
            continue
        numbers: dict[str, tuple] = {"": (letter,)}

        def walk(section, prefix):
            subs = [c for c in section.children if isinstance(c, nodes.section)]
            for i, sub in enumerate(subs, start=1):
                numbers["#" + sub["ids"][0]] = (*prefix, i)
                walk(sub, (*prefix, i))

        walk(top, (letter,))
        if env.toc_secnumbers.get(doc) != numbers:
            env.toc_secnumbers[doc] = numbers
            changed.append(doc)
    # figure and table numbers follow the section numbers (the collector's method uses
    # only the environment)
    changed += TocTreeCollector.assign_figure_numbers(None, env)
    return sorted(set(changed))


def _number_exec_table(app, doctree) -> None:
    """myst-nb's execution table is made at the very end of the build, too late to be
    numbered; its placeholder is put in a captioned table figure when the page is read,
    so it is numbered like every other table."""
    from docutils import nodes

    try:
        from myst_nb.ext.execution_tables import ExecutionStatsNode
    except ImportError:  # pragma: no cover - myst-nb always comes with the book
        return
    for placeholder in list(doctree.findall(ExecutionStatsNode)):
        caption = nodes.caption("", EXEC_TABLE_CAPTION)
        fig = table_figure("", caption, nodes.raw("", "</figcaption>\n", format="html"),
                           ids=["execution-statistics"], classes=["table-figure"])
        fig["foresight_caption_closed"] = True
        fig.source, fig.line = placeholder.source, placeholder.line
        placeholder.replace_self(fig)
        fig.append(placeholder)
        doctree.ids["execution-statistics"] = fig


def _bibliography_labels(app) -> None:
    """a/b suffixes for works cited alike, once sphinxcontrib-bibtex has read the .bib files."""
    from foresight.bibstyle import assign_year_suffixes

    domain = app.env.get_domain("cite")
    assign_year_suffixes(domain.bibdata.data.entries)


def _visit_table_figure(self, node):
    self.visit_figure(node)


def _depart_table_figure(self, node):
    if node.get("foresight_caption_closed"):
        self.body.append("</figure>\n")  # the caption's </figcaption> is already out
    else:
        self.depart_figure(node)


EXEC_TABLE_HEADER = ("Document", "Modified", "Method", "Run Time (s)", "Status")
EXEC_TABLE_CAPTION = ("How and when each notebook was executed in this build: Modified is when its "
                      "outputs were computed, Run Time (s) how long that took. (The footer's "
                      "\u201cLast updated\u201d date is the date of the last commit.)")


def _caption_exec_table(app, doctree, docname) -> None:
    """Give myst-nb's execution-statistics table a caption (it has none)."""
    from docutils import nodes

    for table in doctree.findall(nodes.table):
        if any(isinstance(c, nodes.title) for c in table.children):
            continue
        head = [e.astext().strip() for e in table.findall(nodes.entry)][: len(EXEC_TABLE_HEADER)]
        if tuple(head) == EXEC_TABLE_HEADER:
            if not isinstance(table.parent, table_figure):  # else numbered and captioned already
                table.insert(0, nodes.title("", EXEC_TABLE_CAPTION))
            # status glyphs in words: an emoji needs a font many systems lack
            for text in list(table.findall(nodes.Text)):
                word = {"✅": "executed", "❌": "failed"}.get(text.astext().strip())
                if word:
                    text.parent.replace(text, nodes.Text(word))
            if not table["ids"] and not isinstance(table.parent, table_figure):
                table["ids"].append("execution-statistics")


def _singlehtml_handlers(app) -> None:
    """Give the single-page builder every HTML node handler it lacks.

    Extensions such as sphinx-design register their nodes (the dropdowns) for
    the ``html`` builder only; the single-page build behind ``make pdf`` then
    stops at them ("unknown node type"). Both builders write the same HTML.
    """
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for name, pair in handlers.get("html", {}).items():
        single.setdefault(name, pair)


def setup(app):
    """Sphinx entry point: local MathJax, local favicon, no Thebe scripts,
    a caption for the execution table."""
    from foresight.bibstyle import register

    register()
    app.add_enumerable_node(table_figure, "table",
                            html=(_visit_table_figure, _depart_table_figure),
                            singlehtml=(_visit_table_figure, _depart_table_figure))
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _singlehtml_handlers)
    app.connect("doctree-read", _tables_are_tables, priority=400)
    app.connect("doctree-read", _single_heading_numbers, priority=400)
    app.connect("doctree-read", _number_exec_table, priority=400)
    app.connect("env-get-updated", _appendix_numbers, priority=900)
    app.connect("builder-inited", _bibliography_labels, priority=900)
    app.add_css_file("foresight.css")
    app.add_js_file("foresight-explorer.js", loading_method="defer")
    app.add_js_file("foresight-search.js", loading_method="defer")
    app.add_js_file("foresight-reader.js", loading_method="defer")
    app.connect("doctree-resolved", _caption_exec_table)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _footer_with_pdf_link, priority=900)
    app.connect("html-page-context", _mathjax_only_where_needed, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- PDF


#: Chromium flags for printing: no sandbox (containers), and none of the browser's own
#: network traffic (updates, sync, metrics), so that building the book stays offline.
CHROMIUM_OFFLINE = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-default-apps",
                    "--disable-extensions", "--metrics-recording-only", "--disable-quic"]


def print_pdf(html_path: Path, pdf_path: Path, *, chromium: str = "/usr/bin/chromium") -> int:
    """Print a built page (the single-page book) to an A4 PDF with headless Chromium.

    The page's own print stylesheet (``foresight.css``, ``@media print`` and
    ``@page { size: A4 }``) lays it out; nothing is fetched from other hosts
    (requests that leave the file are aborted). Returns the number of pages.
    """
    from playwright.sync_api import sync_playwright

    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_OFFLINE)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                ("file:", "data:", "blob:")) else route.abort())
            page.goto(html_path.as_uri(), wait_until="load")
            page.wait_for_timeout(1500)  # MathJax typesets after load
            # Collapsed sections (sphinx-design dropdowns, hidden code) are <details>;
            # current Chromium keeps a closed one's content out of print whatever the CSS
            # says, so every one is opened first (foresight-reader.js does the same when
            # a reader prints from the browser).
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.emulate_media(media="print")
            page.wait_for_timeout(300)
            pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True,
                           display_header_footer=False)
        finally:
            browser.close()
    pdf_path.write_bytes(pdf)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


# --------------------------------------------------------------------------- execution cache


def warm_cache(build_dir: Path, root: Path, *, timeout: int = 600) -> int:
    """Execute, two at a time, every notebook whose outputs are not yet in the build's cache.

    The book builds with ``execute_notebooks: cache``: myst-nb looks each
    notebook up in ``<build>/.jupyter_cache`` by a hash of its code and
    executes it on a miss, one after another. Filling the same cache first,
    with jupyter-cache's parallel executor (one process per CPU), gives the
    build the same executed notebooks in about half the time on a two-core
    machine. Execution is the same (the notebook's own directory, the
    Makefile's environment); a notebook that fails is reported and left for
    the build, which then fails on it as before. Returns the number executed.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(build_dir / ".jupyter_cache"))
    missing = []
    for path in chapter_paths(root):
        nb = nbformat.read(path, as_version=4)
        try:
            cache.match_cache_notebook(nb)
        except KeyError:
            missing.append(path)
    if not missing:
        return 0
    for path in missing:
        cache.add_nb_to_project(str(path))
    executor = load_executor("local-parallel", cache)
    result = executor.run_and_cache(filter_uris=[str(p) for p in missing], timeout=timeout)
    for uri in result.excepted + result.errored:
        print(f"warm-cache: {uri} failed; the build will execute it and report the error",
              file=sys.stderr)
    return len(result.succeeded)


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m foresight.book {hash,prepare-cache,execute}``."""
    parser = argparse.ArgumentParser(prog="python -m foresight.book")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("hash", help="print the inputs hash")
    p = sub.add_parser("prepare-build", help="empty the build directory if inputs changed")
    p.add_argument("build_dir", type=Path)
    e = sub.add_parser("execute", help="execute chapters in place")
    e.add_argument("notebooks", nargs="*", type=Path,
                   help="notebooks (default: every notebook in _toc.yml)")
    e.add_argument("--timeout", type=int, default=600)
    w = sub.add_parser("warm-cache", help="execute uncached notebooks in parallel into the build cache")
    w.add_argument("build_dir", type=Path)
    w.add_argument("--timeout", type=int, default=600)
    pp = sub.add_parser("pdf", help="print the single-page book to an A4 PDF")
    pp.add_argument("html", type=Path, help="the singlehtml build directory, or one HTML file")
    pp.add_argument("pdf", type=Path)
    pp.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    root = repo_root()
    if args.cmd == "hash":
        print(inputs_hash(root))
    elif args.cmd == "prepare-build":
        kept = prepare_build(args.build_dir, root)
        state = "kept (inputs unchanged)" if kept else "emptied (inputs changed or first build)"
        print(f"build directory {state}: inputs {inputs_hash(root)[:12]}")
    elif args.cmd == "pdf":
        html = args.html
        if html.is_dir():  # the single page is named after the toc's root document
            html = html / f"{toc_documents(root)[0]}.html"
        pages = print_pdf(html, args.pdf, chromium=args.chromium)
        print(f"{args.pdf}: {pages} A4 pages")
    elif args.cmd == "warm-cache":
        n = warm_cache(args.build_dir, root, timeout=args.timeout)
        print(f"execution cache: {n} notebook(s) executed in parallel")
    elif args.cmd == "execute":
        for nb in args.notebooks or chapter_paths(root):
            print(f"executing {nb}", flush=True)
            execute_notebook(nb, timeout=args.timeout, root=root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
