"""``python -m foresight mortality project|backtest --hmd DIR``: project or back-test HMD data.

``project`` runs the ONS-style projection on a folder (below). ``backtest`` runs the
chapter's tournament engine (:func:`foresight.mortality.backtest.backtest`) on any HMD
country folder: from every origin (``--origins``, default every five years from 1980 as
the data allow, with ``--window`` years of data before each), each method of
``--methods`` projects period life expectancy at birth and at 65 to the folder's last
year (or ``--last-year``), using the data up to the origin only, and the projections are
set beside what was observed. It writes ``backtest.csv`` (``population, sex, method,
origin, year, horizon, measure, projected, observed, error``) and ``summary.csv`` (mean
absolute and mean signed error by method and band of horizons, with the number of
population-origin pairs behind each), atomically as ``project`` does.

Reads ``Deaths_1x1.txt`` and ``Exposures_1x1.txt`` from a Human Mortality
Database country folder (the years ``--first-year`` to ``--last-year``, ages to
``--max-age``, or ``--max-age-female`` for females), fits the Poisson P-spline
with overdispersion to each sex (:func:`~foresight.mortality.pspline.fit_pspline_2d`), extends the
smoothed rates above the top age with the Kannisto model, projects them with
the ONS-style assumptions (:func:`~foresight.mortality.projection.project_mortality`)
and writes tidy CSV files and a heat map. On the shipped UK files,
``--hmd data/mortality/hmd/v2025 --first-year 1961 --last-year 2013 --max-age 100
--max-age-female 105`` is the mortality chapter's run (ONS section 4):

``projected_rates.csv``
    ``sex, age, year, mx, improvement`` from the first smoothed year to the
    end of the projection.
``life_expectancy.csv``
    ``sex, year, period_e0, period_e65, cohort_e0, cohort_e65``: cohort
    e0 is for those born in ``year``, cohort e65 for those aged 65 in
    ``year`` (empty where the cohort is not covered to the top age).
``smoothing.csv``
    ``sex, lambda_age, lambda_year, effective_dim, overdispersion, bic``.
``improvement_heatmap.png``
    Improvement rates by age and year, both sexes.

Every argument and the output folder are checked before anything is computed,
then the two files are read and checked (zero exposure where there are deaths
is refused; ``.`` cells among the ages and years used are refused unless
``--missing zero-weight`` says to leave them out of the fit, in which case the
command says how many there were). The four files are written into a
temporary folder next to ``--out`` and moved into place only when all four
are complete, so a failed or interrupted run leaves the previous outputs as
they were. Exit status: 0 done, 2 bad argument or file, 1 any other failure
(see :mod:`foresight.commands`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.commands import (StagedOutputs, check_output_dir, decimal, integer,
                                run_command)
from foresight.errors import DataError

SEXES = ("male", "female")
OUTPUTS = ("projected_rates.csv", "life_expectancy.csv", "smoothing.csv",
           "improvement_heatmap.png")
BACKTEST_OUTPUTS = ("backtest.csv", "summary.csv")
#: The methods ``backtest`` offers, by the name given to ``--methods``.
BACKTEST_METHODS = ("ons", "lee-carter", "li-lee", "p-spline", "constant")
#: Named target rules of ``--target-rule``; a number is a fixed target (a fraction a year).
TARGET_RULES = ("century", "all")
MAX_WINDOW = 100
MIN_WINDOW = 10
FILES = ("Deaths_1x1.txt", "Exposures_1x1.txt")

#: Documented bounds of the arguments (inclusive).
MAX_TOP_AGE = 130
MIN_MAX_AGE = 85  # the Kannisto model is fitted on ages 80 to --max-age
YEARS = (1700, 2300)
MAX_TRIM = 20
MAX_BASE_AFTER_DATA = 10  # rates are carried forward unchanged up to the base year
MIN_YEARS = 5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m foresight mortality",
        description="Smooth (2-D Poisson P-spline) and project (ONS 2014-based method) HMD mortality "
                    "data, or back-test projection methods on it.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("project", help="smooth and project an HMD country folder")
    p.add_argument("--hmd", required=True, type=Path, help="folder with Deaths_1x1.txt and Exposures_1x1.txt")
    p.add_argument("--out", type=Path, default=Path("mortality-projection"),
                   help="output folder (created if needed; only the four output files in it are replaced)")
    p.add_argument("--base-year", type=integer, default=None,
                   help="first projected year, from the last smoothed year to "
                        f"{MAX_BASE_AFTER_DATA} years after the last data year "
                        "(default: the year after the last data year)")
    p.add_argument("--target", type=decimal, default=0.012,
                   help="long-term improvement target, a fraction a year from 0 to 0.1 (default 0.012)")
    p.add_argument("--first-year", type=integer, default=None, help="first data year used (default: all)")
    p.add_argument("--last-year", type=integer, default=None,
                   help="last data year used (default: all; ONS 2014-based: 2013)")
    p.add_argument("--max-age", type=integer, default=100,
                   help=f"top age of the smoothing, {MIN_MAX_AGE} to the files' last single age (default 100)")
    p.add_argument("--max-age-female", type=integer, default=None,
                   help="females' top age of the smoothing (default: --max-age; ONS: 105)")
    p.add_argument("--trim-years", type=integer, default=2,
                   help="last smoothed years not used for the initial improvement rates, which the "
                        "end of a P-spline fit makes unstable (ONS: data to 2013, rates at 2011; "
                        f"0 to {MAX_TRIM}; default 2)")
    p.add_argument("--extend-to", type=integer, default=110,
                   help=f"top age of the life tables (Kannisto), from --max-age to {MAX_TOP_AGE} (default 110)")
    p.add_argument("--missing", choices=("refuse", "zero-weight"), default="refuse",
                   help="'.' (missing) cells among the ages and years used: refuse them (default) or "
                        "give them zero weight in the fit, which fills them from their neighbours")
    b = sub.add_parser("backtest", help="back-test projection methods on an HMD country folder")
    b.add_argument("--hmd", required=True, type=Path, help="folder with Deaths_1x1.txt and Exposures_1x1.txt")
    b.add_argument("--out", type=Path, default=Path("mortality-backtest"),
                   help="output folder (created if needed; only backtest.csv and summary.csv in it are replaced)")
    b.add_argument("--origins", default=None,
                   help="last data years of the projections, comma-separated (e.g. 1990,1995,2000); "
                        "default: every five years from 1980 as the data allow")
    b.add_argument("--methods", default=",".join(BACKTEST_METHODS),
                   help="comma-separated, from " + ", ".join(BACKTEST_METHODS) + " (default: all)")
    b.add_argument("--target-rule", default="century",
                   help="the ONS-style method's long-term target: 'century' (average improvement of the "
                        "age-standardised rate over the hundred years to each origin, the default), 'all' "
                        "(over all years to the origin) or a fixed fraction a year such as 0.012")
    b.add_argument("--last-year", type=integer, default=None,
                   help="last year projected and scored (default: the files' last year)")
    b.add_argument("--window", type=integer, default=30,
                   help=f"years of data before each origin that the methods fit, {MIN_WINDOW} to "
                        f"{MAX_WINDOW} (default 30)")
    b.add_argument("--population", default=None,
                   help="the population's name, for files whose title line is missing (e.g. 'Hungary')")
    return parser


def _bad(option: str, problem: str, expected: str) -> DataError:
    return DataError(problem, row=option, row_label="option", expected=expected)


def check_arguments(args: argparse.Namespace) -> None:
    """Check every argument that can be checked without reading the data.

    Raises
    ------
    DataError
        Naming the option, the problem and the allowed values.
    """
    if not 0 <= args.target <= 0.1:
        raise _bad("--target", f"{args.target} is implausible",
                   "a fraction a year between 0 and 0.1 (0.012 = 1.2%)")
    if not MIN_MAX_AGE <= args.max_age <= MAX_TOP_AGE:
        raise _bad("--max-age", f"{args.max_age} is out of range",
                   f"an age from {MIN_MAX_AGE} to {MAX_TOP_AGE}")
    if args.max_age_female is not None and not MIN_MAX_AGE <= args.max_age_female <= MAX_TOP_AGE:
        raise _bad("--max-age-female", f"{args.max_age_female} is out of range",
                   f"an age from {MIN_MAX_AGE} to {MAX_TOP_AGE}")
    tops = top_ages(args)
    top, option = ((tops["female"], "--max-age-female") if tops["female"] > tops["male"]
                   else (tops["male"], "--max-age"))
    if not top <= args.extend_to <= MAX_TOP_AGE:
        raise _bad("--extend-to", f"{args.extend_to} is out of range",
                   f"an age from {option} ({top}) to {MAX_TOP_AGE}")
    if not 0 <= args.trim_years <= MAX_TRIM:
        raise _bad("--trim-years", f"{args.trim_years} is out of range",
                   f"0 to {MAX_TRIM} years")
    for option, value in (("--base-year", args.base_year), ("--first-year", args.first_year),
                          ("--last-year", args.last_year)):
        if value is not None and not YEARS[0] <= value <= YEARS[1]:
            raise _bad(option, f"{value} is out of range", f"a year from {YEARS[0]} to {YEARS[1]}")
    if not args.hmd.is_dir():
        raise _bad("--hmd", f"{args.hmd} is not a folder" if args.hmd.exists()
                   else f"{args.hmd} does not exist",
                   "a folder holding " + " and ".join(FILES))
    if args.first_year is not None and args.last_year is not None and args.last_year < args.first_year:
        raise _bad("--last-year", f"{args.last_year} is before --first-year {args.first_year}",
                   "a last year after the first")
    check_output_dir(args.out, OUTPUTS)


def top_ages(args: argparse.Namespace) -> dict[str, int]:
    """The top age of the smoothing by sex (``--max-age``, ``--max-age-female``)."""
    female = args.max_age if args.max_age_female is None else args.max_age_female
    return {"male": int(args.max_age), "female": int(female)}


@dataclass(frozen=True)
class Inputs:
    """Deaths and exposures (age x year, per sex) as used, and what was found in them."""

    deaths: dict[str, pd.DataFrame]
    exposures: dict[str, pd.DataFrame]
    missing_cells: int


def _missing_error(frame: pd.DataFrame, used: pd.Series, sex: str) -> DataError | None:
    miss = used & frame[sex].isna().to_numpy()
    if not miss.any():
        return None
    k = int(np.flatnonzero(miss)[0])
    y, a = int(frame["year"].iloc[k]), int(frame["age"].iloc[k])
    return DataError(f"missing value '.' (year {y}, age {a})", file=frame.attrs.get("file"),
                     row=frame.attrs.get("line", {}).get((y, a)), column=sex.capitalize(),
                     expected="a number; or run with --missing zero-weight to leave such "
                              "cells out of the fit")


def read_inputs(args: argparse.Namespace) -> Inputs:
    """Read and check the two HMD files against the arguments (nothing is fitted yet).

    Raises
    ------
    DataError
        Unreadable or malformed files, files of the wrong kind or covering
        different years or ages, ages or years that do not cover the
        arguments, deaths where the exposure is zero, and (unless
        ``--missing zero-weight``) missing cells.
    """
    from foresight.mortality.hmd import hmd_rates, hmd_surface, read_hmd

    deaths = read_hmd(args.hmd / FILES[0])
    exposures = read_hmd(args.hmd / FILES[1])
    for frame, name, kind in ((deaths, FILES[0], "deaths"), (exposures, FILES[1], "exposures")):
        if frame.attrs.get("kind") != kind:
            raise DataError(f"{name} is not an HMD {kind} file", file=args.hmd / name, row=1,
                            expected=f"the HMD {kind} series")
    keys = ["year", "age"]
    if not deaths[keys].equals(exposures[keys]):
        raise DataError("deaths and exposures cover different years or ages",
                        file=args.hmd / FILES[1], column="Year/Age",
                        expected="the same (Year, Age) rows as the deaths file")
    years = np.unique(deaths["year"].to_numpy())
    last = int(years[-1]) if args.last_year is None else int(args.last_year)
    if not years[0] <= last <= years[-1]:
        raise DataError(f"--last-year {last} is not in the files", file=args.hmd / FILES[0],
                        column="Year", expected=f"a year from {years[0]} to {years[-1]}")
    first = years[0] if args.first_year is None else args.first_year
    if not years[0] <= first <= last - (MIN_YEARS - 1) - args.trim_years:
        raise DataError(f"--first-year {first} leaves too few years of data", file=args.hmd / FILES[0],
                        column="Year", expected=f"at least {MIN_YEARS} years after trimming "
                                                f"{args.trim_years}, within {years[0]}-{last}")
    tops = top_ages(args)
    single = deaths.loc[~deaths["open_interval"].to_numpy(), "age"]
    if single.max() < max(tops.values()):
        option = "--max-age" if tops["male"] >= tops["female"] else "--max-age-female"
        raise DataError(f"the files' last single age is {single.max()}", file=args.hmd / FILES[0],
                        column="Age", expected=f"ages up to at least {option} {max(tops.values())}")
    lowest = last - args.trim_years
    if args.base_year is not None and not lowest <= args.base_year <= last + MAX_BASE_AFTER_DATA:
        raise _bad("--base-year", f"base year {args.base_year} is outside the allowed range",
                   f"a year from the last smoothed year {lowest} to {last + MAX_BASE_AFTER_DATA}")
    in_years = ((deaths["year"] >= first) & (deaths["year"] <= last)).to_numpy()
    missing = 0
    used_by_sex = {}
    for sex in SEXES:
        used = in_years & (deaths["age"] <= tops[sex]).to_numpy()
        used_by_sex[sex] = used
        d_used, e_used = deaths[used], exposures[used]
        hmd_rates(d_used, e_used, sex=sex)  # refuses zero exposure with deaths, names the line
        for frame in (deaths, exposures):
            err = _missing_error(frame, used, sex)
            if err is not None and args.missing == "refuse":
                raise err
        missing += int((d_used[sex].isna() | e_used[sex].isna()).sum())
    d_out, e_out = {}, {}
    for sex in SEXES:
        d_out[sex] = hmd_surface(deaths[used_by_sex[sex]], sex)
        e_out[sex] = hmd_surface(exposures[used_by_sex[sex]], sex)
    return Inputs(d_out, e_out, missing)


def _life_expectancy(projection) -> pd.DataFrame:
    years = np.arange(int(projection.years[0]), int(projection.years[-1]) + 1)
    top = int(projection.ages[-1])
    per0 = projection.period_expectancy(0)
    per65 = projection.period_expectancy(65)
    first = int(projection.years[0])
    births = years[years + top <= years[-1]]
    at65 = years[(years >= first) & (years + top - 65 <= years[-1])]
    coh0 = projection.cohort_expectancy(0, births)
    coh65 = projection.cohort_expectancy(65, at65)
    rows = []
    for sex in SEXES:
        frame = pd.DataFrame({"sex": sex, "year": years, "period_e0": per0[sex].to_numpy(),
                              "period_e65": per65[sex].to_numpy()})
        frame["cohort_e0"] = coh0[sex].reindex(years).to_numpy()
        frame["cohort_e65"] = coh65[sex].reindex(years).to_numpy()
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def run_project(args: argparse.Namespace) -> int:
    """``mortality project``: check, read, fit, project, then write all outputs at once."""
    import matplotlib.pyplot as plt

    from foresight.mortality.pspline import fit_pspline_2d
    from foresight.mortality.ons import ProjectionAssumptions, kannisto_extend, project_mortality
    from foresight.mortality.projection_plots import improvement_heatmap_figure

    check_arguments(args)
    inputs = read_inputs(args)
    deaths, exposures = inputs.deaths, inputs.exposures
    with StagedOutputs(args.out, OUTPUTS) as staged:
        smooth, fits = {}, {}
        for sex in SEXES:
            d, e = deaths[sex], exposures[sex]
            fit = fit_pspline_2d(d.to_numpy(dtype=float), e.to_numpy(dtype=float),
                                 ages=np.asarray(d.index), years=np.asarray(d.columns))
            fits[sex] = fit
            surface = pd.DataFrame(fit.rates, index=pd.Index(d.index.astype(int), name="age"),
                                   columns=pd.Index(d.columns.astype(int), name="year"))
            if args.trim_years:
                surface = surface.iloc[:, : -args.trim_years]
            smooth[sex] = kannisto_extend(surface, to_age=args.extend_to,
                                          fit_ages=(80, top_ages(args)[sex]))
        last_data = int(deaths["male"].columns[-1])
        base = last_data + 1 if args.base_year is None else args.base_year
        assumptions = ProjectionAssumptions(base_year=base).with_target(args.target)
        end = max(assumptions.end_year, base + 100)
        assumptions = ProjectionAssumptions(**{**assumptions.__dict__, "end_year": end})
        projection = project_mortality(smooth, assumptions, data_top_age=top_ages(args))

        out = staged.folder
        projection.to_frame().to_csv(out / "projected_rates.csv", index=False)
        expectancy = _life_expectancy(projection)
        expectancy.to_csv(out / "life_expectancy.csv", index=False, float_format="%.4f")
        pd.DataFrame([{"sex": s, "lambda_age": f.lambdas[0], "lambda_year": f.lambdas[1],
                       "effective_dim": f.effective_dim, "overdispersion": f.overdispersion,
                       "bic": f.bic}
                      for s, f in fits.items()]).to_csv(out / "smoothing.csv", index=False)
        top = int(projection.ages[-1])
        fig = improvement_heatmap_figure(projection, first_year=int(projection.years[0]) + 1,
                                         last_year=min(int(projection.years[-1]),
                                                       assumptions.target_year + 25),
                                         max_age=min(max(top_ages(args).values()), top))
        try:
            fig.savefig(out / "improvement_heatmap.png", metadata={"Software": None})
        finally:
            plt.close(fig)
    e0 = expectancy[expectancy["year"] == base].set_index("sex")["period_e0"]
    print(f"smoothed {deaths['male'].shape[1]} years x {deaths['male'].shape[0]} ages (males), "
          f"{deaths['female'].shape[0]} ages (females); "
          f"initial improvement from {projection.last_data_year}, base year {base}, "
          f"target {args.target:.2%} in {assumptions.target_year}")
    if inputs.missing_cells:
        print(f"{inputs.missing_cells} missing ('.') cells were given zero weight "
              "(--missing zero-weight)")
    print(f"period e0 in {base}: males {e0['male']:.2f}, females {e0['female']:.2f}")
    print(f"wrote {args.out}/projected_rates.csv, life_expectancy.csv, smoothing.csv, "
          "improvement_heatmap.png")
    return 0


def _origins(text: str | None) -> list[int] | None:
    if text is None:
        return None
    parts = [t.strip() for t in text.split(",")]
    years = []
    for t in parts:
        try:
            years.append(integer(t))
        except argparse.ArgumentTypeError:
            raise _bad("--origins", f"{t!r} is not a year", "years written in digits, comma-separated, "
                       "e.g. 1990,1995,2000") from None
    bad = [y for y in years if not YEARS[0] <= y <= YEARS[1]]
    if bad:
        raise _bad("--origins", f"{bad[0]} is out of range", f"years from {YEARS[0]} to {YEARS[1]}")
    if len(set(years)) != len(years):
        raise _bad("--origins", "a year is given twice", "each origin once")
    return sorted(years)


def _target_rule(text: str):
    from foresight.mortality.forecasters import CenturyTrend, FixedTarget

    if text == "century":
        return CenturyTrend()
    if text == "all":
        return CenturyTrend(max_years=None, label="average improvement of all years to the origin")
    try:
        rate = decimal(text)
    except argparse.ArgumentTypeError:
        rate = None
    if rate is None or not 0 <= rate <= 0.1:
        raise _bad("--target-rule", f"{text!r} is neither a rule nor a plausible target",
                   "'century', 'all', or a fraction a year from 0 to 0.1 such as 0.012")
    return FixedTarget(rate, label=f"{100 * rate:g}% a year at every origin")


def backtest_methods(args: argparse.Namespace) -> list:
    """The forecasters named by ``--methods`` (checked), the ONS-style one with ``--target-rule``."""
    from foresight.mortality import forecasters as F

    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in names if m not in BACKTEST_METHODS]
    if unknown or not names:
        raise _bad("--methods", f"unknown method {unknown[0]!r}" if unknown else "no method given",
                   "comma-separated names from " + ", ".join(BACKTEST_METHODS))
    if len(set(names)) != len(names):
        raise _bad("--methods", "a method is given twice", "each method once")
    rule = _target_rule(args.target_rule)
    make = {"ons": lambda: F.ONSStyle(rule), "lee-carter": F.LeeCarter, "li-lee": F.LiLee,
            "p-spline": F.PSplineForecast, "constant": F.ConstantImprovement}
    return [make[m]() for m in names]


def run_backtest(args: argparse.Namespace) -> int:
    """``mortality backtest``: check the arguments, read the folder, back-test, write both files at once."""
    from foresight.mortality import backtest as bt
    from foresight.mortality.populations import read_hmd_folder

    origins = _origins(args.origins)
    methods = backtest_methods(args)
    if not MIN_WINDOW <= args.window <= MAX_WINDOW:
        raise _bad("--window", f"{args.window} is out of range", f"{MIN_WINDOW} to {MAX_WINDOW} years")
    if args.last_year is not None and not YEARS[0] <= args.last_year <= YEARS[1]:
        raise _bad("--last-year", f"{args.last_year} is out of range", f"a year from {YEARS[0]} to {YEARS[1]}")
    if not args.hmd.is_dir():
        raise _bad("--hmd", f"{args.hmd} is not a folder" if args.hmd.exists()
                   else f"{args.hmd} does not exist", "a folder holding " + " and ".join(FILES))
    check_output_dir(args.out, BACKTEST_OUTPUTS)
    population = read_hmd_folder(args.hmd, population=args.population)
    last = population.last_year if args.last_year is None else args.last_year
    if not population.first_year < last <= population.last_year:
        raise _bad("--last-year", f"{last} is not in the files", f"a year from {population.first_year + 1} "
                   f"to {population.last_year}")
    if origins is None:
        origins = bt.default_origins(population, window=args.window, last_year=last)
        if not origins:
            raise _bad("--origins", f"no year from 1980 on has {args.window} years of data before it and a "
                       f"later year to score in {population.first_year}-{last}",
                       "origins given with --origins, or a shorter --window")
    for t in origins:
        if t - args.window < population.first_year or t >= last:
            raise _bad("--origins", f"origin {t} needs the years {t - args.window}-{t} and a later year, "
                       f"but the files cover {population.first_year}-{last}",
                       f"origins from {population.first_year + args.window} to {last - 1}")
    table = bt.backtest(population, methods, origins, last_year=last, window=args.window)
    summary = bt.band_summary(table)
    with StagedOutputs(args.out, BACKTEST_OUTPUTS) as staged:
        table.to_csv(staged.folder / "backtest.csv", index=False, float_format="%.6f", lineterminator="\n")
        summary.to_csv(staged.folder / "summary.csv", index=False, float_format="%.4f", lineterminator="\n")
    print(f"{population.name} ({population.code}, release {population.release}): "
          f"{len(methods)} methods from {len(origins)} origins ({origins[0]}-{origins[-1]}), "
          f"years to {last}, {args.window} years of data before each origin")
    first_band = summary[summary["band"] == summary["band"].iloc[0]]
    for _, row in first_band.iterrows():
        print(f"  {row['method']}: mean absolute error in e0 {row['mae_e0']:.2f} years at "
              f"{row['band']} years ahead")
    print(f"wrote {args.out}/backtest.csv, summary.csv")
    return 0


def _run(args: argparse.Namespace) -> int:
    return run_backtest(args) if args.command == "backtest" else run_project(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m foresight mortality ...``; returns the exit status."""
    return run_command("foresight mortality", _parser(), _run, argv)
