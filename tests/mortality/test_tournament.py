"""The tournament's settings, its cache (a key that cannot go stale) and the committed results.

The book reads the tournament from ``data/mortality/tournament/``; these tests prove that those
results are what the code computes now (a slice recomputed here), that the key moves with the
code and the data, and that the computation is robust to round-off in its inputs.
"""

from __future__ import annotations

import hashlib
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

from foresight.mortality import backtest as bt
from foresight.mortality import populations as pops
from foresight.mortality import tournament as T


def test_the_settings_are_those_of_the_issue():
    assert set(T.POPULATIONS) == set(pops.hmd_manifest().index)  # every shipped population
    assert len(T.TEST_POPULATIONS) == 12 and "GBRCENW" not in T.TEST_POPULATIONS  # nested in the UK
    assert (T.FIRST_ORIGIN, T.STEP, T.LAST_YEAR) == (1980, 5, 2019)
    assert T.TARGETS[0] == 0 and T.TARGETS[-1] == pytest.approx(0.025)
    assert T.MAIN_METHODS[0] == T.RULE_METHOD and T.HINDSIGHT_METHOD in T.MAIN_METHODS
    assert len(T.MAIN_METHODS) == 6


def test_origins_every_five_years_with_thirty_years_before(  ):
    expected = {"GBR_NP": list(range(1980, 2019, 5)), "DEUTW": list(range(1990, 2016, 5)),
                "PRT": list(range(1980, 2011, 5)), "SWE": list(range(1980, 2019, 5))}
    for code, origins in expected.items():
        assert T.origins_for(pops.hmd_population(code)) == origins, code


def test_the_code_closure_reaches_what_the_computation_runs():
    closure = T.code_closure()
    for name in ("foresight.mortality.forecasters", "foresight.mortality.backtest", "foresight.mortality.pspline",
                 "foresight.mortality.ons", "foresight.mortality.leecarter", "foresight.mortality.lifetable",
                 "foresight.mortality.hmd", "foresight.mortality.populations", "foresight.data.files",
                 "foresight.mortality.tournament", "foresight.errors"):
        assert name in closure, name
    assert not set(closure) & T.PRESENTATION_MODULES
    assert "foresight.mortality.report" not in closure  # the chapter's narration does not change results


@pytest.fixture(scope="module")
def committed():
    found = T.read(T.committed_dir(), T.cache_key())
    assert found is not None, ("data/mortality/tournament/ does not hold the results of the current code and "
                               "data: run `python -m foresight.mortality.tournament --refresh` and commit it")
    return found


def test_committed_results_belong_to_the_current_code_and_data(committed):
    t = committed.table
    assert set(t["population"]) == set(T.POPULATIONS)
    assert set(t["method"]) == {*T.MAIN_METHODS, *(T.sweep_name(x) for x in T.TARGETS)}
    assert t["year"].max() == T.LAST_YEAR and t["horizon"].min() == 1
    assert set(committed.targets["population"]) == set(T.POPULATIONS)


def test_a_slice_recomputed_now_equals_the_committed_results(committed):
    """The cache is not trusted: two populations' back-tests are recomputed and compared."""
    for code, origins in (("NOR", [2005, 2010]), ("GBR_NP", [2010])):
        p = pops.hmd_population(code)
        fresh = bt.backtest(p, [*T.main_methods(), *T.sweep_methods()[::5]], origins,
                            last_year=min(T.LAST_YEAR, p.last_year))
        key = ["population", "sex", "method", "origin", "year", "measure"]
        stored = committed.table.merge(fresh[key], on=key)
        fresh = fresh.sort_values(key, ignore_index=True)
        stored = stored.sort_values(key, ignore_index=True)
        assert len(stored) == len(fresh) > 0
        np.testing.assert_allclose(stored["projected"], fresh["projected"], rtol=1e-11, atol=0)
        np.testing.assert_allclose(stored["observed"], fresh["observed"], rtol=1e-11, atol=0)
        rule = committed.targets.set_index(["population", "origin"])["target"]
        for t in origins:
            assert rule[(code, t)] == pytest.approx(T.main_methods()[0].target_rate(
                T.History(p, t)), rel=1e-11)


def test_the_computation_needs_no_presentation_module(monkeypatch):
    """The key leaves plotting and display out: the computation must run without them."""
    for name in T.PRESENTATION_MODULES:
        monkeypatch.setitem(sys.modules, name, None)  # any import of them now fails
    p = pops.hmd_population("DEUTW")
    out = bt.backtest(p, T.main_methods(), [2010], last_year=2012)
    assert len(out) == len(T.MAIN_METHODS) * 2 * 2 * 2


def test_the_key_moves_with_the_data_and_the_code(tmp_path, monkeypatch):
    key = T.cache_key()
    assert key == T.cache_key()  # deterministic
    # one byte of one data file
    from foresight.data import data_dir

    copy = tmp_path / "data"
    shutil.copytree(data_dir() / "mortality" / "hmd", copy / "mortality" / "hmd")
    target = copy / "mortality" / "hmd" / "PRT" / "Deaths_1x1.txt"
    target.write_bytes(target.read_bytes().replace(b"Portugal", b"Portugul", 1))
    monkeypatch.setenv("FORESIGHT_DATA", str(copy))
    assert T.cache_key() != key
    monkeypatch.delenv("FORESIGHT_DATA")
    assert T.cache_key() == key
    # one module of the computation
    real = T._module_file
    edited = tmp_path / "pspline.py"
    edited.write_text(real("foresight.mortality.pspline").read_text(encoding="utf-8") + "\n# edited\n")
    monkeypatch.setattr(T, "_module_file",
                        lambda name: edited if name == "foresight.mortality.pspline" else real(name))
    assert T.cache_key() != key
    # the settings
    monkeypatch.setattr(T, "_module_file", real)
    assert T.cache_key(last_year=2018) != key


def test_stored_results_read_back_exactly_and_a_wrong_key_is_ignored(tmp_path, committed):
    small = T.Tournament(committed.table[committed.table["population"] == "NOR"].reset_index(drop=True),
                         committed.targets[committed.targets["population"] == "NOR"].reset_index(drop=True),
                         "k" * 64, {})
    T.write(small, tmp_path / "cache")
    again = T.read(tmp_path / "cache", "k" * 64)
    pd.testing.assert_frame_equal(again.table, small.table, check_exact=False, rtol=1e-12)
    assert T.read(tmp_path / "cache", "x" * 64) is None
    assert T.read(tmp_path / "nowhere", "k" * 64) is None
    # a truncated file (an interrupted copy) is not read as results
    (tmp_path / "cache" / "projected.csv.gz").write_bytes(
        (tmp_path / "cache" / "projected.csv.gz").read_bytes()[:200])
    assert T.read(tmp_path / "cache", "k" * 64) is None
    # writing is deterministic: the same results give the same bytes
    T.write(small, tmp_path / "a")
    T.write(small, tmp_path / "b")
    for name in T.CACHE_FILES:
        assert hashlib.sha256((tmp_path / "a" / name).read_bytes()).digest() == \
            hashlib.sha256((tmp_path / "b" / name).read_bytes()).digest(), name


def test_round_off_in_the_inputs_does_not_move_the_results():
    """Every number of the files multiplied by 1 +/- 1e-13 (as another machine might round):
    the projections move by far less than the six significant digits the book shows."""
    p = pops.hmd_population("NOR")
    rng = np.random.default_rng(3)

    def nudge(frame):
        out = frame.copy()
        for col in ("female", "male", "total"):
            x = out[col].to_numpy(dtype=float, copy=True)
            frac = x != np.round(x)
            x[frac] *= 1 + 1e-13 * rng.choice((-1.0, 1.0), size=int(frac.sum()))
            out[col] = x
        return out

    q = pops.HMDPopulation(p.code, p.name, nudge(p.deaths), nudge(p.exposures), p.release, p.source)
    methods = T.main_methods()
    a = bt.backtest(p, methods, [2010], last_year=2018)
    b = bt.backtest(q, methods, [2010], last_year=2018)
    np.testing.assert_allclose(a["projected"], b["projected"], rtol=1e-9, atol=0)
