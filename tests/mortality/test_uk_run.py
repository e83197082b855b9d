"""The ONS procedure on the UK's own data (HMD): run, calibration, checks and command line."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from foresight.data import data_dir, published
from foresight.errors import DataError
from foresight.mortality import checks, uk
from foresight.mortality.hmd import hmd_uk
from foresight.mortality.ons import ProjectionAssumptions, project_mortality

ROOT = Path(__file__).resolve().parents[2]


def toy_surface(top: int = 110, years=range(2000, 2012), improvement: float = 0.02) -> pd.DataFrame:
    ages = np.arange(0, top + 1)
    yrs = np.asarray(list(years))
    m = np.exp(-9.5 + 0.09 * ages)[:, None] * (1 - improvement) ** (yrs - yrs[0])[None, :]
    return pd.DataFrame(np.minimum(m, 0.9), index=pd.Index(ages, name="age"),
                        columns=pd.Index(yrs, name="year"))


def test_rates_above_the_data_top_age_are_interpolated_to_the_cohort_target():
    surfaces = {"male": toy_surface(improvement=0.03), "female": toy_surface(improvement=0.02)}
    a = ProjectionAssumptions(base_year=2014, male_not_below_female=False)
    top = {"male": 100, "female": 105}
    p = project_mortality(surfaces, a, data_top_age=top)
    ext = project_mortality(surfaces, replace(a, old_age_rates="extension"), data_top_age=top)
    plain = project_mortality(surfaces, a)
    # "extension" keeps the surface's own rates: the same as treating every age as data
    assert np.allclose(ext.mx["male"].to_numpy(), plain.mx["male"].to_numpy(), rtol=1e-13)
    # in the base year, the male rates from 104 (cohorts that were above 100 in 2011) to 110
    # lie on the line from age 103 (carried from 100) to the cohort target at 110
    r = p.improvement["male"][2014]
    target_110 = float(np.interp(2014 - 110, [1902, 1911], [0.001, 0.010]))
    line = np.interp(np.arange(104, 111), [103, 110], [r[103], target_110])
    assert np.allclose(r.loc[104:110].to_numpy(), line, atol=1e-12)
    assert r[103] == pytest.approx(0.03)  # carried from the data
    # ages whose rates in 2012-2014 all have a source in the data (females to 105 + 1) are untouched
    assert np.allclose(p.mx["female"].loc[:106, 2014], ext.mx["female"].loc[:106, 2014], rtol=1e-13)
    assert not np.allclose(p.mx["female"].loc[107:, 2014], ext.mx["female"].loc[107:, 2014], rtol=1e-6)
    with pytest.raises(DataError, match="data_top_age"):
        project_mortality(surfaces, a, data_top_age={"male": 120, "female": 100})
    with pytest.raises(DataError, match="old_age_rates"):
        project_mortality(surfaces, replace(a, old_age_rates="guess"))


def test_run_settings_are_checked():
    with pytest.raises(DataError, match="initial year"):
        uk.UKRun(initial_year=2015).check()
    with pytest.raises(DataError, match="max_age"):
        uk.UKRun(max_age={"male": 100}).check()
    with pytest.raises(DataError, match="covers"):
        uk.smooth_uk(uk.UKRun(last_year=2030, initial_year=2011))


def test_observed_rates_pool_the_open_age_and_match_the_hmd_life_tables():
    rates = uk.uk_rates("v2018", years=(2000, 2001))
    assert rates["male"].index[-1] == 100 and list(rates["male"].columns) == [2000, 2001]
    ex = uk.uk_expectancy("v2018", years=(2000, 2001))
    hmd = hmd_uk("mltper_1x1.txt", "v2018")
    e0 = hmd[hmd["age"] == 0].set_index("year")["ex"]
    # the HMD tables close at 110+; pooling at 100 moves e0 by far less than a hundredth
    assert np.allclose(ex["e0_male"].to_numpy(), e0.loc[[2000, 2001]].to_numpy(), atol=0.01)


def test_calibration_finds_the_exponent_and_refuses_an_unreachable_figure(mortality_report):
    surfaces = mortality_report.smoothed[0]
    powers = uk.calibrate_convergence_power(surfaces, 90.4)
    a = ProjectionAssumptions(convergence_power=powers)
    p = project_mortality(surfaces, a, data_top_age={"male": 100, "female": 105})
    assert p.cohort_expectancy(0, [2014]).loc[2014, "male"] == pytest.approx(90.4, abs=1e-6)
    assert powers["male"] > powers["female"] > 1  # faster than linear, faster for males
    with pytest.raises(DataError, match="no convergence exponent"):
        uk.calibrate_convergence_power(surfaces, 120.0)


def test_every_statement_row_is_a_published_figure(mortality_report):
    table = mortality_report.comparisons()["mortp-tab-ons"]
    ids = set(published("ons2015mortality").index)
    assert set(table.attrs["figure_ids"].values()) <= ids
    assert table.loc["ons_proj_cohort_e0_male_2014", "verdict"] == "calibrated"
    # the statements about the past use observed data only: the same for any target
    surfaces, fits = mortality_report.smoothed
    other = project_mortality(surfaces, ProjectionAssumptions().with_target(0.02),
                              data_top_age={"male": 100, "female": 105})
    past = checks.uk_history_figures(mortality_report.projection, fits=fits)
    assert np.allclose(past, checks.uk_history_figures(other, fits=fits).loc[past.index], rtol=1e-12)


def test_realised_errors_keep_the_pandemic_apart(mortality_report):
    real = mortality_report.realised
    assert sorted(real["year"].unique()) == list(range(2015, 2023))
    assert np.allclose(real["error"], real["projected"] - real["observed"])
    assert set(real.loc[real["year"] >= 2020, "period"]) == {"2020-2022"}
    obs = uk.uk_expectancy("v2025", years=(2015, 2022))
    male0 = real[(real["sex"] == "male") & (real["measure"] == "e0")].set_index("year")["observed"]
    assert np.allclose(male0, obs["e0_male"])


def test_realised_errors_split_into_the_base_year_and_the_trend(mortality_report):
    real = mortality_report.realised
    np.testing.assert_allclose(real["base"] + real["trend"], real["error"], rtol=0, atol=1e-12)
    # the base-year part is the 2014 miss itself: projected minus observed in 2014
    obs = uk.uk_expectancy("v2025", years=(2014, 2014), closure="kannisto")
    proj = mortality_report.projection.period_expectancy(65, [2014])
    male = real[(real["sex"] == "male") & (real["measure"] == "e65")]
    assert male["base"].nunique() == 1
    assert male["base"].iloc[0] == pytest.approx(proj.loc[2014, "male"] - obs.loc[2014, "e65_male"], abs=1e-12)


@pytest.mark.parametrize("last, forecast", [(2013, None), (2001, 2019)])
def test_the_short_search_grid_reaches_the_default_grids_optimum(last, forecast):
    run = uk.UKRun(last_year=last, initial_year=last - 2)
    _, short = uk.fit_uk(run, forecast_to=forecast)
    _, full = uk.fit_uk(replace(run, lambda_grid=None), forecast_to=forecast)
    for sex in ("male", "female"):
        assert short[sex].bic == pytest.approx(full[sex].bic, rel=1e-9)
        assert np.allclose(short[sex].lambdas, full[sex].lambdas, rtol=1e-6)
        assert short[sex].n_fits < full[sex].n_fits


def test_the_backtest_uses_no_data_after_its_origin():
    full, _ = uk.fit_uk(uk.UKRun(last_year=2001, initial_year=1999), forecast_to=2005)
    assert full["male"].columns[-1] == 2005
    # the window check: the fit of 1961-2001 sees 41 years, the rest is zero-weight padding
    _, fits = uk.fit_uk(uk.UKRun(last_year=2001, initial_year=1999))
    assert fits["male"].n_obs == 101 * 41


def test_the_command_reproduces_the_chapter(tmp_path, mortality_report):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "foresight", "mortality", "project",
           "--hmd", str(data_dir() / "mortality" / "hmd" / "v2025"), "--first-year", "1961",
           "--last-year", "2013", "--max-age", "100", "--max-age-female", "105", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    ex = pd.read_csv(out / "life_expectancy.csv").set_index(["sex", "year"])
    assert abs(ex.loc[("male", 2014), "period_e0"] - 79.3) <= 0.1
    assert abs(ex.loc[("female", 2014), "period_e0"] - 83.0) <= 0.1
    p = mortality_report.projection
    for sex in ("male", "female"):
        assert ex.loc[(sex, 2039), "period_e0"] == pytest.approx(
            p.period_expectancy(0, [2039]).loc[2039, sex], abs=1e-4)
        assert ex.loc[(sex, 2014), "cohort_e65"] == pytest.approx(
            p.cohort_expectancy(65, [2014]).loc[2014, sex], abs=1e-4)
    bad = subprocess.run(cmd[:-2] + ["--max-age-female", "140", "--out", str(out)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "--max-age-female" in bad.stderr


def test_uk_projection_uses_the_assumptions_it_is_given(monkeypatch):
    """Explicit assumptions are passed on untouched; none given means the UK defaults."""
    import foresight.mortality.uk as uk

    seen = []
    monkeypatch.setattr(uk, "project_mortality", lambda s, a, data_top_age: seen.append((a, data_top_age)))
    mine = uk.uk_assumptions().with_target(0.005)
    uk.uk_projection({}, mine)
    uk.uk_projection({})
    assert seen[0][0] is mine and seen[0][0].target_rate == 0.005
    assert seen[1][0] == uk.uk_assumptions()
    assert seen[0][1] == dict(uk.UKRun().max_age)


def test_the_top_age_may_be_from_two_above_the_kannisto_start_to_the_extension():
    """max_age from kannisto_from + 2 (three ages to fit) to extend_to, both ends included."""
    import foresight.mortality.uk as uk

    for top in (82, 110):
        uk.UKRun(max_age={"male": top, "female": top}).check()
    for top in (81, 111):
        with pytest.raises(DataError, match=f"max_age for male is {top}"):
            uk.UKRun(max_age={"male": top, "female": 100}).check()


def test_a_validated_frame_drops_its_line_map_and_keeps_its_provenance():
    """Once a file is validated its per-line map goes (pandas copies attrs on every step);
    what the frame says about where it came from (file, release) stays."""
    import pandas as pd

    from foresight.mortality.uk import _light

    f = pd.DataFrame({"year": [2010], "age": [0]})
    f.attrs = {"line": {0: 2}, "file": "Deaths_1x1.txt", "version": "v6"}
    assert _light(f).attrs == {"file": "Deaths_1x1.txt", "version": "v6"}
