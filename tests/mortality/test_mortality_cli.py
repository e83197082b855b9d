"""The ``python -m foresight mortality project`` command on generated HMD-format files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from foresight.__main__ import main as foresight_main
from foresight.mortality.cli import main

YEARS = np.arange(1990, 2011)
AGES = np.arange(0, 111)
IMPROVEMENT = 0.015


def true_rates(sex_factor: float) -> np.ndarray:
    """Gompertz-Makeham rates falling 1.5% a year (ages x years)."""
    base = (2e-4 + 2.5e-5 * np.exp(0.1 * AGES)) * sex_factor
    base[0] = 5e-3 * sex_factor
    return np.minimum(base[:, None] * (1 - IMPROVEMENT) ** (YEARS - YEARS[0])[None, :], 1.5)


def hmd_file(title: str, values: dict[str, np.ndarray]) -> str:
    lines = [f"Exland, {title} (period 1x1)  \tLast modified: 01 Jan 2024;  Methods Protocol: v6 (2017)", "",
             "  Year          Age             Female            Male           Total"]
    for j, y in enumerate(YEARS):
        for i, a in enumerate(AGES):
            age = f"{a}+" if a == AGES[-1] else str(a)
            f, m = values["female"][i, j], values["male"][i, j]
            lines.append(f"  {y}   {age:>10}   {f:>16.2f}   {m:>13.2f}   {f + m:>13.2f}")
    return "\n".join(lines) + "\n"


@pytest.fixture()
def hmd_dir(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    folder = tmp_path / "EXL"
    folder.mkdir()
    exposure = np.broadcast_to((4e5 * np.exp(-((AGES / 92.0) ** 6)) + 50.0)[:, None], (AGES.size, YEARS.size))
    exposures = {"female": exposure, "male": exposure * 0.98}
    deaths = {
        "female": rng.poisson(exposures["female"] * true_rates(1.0)).astype(float),
        "male": rng.poisson(exposures["male"] * true_rates(1.4)).astype(float),
    }
    (folder / "Deaths_1x1.txt").write_text(hmd_file("Deaths", deaths), encoding="utf-8")
    (folder / "Exposures_1x1.txt").write_text(hmd_file("Exposure to risk", exposures), encoding="utf-8")
    return folder


def test_project_writes_tidy_outputs(hmd_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    code = main(["project", "--hmd", str(hmd_dir), "--out", str(out), "--base-year", "2012", "--target", "0.012"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "base year 2012" in printed and "period e0 in 2012" in printed
    rates = pd.read_csv(out / "projected_rates.csv")
    assert list(rates.columns) == ["sex", "age", "year", "mx", "improvement"]
    assert rates["year"].max() >= 2114 and rates["age"].max() == 110
    # the smoothed history recovers the simulated 1.5% a year at middle ages (initial rates
    # are read two years before the end of the data, as ONS do)
    hist = rates[(rates["year"] == 2008) & rates["age"].between(50, 80)]
    assert hist["improvement"].mean() == pytest.approx(IMPROVEMENT, abs=0.003)
    # by the target year (2037) everyone born in 1960 or later improves at the 1.2% target
    late = rates[(rates["year"] == 2040) & (rates["age"] <= 40)]
    assert np.allclose(late["improvement"], 0.012, atol=1e-9)
    # male rates never below female rates in projected years
    wide = rates[rates["year"] >= 2012].pivot_table(index=["age", "year"], columns="sex", values="mx")
    assert (wide["male"] >= wide["female"] - 1e-15).all()
    e = pd.read_csv(out / "life_expectancy.csv")
    assert list(e.columns) == ["sex", "year", "period_e0", "period_e65", "cohort_e0", "cohort_e65"]
    row = e[(e["sex"] == "male") & (e["year"] == 2012)].iloc[0]
    assert row["cohort_e0"] > row["period_e0"] and row["cohort_e65"] > row["period_e65"]
    sm = pd.read_csv(out / "smoothing.csv")
    assert set(sm["sex"]) == {"male", "female"} and (sm["overdispersion"] > 0.5).all()
    assert (out / "improvement_heatmap.png").stat().st_size > 10_000


def test_dispatch_and_errors_name_the_file(hmd_dir: Path, tmp_path: Path, capsys):
    assert main(["--help"]) == 0
    assert main(["project"]) == 2  # --hmd is required
    # through the package's dispatcher, a bad file becomes a one-line error naming file and line
    bad = hmd_dir / "Exposures_1x1.txt"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(lines[10].split()[2], "abc", 1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = foresight_main(["mortality", "project", "--hmd", str(hmd_dir), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2  # bad input: the same status as the sle command
    assert "Exposures_1x1.txt" in err and "line 11" in err and "Female" in err
    code = foresight_main(["mortality", "project", "--hmd", str(tmp_path / "nowhere")])
    assert code == 2 and "nowhere" in capsys.readouterr().err


def test_base_year_before_the_data_is_rejected(hmd_dir: Path, tmp_path: Path, capsys):
    code = foresight_main(["mortality", "project", "--hmd", str(hmd_dir), "--out", str(tmp_path / "o"),
                           "--base-year", "2000"])
    assert code == 2 and "base year 2000" in capsys.readouterr().err
