"""Lens model: Tucker's identity, known structure, model of the judge."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foresight.selection import lens_model


def _sample(seed, n=500, k=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    Y = X @ rng.uniform(-1, 1, k) + rng.standard_normal(n)
    J = X @ rng.uniform(-1, 1, k) + 0.5 * rng.standard_normal(n) + 0.3 * (Y - X.sum(1)) + X[:, 0] ** 2
    return J, Y, X


@settings(max_examples=40)
@given(st.integers(0, 10_000), st.integers(20, 300), st.integers(1, 5))
def test_tucker_identity_exact_on_the_sample(seed, n, k):
    J, Y, X = _sample(seed, n, k)
    res = lens_model(J, Y, X)
    assert res.r_a == pytest.approx(res.G * res.Re * res.Rs
                                    + res.C * np.sqrt(1 - res.Re**2) * np.sqrt(1 - res.Rs**2), abs=1e-10)
    assert res.tucker == pytest.approx(res.r_a, abs=1e-10)


def test_lens_on_known_structure():
    rng = np.random.default_rng(11)
    n = 200_000
    X = rng.standard_normal((n, 2))
    Y = X @ np.array([0.6, 0.0]) + 0.8 * rng.standard_normal(n)  # Re = 0.6
    J = X @ np.array([0.0, 1.0]) + rng.standard_normal(n)  # Rs = 1/sqrt(2), uses only cue 2
    res = lens_model(J, Y, X)
    assert res.Re == pytest.approx(0.6, abs=0.005)
    assert res.Rs == pytest.approx(1 / np.sqrt(2), abs=0.005)
    assert res.G == pytest.approx(0.0, abs=0.01)
    assert res.r_a == pytest.approx(0.0, abs=0.01)
    assert res.environment_weights[0] == pytest.approx(0.6, abs=0.01)


def test_model_of_the_judge_beats_an_inconsistent_judge():
    rng = np.random.default_rng(5)
    n = 100_000
    X = rng.standard_normal((n, 3))
    Y = X @ np.array([0.4, 0.3, 0.2]) + rng.standard_normal(n) * 0.8
    J = X @ np.array([0.35, 0.35, 0.2]) + rng.standard_normal(n)  # noisy, no insight
    res = lens_model(J, Y, X)
    assert abs(res.C) < 0.02
    assert res.model_of_judge_validity > res.r_a
    # Goldberg's bootstrapping validity equals corr(judge model, Y) = G * Re
    Xc = X - X.mean(0)
    js = Xc @ np.array(res.judge_weights)
    assert np.corrcoef(js, Y)[0, 1] == pytest.approx(res.model_of_judge_validity, abs=1e-10)


@settings(max_examples=30)
@given(st.integers(0, 10_000), st.integers(20, 300), st.integers(1, 5))
def test_judge_correlates_with_the_formula_at_g_times_rs(seed, n, k):
    """corr(J, the regression formula's prediction) computed from n-vectors equals G * Rs."""
    J, Y, X = _sample(seed, n, k)
    res = lens_model(J, Y, X)
    Xc = X - X.mean(0)
    formula = Xc @ np.array(res.environment_weights)
    assert np.corrcoef(J, formula)[0, 1] == pytest.approx(res.formula_correlation, abs=1e-9)


def test_lens_input_checks():
    with pytest.raises(ValueError, match="same cases"):  # the criterion is short
        lens_model(np.zeros(5), np.zeros(4), np.zeros((5, 1)))
    with pytest.raises(ValueError, match="same cases"):  # the judgements are short
        lens_model(np.zeros(4), np.zeros(5), np.zeros((5, 1)))
    with pytest.raises(ValueError):
        lens_model(np.zeros(3), np.zeros(3), np.zeros((3, 2)))


def test_two_regressions_need_more_cases_than_cues_plus_two():
    """With k cues, k + 2 cases leave no residual degree of freedom: refused; k + 3 works."""
    J, Y, X = _sample(3, n=40, k=2)
    with pytest.raises(ValueError, match="more cases than cues"):
        lens_model(J[:4], Y[:4], X[:4])
    assert np.isfinite(lens_model(J[:5], Y[:5], X[:5]).r_a)


def test_a_judge_who_is_a_linear_function_of_the_cues_has_no_residual_knowledge():
    """Rs = 1: C is undefined (zero residual variance), and Tucker's identity still holds."""
    _, Y, X = _sample(8, n=300, k=3)
    J = 3.0 + X @ np.array([0.5, -0.2, 0.9])
    res = lens_model(J, Y, X)
    assert res.Rs == pytest.approx(1.0, abs=1e-12)
    assert np.isnan(res.C) and res.residual_component == 0.0
    assert res.tucker == pytest.approx(res.r_a, abs=1e-10)
    # the same for a criterion that is exactly linear in the cues
    res = lens_model(Y, 1.0 + X @ np.array([0.2, 0.3, 0.4]), X)
    assert res.Re == pytest.approx(1.0, abs=1e-12) and np.isnan(res.C)


def test_statistics_do_not_depend_on_the_scale_of_judgements_and_criterion():
    """Correlations are scale-free: judgements and criterion in thousandths give the same C."""
    J, Y, X = _sample(21, n=300, k=2)
    a, b = lens_model(J, Y, X), lens_model(J * 1e-3, Y * 1e-3, X)
    for name in ("r_a", "G", "Re", "Rs", "C"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), rel=1e-9), name
    assert np.isfinite(b.C)


def test_results_are_immutable():
    import dataclasses

    res = lens_model(*_sample(1, n=50, k=2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.C = 0.0


def test_lens_statistics_match_explicit_regressions():
    J, Y, X = _sample(42, n=400, k=3)
    res = lens_model(J, Y, X)
    A = np.column_stack([np.ones(len(J)), X])
    js = A @ np.linalg.lstsq(A, J, rcond=None)[0]
    ye = A @ np.linalg.lstsq(A, Y, rcond=None)[0]
    corr = lambda a, b: np.corrcoef(a, b)[0, 1]  # noqa: E731
    assert res.Rs == pytest.approx(corr(J, js), abs=1e-10)
    assert res.Re == pytest.approx(corr(Y, ye), abs=1e-10)
    assert res.G == pytest.approx(corr(js, ye), abs=1e-10)
    assert res.C == pytest.approx(corr(J - js, Y - ye), abs=1e-10)
    assert res.r_a == pytest.approx(corr(J, Y), abs=1e-12)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_a_judge_linear_in_the_cues_leaves_c_undefined_at_any_scale(scale):
    """The residual test is relative: a judge who is an exact linear function of the cues has
    no residual to correlate, whatever the unit of the judgements."""
    rng = np.random.default_rng(5)
    cues = rng.normal(size=(400, 3))
    y = cues @ [0.5, 0.3, 0.1] + rng.normal(size=400)
    j = scale * (cues @ [0.4, 0.4, 0.2] + 3.0)
    res = lens_model(j, y, cues)
    assert np.isnan(res.C) and res.Rs == pytest.approx(1.0)
    noisy = lens_model(j + scale * 0.5 * rng.normal(size=400), y, cues)
    assert np.isfinite(noisy.C)


@pytest.mark.parametrize("scale", [1e-6, 1e6])
def test_c_does_not_depend_on_the_unit_of_the_criterion(scale):
    """The residual test is relative for the criterion too: a criterion in millionths (or in
    millions) gives the same C as the original, not an undefined one."""
    J, Y, X = _sample(21, n=300, k=2)
    a, b = lens_model(J, Y, X), lens_model(J, scale * Y, X)
    assert np.isfinite(b.C) and b.C == pytest.approx(a.C, rel=1e-9)
