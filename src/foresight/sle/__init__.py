"""Subjective life expectancy: the elicitation maths of Rappange, van Exel & Brouwer (2017).

Public API
----------
Reading data
    :data:`SURVEY_SPEC`, :func:`read_survey`, :func:`parse_survey`,
    :func:`write_survey`, :data:`TARGET_AGES`.
The paper's algorithms
    :func:`ssp_point_estimate` (footnote 3), :func:`certainty_score`
    (footnote 4), :func:`apply_cascade` (exclusion rules in the paper's
    order), :func:`rounding_table`, :func:`whipple_index`,
    :func:`myers_index`, :func:`headline`, :func:`fit_table2` /
    :func:`table2` (OLS with HC1 errors), :func:`analyse` (everything).
Synthetic data
    :func:`synthetic_cohort` (calibrated to the published figures) and
    :func:`calibration_basis` (which comparisons on it are calibration checks).
Comparisons (through :func:`foresight.data.compare`)
    :func:`flow_comparison`, :func:`headline_comparison`,
    :func:`table1_comparison`, :func:`table2_comparison`.
The actuarial benchmark (submodules, imported on demand)
    :mod:`foresight.sle.dutch` (observed Dutch mortality from the HMD, Kannisto
    graduation, the improvement rule, :class:`~foresight.sle.dutch.DutchBenchmark`),
    :mod:`foresight.sle.benchmark` (survival, ages at death, variants and the
    realised check for any benchmark) and :mod:`foresight.sle.actuarial` (the
    earlier benchmark on the 1989-93 tables, with its graduation checks).
"""

from foresight.sle.cascade import (
    CascadeOptions,
    CascadeResult,
    apply_cascade,
    flow_vs_published,
)
from foresight.sle.compare import (
    flow_comparison,
    flow_figures,
    headline_comparison,
    published_star_check,
    published_table2_long,
    sign_agreement,
    table2_side_by_side,
    table1,
    table1_comparison,
    table2_comparison,
    table2_figures,
)
from foresight.sle.describe import (
    add_estimates,
    headline,
    heaping,
    worked_examples,
    mean_ssp_by_age,
    modal_answers,
    myers_index,
    rounding_table,
    share_multiple,
    whipple_index,
)
from foresight.sle.elicitation import Estimate, certainty_score, interpolate_ssp, ssp_point_estimate
from foresight.sle.models import design_matrix, fit_model, fit_table2, hc1_covariance, table2, table2_long
from foresight.sle.pipeline import SLEAnalysis, analyse
from foresight.sle.survey import (
    SSP_COLUMNS,
    SURVEY_SPEC,
    TARGET_AGES,
    example_survey,
    parse_survey,
    read_survey,
)
from foresight.sle.synthetic import SyntheticParams, calibration_basis, synthetic_cohort, write_survey

__all__ = [
    "CascadeOptions", "CascadeResult", "Estimate", "SLEAnalysis", "SSP_COLUMNS", "SURVEY_SPEC",
    "SyntheticParams", "TARGET_AGES", "add_estimates", "analyse", "apply_cascade", "calibration_basis",
    "certainty_score", "design_matrix", "example_survey", "flow_comparison", "flow_figures", "fit_model", "fit_table2", "flow_vs_published",
    "hc1_covariance", "headline", "heaping", "published_star_check", "published_table2_long", "sign_agreement",
    "table2_side_by_side", "worked_examples", "headline_comparison", "interpolate_ssp", "mean_ssp_by_age",
    "modal_answers", "myers_index", "parse_survey", "read_survey", "rounding_table", "share_multiple",
    "ssp_point_estimate", "synthetic_cohort", "table1", "table1_comparison", "table2",
    "table2_comparison", "table2_figures", "table2_long", "whipple_index", "write_survey",
]
