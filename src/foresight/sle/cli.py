"""Command line: ``python -m foresight sle survey.csv``.

Reads a survey file in the documented format (see ``data/sle/README.md``),
runs the paper's pipeline and prints the exclusion flow table, the headline
statistics and the four regression models in Table 2's layout. Malformed
files are reported in one line naming the file, line and column, with exit
status 2.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from foresight.errors import DataError

_HEADLINE_LABELS = {
    "n": "analysis sample (respondents)",
    "mean_sle": "mean SLE point estimate (years)",
    "sd_sle": "SD of SLE point estimate (years)",
    "mean_ssp_pe": "mean SSP point estimate (years)",
    "sd_ssp_pe": "SD of SSP point estimate (years)",
    "mean_diff": "mean SSP minus SLE point estimate (years)",
    "sd_diff": "SD of the difference (years)",
    "corr": "correlation of the two point estimates",
    "certainty": "mean certainty score (%)",
    "mean_ssp60": "mean SSP at target age 60 (%)",
    "mean_ssp100": "mean SSP at target age 100 (%)",
    "share_sle_tens": "SLE answers that are multiples of 10 (%)",
    "share_sle_fives": "SLE answers that are multiples of 5 (%)",
    "share_sle_80": "SLE answers of exactly 80 (%)",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m foresight sle",
        description="Subjective life expectancy pipeline of Rappange, van Exel & Brouwer (2017) "
                    "on a survey CSV file.",
    )
    p.add_argument("survey", help="survey CSV file (format: data/sle/README.md)")
    p.add_argument("--min-minutes", type=float, default=15.0,
                   help="minimum completion time in minutes (default 15, as in the paper)")
    p.add_argument("--sensitivity", action="store_true",
                   help="also print the sensitivity of the headline gap to the exclusion rules")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline on a file; return the exit status (0 ok, 2 bad input)."""
    from foresight.sle.cascade import CascadeOptions
    from foresight.sle.pipeline import analyse
    from foresight.sle.survey import read_survey

    args = _parser().parse_args(argv)
    try:
        survey = read_survey(args.survey)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if len(survey) == 0:
        print(f"error: {args.survey}: the file has a header but no respondents", file=sys.stderr)
        return 2
    result = analyse(survey, CascadeOptions(min_minutes=args.min_minutes))
    out = sys.stdout
    with pd.option_context("display.width", 120, "display.max_columns", 20,
                           "display.max_colwidth", 60):
        print(f"Exclusion cascade ({args.survey})", file=out)
        print(result.flow[["step", "label", "excluded", "remaining"]].to_string(index=False), file=out)
        print(file=out)
        n_kept = int(result.headline["n"])
        if n_kept < 3:
            print(f"Only {n_kept} respondents remain: too few for the headline statistics.",
                  file=out)
            return 0
        print("Headline statistics", file=out)
        h = result.headline
        for key, label in _HEADLINE_LABELS.items():
            value = h[key]
            text = f"{value:.0f}" if key == "n" else f"{value:.2f}"
            print(f"  {label:<45s} {text:>8s}", file=out)
        print(file=out)
        if result.fits:
            print("OLS models 1-4 (robust HC1 standard errors in parentheses; "
                  "*** p<.01, ** p<.05, * p<.10)", file=out)
            print(result.table2().to_string(index=False), file=out)
        else:
            print(f"Models not estimated: {result.model_problem}", file=out)
        if args.sensitivity:
            from foresight.sle.sensitivity import sensitivity

            print(file=out)
            print("Sensitivity of the gap (SSP minus SLE point estimate, years)", file=out)
            print(sensitivity(survey).round(2).to_string(index=False), file=out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
