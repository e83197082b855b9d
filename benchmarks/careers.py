"""Benchmark: summarising a large coded REFI-QDA project, and the exact test.

Run: ``.venv/bin/python benchmarks/careers.py``

1. :func:`foresight.careers.project_summary` on a coded project scaled up from the shipped
   synthetic fixture (the 35 cases replicated to 35 x 200 = 7,000 cases with fresh GUIDs),
   against the obvious first version measured in the same run (for each case, filter the
   case-code table: quadratic in the number of cases), and against a set-based pure-Python
   loop (linear, no validation), which is reported honestly even where it is faster.
   Also times writing and re-importing the scaled project as a ``.qdpx`` archive.
2. :func:`foresight.careers.fisher_freeman_halton` (numpy enumeration of every table with
   the observed margins) on a 2 x 5 table, against a recursive pure-Python enumeration.

Prints a table and writes ``benchmarks/results/careers.json``. Timings vary with machine
load; the ratios are the point.
"""

from __future__ import annotations

import io
import math

import pandas as pd

from _timing import best, write_results
from foresight.careers import (code_guid, fisher_freeman_halton, load_study, project_summary,
                               read_qdpx, write_qdpx)
from foresight.careers.coding import code_ids, demo_qdpx_path
from foresight.careers.refi import Case, Project, Selection

COPIES = 200
REPEATS = 3


def scaled_project(copies: int) -> Project:
    base = read_qdpx(demo_qdpx_path())
    cases, sels, sources = [], [], {}
    for k in range(copies):
        remap = lambda g: code_guid(f"bench:{k}:{g}")  # noqa: E731
        for c in base.cases:
            cases.append(Case(remap(c.guid), f"{c.name}-{k}", c.codes,
                              tuple(remap(s) for s in c.sources)))
        for s in base.selections:
            sels.append(Selection(remap(s.guid), remap(s.source), s.start, s.end, s.codes))
        sources.update({remap(g): n for g, n in base.sources.items()})
    return Project("bench", base.codes, tuple(cases), sources, tuple(sels), "bench")


def per_case_loop(project: Project, study) -> pd.DataFrame:
    ids = code_ids(study)
    by_source: dict[str, set[str]] = {}
    for s in project.selections:
        by_source.setdefault(s.source, set()).update(s.codes)
    rows = []
    for c in project.cases:
        codes = set(c.codes)
        for src in c.sources:
            codes |= by_source.get(src, set())
        typ = [ids[g][1] for g in codes if g in ids and ids[g][0] == "typology"]
        intent = [ids[g][1] for g in codes if g in ids and ids[g][0] == "intention"]
        rows.append((c.name, typ[0], intent[0] if intent else "undetermined"))
    cases = pd.DataFrame(rows, columns=["case", "typology", "intention"])
    return pd.crosstab(cases["typology"], cases["intention"])


def filter_per_case(project: Project, study) -> pd.DataFrame:
    """The first version of project_summary: filter the case-code table once per case."""
    ids = code_ids(study)
    cc = project.case_codes()
    cc["kind"] = [ids[g][0] if g in ids else "unmapped" for g in cc["code"]]
    cc["sid"] = [ids[g][1] if g in ids else g for g in cc["code"]]
    rows = []
    for c in project.cases:
        mine = cc[cc["case"] == c.guid]
        typ = mine.loc[mine["kind"] == "typology", "sid"].unique()
        intent = mine.loc[mine["kind"] == "intention", "sid"].unique()
        rows.append((c.name, typ[0], intent[0] if len(intent) else "undetermined"))
    cases = pd.DataFrame(rows, columns=["case", "typology", "intention"])
    return pd.crosstab(cases["typology"], cases["intention"])


def ffh_python(table) -> float:
    cols = [table[0][j] + table[1][j] for j in range(len(table[0]))]
    S, N = sum(table[0]), sum(cols)
    denom = math.comb(N, S)
    p_obs = math.prod(math.comb(n, x) for n, x in zip(cols, table[0])) / denom
    total = 0.0

    def rec(j: int, left: int, prob: float) -> None:
        nonlocal total
        if j == len(cols):
            if left == 0 and prob / denom <= p_obs * (1 + 1e-7):
                total += prob / denom
            return
        for x in range(0, min(cols[j], left) + 1):
            rec(j + 1, left - x, prob * math.comb(cols[j], x))

    rec(0, S, 1.0)
    return total


def main() -> None:
    study = load_study()
    project = scaled_project(COPIES)
    n_cases = len(project.cases)
    fast = project_summary(project, study)
    slow = per_case_loop(project, study)
    assert int(slow.loc["T3", "stay"]) == int(fast.typologies.loc["T3", "stay"])
    t_fast = best(lambda: project_summary(project, study), REPEATS)
    t_loop = best(lambda: per_case_loop(project, study), REPEATS)
    t_filter = best(lambda: filter_per_case(project, study), 1)
    codes = list(project.codes)
    texts = {g: (n, "synthetic placeholder text") for g, n in project.sources.items()}
    t_write = best(lambda: write_qdpx(None, codes, project.cases, texts, project.selections), 1)
    blob = write_qdpx(None, codes, project.cases, texts, project.selections)
    t_read = best(lambda: read_qdpx(io.BytesIO(blob)), 1)

    table = [[5, 7, 6, 2, 4], [0, 8, 5, 2, 6]]
    p_np, _ = fisher_freeman_halton(table)
    p_py = ffh_python(table)
    assert abs(p_np - p_py) < 1e-9
    t_np = best(lambda: fisher_freeman_halton(table), REPEATS)
    t_py = best(lambda: ffh_python(table), REPEATS)

    rows = [
        ("project_summary (pandas, validated)", n_cases, t_fast, t_filter / t_fast),
        ("baseline: filter table per case", n_cases, t_filter, 1.0),
        ("alternative: set-based Python loop", n_cases, t_loop, t_filter / t_loop),
        ("write .qdpx", n_cases, t_write, float("nan")),
        ("read .qdpx (defusedxml, checks)", n_cases, t_read, float("nan")),
        ("FFH exact, numpy enumeration", 2 * 5, t_np, t_py / t_np),
        ("FFH exact, recursive Python", 2 * 5, t_py, 1.0),
    ]
    print(f"{'task':36s} {'size':>7s} {'seconds':>9s} {'speed-up':>9s}")
    for name, size, t, r in rows:
        print(f"{name:36s} {size:7d} {t:9.4f} {r:9.1f}")
    out = {
        "cases": n_cases, "qdpx_bytes": len(blob),
        "results": [{"task": n, "size": s, "seconds": t,
                     "speedup_vs_baseline": None if r != r else r} for n, s, t, r in rows],
    }
    write_results("careers", out)


if __name__ == "__main__":
    main()
