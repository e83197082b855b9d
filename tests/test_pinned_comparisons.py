"""Every comparison table of the book, pinned: verdicts and bounded differences.

The references are in ``tests/reference/comparisons/`` (one CSV per table, with the reason
for each bound). The mutation tests below apply a change the pins must catch and assert
that the pinning check then fails: one year added to every reproduced ONS figure, every
changing-life-table verdict forced to "differs", and any single verdict forced to another.
"""

from __future__ import annotations

import pandas as pd
import pytest

from foresight.data import VERDICTS
from pinning import REFERENCE, pinning_failures

TABLES = sorted(p.stem for p in REFERENCE.glob("*.csv"))


def test_every_comparison_table_is_pinned(comparisons):
    assert sorted(comparisons) == TABLES


@pytest.mark.parametrize("name", TABLES)
def test_pinned(comparisons, name):
    assert pinning_failures(name, comparisons[name]) == []


def _other(verdict: str) -> str:
    return "agrees" if verdict != "agrees" else "differs"


ROWS = [(name, rid) for name in TABLES
        for rid in pd.read_csv(REFERENCE / f"{name}.csv", dtype={"id": str})["id"]]


@pytest.mark.parametrize("name, row", ROWS, ids=[f"{n}:{r}" for n, r in ROWS])
def test_forcing_any_single_verdict_fails_the_pins(comparisons, name, row):
    table = comparisons[name].copy()
    forced = _other(table.loc[row, "verdict"])
    table.loc[row, "verdict"] = forced
    failures = pinning_failures(name, table)
    pinned = comparisons[name].loc[row, "verdict"]
    assert failures == [f"{name}, {row}: verdict {forced!r}, pinned {pinned!r}"]


def test_forcing_a_verdict_inside_the_engine_fails_the_pins(monkeypatch, careers_report):
    """Flip the engine's range check for one row: the careers statement table must fail."""
    import importlib

    import numpy as np

    engine = importlib.import_module("foresight.data.compare")  # the module, not the function
    real = engine.within

    def flip_first(*args, **kw):
        ok = np.array(real(*args, **kw))
        ok[0] = ~ok[0]
        return ok

    monkeypatch.setattr(engine, "within", flip_first)
    table = careers_report.comparisons()["car-tab-statements"]
    failures = pinning_failures("car-tab-statements", table)
    assert len(failures) == 1 and "t1_stay: verdict 'differs'" in failures[0]


def test_every_changing_life_table_verdict_forced_to_differs_fails(monkeypatch, mortality_report):
    from foresight.mortality import history

    real = history.compare

    def all_differ(*args, **kw):
        return real(*args, **kw).assign(verdict="differs")

    monkeypatch.setattr(history, "compare", all_differ)
    table = mortality_report.comparisons()["mort-tab-verdicts"]
    failures = pinning_failures("mort-tab-verdicts", table)
    assert len(failures) == len(table)  # no row was pinned as "differs"


def test_one_year_added_to_every_reproduced_ons_figure_fails(monkeypatch, mortality_report):
    from foresight.mortality import checks, ew, history

    ons, past, changing = checks.ons_figures, checks.uk_history_figures, history.changing_life_table_figures
    ew_past = ew.ew_figures
    monkeypatch.setattr(checks, "ons_figures", lambda p: ons(p) + 1.0)
    monkeypatch.setattr(checks, "uk_history_figures", lambda p, **kw: past(p, **kw) + 1.0)
    monkeypatch.setattr(ew, "ew_figures", lambda p: ew_past(p) + 1.0)
    monkeypatch.setattr(history, "changing_life_table_figures",
                        lambda: changing().assign(reproduced=lambda f: f["reproduced"] + 1.0))
    tables = mortality_report.comparisons()
    for name in ("mortp-tab-ons", "mort-tab-verdicts"):
        failing = {f.split(",")[1].split(":")[0].strip() for f in pinning_failures(name, tables[name])}
        ref = pd.read_csv(REFERENCE / f"{name}.csv", dtype={"id": str}).set_index("id")
        # every row fails except, possibly, those whose tolerance is a year or more wide (the
        # median age at death of 1851, "about 46": 45 to 47; "about 78" for the 1950 cohort),
        # which a year can legitimately move within (or, near an edge, out of)
        wide = set(ref.index[(ref["difference_high"] - ref["difference_low"]) >= 2.0])
        assert set(ref.index) - wide <= failing
        assert failing, name
    assert pinning_failures("mortp-tab-ons", tables["mortp-tab-ons"])


def test_pins_record_every_verdict_kind(comparisons):
    verdicts = pd.concat(comparisons.values())["verdict"]
    assert set(verdicts) == set(VERDICTS)
