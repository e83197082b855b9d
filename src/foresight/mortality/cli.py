"""``python -m foresight mortality project --hmd DIR``: smooth and project HMD data.

Reads ``Deaths_1x1.txt`` and ``Exposures_1x1.txt`` from a Human Mortality
Database country folder, fits the Poisson P-spline with overdispersion to each
sex (:func:`~foresight.mortality.pspline.fit_pspline_2d`), extends the
smoothed rates above the top age with the Kannisto model, projects them with
the ONS-style assumptions (:func:`~foresight.mortality.projection.project_mortality`)
and writes tidy CSV files and a heat map:

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
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError

SEXES = ("male", "female")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m foresight mortality",
        description="Smooth (2-D Poisson P-spline) and project (ONS 2014-based method) HMD mortality data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("project", help="smooth and project an HMD country folder")
    p.add_argument("--hmd", required=True, type=Path, help="folder with Deaths_1x1.txt and Exposures_1x1.txt")
    p.add_argument("--out", type=Path, default=Path("mortality-projection"), help="output folder")
    p.add_argument("--base-year", type=int, default=None,
                   help="first projected year (default: the year after the last data year)")
    p.add_argument("--target", type=float, default=0.012,
                   help="long-term improvement target, a fraction a year (default 0.012)")
    p.add_argument("--first-year", type=int, default=None, help="first data year used (default: all)")
    p.add_argument("--max-age", type=int, default=100, help="top age of the smoothing (default 100)")
    p.add_argument("--trim-years", type=int, default=2,
                   help="last smoothed years not used for the initial improvement rates, which the "
                        "end of a P-spline fit makes unstable (ONS: data to 2013, rates at 2011; default 2)")
    p.add_argument("--extend-to", type=int, default=110, help="top age of the life tables (Kannisto; default 110)")
    return parser


def _surfaces(folder: Path, first_year: int | None, max_age: int) -> tuple[dict, dict]:
    from foresight.mortality.hmd import hmd_surface, read_hmd

    deaths = read_hmd(folder / "Deaths_1x1.txt")
    exposures = read_hmd(folder / "Exposures_1x1.txt")
    if deaths.attrs.get("kind") != "deaths":
        raise DataError("Deaths_1x1.txt is not an HMD deaths file", file=folder / "Deaths_1x1.txt", row=1)
    if exposures.attrs.get("kind") != "exposures":
        raise DataError("Exposures_1x1.txt is not an HMD exposures file", file=folder / "Exposures_1x1.txt", row=1)
    d_out, e_out = {}, {}
    for sex in SEXES:
        d = hmd_surface(deaths, sex)
        e = hmd_surface(exposures, sex)
        if not (d.index.equals(e.index) and d.columns.equals(e.columns)):
            raise DataError("deaths and exposures cover different years or ages",
                            file=folder / "Exposures_1x1.txt", expected="the same years and ages as the deaths")
        if d.index.max() < max_age:
            raise DataError(f"the files stop at age {d.index.max()}", file=folder / "Deaths_1x1.txt",
                            column="Age", expected=f"ages up to at least {max_age}")
        keep_years = d.columns >= (first_year if first_year is not None else d.columns.min())
        d_out[sex] = d.loc[0:max_age, keep_years]
        e_out[sex] = e.loc[0:max_age, keep_years]
        if d_out[sex].shape[1] < 5:
            raise DataError("fewer than 5 years of data", file=folder / "Deaths_1x1.txt", column="Year",
                            expected="at least 5 years")
    return d_out, e_out


def run_project(args: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from foresight.mortality.pspline import fit_pspline_2d
    from foresight.mortality.projection import (
        ProjectionAssumptions,
        improvement_heatmap_figure,
        kannisto_extend,
        project_mortality,
    )

    if args.trim_years < 0:
        raise DataError("--trim-years must be 0 or more", column="--trim-years")
    if not 0 <= args.target <= 0.1:
        raise DataError(f"--target {args.target} is implausible", column="--target",
                        expected="a fraction a year between 0 and 0.1 (0.012 = 1.2%)")
    deaths, exposures = _surfaces(args.hmd, args.first_year, args.max_age)
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
        smooth[sex] = kannisto_extend(surface, to_age=args.extend_to, fit_ages=(80, args.max_age))
    last_data = int(deaths["male"].columns[-1])
    base = last_data + 1 if args.base_year is None else args.base_year
    assumptions = ProjectionAssumptions(base_year=base).with_target(args.target)
    end = max(assumptions.end_year, base + 100)
    assumptions = ProjectionAssumptions(**{**assumptions.__dict__, "end_year": end})
    projection = project_mortality(smooth, assumptions)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    projection.to_frame().to_csv(out / "projected_rates.csv", index=False)
    years = np.arange(int(projection.years[0]), int(projection.years[-1]) + 1)
    top = int(projection.ages[-1])
    rows = []
    per0 = projection.period_expectancy(0)
    per65 = projection.period_expectancy(65)
    first = int(projection.years[0])
    births = years[years + top <= years[-1]]
    at65 = years[(years >= first) & (years + top - 65 <= years[-1])]
    coh0 = projection.cohort_expectancy(0, births)
    coh65 = projection.cohort_expectancy(65, at65)
    for sex in SEXES:
        frame = pd.DataFrame({"sex": sex, "year": years, "period_e0": per0[sex].to_numpy(),
                              "period_e65": per65[sex].to_numpy()})
        frame["cohort_e0"] = coh0[sex].reindex(years).to_numpy()
        frame["cohort_e65"] = coh65[sex].reindex(years).to_numpy()
        rows.append(frame)
    pd.concat(rows, ignore_index=True).to_csv(out / "life_expectancy.csv", index=False, float_format="%.4f")
    pd.DataFrame([{"sex": s, "lambda_age": f.lambdas[0], "lambda_year": f.lambdas[1],
                   "effective_dim": f.effective_dim, "overdispersion": f.overdispersion, "bic": f.bic}
                  for s, f in fits.items()]).to_csv(out / "smoothing.csv", index=False)
    fig = improvement_heatmap_figure(projection, first_year=first + 1,
                                     last_year=min(int(years[-1]), assumptions.target_year + 25),
                                     max_age=min(args.max_age, top))
    fig.savefig(out / "improvement_heatmap.png", metadata={"Software": None})
    plt.close(fig)
    e0 = per0.loc[base]
    print(f"smoothed {deaths['male'].shape[1]} years x {deaths['male'].shape[0]} ages per sex; "
          f"initial improvement from {projection.last_data_year}, base year {base}, "
          f"target {args.target:.2%} in {assumptions.target_year}")
    print(f"period e0 in {base}: males {e0['male']:.2f}, females {e0['female']:.2f}")
    print(f"wrote {out}/projected_rates.csv, life_expectancy.csv, smoothing.csv, improvement_heatmap.png")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m foresight mortality ...``; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    if args.command == "project":
        return run_project(args)
    return 2  # pragma: no cover - argparse requires a command
