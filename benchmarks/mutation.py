"""Mutation testing of the modules that decide the book's verdicts (issue 22).

For each module, every mutant of :mod:`_mutate` (one changed operator or
constant at a time) is loaded in place of the real module and the module's
targeted tests are run: the unit tests of its domain, the pinned comparison
tables and the chapter-report tests. A mutant is *killed* when a test fails
(or the module no longer imports, or the tests run past a time limit), and
*survives* when every test passes. For each survivor the chapters that use the
module are re-run under the mutant and their glued values compared with the
committed ones under the book's rule (:mod:`foresight.fragile`): a survivor
that changes a printed number is the worst kind, and the goal is none.

The score of a module is killed / all. Results go to
``benchmarks/results/mutation.json`` (every mutant and its outcome) and
``benchmarks/results/mutation.md`` (scores per module and the survivors). This
is a benchmark-style report, not a test: a full run takes most of an hour on
two cores. ``make mutation`` runs it; options::

    python benchmarks/mutation.py [--module foresight.sle.cascade ...] [--sample N]
                                  [--survivors-of results/mutation.json] [--jobs 2]
                                  [--missing-from results/mutation.json]

``--survivors-of`` re-runs a report's survivors and ``--missing-from`` runs the
sampled mutants a report lacks (a run stopped for time, or a module whose source
changed since: each module's source hash is recorded, and a changed module's
records are dropped); both write the whole report. Survivors judged equivalent
are listed with their reasons in ``results/mutation-equivalent.json`` and the
hand-written notes in ``results/mutation-notes.md``; both go into the report.

Speed: a parent process imports the heavy libraries once and forks one child
per mutant; the child drops every ``foresight`` module, installs the mutant
with an import hook and runs pytest in-process (about a second of overhead per
mutant instead of five).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.abc
import importlib.util
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from _mutate import Mutant, mutants, mutated_source  # noqa: E402

# module -> (targeted tests, chapters whose glued values the module can change)
SLE_TESTS = ["tests/sle"]
SEL_TESTS = ["tests/selection"]
MORT_TESTS = ["tests/mortality"]
SHARED = ["tests/test_pinned_comparisons.py", "tests/test_chapter_reports.py"]
# The module's own test files come first: with -x a mutant is usually killed there, in a
# second, before the slower domain and chapter-report tests (pytest drops repeated paths).
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "foresight.data.compare": (["tests/test_core_compare.py", "tests/test_core_comparison_display.py",
                                "tests/test_core_data.py", "tests/test_prose_tables_agree.py", *SHARED],
                               ["mortality", "sle", "careers", "selection", "synthesis"]),
    "foresight.mortality.lifetable": (["tests/mortality/test_lifetable_engine.py",
                                       "tests/mortality/test_lifetable_extras.py",
                                       *MORT_TESTS, *SHARED], ["mortality", "synthesis", "explore"]),
    "foresight.mortality.ons": (["tests/mortality/test_projection.py", *MORT_TESTS, *SHARED],
                                ["mortality", "synthesis", "explore"]),
    "foresight.mortality.uk": (["tests/mortality/test_uk_run.py", *MORT_TESTS, *SHARED],
                               ["mortality", "synthesis", "explore"]),
    "foresight.mortality.pspline": (["tests/mortality/test_pspline.py", *MORT_TESTS, *SHARED],
                                    ["mortality", "synthesis", "explore"]),
    "foresight.sle.elicitation": (["tests/sle/test_sle_elicitation.py", *SLE_TESTS, *SHARED],
                                  ["sle", "synthesis"]),
    "foresight.sle.cascade": (["tests/sle/test_sle_cascade.py", *SLE_TESTS, *SHARED], ["sle", "synthesis"]),
    "foresight.sle.anchoring": (["tests/sle/test_sle_anchoring.py", *SLE_TESTS, *SHARED],
                                ["sle", "synthesis"]),
    "foresight.sle.parametric": (["tests/sle/test_sle_parametric.py", *SLE_TESTS, *SHARED],
                                 ["sle", "synthesis"]),
    "foresight.selection.lens": (["tests/selection/test_selection_lens.py", *SEL_TESTS, *SHARED],
                                 ["selection", "synthesis"]),
    "foresight.selection.utility": (["tests/selection/test_selection_utility.py", *SEL_TESTS, *SHARED],
                                    ["selection", "synthesis"]),
}
RESULTS = HERE / "results"
#: Each module's source as it was when the run started: a mutant is applied to this text, so
#: an edit to the tree during a long run cannot shift which site a mutant index names.
SOURCES: dict[str, str] = {}
CHAPTERS = {p.stem: p for p in [*(ROOT / "chapters").glob("*.ipynb"),
                                *(ROOT / "chapters" / "appendix").glob("*.ipynb")]}


def _source_path(module: str) -> Path:
    return ROOT / "src" / Path(*module.split(".")).with_suffix(".py")


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves one module from a mutated syntax tree; every other import is untouched."""

    def __init__(self, module: str, code) -> None:
        self.module, self.code = module, code

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.module:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=str(_source_path(fullname)))

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__file__ = str(_source_path(self.module))
        exec(self.code, module.__dict__)  # noqa: S102


def _preload() -> None:
    """Import the heavy libraries once, in the parent, so each forked child starts warm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import scipy.interpolate  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.optimize  # noqa: F401
    import scipy.sparse  # noqa: F401
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401
    import statsmodels.api  # noqa: F401
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    import yaml  # noqa: F401
    import networkx  # noqa: F401
    import nbformat  # noqa: F401
    import IPython.core.formatters  # noqa: F401
    import myst_nb  # noqa: F401
    for name in [m for m in sys.modules if m == "foresight" or m.startswith("foresight.")]:
        del sys.modules[name]


class _Contexts:
    """pytest plugin: tell coverage which test (and which phase of it) is running."""

    def __init__(self, cov) -> None:
        self.cov = cov

    def _switch(self, phase: str, item) -> None:
        self.cov.switch_context(f"{phase}|{item.nodeid}")

    def pytest_runtest_setup(self, item) -> None:
        self._switch("setup", item)

    def pytest_runtest_call(self, item) -> None:
        self._switch("call", item)

    def pytest_runtest_teardown(self, item) -> None:
        self._switch("teardown", item)


def _coverage_map(cov, module: str) -> dict:
    """{line: [test ids]} for lines run only inside tests' own calls; "full" lines need every test."""
    path = str(_source_path(module))
    data = cov.get_data()
    statements = set(cov.analysis2(path)[1])
    by_line = data.contexts_by_lineno(path)
    calls: dict[int, list[str]] = {}
    full: list[int] = []
    for line, contexts in by_line.items():
        ids = sorted({c.split("|", 1)[1] for c in contexts if c.startswith("call|")})
        if any(not c.startswith("call|") for c in contexts):  # import, collection or a fixture
            full.append(line)
        else:
            calls[line] = ids
    return {"calls": {str(k): v for k, v in calls.items()}, "full": sorted(full),
            "statements": sorted(statements)}


def tests_for(mutant: Mutant, coverage_map: dict | None, files: list[str]) -> list[str] | None:
    """The tests that can see ``mutant``: ``None`` when no test runs its line.

    A line run only inside the calls of some tests (not at import, collection or in a
    fixture) needs only those tests; anything else, or a line coverage does not know
    as a statement (part of a longer one), needs every test of the module.
    """
    if coverage_map is None:
        return files
    line = mutant.line
    if line in coverage_map["full"] or line not in coverage_map["statements"]:
        return files
    ids = coverage_map["calls"].get(str(line))
    return ids if ids else None


def _child(mutant: Mutant | None, tests: list[str] | None, chapters: list[str], out: Path,
           basetemp: Path, record_coverage: str | None = None) -> int:
    """In the forked child: load the mutant, run the tests, then (if they pass) the glue check."""
    log = os.open(str(out.with_suffix(".log")), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    for name in [m for m in sys.modules if m == "foresight" or m.startswith("foresight.")]:
        del sys.modules[name]
    if mutant is not None:
        src = SOURCES[mutant.module]
        try:
            code = compile(mutated_source(src, mutant.index), str(_source_path(mutant.module)), "exec")
        except (SyntaxError, ValueError):
            return 3
        sys.meta_path.insert(0, _MutantFinder(mutant.module, code))
    import pytest

    os.chdir(ROOT)
    plugins = []
    cov = None
    if record_coverage:
        import coverage

        cov = coverage.Coverage(data_file=None, include=[str(_source_path(record_coverage))])
        cov.start()
        plugins.append(_Contexts(cov))
    if tests is None:  # no test runs the mutated line
        rc = 0
    else:
        # --assert=plain: pytest would otherwise load the whole foresight package (a pytest11
        # plugin distribution) through its assertion-rewriting import hook, before the mutant.
        rc = pytest.main(["-q", "-x", "--assert=plain", "-p", "no:cacheprovider", "--no-header",
                          "-m", "not slow", f"--basetemp={basetemp}",
                          "-W", "ignore::pytest.PytestUnraisableExceptionWarning", *tests],
                         plugins=plugins)
    if cov is not None:
        cov.stop()
        out.write_text(json.dumps(_coverage_map(cov, record_coverage)), encoding="utf-8")
    if rc != 0:
        return 1
    if mutant is None or not chapters:
        return 0
    from foresight.fragile import capture_chapter, committed_glue, moved

    changed = []
    for stem in chapters:
        try:
            got = capture_chapter(CHAPTERS[stem])
        except Exception as exc:  # the chapter no longer runs: that changes what it prints
            changed.append({"chapter": stem, "name": "(chapter fails)", "error": repr(exc)[:300]})
            continue
        changed += [{"chapter": stem, **m} for m in moved(committed_glue(CHAPTERS[stem]), got)]
    out.write_text(json.dumps(changed), encoding="utf-8")
    return 10 if changed else 0


def run(selected: list[Mutant], *, jobs: int, timeouts: dict[str, float],
        book_check: bool = True, coverage_maps: dict[str, dict] | None = None) -> list[dict]:
    """Run every mutant (``jobs`` children at a time); return one record per mutant."""
    results: list[dict] = []
    pending = list(selected)
    active: dict[int, tuple[Mutant, float, Path]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="mutation-"))
    started = time.perf_counter()
    while pending or active:
        while pending and len(active) < jobs:
            m = pending.pop(0)
            out = tmp / f"{m.module}.{m.index}.json"
            files, chapters = MODULES[m.module]
            chapters = chapters if book_check else []
            tests = tests_for(m, (coverage_maps or {}).get(m.module), files)
            pid = os.fork()
            if pid == 0:  # child
                code = 1
                try:
                    code = _child(m, tests, chapters, out, tmp / f"t{m.module}.{m.index}")
                finally:
                    os._exit(code)
            active[pid] = (m, time.perf_counter(), out)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.perf_counter()
            for p, (m, t0, out) in list(active.items()):
                if now - t0 > timeouts[m.module]:
                    os.kill(p, signal.SIGKILL)
            time.sleep(0.02)
            continue
        m, t0, out = active.pop(pid)
        seconds = time.perf_counter() - t0
        if os.WIFSIGNALED(status):
            outcome = "killed (time limit)" if os.WTERMSIG(status) == signal.SIGKILL else "killed (crash)"
        else:
            code = os.WEXITSTATUS(status)
            outcome = {0: "survived", 10: "survived, changes the book", 1: "killed",
                       3: "killed (does not compile)"}.get(code, f"killed (exit {code})")
        record = {**asdict(m), "name": m.name, "outcome": outcome, "seconds": round(seconds, 2),
                  "tests": "none run the line" if tests_for(m, (coverage_maps or {}).get(m.module), [])
                  is None else "selected"}
        if outcome == "survived, changes the book":
            record["changes"] = json.loads(out.read_text(encoding="utf-8"))[:10]
        results.append(record)
        done = len(results)
        total = done + len(pending) + len(active)
        print(f"[{done}/{total} {time.perf_counter() - started:5.0f}s] {outcome:28s} {m.name}",
              flush=True)
    return results


def baseline(module: str) -> tuple[float, dict]:
    """Seconds the module's tests take unmutated (they must pass: else the score means
    nothing), and which tests run each line of the module (coverage, per test and phase)."""
    tmp = Path(tempfile.mkdtemp(prefix="mutation-base-"))
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _child(None, MODULES[module][0], [], tmp / "base.json", tmp / "t",
                          record_coverage=module)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - t0
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        raise SystemExit(f"{module}: its tests fail without any mutant; see {tmp / 'base.log'}")
    return seconds, json.loads((tmp / "base.json").read_text(encoding="utf-8"))


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def current_records(report: dict, sources: dict[str, str]) -> list[dict]:
    """The records of an earlier report whose module source (``sources``: module to text)
    is unchanged since it was run, by the hash stored per module; a changed module's
    records are stale and dropped (with a note)."""
    same = {mod for mod, s in report["modules"].items() if s.get("source") == source_hash(sources[mod])}
    for mod in sorted(set(report["modules"]) - same):
        print(f"{mod}: changed since the earlier report; its records are dropped", flush=True)
    return [r for r in report["results"] if r["module"] in same]


def select_again(selected: list[Mutant], previous: list[dict], *, survivors: bool) -> list[Mutant]:
    """The mutants to run against an earlier report: its survivors (``survivors``) or
    the mutants it has no outcome for (a run stopped for time, or a module changed since)."""
    recorded = {(r["module"], r["line"], r["col"], r["change"]): r["outcome"] for r in previous}
    if survivors:
        return [m for m in selected
                if recorded.get((m.module, m.line, m.col, m.change), "").startswith("survived")]
    return [m for m in selected if (m.module, m.line, m.col, m.change) not in recorded]


def merge_rerun(previous: list[dict], rerun: list[dict], modules: list[str]) -> list[dict]:
    """The whole report after re-running survivors: the earlier outcomes of the mutants not
    run again, and the new outcomes of those that were, in module and mutant order."""
    def key(r):
        return r["module"], r["line"], r["col"], r["change"]

    redone = {key(r) for r in rerun}
    earlier = [r for r in previous if r["module"] in modules and key(r) not in redone]
    return sorted(earlier + rerun, key=lambda r: (modules.index(r["module"]), r["index"]))


def report(results: list[dict], modules: list[str], seconds: float) -> dict:
    by_module = {}
    for mod in modules:
        rows = [r for r in results if r["module"] == mod]
        killed = sum(r["outcome"].startswith("killed") for r in rows)
        by_module[mod] = {
            "mutants": len(rows), "killed": killed, "survived": len(rows) - killed,
            "survived_changing_the_book": sum(r["outcome"] == "survived, changes the book" for r in rows),
            "score": round(killed / len(rows), 4) if rows else None,
        }
    return {"modules": by_module, "seconds": round(seconds), "results": results}


def equivalent_mutants(path: Path, summary: dict) -> dict[str, str]:
    """The survivors judged equivalent (no input can tell them from the original), each
    with its reason, from ``path`` (module: ``source`` hash and ``mutants``, name to
    reason). A judgement counts only while its module's source is the one it was made on
    and the mutant survived in ``summary``."""
    if not path.exists():
        return {}
    judged = json.loads(path.read_text(encoding="utf-8"))
    alive = {r["name"] for r in summary["results"] if r["outcome"].startswith("survived")}
    out = {}
    for mod, entry in judged.items():
        if summary["modules"].get(mod, {}).get("source") != entry["source"]:
            continue
        out.update({f"{mod}:{m}": why for m, why in entry["mutants"].items() if f"{mod}:{m}" in alive})
    return out


def write_markdown(summary: dict, path: Path) -> None:
    equivalent = equivalent_mutants(path.with_name(path.stem + "-equivalent.json"), summary)
    lines = ["# Mutation testing of the verdict-deciding modules", "",
             "Made by `make mutation` (`benchmarks/mutation.py`); see its docstring for the method.",
             "The score is killed / mutants; the last column leaves out the survivors judged "
             "equivalent (listed below with the reason: no input can tell them from the original), "
             "the usual definition of a mutation score.", "",
             "| module | mutants | killed | survived | judged equivalent | of which change the book "
             "| score | score without the equivalent |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for mod, s in summary["modules"].items():
        score = "—" if s["score"] is None else f"{100 * s['score']:.0f}%"
        eq = sum(name.startswith(mod + ":") for name in equivalent)
        adjusted = "—" if s["mutants"] == eq else f"{100 * s['killed'] / (s['mutants'] - eq):.0f}%"
        lines.append(f"| `{mod}` | {s['mutants']} | {s['killed']} | {s['survived']} | {eq} | "
                     f"{s['survived_changing_the_book']} | {score} | {adjusted} |")
    lines += ["", f"Run time of the last run: {summary['seconds']} s."]
    for run in summary.get("history", []):
        lines += ["", run]
    lines += ["", "## Survivors", ""]
    for r in summary["results"]:
        if r["outcome"].startswith("survived"):
            flag = " **(changes the book)**" if "changes" in r["outcome"] else ""
            why = f": judged equivalent, {equivalent[r['name']]}" if r["name"] in equivalent else ""
            lines.append(f"- `{r['name']}`{flag}{why}")
    notes = path.with_name(path.stem + "-notes.md")
    if notes.exists():  # the judgement of each survivor, written by hand, kept across runs
        lines += ["", notes.read_text(encoding="utf-8").rstrip()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES))
    parser.add_argument("--sample", type=int, help="at most N mutants per module (seeded)")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--survivors-of", type=Path, help="re-run only the survivors of a report")
    parser.add_argument("--missing-from", type=Path,
                        help="run only the sampled mutants that a report does not have yet")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="mutation", help="name of the result files")
    parser.add_argument("--all-tests", action="store_true",
                        help="run every targeted test for every mutant (no coverage-guided selection)")
    parser.add_argument("--no-book-check", action="store_true",
                        help="skip re-running the chapters for survivors (faster; no 'changes the book')")
    args = parser.parse_args(argv)
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0", TZ="UTC",
                      MPLBACKEND="Agg", PYTHONPATH=str(ROOT / "src"))
    modules = args.module or list(MODULES)
    selected: list[Mutant] = []
    for mod in modules:
        SOURCES[mod] = _source_path(mod).read_text(encoding="utf-8")
        ms = mutants(SOURCES[mod], mod)
        if args.sample and len(ms) > args.sample:
            ms = sorted(random.Random(f"{args.seed}:{mod}").sample(ms, args.sample), key=lambda m: m.index)
        selected += ms
    if args.survivors_of and args.missing_from:
        parser.error("--survivors-of and --missing-from are alternatives")
    earlier = args.survivors_of or args.missing_from
    if earlier:
        previous = current_records(json.loads(earlier.read_text(encoding="utf-8")),
                                   {m: _source_path(m).read_text(encoding="utf-8") for m in MODULES})
        selected = select_again(selected, previous, survivors=bool(args.survivors_of))
    _preload()
    timeouts, coverage_maps = {}, {}
    for mod in modules:
        base, coverage_maps[mod] = baseline(mod)
        timeouts[mod] = 3 * base + 60
        print(f"{mod}: tests pass unmutated in {base:.1f} s; {sum(m.module == mod for m in selected)} "
              f"mutants; time limit {timeouts[mod]:.0f} s", flush=True)
    t0 = time.perf_counter()
    results = run(selected, jobs=args.jobs, timeouts=timeouts, book_check=not args.no_book_check,
                  coverage_maps=None if args.all_tests else coverage_maps)
    if earlier:
        redone = len(results)
        modules = [m for m in MODULES if m in modules or any(r["module"] == m for r in previous)]
        results = merge_rerun(previous, results, modules)
    summary = report(results, modules, time.perf_counter() - t0)
    for mod, entry in summary["modules"].items():
        entry["source"] = source_hash(_source_path(mod).read_text(encoding="utf-8"))
    if earlier:
        history = json.loads(earlier.read_text(encoding="utf-8")).get("history", [])
        what = ("survivors of" if args.survivors_of else "sampled mutants missing from")
        summary["history"] = history + [
            f"Then the {redone} {what} `{earlier.name}` were run; "
            "the other outcomes are the earlier runs'."]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    write_markdown(summary, RESULTS / f"{args.out}.md")
    for mod, s in summary["modules"].items():
        print(f"{mod:34s} {s['killed']:4d}/{s['mutants']:4d} killed  score {s['score']}  "
              f"survivors changing the book: {s['survived_changing_the_book']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
