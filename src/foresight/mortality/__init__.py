"""Mortality: life tables, historical tables, HMD files, standardised rates.

Life-table engine (:mod:`foresight.mortality.lifetable`) following the HMD
Methods Protocol v6; SOA / English Life Tables shipped by ``pymort``
(:mod:`foresight.mortality.soa`); Human Mortality Database 1x1 files
(:mod:`foresight.mortality.hmd`); age-standardised rates
(:mod:`foresight.mortality.standard`); the history of the English Life Tables
and the checks of the ONS statements (:mod:`foresight.mortality.history`,
figures in :mod:`foresight.mortality.history_plots`, imported on demand).

Conventions: ages in completed years (single-year intervals); ``mx`` central
death rates per person-year; ``qx`` probabilities in [0, 1]; schedules are
arrays of shape (ages, schedules) or DataFrames indexed by age with one column
per schedule (year, table, sex, ...).
"""

from foresight.mortality.lifetable import (
    LifeTables,
    a0_andreev_kingkade,
    a0_both_sexes,
    age_at_death_quantile,
    arriaga,
    cohort_rates,
    interquartile_range,
    keyfitz_entropy,
    life_expectancy,
    life_table_from_qx,
    life_tables,
    life_tables_from_qx,
    median_age_at_death,
    modal_age_at_death,
    period_life_table,
)
from foresight.mortality.soa import elt_life_tables, elt_tables, read_soa_table, soa_tables
from foresight.mortality.hmd import HMD_UK_FILES, hmd_example, hmd_rates, hmd_surface, hmd_uk, read_hmd
from foresight.mortality.history import (
    elt_cited_checks,
    elt_cited_figures,
    life_table_summary,
    mix_life_tables,
)
from foresight.mortality.standard import (
    age_standardised_rate,
    annual_improvement,
    european_standard_population,
)

__all__ = [
    "LifeTables",
    "a0_andreev_kingkade",
    "a0_both_sexes",
    "age_at_death_quantile",
    "age_standardised_rate",
    "annual_improvement",
    "arriaga",
    "cohort_rates",
    "elt_cited_checks",
    "elt_cited_figures",
    "elt_life_tables",
    "elt_tables",
    "european_standard_population",
    "HMD_UK_FILES",
    "hmd_example",
    "hmd_rates",
    "hmd_surface",
    "hmd_uk",
    "interquartile_range",
    "keyfitz_entropy",
    "life_expectancy",
    "life_table_summary",
    "life_table_from_qx",
    "life_tables",
    "life_tables_from_qx",
    "median_age_at_death",
    "mix_life_tables",
    "modal_age_at_death",
    "period_life_table",
    "read_hmd",
    "read_soa_table",
    "soa_tables",
]

# Helper B (issue 4) appends its exports below this line.
from foresight.mortality.pspline import (  # noqa: E402
    PSplineFit,
    fit_pspline_1d,
    fit_pspline_2d,
    fit_pspline_2d_gaussian,
)

__all__ += ["PSplineFit", "fit_pspline_1d", "fit_pspline_2d", "fit_pspline_2d_gaussian"]
from foresight.mortality.projection import (  # noqa: E402
    ONS_2014_COHORT_TARGETS,
    Projection,
    ProjectionAssumptions,
    cohort_target_rates,
    convergence_weight,
    improvement_surface,
    project_mortality,
    smooth_elt_surfaces,
)

__all__ += [
    "ONS_2014_COHORT_TARGETS",
    "Projection",
    "ProjectionAssumptions",
    "cohort_target_rates",
    "convergence_weight",
    "improvement_surface",
    "project_mortality",
    "smooth_elt_surfaces",
]
from foresight.mortality.leecarter import LeeCarterFit, fit_lee_carter  # noqa: E402
from foresight.mortality.projection import (  # noqa: E402
    annualised_improvement,
    elt_backtest,
    improvement_uncertainty,
    kannisto_extend,
    ons_figures,
    target_sensitivity,
)

from foresight.mortality.uk import (  # noqa: E402
    UKRun,
    calibrate_convergence_power,
    fit_uk,
    smooth_uk,
    uk_expectancy,
    uk_projection,
    uk_rates,
)
from foresight.mortality.checks import (  # noqa: E402
    ons_statements,
    realised_errors,
    uk_history_figures,
)

__all__ += [
    "UKRun",
    "calibrate_convergence_power",
    "fit_uk",
    "ons_statements",
    "realised_errors",
    "smooth_uk",
    "uk_expectancy",
    "uk_history_figures",
    "uk_projection",
    "uk_rates",
]

__all__ += [
    "LeeCarterFit",
    "annualised_improvement",
    "elt_backtest",
    "fit_lee_carter",
    "improvement_uncertainty",
    "kannisto_extend",
    "ons_figures",
    "target_sensitivity",
]
from foresight.mortality.pspline import simulate_deaths  # noqa: E402

__all__ += ["simulate_deaths"]
