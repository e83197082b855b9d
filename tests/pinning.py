"""Checking a comparison table against its pinned reference (tests/reference/comparisons/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from foresight.data import VERDICTS

REFERENCE = Path(__file__).resolve().parent / "reference" / "comparisons"


def reference(name: str) -> pd.DataFrame:
    """The pinned rows of one comparison table, indexed by row id."""
    ref = pd.read_csv(REFERENCE / f"{name}.csv", dtype={"id": str}, keep_default_na=False)
    assert list(ref.columns) == ["id", "verdict", "difference_low", "difference_high", "reason"], name
    assert set(ref["verdict"]) <= set(VERDICTS), name
    assert (ref["reason"].str.len() > 10).all(), f"{name}: every bound needs its reason"
    return ref.set_index("id")


def pinning_failures(name: str, table: pd.DataFrame) -> list[str]:
    """What differs between a comparison table and its reference: one message per problem."""
    ref = reference(name)
    problems = []
    if list(table.index) != list(ref.index):
        problems.append(f"{name}: rows {list(table.index)} against pinned {list(ref.index)}")
    rows = [i for i in table.index if i in ref.index]
    t, r = table.loc[rows], ref.loc[rows]
    for i in np.flatnonzero(t["verdict"].to_numpy() != r["verdict"].to_numpy()):
        problems.append(f"{name}, {rows[i]}: verdict {t['verdict'].iloc[i]!r}, "
                        f"pinned {r['verdict'].iloc[i]!r}")
    d = t["difference"].to_numpy(float)
    lo, hi = r["difference_low"].to_numpy(float), r["difference_high"].to_numpy(float)
    for i in np.flatnonzero(~((d >= lo) & (d <= hi))):
        problems.append(f"{name}, {rows[i]}: difference {d[i]:.6g} outside [{lo[i]:.6g}, {hi[i]:.6g}] "
                        f"({r['reason'].iloc[i]})")
    return problems
