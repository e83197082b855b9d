"""The whole analysis of the paper in one call: cascade, estimates, statistics, models."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from foresight.errors import DataError
from foresight.results import summary_text

from foresight.sle.cascade import CascadeOptions, CascadeResult, apply_cascade
from foresight.sle.describe import add_estimates, headline, mean_ssp_by_age, rounding_table
from foresight.sle.models import ModelFit, fit_table2, table2


@dataclass(frozen=True)
class SLEAnalysis:
    """Results of :func:`analyse`.

    Attributes
    ----------
    cascade
        The exclusion cascade (flow table, per-respondent rule, kept rows).
    sample
        The analysis sample with ``ssp_pe``, ``certainty``, ``sle_minus_ssp``.
    headline
        Headline statistics (see :func:`foresight.sle.describe.headline`).
    rounding
        Shares of rounded and focal answers per question.
    ssp_by_age
        Mean and SD of the SSP answers per target age.
    fits
        Models 1-4 (HC1 standard errors, t inference); empty when the models
        cannot be estimated on this sample (``model_problem`` says why).
    """

    cascade: CascadeResult
    sample: pd.DataFrame
    headline: pd.Series
    rounding: pd.DataFrame
    ssp_by_age: pd.DataFrame
    fits: dict[int, ModelFit]
    model_problem: str = ""

    @property
    def flow(self) -> pd.DataFrame:
        return self.cascade.flow

    def table2(self) -> pd.DataFrame:
        """Table-2-shaped text table of the four models."""
        return table2(self.fits)

    def to_frame(self) -> pd.DataFrame:
        """The headline statistics, tidy: ``statistic, value`` (keys of :func:`headline`)."""
        return self.headline.rename_axis("statistic").reset_index(name="value")

    def summary(self) -> str:
        """Sample sizes, the two point estimates, their gap and the models."""
        h = self.headline
        return summary_text(
            f"SLE analysis: {int(self.flow['remaining'].iloc[0]):,} respondents, "
            f"{int(h['n']):,} analysed",
            {"mean SLE point estimate (years)": float(h["mean_sle"]),
             "mean SSP point estimate (years)": float(h["mean_ssp_pe"]),
             "mean gap, SSP minus SLE (years)": float(h["mean_diff"]),
             "correlation of the two": float(h["corr"]),
             "mean certainty score (%)": float(h["certainty"]),
             "models fitted": len(self.fits) if self.fits else self.model_problem or 0},
        )


def analyse(survey: pd.DataFrame, options: CascadeOptions = CascadeOptions()) -> SLEAnalysis:
    """Run the paper's pipeline on a validated survey table.

    Parameters
    ----------
    survey
        As returned by :func:`foresight.sle.read_survey` or
        :func:`foresight.sle.synthetic_cohort`.
    options
        Cascade thresholds (the paper's by default).
    """
    casc = apply_cascade(survey, options)
    sample = add_estimates(casc.kept)
    try:
        fits, problem = fit_table2(sample), ""
    except DataError as exc:
        fits, problem = {}, str(exc)
    return SLEAnalysis(
        cascade=casc,
        sample=sample,
        headline=headline(sample),
        rounding=rounding_table(sample),
        ssp_by_age=mean_ssp_by_age(sample),
        fits=fits,
        model_problem=problem,
    )
