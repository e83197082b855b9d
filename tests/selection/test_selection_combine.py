"""Simulated combination: population algebra, determinism, known cases."""

import numpy as np
import pytest

from foresight.selection import (
    METHODS,
    JudgeSpec,
    PredictorSet,
    clinical_judgements,
    composite_validity,
    default_predictors,
    monte_carlo_validities,
    multiple_r,
    regression_weights,
    run_pipeline,
    schmidt_hunter1998,
    simulate_candidates,
    summarise_validities,
)

TWO = PredictorSet(("a", "b"), np.array([0.5, 0.3]), np.array([[1.0, 0.2], [0.2, 1.0]]))
JUDGE = JudgeSpec(weights=(1.0, 1.0), weight_sd=0.3, noise_sd=0.5, configural=0.2, irrelevant=0.3)


def test_two_predictor_regression_by_hand():
    # b = R^-1 v: (0.5 - 0.2*0.3)/(1 - 0.04) = 0.458333, (0.3 - 0.2*0.5)/0.96 = 0.208333
    np.testing.assert_allclose(regression_weights(TWO.validities, TWO.correlations),
                               [0.4583333, 0.2083333], atol=1e-7)
    # R^2 = b'v = 0.229167 + 0.0625 = 0.291667
    assert multiple_r(TWO.validities, TWO.correlations) == pytest.approx(np.sqrt(0.2916667), abs=1e-7)
    # unit weights: (0.5 + 0.3)/sqrt(2 + 0.4)
    assert composite_validity([1, 1], TWO.validities, TWO.correlations) == pytest.approx(0.8 / np.sqrt(2.4))


def test_schmidt_hunter_multiple_r_reproduced_with_zero_intercorrelation():
    sh = schmidt_hunter1998().set_index("predictor")
    g = sh.loc["general mental ability", "validity"]
    for name in ("conscientiousness", "reference checks", "integrity test"):
        v = sh.loc[name, "validity"]
        r = multiple_r([g, v], np.eye(2))
        assert round(r, 2) == pytest.approx(sh.loc[name, "multiple_r_with_gma"])


def test_correlation_for_multiple_r_inverts_the_formula():
    from foresight.selection import correlation_for_multiple_r

    # hand: a = b = 0.51, R = 0.63: roots (0.2601 -+ 0.1368) / 0.3969 = 0.3107 and 1.0
    assert correlation_for_multiple_r(0.51, 0.51, 0.63) == pytest.approx(0.31066, abs=1e-5)
    for a, b, r in ((0.51, 0.38, 0.37), (0.4, 0.3, -0.2), (0.6, 0.2, 0.0)):
        R = multiple_r([a, b], [[1, r], [r, 1]])
        assert correlation_for_multiple_r(a, b, R) == pytest.approx(r, abs=1e-10)
    with pytest.raises(ValueError):
        correlation_for_multiple_r(0.5, 0.5, 0.3)  # R below a validity


def test_solved_correlations_in_the_data_solve_the_published_r():
    """Each correlation marked 'solved' is the solution, rounded as stored, of its published R."""
    from foresight.selection import correlation_for_multiple_r
    from foresight.selection.checks import gma_correlations

    sh = schmidt_hunter1998().set_index("predictor")
    g = sh.loc["general mental ability", "validity"]
    corr = gma_correlations()
    solved = corr[corr["basis"] == "solved"]
    assert set(solved.index) == {"structured interview", "unstructured interview"}
    for name, row in solved.iterrows():
        r = correlation_for_multiple_r(g, sh.loc[name, "validity"], sh.loc[name, "multiple_r_with_gma"])
        assert round(r, 2) == pytest.approx(row["r"])


def test_default_predictors_reproduce_published_r_for_interview():
    p = default_predictors()
    sub = p.subset(["general mental ability", "structured interview"])
    assert round(multiple_r(sub.validities, sub.correlations), 2) == 0.63


def test_invalid_correlation_matrix_rejected():
    with pytest.raises(ValueError, match="positive-definite"):
        PredictorSet(("a", "b"), np.array([0.9, 0.9]), np.array([[1.0, -0.5], [-0.5, 1.0]]))


def test_simulated_population_moments():
    c = simulate_candidates(300_000, TWO, seed=4)
    joint = np.corrcoef(np.column_stack([c.X, c.Y]).T)
    np.testing.assert_allclose(joint, TWO.joint_correlation(), atol=0.006)


def test_simulation_is_deterministic_under_a_seed():
    a = monte_carlo_validities(TWO, JUDGE, n_candidates=80, n_reps=30, calibration_n=40, seed=99)
    b = monte_carlo_validities(TWO, JUDGE, n_candidates=80, n_reps=30, calibration_n=40, seed=99)
    c = monte_carlo_validities(TWO, JUDGE, n_candidates=80, n_reps=30, calibration_n=40, seed=100)
    assert a.equals(b)
    assert not a.equals(c)
    p1 = run_pipeline(10_000, TWO, JUDGE, seed=3)
    p2 = run_pipeline(10_000, TWO, JUDGE, seed=3)
    assert p1 == p2
    j1 = clinical_judgements(simulate_candidates(50, TWO, 1), JUDGE, 2)
    j2 = clinical_judgements(simulate_candidates(50, TWO, 1), JUDGE, 2)
    np.testing.assert_array_equal(j1, j2)


def test_consistent_judge_with_regression_weights_equals_the_formula():
    b = tuple(regression_weights(TWO.validities, TWO.correlations))
    c = simulate_candidates(20_000, TWO, seed=8)
    J = clinical_judgements(c, JudgeSpec(weights=b))
    np.testing.assert_allclose(J, c.X @ np.array(b))


def test_noisy_judge_validity_matches_attenuation_formula():
    # J = w'X + noise: validity = w'v / sqrt(w'Rw + s^2)
    w, s = np.array([1.0, 1.0]), 1.2
    expected = w @ TWO.validities / np.sqrt(w @ TWO.correlations @ w + s**2)
    res = run_pipeline(400_000, TWO, JudgeSpec(weights=(1.0, 1.0), noise_sd=s), seed=2)
    assert res["r_a"] == pytest.approx(expected, abs=0.004)
    assert res["regression"] == pytest.approx(multiple_r(TWO.validities, TWO.correlations), abs=0.004)


def test_insight_lets_the_judge_beat_the_formula():
    # a consistent judge with the regression weights plus access to the residual
    b = tuple(regression_weights(TWO.validities, TWO.correlations))
    res = run_pipeline(200_000, TWO, JudgeSpec(weights=b, insight=0.3), seed=5)
    assert res["r_a"] > res["regression"]
    assert res["C"] > 0.9  # the judge's residual is the criterion residual


def test_monte_carlo_summary_shape_and_order():
    d = monte_carlo_validities(TWO, JUDGE, n_candidates=100, n_reps=50, calibration_n=50, seed=1)
    s = summarise_validities(d)
    assert list(s.index) == list(METHODS)
    assert (s["lower"] <= s["mean"]).all() and (s["mean"] <= s["upper"]).all()
    assert (s["reps"] == 50).all()
    assert s.loc["regression weights (population)", "mean"] > s.loc["clinical judge", "mean"]


def test_inconsistent_weights_validity_matches_formula():
    # weights w + sd*eps per candidate: var(J) = w'Rw + sd^2 * E|x|^2 = w'Rw + k sd^2
    w, sd = np.array([1.0, 0.5]), 0.8
    expected = w @ TWO.validities / np.sqrt(w @ TWO.correlations @ w + 2 * sd**2)
    res = run_pipeline(400_000, TWO, JudgeSpec(weights=tuple(w), weight_sd=sd), seed=6)
    assert res["r_a"] == pytest.approx(expected, abs=0.004)


def test_report_helpers():
    import pandas as pd

    from foresight.selection.report import break_even_insight, norm_shift_table

    curve = pd.DataFrame({"insight": [0.0, 0.1, 0.2], "judge": [0.5, 0.6, 0.8], "formula": [0.7, 0.7, 0.7]})
    # gap -0.1 at 0.1 and +0.1 at 0.2: crossing half-way, 0.15
    assert break_even_insight(curve) == pytest.approx(0.15)
    t = norm_shift_table([1.0], [1.0])
    # population stanine 5 (z in [-0.25, 0.25)) against a group one SD higher: z' in [-1.25, -0.75) -> 3
    assert t.loc[0, "pop5_vs_group_low"] == 3 and t.loc[0, "pop5_vs_group_high"] == 3
    # the group's stanine 5 is population z in [0.75, 1.25): stanine 7
    assert t.loc[0, "group5_vs_pop_low"] == 7 and t.loc[0, "group5_vs_pop_high"] == 7
