"""Table 2 models: HC1 equals a hand-computed sandwich; t(n - k) inference; layout."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from foresight.data import published
from foresight.sle import add_estimates, apply_cascade, design_matrix, fit_model, fit_table2, hc1_covariance, synthetic_cohort, table2
from foresight.sle.models import TERMS, stars


@pytest.fixture(scope="module")
def sample():
    return add_estimates(apply_cascade(synthetic_cohort(n=600, seed=11)).kept)


def test_hc1_equals_hand_sandwich(sample):
    fit = fit_model(sample, 1)
    r = fit.results
    X = r.model.exog
    y = r.model.endog
    n, k = X.shape
    # hand computation, element by element of the definition
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ beta
    bread = np.linalg.inv(X.T @ X)
    meat = sum(np.outer(X[i], X[i]) * e[i] ** 2 for i in range(n))
    V = n / (n - k) * bread @ meat @ bread
    np.testing.assert_allclose(r.params.to_numpy(), beta, rtol=1e-10)
    np.testing.assert_allclose(r.cov_params().to_numpy(), V, rtol=1e-8)
    np.testing.assert_allclose(hc1_covariance(X, e), V, rtol=1e-10)
    se = np.sqrt(np.diag(V))
    t = beta / se
    p = 2 * stats.t.sf(np.abs(t), df=n - k)
    np.testing.assert_allclose(r.bse.to_numpy(), se, rtol=1e-8)
    np.testing.assert_allclose(r.pvalues.to_numpy(), p, rtol=1e-6)
    assert r.df_resid == n - k
    lo = r.conf_int().to_numpy()[:, 0]
    np.testing.assert_allclose(lo, beta - stats.t.ppf(0.975, n - k) * se, rtol=1e-8)


def test_hc1_tiny_example_by_hand():
    # y = a + b x with x = 0, 1, 2 and residuals (1, -2, 1): X'X = [[3,3],[3,5]]
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    e = np.array([1.0, -2.0, 1.0])
    bread = np.array([[5.0, -3.0], [-3.0, 3.0]]) / 6.0
    meat = np.array([[6.0, 6.0], [6.0, 8.0]])  # sum e^2 x x'
    np.testing.assert_allclose(hc1_covariance(X, e), 3.0 * bread @ meat @ bread)


def test_model3_is_model1_minus_model2(sample):
    fits = fit_table2(sample)
    d = fits[1].results.params - fits[2].results.params
    np.testing.assert_allclose(fits[3].results.params.to_numpy(), d.to_numpy(), atol=1e-9)


def test_published_table2_is_linear_in_the_outcomes():
    # same sample and regressors => coef(model 3) = coef(model 1) - coef(model 2), up to rounding
    v = published("rappange2017sle")["value"]
    for term in TERMS:
        m1, m2, m3 = (v[f"sle_t2_m{m}_{term}_coef"] for m in (1, 2, 3))
        assert m3 == pytest.approx(m1 - m2, abs=0.011), term


def test_design_matrix_reference_categories():
    df = synthetic_cohort(n=200, seed=5)
    X = design_matrix(df)
    assert list(X.columns) == list(TERMS)
    mid = (df["education"] == "middle").to_numpy()
    assert (X.loc[mid, ["educ_low", "educ_high"]].to_numpy() == 0).all()
    occ = (df["smoking"] == "occasionally").to_numpy()
    assert (X.loc[occ, "smoking"] == 1).all()
    assert (X["age_gt35"].to_numpy() == (df["age"].to_numpy() > 35)).all()


def test_missing_covariate_dropped_listwise(sample):
    s = sample.copy()
    s["smoking"] = s["smoking"].astype(object)
    s.loc[s.index[:7], "smoking"] = None
    assert int(fit_model(s, 2).results.nobs) == len(s) - 7


def test_stars_thresholds():
    assert stars([0.009, 0.01, 0.049, 0.05, 0.099, 0.1]) == ["***", "**", "**", "*", "*", ""]


def test_table2_layout(sample):
    t = table2(fit_table2(sample))
    assert list(t.columns) == ["Variables", "(model 1)", "(model 2)", "(model 3)", "(model 4)"]
    assert len(t) == 2 * len(TERMS) + 3
    assert t.iloc[1, 1].startswith("(") and t.iloc[1, 1].endswith(")")
    assert t["Variables"].iloc[-3:].tolist() == ["Observations", "R\u00b2", "Adj. R\u00b2"]
    assert t.iloc[-3, 1] == str(len(sample))


def test_models_refuse_degenerate_samples(sample):
    from foresight import DataError

    with pytest.raises(DataError, match="complete respondents for 12 parameters"):
        fit_model(sample.iloc[:10], 1)
    s = sample.copy()
    s["income"] = pd.Categorical(["middle"] * len(s), categories=["low", "middle", "high"])
    with pytest.raises(DataError, match="income_low, income_high never varies"):
        fit_model(s, 2)
