"""Command line: ``python -m foresight sle survey.csv``.

Reads a survey file in the documented format (see ``data/sle/README.md``),
runs the paper's pipeline and prints the exclusion flow table, the headline
statistics and the four regression models in Table 2's layout. Arguments are
checked before the file is read; a malformed file or argument is reported in
one line naming the file, line and column (or the option), with exit status 2;
any other failure has status 1 (see :mod:`foresight.commands`).
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from foresight.commands import decimal, run_command
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
    p.add_argument("--min-minutes", type=decimal, default=15.0,
                   help="minimum completion time in minutes, from 0 to 10080 (default 15, as in "
                        "the paper); 0 keeps everyone")
    p.add_argument("--sensitivity", action="store_true",
                   help="also print the sensitivity of the headline gap to the exclusion rules")
    return p


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse arguments outside their documented range, before the file is read."""
    from foresight.sle.survey import MAX_MINUTES

    if not 0 <= args.min_minutes <= MAX_MINUTES:
        raise DataError(f"{args.min_minutes:g} minutes is out of range", row="--min-minutes",
                        row_label="option",
                        expected=f"a number of minutes from 0 to {MAX_MINUTES:g}")


def main(argv: list[str] | None = None) -> int:
    """Run the pipeline on a file; return the exit status (0 ok, 2 bad input, 1 failure)."""
    return run_command("foresight sle", _parser(), run, argv)


def run(args: argparse.Namespace) -> int:
    """The command's work once the arguments are parsed; raises DataError for bad input."""
    from foresight.sle.cascade import CascadeOptions
    from foresight.sle.pipeline import analyse
    from foresight.sle.survey import read_survey

    check_arguments(args)
    survey = read_survey(args.survey)
    if len(survey) == 0:
        raise DataError("the file has a header but no respondents", file=args.survey, row=2,
                        expected="one row per respondent after the header")
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
