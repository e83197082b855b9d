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
normal equations; no loop over respondents), started from the caller's start
and from :data:`STARTS`; the best run is kept. Answers that a curve reproduces
exactly (95 %, 0, 0, 0, 0) are fitted ever better by ever steeper curves, so
the least-squares optimum within :data:`BOUNDS` is the steepest curve allowed,
placed where it fits best; that is what the fit reports for them. Either way the
result depends on the answers alone, not on where the search began or the
path it took. Summaries: the median age at
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

#: Starting median ages (years) tried for every respondent besides the caller's start.
#: The sum of squares can have more than one minimum (answers that fall in two
#: steps, such as 100, 100, 70, 5, 0); the fit keeps the best run, so that what it
#: reports does not hang on where the search began.
STARTS = (70.0, 100.0)


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
        estimates); 85 if None. Each respondent is also fitted from the
        medians in :data:`STARTS`, and the run with the lowest sum of squares
        is kept (the first of equal ones): a two-parameter curve can have two
        minima (answers such as 100, 100, 70, 5, 0), and one start would let
        it decide which is reported.
    max_iter, xtol
        Iteration limit, and the convergence tolerance: a run has converged
        when an accepted step changes no parameter by more than ``xtol``
        times ``max(1, |parameter|)`` (a Gauss-Newton step that short leaves
        an error of the order of its square), or when no step lowers the sum
        of squares even with the damping at 1e8 (the parameters sit at a
        minimum, possibly on a bound), or when the curve reproduces the
        answers exactly (root mean squared error below 1e-7 on the
        probability scale, :data:`EXACT_FIT_SSE`). Exact answers such as
        95 %, 0, 0, 0, 0 are fitted ever better by ever steeper curves: where
        the search stops among them would be an accident of its path, so such
        a fit is replaced by the steepest curve of :data:`BOUNDS` at its best
        location, when that curve also reproduces the answers exactly (it
        then ends on a bound and is flagged).

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
    # every respondent is fitted from the caller's start and from each of STARTS, in one batch
    k = 1 + len(STARTS)
    theta0 = np.concatenate([_start(model, pe)] + [_start(model, np.full(n, s)) for s in STARTS])
    theta_all, sse_all, done_all = _levenberg_marquardt(
        model, np.clip(theta0, lo, hi), np.tile(x, k), a, np.tile(y, (k, 1)), max_iter, xtol)
    best = np.argmin(sse_all.reshape(k, n), axis=0)  # the lowest sum of squares; ties: the first run
    pick = best * n + np.arange(n)
    theta, sse, done = theta_all[pick], sse_all[pick], done_all[pick]
    m = np.maximum((~np.isnan(y)).sum(axis=1), 1)
    exact = sse <= EXACT_FIT_SSE * m
    if exact.any():
        theta, sse, done = theta.copy(), sse.copy(), done.copy()
        steep = _steepest(model, x[exact], a, y[exact])
        ok = _sse(model, steep, x[exact], a, y[exact]) <= EXACT_FIT_SSE * m[exact]
        rows = np.flatnonzero(exact)[ok]
        theta[rows] = steep[ok]
        sse[rows] = _sse(model, steep[ok], x[rows], a, y[rows])
        done[rows] = True
    if not done.all():
        warnings.warn(
            f"{int((~done).sum())} of {n} {model} curve fits did not converge in {max_iter} iterations "
            f"(step tolerance {xtol:g}); they are flagged in CurveFit.converged",
            ConvergenceWarning, stacklevel=2,
        )
    rmse = np.sqrt(sse / m)
    med = median_age(model, theta, x)
    mean = mean_age(model, theta, x)
    at_bound = ((np.abs(theta - lo) < 1e-6) | (np.abs(theta - hi) < 1e-6)).any(axis=1)
    return CurveFit(model=model, params=theta, rmse=rmse, median=med, mean=mean,
                    converged=done, at_bound=at_bound)


def _levenberg_marquardt(model, theta, x, a, y, max_iter, xtol):
    """Projected Levenberg-Marquardt for every row at once; returns the parameters, the sum
    of squares and whether each row converged (see :func:`fit_curves`). Each iteration works
    on the rows still running only."""
    lo, hi = BOUNDS[model]
    n = y.shape[0]
    theta = theta.copy()
    lam = np.full(n, 1e-2)
    sse = _sse(model, theta, x, a, y)
    done = np.zeros(n, dtype=bool)
    w = ~np.isnan(y)
    yz = np.where(w, y, 0.0)
    m = np.maximum(w.sum(axis=1), 1)
    for _ in range(max_iter):  # iterations of a batched solver, not respondents
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        th, xa, wa, ya, yza = theta[act], x[act], w[act], y[act], yz[act]
        S = conditional_survival(model, th, xa, a)
        r = np.where(wa, S - yza, 0.0)
        # Jacobian by central differences in both parameters, batched
        J = np.empty(S.shape + (2,))
        for p in range(2):
            h = np.zeros_like(th)
            h[:, p] = 1e-5 * np.maximum(1.0, np.abs(th[:, p]))
            J[..., p] = np.where(wa, (conditional_survival(model, th + h, xa, a)
                                      - conditional_survival(model, th - h, xa, a)) / (2 * h[:, p:p + 1]), 0.0)
        JtJ = np.einsum("nki,nkj->nij", J, J)
        g = np.einsum("nki,nk->ni", J, r)
        # a parameter on a bound that the gradient pushes outwards is held there
        # (projected Levenberg-Marquardt): its row and column leave the system
        held = ((th <= lo) & (g > 0)) | ((th >= hi) & (g < 0))
        free = (~held).astype(float)
        JtJ = JtJ * free[:, :, None] * free[:, None, :] + np.eye(2)[None] * held[:, :, None]
        g = g * free
        diag = np.einsum("nii->ni", JtJ)
        A = JtJ + np.eye(2)[None] * (lam[act, None] * diag + 1e-9)[:, :, None]
        step = -np.linalg.solve(A, g[..., None])[..., 0]
        cand = np.clip(th + step, lo, hi)
        new = _sse(model, cand, xa, a, ya)
        old = sse[act]
        better = new < old
        moved = np.abs(cand - th) / np.maximum(1.0, np.abs(th))
        theta[act] = np.where(better[:, None], cand, th)
        fin = better & (moved.max(axis=1) < xtol)
        fin |= ~better & (lam[act] > 1e8)
        # answers reproduced exactly (RMSE below 1e-7 on the probability scale): the
        # answers cannot tell the remaining parameter values apart
        fin |= np.where(better, new, old) <= EXACT_FIT_SSE * m[act]
        done[act] = fin
        sse[act] = np.where(better, new, old)
        lam[act] = np.where(better, lam[act] / 3.0, lam[act] * 4.0)
    return theta, sse, done


def _steepest(model, x, a, y, grid: int = 4001, refine: int = 80) -> np.ndarray:
    """The steepest curve the bounds allow (Gompertz dispersion 1, Weibull shape 40) and its
    best location: the first minimum of the sum of squares on a grid of ``grid`` locations
    across the bounds, refined by golden-section search between its neighbours (kept only if
    strictly better, so that answers all 0 or all 100, which many locations fit exactly, get
    the first of them). It depends on the answers alone, not on where a search started."""
    lo, hi = BOUNDS[model]
    disp = lo[1] if model == "gompertz" else hi[1]
    n = y.shape[0]
    locs = np.linspace(lo[0], hi[0], grid)
    sse = np.stack([_sse(model, np.column_stack([np.full(n, v), np.full(n, disp)]), x, a, y) for v in locs], axis=1)
    i = np.argmin(sse, axis=1)
    left, right = locs[np.maximum(i - 1, 0)], locs[np.minimum(i + 1, grid - 1)]
    f = lambda v: _sse(model, np.column_stack([v, np.full(n, disp)]), x, a, y)  # noqa: E731
    g = (np.sqrt(5.0) - 1.0) / 2.0
    c, d = right - g * (right - left), left + g * (right - left)
    fc, fd = f(c), f(d)
    for _ in range(refine):  # golden-section search, batched
        keep_left = fc <= fd
        right = np.where(keep_left, d, right)
        left = np.where(keep_left, left, c)
        c_new, d_new = right - g * (right - left), left + g * (right - left)
        c, d = np.where(keep_left, c_new, d), np.where(keep_left, c, d_new)
        fc, fd = np.where(keep_left, f(c), fd), np.where(keep_left, fc, f(d))
    loc = (left + right) / 2.0
    best = np.where(f(loc) < sse[np.arange(n), i], loc, locs[i])
    return np.column_stack([best, np.full(n, disp)])


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
