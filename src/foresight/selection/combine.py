"""Mechanical versus clinical combination of the same predictor information.

Model
-----
Candidates have standardised predictor scores ``X ~ N(0, R)`` (k predictors
with intercorrelation matrix ``R``) and a standardised criterion ``Y`` whose
correlations with the predictors are the *validities* ``v``. ``Y`` is built
as the best linear prediction plus an independent residual,
``Y = X b + sqrt(1 - R2) e`` with ``b = R^-1 v`` and ``R2 = v' R^-1 v``, so the
population validities are exactly ``v`` and ``e`` is what no formula on these
predictors can see.

Mechanical composites apply fixed weights to ``X`` (regression weights, unit
weights, or weights estimated in a calibration sample). The simulated clinical
judge (:class:`JudgeSpec`) applies its own intended weights *inconsistently*
(weights vary from candidate to candidate), adds random error, applies an
invalid configural rule (an interaction of two cues), attends to an
irrelevant cue, and may have genuine *insight*: access to a share of the
residual ``e`` that no formula on ``X`` sees. Insight is the formal version of
the claim that a skilled assessor perceives what the tests miss.

All randomness comes from a :class:`numpy.random.Generator` built from a seed,
so results are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from foresight.selection.lens import lens_model


@dataclass(frozen=True)
class PredictorSet:
    """Predictors with their validities and intercorrelations (population values).

    Parameters
    ----------
    names
        Predictor names, in order.
    validities
        Correlation of each predictor with the criterion.
    correlations
        Predictor intercorrelation matrix (k x k, unit diagonal).
    """

    names: tuple[str, ...]
    validities: np.ndarray
    correlations: np.ndarray

    def __post_init__(self) -> None:
        v = np.asarray(self.validities, dtype=float)
        R = np.asarray(self.correlations, dtype=float)
        k = len(self.names)
        if v.shape != (k,) or R.shape != (k, k):
            raise ValueError("validities and correlations must match the number of names")
        if not np.allclose(R, R.T) or not np.allclose(np.diag(R), 1.0):
            raise ValueError("correlations must be symmetric with a unit diagonal")
        object.__setattr__(self, "validities", v)
        object.__setattr__(self, "correlations", R)
        joint = self.joint_correlation()
        if np.linalg.eigvalsh(joint).min() <= 1e-10:
            raise ValueError("predictors and criterion do not form a valid (positive-definite) "
                             "correlation matrix")

    @property
    def k(self) -> int:
        return len(self.names)

    def joint_correlation(self) -> np.ndarray:
        """Correlation matrix of (predictors..., criterion)."""
        k = self.k
        out = np.eye(k + 1)
        out[:k, :k] = self.correlations
        out[:k, k] = out[k, :k] = self.validities
        return out

    def subset(self, names: tuple[str, ...] | list[str]) -> "PredictorSet":
        idx = [self.names.index(n) for n in names]
        return PredictorSet(tuple(names), self.validities[idx],
                            self.correlations[np.ix_(idx, idx)])


def regression_weights(validities: ArrayLike, correlations: ArrayLike) -> np.ndarray:
    """Population regression weights ``b = R^-1 v`` for standardised predictors."""
    return np.linalg.solve(np.asarray(correlations, float), np.asarray(validities, float))


def multiple_r(validities: ArrayLike, correlations: ArrayLike) -> float:
    """Population multiple correlation ``sqrt(v' R^-1 v)`` of the optimal composite."""
    v = np.asarray(validities, float)
    return float(np.sqrt(v @ regression_weights(v, correlations)))


def correlation_for_multiple_r(validity_a: float, validity_b: float, multiple_r: float) -> float:
    """The correlation between two predictors that gives a stated multiple R.

    For standardised predictors with validities ``a`` and ``b`` and
    intercorrelation ``r``, ``R^2 = (a^2 + b^2 - 2abr) / (1 - r^2)``; solving
    for ``r`` gives ``R^2 r^2 - 2ab r + (a^2 + b^2 - R^2) = 0``. Of the two
    roots the one nearer zero is returned (the other makes the predictors
    almost redundant: for the structured interview and GMA, 1.0 against 0.31);
    a root at +/-1 is the formula's singular point, not a solution.

    Raises
    ------
    ValueError
        When no correlation strictly between -1 and 1 gives ``multiple_r``
        (e.g. an R below the larger validity).
    """
    a, b, R2 = float(validity_a), float(validity_b), float(multiple_r) ** 2
    disc = (a * b) ** 2 - R2 * (a * a + b * b - R2)
    if R2 <= 0 or disc < 0:
        raise ValueError(f"no correlation gives a multiple R of {multiple_r} with validities {a} and {b}")
    roots = (a * b + np.array([-1.0, 1.0]) * np.sqrt(disc)) / R2
    ok = roots[np.abs(roots) < 1.0 - 1e-12]
    if ok.size == 0:
        raise ValueError(f"no correlation in (-1, 1) gives a multiple R of {multiple_r}")
    return float(ok[np.argmin(np.abs(ok))])


def composite_validity(weights: ArrayLike, validities: ArrayLike, correlations: ArrayLike) -> float:
    """Population validity of the composite ``w' X``: ``w' v / sqrt(w' R w)``."""
    w = np.asarray(weights, float)
    R = np.asarray(correlations, float)
    return float(w @ np.asarray(validities, float) / np.sqrt(w @ R @ w))


@dataclass(frozen=True)
class JudgeSpec:
    """A simulated clinical judge (all weights on standardised cues).

    Parameters
    ----------
    weights
        The judge's intended weights, one per predictor (``None``: unit weights).
    weight_sd
        SD of the candidate-to-candidate variation of each weight
        (inconsistency; 0 = perfectly consistent). The weights vary
        independently across cues and candidates; the simulation draws the
        resulting term ``eps' x`` directly from its conditional distribution
        ``N(0, weight_sd^2 |x|^2)``.
    noise_sd
        SD of random error added to each judgement.
    configural
        Weight on the product of the two cues in ``configural_pair`` (a
        configural rule with no validity in this model).
    configural_pair
        Indices of the two cues in the configural rule.
    irrelevant
        Weight on a cue that is unrelated to the criterion (e.g. likeability).
    insight
        Weight on the standardised criterion residual ``e``: knowledge that no
        formula on these predictors has (0 = none).
    """

    weights: tuple[float, ...] | None = None
    weight_sd: float = 0.0
    noise_sd: float = 0.0
    configural: float = 0.0
    configural_pair: tuple[int, int] = (0, 1)
    irrelevant: float = 0.0
    insight: float = 0.0


@dataclass(frozen=True)
class Candidates:
    """Simulated candidates: predictors, criterion, criterion residual, irrelevant cue."""

    X: np.ndarray  #: (..., n, k) predictor scores
    Y: np.ndarray  #: (..., n) criterion
    e: np.ndarray  #: (..., n) standardised criterion residual (invisible to formulas)
    Z: np.ndarray  #: (..., n) irrelevant cue
    predictors: PredictorSet = field(repr=False)


def simulate_candidates(
    n: int, predictors: PredictorSet, seed: int | np.random.Generator = 0, reps: int | None = None
) -> Candidates:
    """Draw candidates from the population model (see module docstring).

    Parameters
    ----------
    n
        Candidates per sample.
    predictors
        Validities and intercorrelations.
    seed
        Seed or generator (same seed, same candidates).
    reps
        If given, draw ``reps`` independent samples stacked on a leading axis.
    """
    rng = np.random.default_rng(seed)
    k = predictors.k
    shape = (n,) if reps is None else (reps, n)
    L = np.linalg.cholesky(predictors.correlations)
    raw = rng.standard_normal((*shape, k + 2))
    # einsum, not `@`: a BLAS product with a tiny right-hand matrix is slow on long arrays
    X = np.einsum("...j,ij->...i", raw[..., :k], L)
    b = regression_weights(predictors.validities, predictors.correlations)
    r2 = float(predictors.validities @ b)
    e = raw[..., k]
    Y = X @ b + np.sqrt(1.0 - r2) * e
    Z = raw[..., k + 1]
    return Candidates(X=X, Y=Y, e=e, Z=Z, predictors=predictors)


def clinical_judgements(cands: Candidates, judge: JudgeSpec, seed: int | np.random.Generator = 1) -> np.ndarray:
    """Judgements of the simulated clinical judge for each candidate (vectorised)."""
    rng = np.random.default_rng(seed)
    X = cands.X
    k = X.shape[-1]
    w = np.ones(k) if judge.weights is None else np.asarray(judge.weights, float)
    if w.shape != (k,):
        raise ValueError("the judge needs one weight per predictor")
    J = X @ w
    if judge.weight_sd > 0:
        # candidate-specific weights w + sd * eps (eps ~ N(0, I)) add sd * eps'x, which
        # given x is N(0, sd^2 |x|^2): drawn as sd * |x| * N(0, 1), one draw per candidate
        J = J + judge.weight_sd * np.sqrt(np.einsum("...k,...k->...", X, X)) \
            * rng.standard_normal(J.shape)
    if judge.configural:
        a, b = judge.configural_pair
        J = J + judge.configural * X[..., a] * X[..., b]
    if judge.irrelevant:
        J = J + judge.irrelevant * cands.Z
    if judge.insight:
        J = J + judge.insight * cands.e
    if judge.noise_sd > 0:
        J = J + judge.noise_sd * rng.standard_normal(J.shape)
    return J


def _batched_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    return (a * b).sum(-1) / np.sqrt((a * a).sum(-1) * (b * b).sum(-1))


def _batched_fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched least squares with intercept: returns (slopes, fitted values)."""
    Xc = X - X.mean(axis=-2, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    xtx = np.einsum("...ni,...nj->...ij", Xc, Xc)
    xty = np.einsum("...ni,...n->...i", Xc, yc)
    beta = np.linalg.solve(xtx, xty[..., None])[..., 0]
    return beta, np.einsum("...nk,...k->...n", Xc, beta)


METHODS: tuple[str, ...] = (
    "regression weights (population)",
    "regression weights (estimated)",
    "unit weights",
    "model of the judge",
    "clinical judge",
)


def monte_carlo_validities(
    predictors: PredictorSet,
    judge: JudgeSpec,
    *,
    n_candidates: int = 300,
    n_reps: int = 500,
    calibration_n: int = 100,
    seed: int = 20130815,
) -> pd.DataFrame:
    """Validity of each combination method in repeated simulated samples.

    Each replication draws ``n_candidates`` candidates and scores them with
    every method in :data:`METHODS`; "estimated" regression weights come from
    an independent calibration sample of ``calibration_n`` candidates (so they
    carry sampling error, as in practice), and the model of the judge is the
    judge's own linear policy fitted in the same sample (Goldberg 1970).

    Returns
    -------
    pandas.DataFrame
        Long format: ``rep, method, validity`` (sample correlation with ``Y``).
    """
    ss = np.random.SeedSequence(seed)
    s_cand, s_cal, s_judge = ss.spawn(3)
    cands = simulate_candidates(n_candidates, predictors, np.random.default_rng(s_cand), reps=n_reps)
    cal = simulate_candidates(calibration_n, predictors, np.random.default_rng(s_cal), reps=n_reps)
    J = clinical_judgements(cands, judge, np.random.default_rng(s_judge))
    b_pop = regression_weights(predictors.validities, predictors.correlations)
    b_est, _ = _batched_fit(cal.X, cal.Y)
    _, J_model = _batched_fit(cands.X, J)
    scores = {
        METHODS[0]: cands.X @ b_pop,
        METHODS[1]: np.einsum("rnk,rk->rn", cands.X, b_est),
        METHODS[2]: cands.X.sum(-1),
        METHODS[3]: J_model,
        METHODS[4]: J,
    }
    frames = [pd.DataFrame({"rep": np.arange(n_reps), "method": m, "validity": _batched_corr(s, cands.Y)})
              for m, s in scores.items()]
    return pd.concat(frames, ignore_index=True)


def summarise_validities(draws: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean validity and Monte Carlo percentile interval per method.

    Returns
    -------
    pandas.DataFrame
        Indexed by method (in :data:`METHODS` order): ``mean, lower, upper, reps``.
    """
    lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
    g = draws.groupby("method", sort=False)["validity"]
    out = pd.DataFrame({"mean": g.mean(), "lower": g.quantile(lo), "upper": g.quantile(hi),
                        "reps": g.size()})
    order = [m for m in METHODS if m in out.index]
    return out.loc[order]


def run_pipeline(
    n: int, predictors: PredictorSet, judge: JudgeSpec, seed: int = 0
) -> dict[str, float]:
    """The whole combination-and-lens pipeline on one large simulated sample.

    Simulates ``n`` candidates, scores them mechanically (population
    regression weights, unit weights) and clinically, runs the lens model on
    the judge, and returns the validities and lens statistics.
    """
    ss = np.random.SeedSequence(seed)
    s_cand, s_judge = ss.spawn(2)
    cands = simulate_candidates(n, predictors, np.random.default_rng(s_cand))
    J = clinical_judgements(cands, judge, np.random.default_rng(s_judge))
    b = regression_weights(predictors.validities, predictors.correlations)
    lens = lens_model(J, cands.Y, cands.X)
    return {
        "regression": float(_batched_corr(cands.X @ b, cands.Y)),
        "unit": float(_batched_corr(cands.X.sum(-1), cands.Y)),
        "r_a": lens.r_a, "G": lens.G, "Re": lens.Re, "Rs": lens.Rs, "C": lens.C,
        "model_of_judge": lens.model_of_judge_validity, "n": float(lens.n),
    }
