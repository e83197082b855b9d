"""The ONS-style projection, gathered in one namespace (a facade over its modules).

The code lives by concern:

* :mod:`foresight.mortality.ons`: the ONS 2014-based model (assumptions,
  convergence, cohort targets, :func:`project_mortality`, the Kannisto
  old-age extension);
* :mod:`foresight.mortality.uk`: the procedure on the UK's own data (HMD);
* :mod:`foresight.mortality.elt_case`: the English Life Table case study
  and the long history of the changing life table;
* :mod:`foresight.mortality.checks`: checks against ONS, realised errors,
  back-tests and sensitivities;
* :mod:`foresight.mortality.projection_plots`: the figures.

Everything listed in ``__all__`` below is importable from here as before.
"""

from foresight.mortality.checks import (
    annualised_improvement,
    improvement_uncertainty,
    ons_figures,
    ons_statements,
    power_sensitivity,
    realised_errors,
    target_sensitivity,
    uk_history_figures,
    uk_standard_population,
)
from foresight.mortality.elt_case import (
    LONG_HISTORY_ELTS,
    elt_backtest,
    elt_observed_expectancy,
    elt_smoothing_rms,
    long_history_surfaces,
    median_ages,
    smooth_elt_surfaces,
    survival_curves,
)
from foresight.mortality.ons import (
    ONS_2014_COHORT_TARGETS,
    ONS_2014_CONVERGENCE_POWER,
    OLD_AGE_RATES,
    Projection,
    ProjectionAssumptions,
    cohort_target_rates,
    convergence_weight,
    improvement_surface,
    kannisto_extend,
    project_mortality,
)
from foresight.mortality.projection_plots import (
    expectancy_figure,
    improvement_heatmap_figure,
    realised_figure,
    sensitivity_figure,
    survival_figure,
)
from foresight.mortality.uk import (
    UKRun,
    calibrate_convergence_power,
    fit_uk,
    smooth_uk,
    uk_assumptions,
    uk_expectancy,
    uk_projection,
    uk_rates,
)

__all__ = [
    "LONG_HISTORY_ELTS",
    "OLD_AGE_RATES",
    "ONS_2014_COHORT_TARGETS",
    "ONS_2014_CONVERGENCE_POWER",
    "Projection",
    "ProjectionAssumptions",
    "UKRun",
    "annualised_improvement",
    "calibrate_convergence_power",
    "cohort_target_rates",
    "convergence_weight",
    "elt_backtest",
    "elt_observed_expectancy",
    "elt_smoothing_rms",
    "expectancy_figure",
    "fit_uk",
    "improvement_heatmap_figure",
    "improvement_surface",
    "improvement_uncertainty",
    "kannisto_extend",
    "long_history_surfaces",
    "median_ages",
    "ons_figures",
    "ons_statements",
    "power_sensitivity",
    "project_mortality",
    "realised_errors",
    "realised_figure",
    "sensitivity_figure",
    "smooth_elt_surfaces",
    "smooth_uk",
    "survival_curves",
    "survival_figure",
    "target_sensitivity",
    "uk_assumptions",
    "uk_expectancy",
    "uk_history_figures",
    "uk_projection",
    "uk_rates",
    "uk_standard_population",
]
