"""``python -m foresight mortality backtest``: any HMD folder in, backtest.csv and summary.csv out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from foresight.__main__ import main as foresight_main
from foresight.data import data_dir
from foresight.mortality import backtest as bt
from foresight.mortality import forecasters as F
from foresight.mortality import populations as pops

SHIPPED = data_dir() / "mortality" / "hmd"


def run(argv, capsys):
    code = foresight_main(["mortality", "backtest", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_gives_the_engines_numbers(tmp_path, capsys):
    out = tmp_path / "out"
    code, printed, err = run(["--hmd", str(SHIPPED / "DEUTW"), "--out", str(out), "--origins", "2000,2005",
                              "--methods", "ons,p-spline,constant"], capsys)
    assert code == 0, err
    assert "West Germany (DEUTW, release 17 Dec 2018)" in printed and "2 origins (2000-2005)" in printed
    table = pd.read_csv(out / "backtest.csv")
    assert list(table.columns) == list(bt.COLUMNS)
    assert set(table["method"]) == {"ONS-style", "P-spline forecast", "constant improvement"}
    assert table["year"].max() == 2017 and set(table["measure"]) == {"e0", "e65"}
    # the same function as the chapter: the engine on the shipped population gives the same rows
    engine = bt.backtest(pops.hmd_population("DEUTW"), [F.ONSStyle(), F.PSplineForecast(),
                                                         F.ConstantImprovement()], [2000, 2005])
    np.testing.assert_allclose(table["projected"], engine["projected"], atol=5e-7, rtol=0)
    np.testing.assert_allclose(table["error"], engine["error"], atol=2e-6, rtol=0)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["method", "band", "mae_e0", "bias_e0", "mae_e65", "bias_e65", "pairs", "years"]
    assert summary.loc[summary["band"] == "1-5", "pairs"].eq(2).all()
    assert not list(tmp_path.glob(".out.partial-*"))  # written in place, nothing left behind


def test_every_shipped_folder_runs(tmp_path, capsys):
    """The command on each of the thirteen folders (one method, the last possible origin: quick)."""
    manifest = pops.hmd_manifest()
    for code in manifest.index:
        folder = SHIPPED / manifest.loc[code, "folder"]
        last = int(manifest.loc[code, "last_year"])
        argv = ["--hmd", str(folder), "--out", str(tmp_path / code), "--origins", str(last - 2),
                "--methods", "lee-carter"]
        if not isinstance(manifest.loc[code, "title_population"], str):
            argv += ["--population", manifest.loc[code, "population"]]
        status, printed, err = run(argv, capsys)
        assert status == 0, (code, err)
        assert len(pd.read_csv(tmp_path / code / "backtest.csv")) == 2 * 2 * 2, code


def test_target_rules(tmp_path, capsys):
    base = ["--hmd", str(SHIPPED / "NOR"), "--origins", "2010", "--methods", "ons", "--last-year", "2012"]
    results = {}
    for rule in ("century", "all", "0.02"):
        status, _, err = run([*base, "--out", str(tmp_path / rule), "--target-rule", rule], capsys)
        assert status == 0, err
        results[rule] = pd.read_csv(tmp_path / rule / "backtest.csv")["projected"].to_numpy()
    assert not np.allclose(results["century"], results["0.02"])


@pytest.mark.parametrize("argv, fragment", [
    (["--origins", "1990,19x5"], "option --origins: '19x5' is not a year"),
    (["--origins", "1990,1990"], "option --origins: a year is given twice"),
    (["--origins", "1600"], "option --origins: 1600 is out of range"),
    (["--origins", "1980"], "option --origins: origin 1980 needs the years 1950-1980"),
    (["--origins", "2017"], "option --origins: origin 2017 needs the years"),
    (["--methods", "ons,foo"], "option --methods: unknown method 'foo'"),
    (["--methods", "ons,ons"], "option --methods: a method is given twice"),
    (["--target-rule", "fast"], "option --target-rule: 'fast' is neither a rule nor a plausible target"),
    (["--target-rule", "0.5"], "option --target-rule"),
    (["--window", "5"], "option --window: 5 is out of range"),
    (["--last-year", "2030"], "option --last-year: 2030 is not in the files"),
])
def test_bad_arguments_are_refused_with_exit_status_2(tmp_path, capsys, argv, fragment):
    status, _, err = run(["--hmd", str(SHIPPED / "DEUTW"), "--out", str(tmp_path / "o"), *argv], capsys)
    assert status == 2 and fragment in err, err
    assert not (tmp_path / "o").exists()  # nothing written


def test_bad_folders_are_refused_naming_the_file(tmp_path, capsys):
    status, _, err = run(["--hmd", str(tmp_path / "nowhere")], capsys)
    assert status == 2 and "option --hmd" in err and "does not exist" in err
    status, _, err = run(["--hmd", str(SHIPPED / "HUN"), "--out", str(tmp_path / "o")], capsys)
    assert status == 2 and "HUN/Deaths_1x1.txt, line 1" in err and "--population" in err
    folder = tmp_path / "BAD"
    shutil.copytree(SHIPPED / "NOR", folder)
    lines = (folder / "Exposures_1x1.txt").read_text(encoding="utf-8").split("\n")
    lines[40] = lines[40].replace(lines[40].split()[3], "-5.00", 1)
    (folder / "Exposures_1x1.txt").write_text("\n".join(lines), encoding="utf-8")
    status, _, err = run(["--hmd", str(folder), "--out", str(tmp_path / "o")], capsys)
    assert status == 2 and "Exposures_1x1.txt, line 41, column Male: negative value" in err
    (folder / "Exposures_1x1.txt").unlink()
    status, _, err = run(["--hmd", str(folder), "--out", str(tmp_path / "o")], capsys)
    assert status == 2 and "no Exposures_1x1.txt" in err
    target = tmp_path / "afile"
    target.write_text("x")
    status, _, err = run(["--hmd", str(SHIPPED / "NOR"), "--out", str(target)], capsys)
    assert status == 2 and "exists and is not a folder" in err


def test_a_failed_run_leaves_the_previous_outputs(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    argv = ["--hmd", str(SHIPPED / "DEUTW"), "--out", str(out), "--origins", "2015", "--methods", "constant"]
    assert run(argv, capsys)[0] == 0
    before = {n: (out / n).read_bytes() for n in ("backtest.csv", "summary.csv")}

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    status, _, err = run(argv, capsys)
    assert status == 1 and "No space left on device" in err and "previous outputs are unchanged" in err
    assert {n: (out / n).read_bytes() for n in before} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
