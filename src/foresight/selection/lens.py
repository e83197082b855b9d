"""Brunswik's lens model for a judge who combines cues, and Goldberg's model of the judge.

For cues ``X`` (n x k), a judge's judgements ``J`` and the criterion ``Y``,
fit two least-squares regressions with intercept on the same cues:

* the *environment* model ``Y ~ X`` with fitted values ``Ye`` and
  ``Re = corr(Y, Ye)`` (how predictable the criterion is from the cues);
* the *judge* model ``J ~ X`` with fitted values ``Js`` and
  ``Rs = corr(J, Js)`` (how consistently the judge uses the cues).

Then ``G = corr(Ye, Js)`` (matching of the two linear policies),
``C = corr(Y - Ye, J - Js)`` (what the judge knows beyond the linear cues) and
the judge's achievement ``r_a = corr(J, Y)`` satisfy Tucker's (1964) identity

    r_a = G * Re * Rs + C * sqrt(1 - Re**2) * sqrt(1 - Rs**2)

exactly on the sample, because least-squares residuals (with an intercept) are
uncorrelated with every linear function of the cues.

Goldberg's (1970) "model of the judge" (bootstrapping) replaces the judge by
``Js``; its validity is ``corr(Js, Y) = G * Re``, which beats the judge's
``r_a`` whenever ``C`` is near zero and ``Rs < 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from foresight.results import summary_text


#: Residual sum of squares, relative to the total, below which a fit counts as exact.
RESIDUAL_TOLERANCE = 1e-12


@dataclass(frozen=True)
class LensResult:
    """Lens-model statistics of one judge on one sample (all correlations)."""

    r_a: float  #: achievement, corr(judgement, criterion)
    G: float  #: matching, corr(environment model, judge model)
    Re: float  #: environmental predictability (multiple R of criterion on cues)
    Rs: float  #: cognitive control (multiple R of judgement on cues)
    C: float  #: correlation of the two models' residuals (unmodelled knowledge)
    n: int  #: number of cases
    judge_weights: tuple[float, ...]  #: judge model coefficients (cues only)
    environment_weights: tuple[float, ...]  #: environment model coefficients (cues only)

    @property
    def linear_component(self) -> float:
        """``G * Re * Rs``: the part of achievement carried by the linear cue use."""
        return self.G * self.Re * self.Rs

    @property
    def residual_component(self) -> float:
        """``C * sqrt(1 - Re^2) * sqrt(1 - Rs^2)``: the part carried by unmodelled knowledge.

        Zero when ``C`` is undefined: that happens only when a residual sum of squares is
        zero (``Re`` or ``Rs`` is 1), so one of the two square roots is zero.
        """
        if np.isnan(self.C):
            return 0.0
        return self.C * np.sqrt(max(0.0, 1 - self.Re**2)) * np.sqrt(max(0.0, 1 - self.Rs**2))

    @property
    def tucker(self) -> float:
        """Right-hand side of Tucker's identity (equals ``r_a`` up to rounding)."""
        return self.linear_component + self.residual_component

    @property
    def formula_correlation(self) -> float:
        """The judge's correlation with the linear formula of the cues, ``corr(J, Ye) = G * Rs``.

        ``Ye`` is the environment's least-squares prediction (the regression
        formula on the same cues). The judgement is its own linear model plus
        a residual uncorrelated with the cues, so only the model correlates
        with ``Ye``: ``G`` times the model's share of the judgement's SD,
        ``Rs``. The ``r_xz`` of a range-restriction scenario for this judge.
        """
        return self.G * self.Rs

    @property
    def model_of_judge_validity(self) -> float:
        """Validity of Goldberg's model of the judge, ``corr(Js, Y) = G * Re``."""
        return self.G * self.Re

    def to_frame(self) -> pd.DataFrame:
        """Tidy statistics: ``statistic, value, meaning``, one row each (Tucker's terms last)."""
        rows = [
            ("r_a", self.r_a, "achievement: corr(judgement, criterion)"),
            ("G", self.G, "matching: corr(judge's linear model, environment's)"),
            ("Re", self.Re, "environmental predictability: multiple R of criterion on cues"),
            ("Rs", self.Rs, "cognitive control: multiple R of judgement on cues"),
            ("C", self.C, "unmodelled knowledge: corr of the two models' residuals"),
            ("model_of_judge", self.model_of_judge_validity, "validity of the model of the judge, G Re"),
            ("linear_component", self.linear_component, "G Re Rs"),
            ("residual_component", self.residual_component, "C sqrt(1 - Re^2) sqrt(1 - Rs^2)"),
        ]
        return pd.DataFrame(rows, columns=["statistic", "value", "meaning"])

    def summary(self) -> str:
        """The five lens statistics, the model of the judge and Tucker's identity."""
        return summary_text(
            f"Lens model of one judge on {self.n:,} cases ({len(self.judge_weights)} cues)",
            {"achievement r_a": self.r_a, "matching G": self.G, "predictability Re": self.Re,
             "control Rs": self.Rs, "unmodelled knowledge C": self.C,
             "model of the judge G Re": self.model_of_judge_validity,
             "Tucker: G Re Rs + C ...": self.tucker},
        )


def lens_model(judgements: ArrayLike, criterion: ArrayLike, cues: ArrayLike) -> LensResult:
    """Lens-model decomposition of a judge's achievement.

    Parameters
    ----------
    judgements
        The judge's judgements of n cases (any linear scale), shape (n,).
    criterion
        The criterion for the same cases, shape (n,).
    cues
        The cues the judge saw, shape (n, k); an intercept is added internally.

    Returns
    -------
    LensResult
        ``r_a, G, Re, Rs, C`` satisfying Tucker's identity on the sample.

    Notes
    -----
    Everything is computed from the sample covariance matrix ``S`` of
    ``(cues, J, Y)`` in one pass: the least-squares slopes are
    ``b_s = Sxx^-1 Sxj`` and ``b_e = Sxx^-1 Sxy``; the fitted values have
    variances ``b_s' Sxj`` and ``b_e' Sxy`` and covariance ``b_s' Sxy``; the
    residuals have covariance ``Sjy - b_s' Sxy``. This is algebraically the
    same as fitting both regressions and correlating fitted values and
    residuals, without materialising n-vectors.
    """
    J = np.asarray(judgements, dtype=float)
    Y = np.asarray(criterion, dtype=float)
    X = np.asarray(cues, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    n, k = X.shape[0], X.shape[1]
    if J.shape != (n,) or Y.shape != (n,):
        raise ValueError("judgements, criterion and cues must describe the same cases")
    if n <= k + 2:
        raise ValueError("need more cases than cues + 2")
    D = np.empty((k + 2, n))
    D[:k] = X.T
    D[k] = J
    D[k + 1] = Y
    D -= D.mean(axis=1, keepdims=True)
    S = D @ D.T
    Sxx, Sxj, Sxy = S[:k, :k], S[:k, k], S[:k, k + 1]
    Sjj, Syy, Sjy = S[k, k], S[k + 1, k + 1], S[k, k + 1]
    bj = np.linalg.solve(Sxx, Sxj)
    be = np.linalg.solve(Sxx, Sxy)
    var_js, var_ye, cov_fit = bj @ Sxj, be @ Sxy, bj @ Sxy
    res_j, res_y, cov_res = Sjj - var_js, Syy - var_ye, Sjy - cov_fit
    # A residual sum of squares within round-off of zero (a judge or a criterion that is an
    # exact linear function of the cues) leaves C undefined; the test is relative, so the
    # answer does not depend on the scale of the judgements or the criterion.
    defined = res_j > RESIDUAL_TOLERANCE * Sjj and res_y > RESIDUAL_TOLERANCE * Syy
    C = cov_res / np.sqrt(res_j * res_y) if defined else float("nan")
    return LensResult(
        r_a=float(Sjy / np.sqrt(Sjj * Syy)),
        G=float(cov_fit / np.sqrt(var_js * var_ye)),
        Re=float(np.sqrt(var_ye / Syy)),
        Rs=float(np.sqrt(var_js / Sjj)),
        C=float(C),
        n=n,
        judge_weights=tuple(float(b) for b in bj),
        environment_weights=tuple(float(b) for b in be),
    )
