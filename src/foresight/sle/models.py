"""The four OLS models of the paper's Table 2, with Stata-style robust errors.

Outcomes: (1) SLE point estimate, (2) SSP point estimate, (3) their
difference SLE minus SSP (the paper's constant, -2.75, fixes the sign), and
(4) the certainty score in percent. Regressors, with the reference
categories implied by Table 2: male (ref. female); age group > 35 years
(ref. 20-35); low and high education (ref. middle); low and high income
(ref. middle); kin's age of death < 75 and >= 85 (ref. 75-85); chronic
disease; severe disorder; smoking. Table 2 has one "Smoking" row while
Table 1 has three categories; the compendium codes it as any smoking
(occasionally or daily) versus never, an assumption the paper does not
state.

Standard errors are heteroskedasticity-robust HC1 (White's sandwich with
the ``n / (n - k)`` small-sample factor, Stata's ``, robust``) and tests
use the t distribution with ``n - k`` degrees of freedom, as Stata reports
them. Rows with a missing outcome or regressor are dropped listwise and the
count is reported as N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from foresight.errors import DataError
from foresight.results import summary_text
from foresight.sle.survey import as_float

#: Regressors in Table 2's row order, with the paper's labels.
TERMS: dict[str, str] = {
    "male": "Male",
    "age_gt35": "Age group >35 years",
    "educ_low": "Low education",
    "educ_high": "High education",
    "income_low": "Low income",
    "income_high": "High income",
    "kin_low": "Kin's age of death low",
    "kin_high": "Kin's age of death high",
    "chronic": "Chronic disease",
    "severe": "Severe disorder",
    "smoking": "Smoking",
    "const": "Constant",
}

#: Outcomes of models 1-4.
OUTCOMES: dict[int, tuple[str, str]] = {
    1: ("sle", "SLE point estimate"),
    2: ("ssp_pe", "SSP point estimate"),
    3: ("sle_minus_ssp", "Difference between SLE and SSP point estimates"),
    4: ("certainty", "Certainty score for SLE point estimate from SSPs"),
}


def _indicator(series: pd.Series, value) -> np.ndarray:
    s = series.astype(object)
    miss = s.isna().to_numpy()
    out = (s == value).to_numpy(dtype=float, na_value=0.0)
    out[miss] = np.nan
    return out


def design_matrix(sample: pd.DataFrame) -> pd.DataFrame:
    """Table 2's regressors as a float DataFrame (NaN where a covariate is missing).

    Columns are :data:`TERMS` in order, ``const`` last.
    """
    age = as_float(sample["age"])
    smoke = sample["smoking"].astype(object)
    smoking = np.where(smoke.isna().to_numpy(), np.nan,
                       (smoke != "never").to_numpy(dtype=float, na_value=0.0))

    def boolean(col: str) -> np.ndarray:
        return pd.to_numeric(sample[col].astype("boolean").astype("Float64"),
                             errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    X = pd.DataFrame({
        "male": _indicator(sample["sex"], "male"),
        "age_gt35": np.where(np.isnan(age), np.nan, (age > 35).astype(float)),
        "educ_low": _indicator(sample["education"], "low"),
        "educ_high": _indicator(sample["education"], "high"),
        "income_low": _indicator(sample["income"], "low"),
        "income_high": _indicator(sample["income"], "high"),
        "kin_low": _indicator(sample["kin_age_at_death"], "<75"),
        "kin_high": _indicator(sample["kin_age_at_death"], ">=85"),
        "chronic": boolean("chronic_disease"),
        "severe": boolean("severe_disorder"),
        "smoking": smoking,
        "const": np.ones(len(sample)),
    }, index=sample.index)
    return X


def hc1_covariance(X: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """HC1 sandwich ``n/(n-k) (X'X)^-1 X' diag(e^2) X (X'X)^-1``, computed directly.

    Parameters
    ----------
    X
        ``(n, k)`` design matrix including the constant.
    resid
        ``(n,)`` OLS residuals.
    """
    X = np.asarray(X, dtype=float)
    e = np.asarray(resid, dtype=float)
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    meat = (X * (e ** 2)[:, None]).T @ X
    return n / (n - k) * bread @ meat @ bread


@dataclass(frozen=True)
class ModelFit:
    """One fitted model: its number, outcome and statsmodels results (HC1)."""

    model: int
    outcome: str
    label: str
    results: object  # statsmodels RegressionResultsWrapper

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients: ``term, label, coef, se, t, p, stars`` in Table 2 order."""
        r = self.results
        out = pd.DataFrame({
            "term": list(TERMS),
            "label": list(TERMS.values()),
            "coef": r.params.reindex(list(TERMS)).to_numpy(),
            "se": r.bse.reindex(list(TERMS)).to_numpy(),
            "t": r.tvalues.reindex(list(TERMS)).to_numpy(),
            "p": r.pvalues.reindex(list(TERMS)).to_numpy(),
        })
        out["stars"] = stars(out["p"].to_numpy())
        return out

    def summary(self) -> str:
        """Model, outcome, sample size, R-squared and the coefficient table."""
        r = self.results
        return summary_text(
            f"Model {self.model}: OLS of {self.label} ({self.outcome}), HC1 standard errors, t inference",
            {"observations": int(r.nobs), "R-squared": float(r.rsquared),
             "adjusted R-squared": float(r.rsquared_adj)},
            self.to_frame().drop(columns="term").set_index("label"),
        )


def stars(p) -> list[str]:
    """Significance stars as in Table 2: *** p < .01, ** p < .05, * p < .10."""
    p = np.asarray(p, dtype=float)
    return ["***" if x < 0.01 else "**" if x < 0.05 else "*" if x < 0.10 else "" for x in p]


def fit_model(sample: pd.DataFrame, model: int) -> ModelFit:
    """Fit one of models 1-4 by OLS with HC1 standard errors and t(n-k) inference.

    Raises :class:`foresight.DataError` when there are no more complete
    respondents than parameters or a regressor never varies (e.g. nobody
    with a low income), rather than returning meaningless estimates.
    ``sample`` must carry the outcome column (``sle``, ``ssp_pe``,
    ``sle_minus_ssp`` or ``certainty``; see
    :func:`foresight.sle.describe.add_estimates`).
    """
    col, label = OUTCOMES[model]
    X = design_matrix(sample)
    y = as_float(sample[col])
    ok = ~np.isnan(y) & ~X.isna().any(axis=1).to_numpy()
    n, k = int(ok.sum()), X.shape[1]
    if n <= k:
        raise DataError(f"model {model}: {n} complete respondents for {k} parameters",
                        column=col, expected=f"more than {k} respondents with every covariate")
    Xo = X.loc[ok].to_numpy(dtype=float)
    if np.linalg.matrix_rank(Xo) < k:
        flat = [t for t in TERMS if t != "const" and np.ptp(X.loc[ok, t].to_numpy()) == 0]
        raise DataError(f"model {model}: the regressors are collinear"
                        + (f" ({', '.join(flat)} never varies)" if flat else ""),
                        column=col, expected="every category of every covariate present")
    res = sm.OLS(y[ok], X.loc[ok], hasconst=True).fit(cov_type="HC1", use_t=True)
    return ModelFit(model=model, outcome=col, label=label, results=res)


def fit_table2(sample: pd.DataFrame) -> dict[int, ModelFit]:
    """Models 1-4 of Table 2 on one analysis sample."""
    return {m: fit_model(sample, m) for m in OUTCOMES}


def table2(fits: dict[int, ModelFit], *, decimals: int = 2, se_decimals: int = 3) -> pd.DataFrame:
    """A Table-2-shaped text table: coefficient with stars, SE in parentheses below.

    Rows: for each term a coefficient row and an SE row, then
    Observations, R², Adj. R². Columns: ``(model 1)`` ... ``(model 4)``.
    """
    index: list[str] = []
    cols: dict[str, list[str]] = {}
    for m, fit in sorted(fits.items()):
        t = fit.to_frame()
        cells: list[str] = []
        for _, row in t.iterrows():
            cells.append(f"{row['coef']:.{decimals}f}{row['stars']}".replace("-", "\u2212"))
            cells.append(f"({row['se']:.{se_decimals}f})")
        r = fit.results
        cells += [f"{int(r.nobs)}", f"{r.rsquared:.2f}", f"{r.rsquared_adj:.2f}"]
        cols[f"(model {m})"] = cells
    for label in TERMS.values():
        index += [label, ""]
    index += ["Observations", "R\u00b2", "Adj. R\u00b2"]
    frame = pd.DataFrame(cols)
    frame.insert(0, "Variables", index)
    return frame


def table2_long(fits: dict[int, ModelFit]) -> pd.DataFrame:
    """Coefficients and SEs of all models in long form: ``model, term, label, coef, se, t, p, stars``."""
    parts = []
    for m, fit in sorted(fits.items()):
        t = fit.to_frame()
        t.insert(0, "model", m)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)
