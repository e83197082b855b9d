"""Parametric subjective survival curves fitted to each respondent's SSP answers.

The SSP question asks for the chance of living to target age ``a`` *given*
that one is alive at one's current age ``x``, so each curve is fitted as a
conditional survival function ``S(a | x) = S(a) / S(x)``:

Gompertz (hazard ``mu(t) = exp((t - M) / b) / b``, modal age ``M``, dispersion ``b``)
    ``S(a | x) = exp(-(exp((a - M) / b) - exp((x - M) / b)))``
Weibull (scale ``lam``, shape ``k``)
    ``S(a | x) = exp(-((a / lam)^k - (x / lam)^k))``

Each respondent's two parameters are fitted by least squares on the
probability scale, ``sum_j (S(a_j | x) - p_j / 100)^2``, with a
Levenberg-Marquardt iteration run for all respondents at once (batched 2x2
normal equations; no loop over respondents). Summaries: the median age at
death implied by the curve (the age where ``S(a | x) = 1/2``, to compare
with the paper's 50 %-crossing estimate) and the mean age at death
``x + integral_0^inf S(x + t | x) dt`` (trapezoid rule on a quarter-year grid
to 150 years beyond ``x``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.errors import ConvergenceWarning
from foresight.results import summary_text
from foresight.sle.survey import TARGET_AGES

MODELS = ("gompertz", "weibull")

#: Bounds on the fitted parameters (internal scale): they keep every curve a
#: proper human-scale distribution. Answers that level off well above zero
#: (e.g. 30 % at 90 and at 100) would otherwise push the fit to degenerate
#: curves; such fits end at a bound and are flagged.
BOUNDS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "gompertz": (np.array([40.0, np.log(1.0)]), np.array([140.0, np.log(40.0)])),
    "weibull": (np.array([np.log(40.0), np.log(1.0)]), np.array([np.log(160.0), np.log(40.0)])),
}


#: Mean squared error (probability scale) below which a curve counts as reproducing the answers exactly.
EXACT_FIT_SSE = 1e-14


def conditional_survival(model: str, theta: np.ndarray, x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``S(a | x)`` for parameters ``theta`` of shape ``(n, 2)``.

    ``theta`` is ``(M, log b)`` for Gompertz and ``(log lam, log k)`` for
    Weibull (log scale keeps the positive parameters positive). ``x`` has
    shape ``(n,)``; ``a`` broadcasts against ``(n, m)``.
    """
    th = np.asarray(theta, dtype=float)
    x = np.asarray(x, dtype=float)[:, None]
    a = np.asarray(a, dtype=float)
    if model == "gompertz":
        M, b = th[:, :1], np.exp(th[:, 1:2])
        H = np.exp((a - M) / b) - np.exp((x - M) / b)
    elif model == "weibull":
        lam, k = np.exp(th[:, :1]), np.exp(th[:, 1:2])
        H = (a / lam) ** k - (x / lam) ** k
    else:
        raise ValueError(f"model must be one of {MODELS}")
    return np.exp(-np.maximum(H, 0.0))


def _start(model: str, pe: np.ndarray) -> np.ndarray:
    if model == "gompertz":
        return np.column_stack([pe + 4.0, np.full_like(pe, np.log(9.0))])
    return np.column_stack([np.log(pe * 1.03), np.full_like(pe, np.log(9.0))])


def _sse(model, theta, x, a, y):
    r = conditional_survival(model, theta, x, a) - y
    return np.nansum(r ** 2, axis=1)


@dataclass(frozen=True)
class CurveFit:
    """Fitted curves: parameters, fit quality and summaries, one row per respondent."""

    model: str
    params: np.ndarray
    rmse: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    converged: np.ndarray
    at_bound: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Tidy, one row per respondent: the two parameters (Gompertz ``M, b``; Weibull
        ``scale, shape``), ``rmse`` (probability scale), ``median`` and ``mean`` age at
        death, ``converged`` and ``at_bound``."""
        names = ("M", "b") if self.model == "gompertz" else ("scale", "shape")
        return pd.DataFrame({
            names[0]: self.params[:, 0] if self.model == "gompertz" else np.exp(self.params[:, 0]),
            names[1]: np.exp(self.params[:, 1]),
            "rmse": self.rmse, "median": self.median, "mean": self.mean,
            "converged": self.converged, "at_bound": self.at_bound,
        })


    def summary(self) -> str:
        """Respondents, convergence, fits at a bound, typical misfit and the mean median."""
        return summary_text(
            f"{self.model.capitalize()} survival curves fitted to {len(self.rmse):,} respondents",
            {"converged (%)": float(100 * np.mean(self.converged)),
             "at a parameter bound (%)": float(100 * np.mean(self.at_bound)),
             "median RMSE (points)": float(100 * np.nanmedian(self.rmse)),
             "mean of the fitted medians (years)": float(np.nanmean(self.median)),
             "mean of the mean ages at death (years)": float(np.nanmean(self.mean))},
        )


def fit_curves(ssp, age, model: str = "gompertz", *, ages: Sequence[float] = TARGET_AGES,
               start=None, max_iter: int = 1000, xtol: float = 1e-9) -> CurveFit:
    """Fit a Gompertz or Weibull conditional survival curve to each respondent.

    Parameters
    ----------
    ssp
        ``(n, k)`` SSP answers in percent (NaN answers are ignored).
    age
        ``(n,)`` current ages in years (below the first target age).
    model
        ``"gompertz"`` or ``"weibull"``.
    start
        Optional ``(n,)`` starting median ages (e.g. the 50 %-crossing
        estimates); 85 if None.
    max_iter, xtol
        Iteration limit, and the convergence tolerance: a respondent's fit has
        converged when an accepted step changes no parameter by more than
        ``xtol`` times ``max(1, |parameter|)`` (a Gauss-Newton step that
        short leaves an error of the order of its square), or when no step
        lowers the sum of squares even with the damping at 1e8 (the
        parameters sit at a minimum, possibly on a bound), or when the curve
        reproduces the answers exactly (root mean squared error below 1e-7
        on the probability scale, :data:`EXACT_FIT_SSE`): answers such as
        95 %, 0, 0, 0, 0 are fitted ever better by ever steeper curves, and
        no finite parameters are a minimum.

    Returns
    -------
    CurveFit
        Parameters, root mean squared error (probability scale), median and
        mean age at death, a convergence flag and whether a parameter ended
        at a bound of :data:`BOUNDS`, per respondent. Fits that reach
        ``max_iter`` unconverged are flagged and announced with a
        :class:`foresight.ConvergenceWarning`.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}")
    y = np.asarray(ssp, dtype=float) / 100.0
    x = np.asarray(age, dtype=float)
    a = np.asarray(ages, dtype=float)[None, :]
    n = y.shape[0]
    pe = np.full(n, 85.0) if start is None else np.where(np.isnan(start), 85.0, np.asarray(start, float))
    lo, hi = BOUNDS[model]
    theta = np.clip(_start(model, pe), lo, hi)
    lam = np.full(n, 1e-2)
    sse = _sse(model, theta, x, a, y)
    done = np.zeros(n, dtype=bool)
    w = ~np.isnan(y)
    yz = np.where(w, y, 0.0)
    for _ in range(max_iter):  # iterations of a batched solver, not respondents
        S = conditional_survival(model, theta, x, a)
        r = np.where(w, S - yz, 0.0)
        # Jacobian by central differences in both parameters, batched
        J = np.empty(S.shape + (2,))
        for p in range(2):
            h = np.zeros_like(theta)
            h[:, p] = 1e-5 * np.maximum(1.0, np.abs(theta[:, p]))
            J[..., p] = np.where(w, (conditional_survival(model, theta + h, x, a)
                                     - conditional_survival(model, theta - h, x, a)) / (2 * h[:, p:p + 1]), 0.0)
        JtJ = np.einsum("nki,nkj->nij", J, J)
        g = np.einsum("nki,nk->ni", J, r)
        # a parameter on a bound that the gradient pushes outwards is held there
        # (projected Levenberg-Marquardt): its row and column leave the system
        held = ((theta <= lo) & (g > 0)) | ((theta >= hi) & (g < 0))
        free = (~held).astype(float)
        JtJ = JtJ * free[:, :, None] * free[:, None, :] + np.eye(2)[None] * held[:, :, None]
        g = g * free
        diag = np.einsum("nii->ni", JtJ)
        A = JtJ + np.eye(2)[None] * (lam[:, None] * diag + 1e-9)[:, :, None]
        step = -np.linalg.solve(A, g[..., None])[..., 0]
        cand = np.clip(theta + step, lo, hi)
        new = _sse(model, cand, x, a, y)
        better = (new < sse) & ~done
        moved = np.abs(cand - theta) / np.maximum(1.0, np.abs(theta))
        theta = np.where(better[:, None], cand, theta)
        done |= better & (moved.max(axis=1) < xtol)
        done |= ~better & (lam > 1e8)
        # answers reproduced exactly (RMSE below 1e-7 on the probability scale): the
        # answers cannot tell the remaining parameter values apart
        done |= np.where(better, new, sse) <= EXACT_FIT_SSE * np.maximum(w.sum(axis=1), 1)
        sse = np.where(better, new, sse)
        lam = np.where(better, lam / 3.0, lam * 4.0)
        if done.all():
            break
    if not done.all():
        warnings.warn(
            f"{int((~done).sum())} of {n} {model} curve fits did not converge in {max_iter} iterations "
            f"(step tolerance {xtol:g}); they are flagged in CurveFit.converged",
            ConvergenceWarning, stacklevel=2,
        )
    rmse = np.sqrt(sse / np.maximum(w.sum(axis=1), 1))
    med = median_age(model, theta, x)
    mean = mean_age(model, theta, x)
    at_bound = ((np.abs(theta - lo) < 1e-6) | (np.abs(theta - hi) < 1e-6)).any(axis=1)
    return CurveFit(model=model, params=theta, rmse=rmse, median=med, mean=mean,
                    converged=done, at_bound=at_bound)


def median_age(model: str, theta: np.ndarray, x) -> np.ndarray:
    """Age at which ``S(a | x) = 1/2`` (closed form for both models)."""
    th = np.asarray(theta, dtype=float)
    x = np.asarray(x, dtype=float)
    if model == "gompertz":
        M, b = th[:, 0], np.exp(th[:, 1])
        return M + b * np.log(np.log(2.0) + np.exp((x - M) / b))
    lam, k = np.exp(th[:, 0]), np.exp(th[:, 1])
    return lam * (np.log(2.0) + (x / lam) ** k) ** (1.0 / k)


def mean_age(model: str, theta: np.ndarray, x, *, horizon: float = 150.0, step: float = 0.25) -> np.ndarray:
    """Mean age at death ``x + integral S(x + t | x) dt`` by the trapezoid rule."""
    x = np.asarray(x, dtype=float)
    t = np.arange(0.0, horizon + step, step)[None, :]
    S = conditional_survival(model, theta, x, x[:, None] + t)
    return x + np.trapezoid(S, dx=step, axis=1)


def compare_fits(sample: pd.DataFrame, ssp: np.ndarray) -> pd.DataFrame:
    """Both curves for an analysis sample next to the 50 %-crossing estimate.

    Returns one row per respondent with ``id, age, ssp_pe, sle`` and for each
    model ``<model>_median, <model>_mean, <model>_rmse``.
    """
    age = pd.to_numeric(sample["age"]).to_numpy(dtype=float)
    pe = sample["ssp_pe"].to_numpy(dtype=float)
    out = pd.DataFrame({"id": sample["id"].to_numpy(), "age": age, "ssp_pe": pe,
                        "sle": pd.to_numeric(sample["sle"]).to_numpy(dtype=float)})
    for m in MODELS:
        f = fit_curves(ssp, age, m, start=pe)
        out[f"{m}_median"] = f.median
        out[f"{m}_mean"] = f.mean
        out[f"{m}_rmse"] = f.rmse
        out[f"{m}_converged"] = f.converged
        out[f"{m}_at_bound"] = f.at_bound
    return out


def fit_summary(fits: pd.DataFrame) -> pd.DataFrame:
    """One row per model: mean fitted median and mean age at death, their mean
    difference from the 50 %-crossing estimate, mean absolute difference,
    median RMSE (percentage points), share of fits ending at a bound (%), the
    mean absolute difference from the crossing for fits at and inside the
    bounds, and the mean of (mean age at death minus median) for both."""
    rows = []
    for m in MODELS:
        med = fits[f"{m}_median"].to_numpy(dtype=float)
        mean = fits[f"{m}_mean"].to_numpy(dtype=float)
        pe = fits["ssp_pe"].to_numpy(dtype=float)
        bound = fits[f"{m}_at_bound"].to_numpy(dtype=bool)
        gap = np.abs(med - pe)
        rows.append({
            "model": m.capitalize(),
            "mean of medians": float(np.mean(med)),
            "mean of mean ages at death": float(np.mean(mean)),
            "median minus crossing": float(np.mean(med - pe)),
            "mean |median minus crossing|": float(np.mean(np.abs(med - pe))),
            "median RMSE (points)": float(100 * np.median(fits[f"{m}_rmse"])),
            "at a bound (%)": float(100 * np.mean(bound)),
            "|median minus crossing|, at a bound": float(np.mean(gap[bound])) if bound.any() else np.nan,
            "|median minus crossing|, inside bounds": float(np.mean(gap[~bound])) if (~bound).any() else np.nan,
            "mean minus median, inside bounds": float(np.mean((mean - med)[~bound])) if (~bound).any() else np.nan,
            "mean minus median, at a bound": float(np.mean((mean - med)[bound])) if bound.any() else np.nan,
        })
    return pd.DataFrame(rows)
