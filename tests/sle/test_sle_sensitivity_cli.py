"""Sensitivity variants and the command line."""

import numpy as np
import pytest

from foresight.sle import synthetic_cohort, write_survey
from foresight.sle.cli import main
from foresight.sle.sensitivity import fifty_as_dont_know, gap_summary, sensitivity


def test_fifty_as_dont_know_by_hand():
    p = np.array([[90, 70, 50, 30, 10], [50, 40, 30, 20, 10], [90, 50, 50, 50, 10]], dtype=float)
    out = fifty_as_dont_know(p)
    np.testing.assert_allclose(out[0], [90, 70, 50, 30, 10])  # 50 between 70 and 30 -> 50 again
    assert np.isnan(out[1, 0])  # no neighbour on the left
    np.testing.assert_allclose(out[2], [90, 70, 50, 30, 10])


def test_gap_summary_by_hand():
    g = gap_summary([80, 70, 90], [85, 72, 90])
    assert g["n"] == 3 and g["gap"] == pytest.approx(7 / 3)
    sd = np.std([5, 2, 0], ddof=1)
    assert g["ci_high"] - g["gap"] == pytest.approx(4.302652729911275 * sd / np.sqrt(3))


def test_sensitivity_table():
    t = sensitivity(synthetic_cohort(n=600, seed=8))
    assert t["variant"].iloc[0] == "paper's rules"
    # dropping the speed rule can only add respondents
    assert t.loc[t["variant"].str.contains("15 minutes"), "n"].iloc[0] >= t["n"].iloc[0]
    assert (t["ci_low"] <= t["gap"]).all() and (t["gap"] <= t["ci_high"]).all()


def test_cli_runs_and_prints_everything(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    write_survey(synthetic_cohort(n=400, seed=2), path)
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "Exclusion cascade" in out and "Headline statistics" in out
    assert "(model 4)" in out and "Observations" in out


def test_cli_reports_bad_file(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    write_survey(synthetic_cohort(n=100, seed=2), path)
    lines = path.read_text().splitlines()
    cells = lines[3].split(",")
    cells[12] = "abc"  # the sle column
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 4, column sle" in err and "not a number" in err


def test_cli_header_only(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    write_survey(synthetic_cohort(n=100, seed=2).iloc[:0], path)
    assert main([str(path)]) == 2
    assert "no respondents" in capsys.readouterr().err


def test_dispatcher_routes_to_sle(tmp_path, capsys):
    from foresight.__main__ import main as foresight_main

    path = tmp_path / "survey.csv"
    write_survey(synthetic_cohort(n=300, seed=6), path)
    assert foresight_main(["sle", str(path)]) == 0
    assert "Exclusion cascade" in capsys.readouterr().out


def test_cli_example_file_too_few(capsys):
    from foresight.data import data_dir

    assert main([str(data_dir() / "sle" / "example_survey.csv")]) == 0
    out = capsys.readouterr().out
    assert "analysis sample (respondents)" in out
    assert "Models not estimated" in out and "3 complete respondents for 12 parameters" in out


def test_no_crossing_respondents_are_placed_by_their_fitted_median():
    import numpy as np

    from foresight.sle.parametric import fit_curves
    from foresight.sle.sensitivity import fitted_where_no_crossing

    ssp = np.array([[95.0, 90, 80, 70, 60], [90, 70, 50, 30, 10]])  # never crosses; crosses at 80
    age = np.array([40.0, 40.0])
    out = fitted_where_no_crossing(ssp, age, np.array([np.nan, 80.0]))
    assert out[1] == 80.0  # footnote 3 kept where it gives an estimate
    assert out[0] == fit_curves(ssp[:1], age[:1], "gompertz").median[0]
    assert out[0] > 100  # still above 60 % at 100: the fitted median lies beyond it
