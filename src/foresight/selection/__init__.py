"""The selection debate: mechanical vs clinical combination, quantified.

Modules
-------
debate
    The Psykologtidningen debate as validated data (contributions, claims,
    typed relations), its graph and an Argdown export.
checks
    The cited figures checked through :func:`foresight.data.compare`.
evidence
    Cited meta-analytic values (Kuncel et al. 2013; Schmidt & Hunter 1998;
    Taylor & Russell 1939) and the readings of "validity falls by 25%".
combine
    Simulated candidates, mechanical composites and a simulated clinical
    judge, with Monte Carlo validity intervals.
lens
    Brunswik's lens model with Tucker's identity, and Goldberg's model of the
    judge.
utility
    Taylor-Russell success ratios and Brogden-Cronbach-Gleser gains.
stanine
    Stanine conversions and norm-group comparisons.
derailers
    Rare destructive hires: expected value of mechanical, clinical and hybrid
    strategies and their break-even detection rates.
plots
    The chapter's figures.
"""

from foresight.selection.combine import (
    METHODS,
    Candidates,
    JudgeSpec,
    PredictorSet,
    clinical_judgements,
    composite_validity,
    correlation_for_multiple_r,
    monte_carlo_validities,
    multiple_r,
    regression_weights,
    run_pipeline,
    simulate_candidates,
    summarise_validities,
)
from foresight.selection.debate import Debate, load_debate, parse_debate, to_argdown
from foresight.selection.derailers import (
    break_even_detection,
    expected_value_per_hire,
    implied_cost_ratio,
    min_cost_for_break_even,
    strategy_values,
)
from foresight.selection.evidence import (
    build_predictor_set,
    confirmed_criteria,
    default_predictors,
    drop_readings,
    kuncel2013,
    nearest_reading,
    predictor_correlations,
    readings_of_drop,
    schmidt_hunter1998,
    taylor_russell_table,
)
from foresight.selection.lens import LensResult, lens_model
from foresight.selection.stanine import (
    STANINE_PERCENTS,
    Z_EDGES,
    normal_band_shares,
    stanine_against_norm,
    stanine_from_percentile,
    stanine_from_score,
    stanine_from_z,
    stanine_z_interval,
)
from foresight.selection.utility import (
    bcg_gain_per_hire,
    bivariate_normal_cdf,
    mean_selected_z,
    restricted_validity,
    restricted_validity_indirect,
    taylor_russell,
)

__all__ = [
    "METHODS", "Candidates", "JudgeSpec", "PredictorSet", "clinical_judgements",
    "composite_validity", "correlation_for_multiple_r", "monte_carlo_validities", "multiple_r", "regression_weights",
    "run_pipeline", "simulate_candidates", "summarise_validities",
    "Debate", "load_debate", "parse_debate", "to_argdown",
    "break_even_detection", "expected_value_per_hire", "implied_cost_ratio", "strategy_values",
    "build_predictor_set", "default_predictors", "drop_readings", "kuncel2013",
    "nearest_reading", "predictor_correlations", "readings_of_drop", "schmidt_hunter1998",
    "taylor_russell_table",
    "LensResult", "lens_model",
    "STANINE_PERCENTS", "Z_EDGES", "normal_band_shares", "stanine_against_norm",
    "stanine_from_percentile", "stanine_from_score", "stanine_from_z", "stanine_z_interval",
    "bcg_gain_per_hire", "bivariate_normal_cdf", "mean_selected_z", "restricted_validity",
    "restricted_validity_indirect", "taylor_russell", "confirmed_criteria", "min_cost_for_break_even",
]
