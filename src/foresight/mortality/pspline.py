"""P-spline smoothing of mortality surfaces (Currie, Durban & Eilers 2004).

The model for a surface of death counts ``D[x, t]`` with exposures ``E[x, t]``
(ages ``x`` in rows, calendar years ``t`` in columns) is

    D[x, t] ~ Poisson(E[x, t] * m[x, t]),   log m = B_a Theta B_y'

with cubic B-spline bases ``B_a`` (ages) and ``B_y`` (years) on equally
spaced knots (about one every 5 ages and 5 years), coefficients ``Theta`` and
a roughness penalty

    P = lambda_a * (D_a'D_a kron I) + lambda_y * (I kron D_y'D_y)

built from second-order differences of adjacent coefficients in each
direction. The fit is penalised iteratively reweighted least squares (IRLS).

Array arithmetic (GLAM)
-----------------------
The regression matrix of the surface is the Kronecker product ``B_a kron B_y``
(``n_ages * n_years`` rows). It is never formed: every product the fit needs
is computed from the two marginal bases with the *row tensors*
``G(B)[i, (k, l)] = B[i, k] * B[i, l]`` (Currie, Durban & Eilers 2006):

* linear predictor:  ``B_a Theta B_y'``
* ``B'WB``:          ``G(B_a)' W G(B_y)``, re-indexed from ``(kk', ll')`` to
  ``(kl, k'l')``
* ``B'Wz``:          ``B_a' (W * z) B_y``
* ``diag(B V B')``:  ``G(B_a) V~ G(B_y)'`` with ``V`` re-indexed the same way.

:func:`fit_pspline_2d` with ``method="kronecker"`` runs the *same* algorithm
with the explicit Kronecker design; it exists only as the reference for the
agreement test and the benchmark.

Selection and overdispersion
----------------------------
Both smoothing parameters are chosen by minimising BIC (or AIC),

    BIC = Dev / psi2 + log(N) * ED,    AIC = Dev / psi2 + 2 * ED,

where ``ED = trace((B'WB + P)^-1 B'WB)`` is the effective dimension, ``N`` the
number of cells with positive weight and ``psi2`` the overdispersion. With
``overdispersion=True`` the selection is iterated as in MortalitySmooth
(Camarda 2012): select with ``psi2 = 1``; estimate
``psi2 = Dev / (N - ED)`` at the selected fit; select again with that
``psi2``; repeat until ``psi2`` settles. Standard errors of the fitted log
rates are ``sqrt(psi2 * diag(B (B'WB + P)^-1 B'))`` (the Bayesian covariance
of Wood 2006, as used by MortalitySmooth).

Forecasting pads the year axis with cells of weight zero: the penalty carries
the surface (linearly, for second-order differences) into the padded years and
the standard errors grow with the horizon.

The weighted Gaussian variant (:func:`fit_pspline_2d_gaussian`) smooths log
rates that come without counts (published life tables): penalised weighted
least squares, ``BIC = N log(RSS_w / N) + log(N) ED``, and ``psi2`` is the
residual variance ``RSS_w / (N - ED)``. :func:`fit_pspline_1d` is the same
machinery on one axis.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence, TypeVar

import numpy as np
import pandas as pd
from scipy import linalg, optimize
from scipy.interpolate import BSpline

try:  # optional: keeps BLAS single-threaded on small matrices (see _single_threaded)
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - without it BLAS keeps its own thread count
    import contextlib

    def threadpool_limits(*_args, **_kwargs):  # type: ignore[no-redef]
        return contextlib.nullcontext()

from foresight.errors import DataError

__all__ = [
    "PSplineFit",
    "bspline_basis",
    "difference_penalty",
    "fit_pspline_1d",
    "fit_pspline_2d",
    "fit_figure",
    "fit_pspline_2d_gaussian",
    "row_tensor",
    "simulate_deaths",
]

Criterion = Literal["bic", "aic"]
Method = Literal["glam", "kronecker"]

#: IRLS tolerance (largest change of a log rate) while searching smoothing parameters.
SELECTION_TOL = 1e-6
#: Coarse grid of log10 smoothing parameters searched before local refinement.
DEFAULT_LOG10_GRID = np.arange(-4.0, 8.01, 3.0)


_F = TypeVar("_F", bound=Callable)


def _single_threaded(func: _F) -> _F:
    """Run ``func`` with BLAS limited to one thread.

    The matrices here are small (a few hundred rows); threaded BLAS gains
    nothing on them and, on a busy machine, spin-waiting threads make each
    call tens of times slower.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Bases and penalties
# ---------------------------------------------------------------------------


def bspline_basis(
    x: Sequence[float] | np.ndarray,
    *,
    spacing: float = 5.0,
    degree: int = 3,
    n_segments: int | None = None,
) -> np.ndarray:
    """B-spline basis on equally spaced knots (Eilers & Marx 1996).

    Parameters
    ----------
    x
        Points (ages or years) at which the basis is evaluated, increasing.
    spacing
        Target distance between knots, in the units of ``x`` (years of age or
        calendar years). The number of segments is
        ``max(1, round((max(x) - min(x)) / spacing))``; knots are then equally
        spaced over ``[min(x), max(x)]``.
    degree
        Degree of the splines (3 = cubic).
    n_segments
        Number of inter-knot segments, overriding ``spacing``.

    Returns
    -------
    numpy.ndarray
        Matrix of shape ``(len(x), n_segments + degree)``; each row sums to 1.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise DataError("need at least two points to build a B-spline basis", expected="a 1-D array")
    lo, hi = float(x.min()), float(x.max())
    if hi <= lo:
        raise DataError("points are all equal", expected="at least two distinct ages or years")
    if n_segments is None:
        n_segments = max(1, int(round((hi - lo) / spacing)))
    dx = (hi - lo) / n_segments
    knots = lo + dx * np.arange(-degree, n_segments + degree + 1)
    basis = BSpline.design_matrix(np.clip(x, lo, hi), knots, degree, extrapolate=False)
    return np.asarray(basis.toarray())


def difference_penalty(n: int, order: int = 2) -> np.ndarray:
    """``D'D`` for the ``order``-th difference matrix ``D`` of ``n`` coefficients."""
    d = np.diff(np.eye(n), n=order, axis=0)
    return d.T @ d


def row_tensor(basis: np.ndarray) -> np.ndarray:
    """Row tensor ``G(B)[i, k * c + l] = B[i, k] * B[i, l]`` (shape ``n x c^2``)."""
    n, c = basis.shape
    return (basis[:, :, None] * basis[:, None, :]).reshape(n, c * c)


# ---------------------------------------------------------------------------
# Designs: the three products the fit needs, by GLAM or by brute force
# ---------------------------------------------------------------------------


class _Glam2D:
    """Array arithmetic for the 2-D tensor-product design ``B_a kron B_y``."""

    def __init__(self, ba: np.ndarray, by: np.ndarray) -> None:
        self.ba, self.by = ba, by
        self.ca, self.cy = ba.shape[1], by.shape[1]
        self.ga, self.gy = row_tensor(ba), row_tensor(by)

    @property
    def n_coef(self) -> int:
        return self.ca * self.cy

    def eta(self, theta: np.ndarray) -> np.ndarray:
        return self.ba @ theta.reshape(self.ca, self.cy) @ self.by.T

    def inner(self, w: np.ndarray) -> np.ndarray:
        ca, cy = self.ca, self.cy
        m = (self.ga.T @ w @ self.gy).reshape(ca, ca, cy, cy)
        return m.transpose(0, 2, 1, 3).reshape(ca * cy, ca * cy)

    def rhs(self, wz: np.ndarray) -> np.ndarray:
        return (self.ba.T @ wz @ self.by).ravel()

    def diag_quad(self, v: np.ndarray) -> np.ndarray:
        ca, cy = self.ca, self.cy
        v4 = v.reshape(ca, cy, ca, cy).transpose(0, 2, 1, 3).reshape(ca * ca, cy * cy)
        return self.ga @ v4 @ self.gy.T


class _Kron2D:
    """Reference design: the explicit Kronecker product (for tests and benchmarks)."""

    def __init__(self, ba: np.ndarray, by: np.ndarray) -> None:
        self.shape = (ba.shape[0], by.shape[0])
        self.ca, self.cy = ba.shape[1], by.shape[1]
        self.b = np.kron(ba, by)

    @property
    def n_coef(self) -> int:
        return self.b.shape[1]

    def eta(self, theta: np.ndarray) -> np.ndarray:
        return (self.b @ theta.ravel()).reshape(self.shape)

    def inner(self, w: np.ndarray) -> np.ndarray:
        return self.b.T @ (w.ravel()[:, None] * self.b)

    def rhs(self, wz: np.ndarray) -> np.ndarray:
        return self.b.T @ wz.ravel()

    def diag_quad(self, v: np.ndarray) -> np.ndarray:
        return np.einsum("ij,jk,ik->i", self.b, v, self.b).reshape(self.shape)


class _Design1D:
    """One axis: the basis itself (data carried as an ``n x 1`` array)."""

    def __init__(self, b: np.ndarray) -> None:
        self.b = b

    @property
    def n_coef(self) -> int:
        return self.b.shape[1]

    def eta(self, theta: np.ndarray) -> np.ndarray:
        return (self.b @ theta)[:, None]

    def inner(self, w: np.ndarray) -> np.ndarray:
        return self.b.T @ (w[:, 0][:, None] * self.b)

    def rhs(self, wz: np.ndarray) -> np.ndarray:
        return self.b.T @ wz[:, 0]

    def diag_quad(self, v: np.ndarray) -> np.ndarray:
        return np.einsum("ij,jk,ik->i", self.b, v, self.b)[:, None]


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PSplineFit:
    """Result of a P-spline fit.

    Attributes
    ----------
    ages, years
        Axes of the fitted surface (``years`` includes any forecast years;
        for a 1-D fit ``years`` is empty and the arrays have one column).
    log_rates
        Fitted log mortality rates (log deaths per person-year), shape
        ``(n_ages, n_years)``.
    se
        Standard errors of ``log_rates`` (including the overdispersion).
    lambdas
        Smoothing parameters ``(lambda_age, lambda_year)`` (1-D: one value).
    overdispersion
        ``psi2``: Poisson, deviance / (N - ED); Gaussian, the residual
        variance of the weighted log rates.
    effective_dim
        Effective dimension (trace of the smoother).
    bic, aic
        Criteria at the selected fit (computed with ``overdispersion``).
    deviance
        Poisson deviance, or weighted residual sum of squares (Gaussian).
    n_obs
        Cells with positive weight.
    observed
        Boolean mask of the cells with positive weight (False for
        forecast padding, zero exposures and missing values).
    family, criterion, method
        How the fit was made.
    coefficients
        Spline coefficients, shape ``(c_age, c_year)``.
    """

    ages: np.ndarray
    years: np.ndarray
    log_rates: np.ndarray
    se: np.ndarray
    lambdas: tuple[float, ...]
    overdispersion: float
    effective_dim: float
    bic: float
    aic: float
    deviance: float
    n_obs: int
    observed: np.ndarray
    family: str
    criterion: str
    method: str
    coefficients: np.ndarray
    covariance: np.ndarray = field(repr=False)
    basis_age: np.ndarray = field(repr=False)
    basis_year: np.ndarray | None = field(repr=False, default=None)

    @property
    def rates(self) -> np.ndarray:
        """Fitted central death rates ``exp(log_rates)`` (per person-year)."""
        return np.exp(self.log_rates)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: ``age, year, log_rate, se, observed`` sorted by age then year."""
        if self.years.size == 0:
            return pd.DataFrame(
                {
                    "age": self.ages,
                    "log_rate": self.log_rates[:, 0],
                    "se": self.se[:, 0],
                    "observed": self.observed[:, 0],
                }
            )
        aa, yy = np.meshgrid(self.ages, self.years, indexing="ij")
        return pd.DataFrame(
            {
                "age": aa.ravel(),
                "year": yy.ravel(),
                "log_rate": self.log_rates.ravel(),
                "se": self.se.ravel(),
                "observed": self.observed.ravel(),
            }
        )

    def improvement_rates(self, year: int) -> pd.DataFrame:
        """Annual improvement ``1 - m(x, year) / m(x, year - 1)`` with its standard error.

        The standard error is that of the difference of the two fitted log
        rates (computed from the full coefficient covariance, so the strong
        positive correlation between adjacent years is accounted for),
        carried to the rate scale by the delta method.

        Returns
        -------
        pandas.DataFrame
            Columns ``age, rate, se`` (rates as fractions per year, e.g.
            0.012 = 1.2 % a year).
        """
        if self.basis_year is None:
            raise ValueError("improvement rates need a 2-D (age x year) fit")
        idx = {int(y): i for i, y in enumerate(self.years)}
        if year not in idx or year - 1 not in idx:
            raise ValueError(f"year {year} and {year - 1} must both be on the fitted grid")
        i1, i0 = idx[year], idx[year - 1]
        delta = self.log_rates[:, i1] - self.log_rates[:, i0]
        d = self.basis_year[i1] - self.basis_year[i0]
        ca, cy = self.coefficients.shape
        v4 = self.covariance.reshape(ca, cy, ca, cy)
        u = np.einsum("kmln,m,n->kl", v4, d, d)
        var = self.overdispersion * np.einsum("ik,kl,il->i", self.basis_age, u, self.basis_age)
        rate = 1.0 - np.exp(delta)
        se = np.exp(delta) * np.sqrt(np.maximum(var, 0.0))
        return pd.DataFrame({"age": self.ages, "rate": rate, "se": se})

    def summary(self) -> str:
        """A short plain-text summary of the fit."""
        lam = ", ".join(f"{v:.3g}" for v in self.lambdas)
        return (
            f"P-spline fit ({self.family}, {self.method}): {self.log_rates.shape[0]} ages"
            + (f" x {self.years.size} years" if self.years.size else "")
            + f", N = {self.n_obs} observed cells\n"
            f"  lambdas = ({lam}) selected by {self.criterion.upper()}\n"
            f"  effective dimension = {self.effective_dim:.2f}\n"
            f"  overdispersion psi2 = {self.overdispersion:.3f}\n"
            f"  deviance = {self.deviance:.2f}, BIC = {self.bic:.2f}, AIC = {self.aic:.2f}"
        )


# ---------------------------------------------------------------------------
# Core machinery
# ---------------------------------------------------------------------------


@dataclass
class _Problem:
    design: object
    penalties: tuple[np.ndarray, ...]
    family: str
    y: np.ndarray  # deaths (Poisson) or log rates (Gaussian); 0 where weight 0
    offset: np.ndarray  # log exposure (Poisson), 0 elsewhere
    weight: np.ndarray  # prior weights: 1/0 (Poisson) or user weights (Gaussian)
    max_iter: int
    tol: float
    theta: np.ndarray | None = None  # warm start

    @property
    def n_obs(self) -> int:
        return int(np.count_nonzero(self.weight > 0))


@dataclass
class _State:
    lambdas: tuple[float, ...]
    theta: np.ndarray
    eta: np.ndarray
    deviance: float
    ed: float
    chol: tuple[np.ndarray, bool]
    inner: np.ndarray


def _penalty(problem: _Problem, lambdas: Sequence[float]) -> np.ndarray:
    return sum(lam * p for lam, p in zip(lambdas, problem.penalties))


def _poisson_deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return float(2.0 * np.sum(np.where(w > 0, w * term, 0.0)))


def _trace_solve(chol: tuple[np.ndarray, bool], m: np.ndarray) -> float:
    """``trace(A^-1 M)`` from the Cholesky factor of ``A`` (inverse by LAPACK potri)."""
    inv, info = linalg.lapack.dpotri(chol[0], lower=chol[1])
    if info != 0:
        raise np.linalg.LinAlgError("penalised information matrix is singular")
    # only one triangle of ``inv`` is valid; ``m`` is symmetric
    tri = np.triu(inv) if not chol[1] else np.tril(inv)
    return float(2.0 * np.sum(tri * m) - np.dot(np.diag(inv), np.diag(m)))


def _factor(a: np.ndarray) -> tuple[np.ndarray, bool]:
    """Cholesky factor of a penalised information matrix.

    With a tiny smoothing parameter and coefficients that no observed cell
    supports (zero weights, or fitted counts near zero) the matrix can be
    numerically singular; a ridge of relative size 1e-10, then larger, is
    added in that case (it changes nothing else).
    """
    try:
        return linalg.cho_factor(a, lower=False, check_finite=False)
    except linalg.LinAlgError:
        scale = float(np.mean(np.abs(np.diag(a)))) or 1.0
        for ridge in (1e-10, 1e-8, 1e-6):
            try:
                return linalg.cho_factor(a + ridge * scale * np.eye(a.shape[0]), lower=False, check_finite=False)
            except linalg.LinAlgError:
                continue
        raise


def _solve(
    problem: _Problem, lambdas: Sequence[float], *, need_ed: bool = True, tol: float | None = None
) -> _State:
    """Penalised (IR)LS at fixed smoothing parameters."""
    design = problem.design
    pen = _penalty(problem, lambdas)
    w0, y = problem.weight, problem.y
    if problem.family == "gaussian":
        inner = design.inner(w0)
        chol = _factor(inner + pen)
        theta = linalg.cho_solve(chol, design.rhs(w0 * y), check_finite=False)
        eta = design.eta(theta)
        dev = float(np.sum(w0 * (y - eta) ** 2))
    else:
        theta = problem.theta
        if theta is None:
            # start from a smooth of log((D + 1) / (E + 1)) with unit weights
            with np.errstate(divide="ignore"):
                e = np.where(w0 > 0, np.exp(problem.offset), 0.0)
            z0 = np.where(w0 > 0, np.log((y + 1.0) / (e + 1.0)), 0.0)
            inner0 = design.inner(w0)
            c0 = _factor(inner0 + pen + 1e-8 * np.eye(design.n_coef))
            theta = linalg.cho_solve(c0, design.rhs(w0 * z0), check_finite=False)
        eta = design.eta(theta)

        def mean(eta_: np.ndarray) -> np.ndarray:
            return np.where(w0 > 0, np.exp(np.clip(eta_ + problem.offset, -50, 50)), 0.0)

        def penalised_deviance(theta_: np.ndarray, eta_: np.ndarray) -> float:
            return _poisson_deviance(y, mean(eta_), w0) + float(theta_ @ pen @ theta_)

        objective = penalised_deviance(theta, eta)
        for _ in range(problem.max_iter):
            mu = mean(eta)
            wk = w0 * mu
            z = np.where(w0 > 0, eta + (y - mu) / np.where(mu > 0, mu, 1.0), 0.0)
            inner = design.inner(wk)
            chol = _factor(inner + pen)
            new = linalg.cho_solve(chol, design.rhs(wk * z), check_finite=False)
            eta_new = design.eta(new)
            # step halving: a full Newton step may overshoot far from the optimum
            for _half in range(30):
                obj_new = penalised_deviance(new, eta_new) if np.all(np.isfinite(eta_new)) else np.inf
                if obj_new <= objective + 1e-9 * (1.0 + abs(objective)):
                    break
                new = 0.5 * (theta + new)
                eta_new = design.eta(new)
            step = float(np.max(np.abs(eta_new - eta)))
            theta, eta, objective = new, eta_new, obj_new
            if step < (problem.tol if tol is None else tol):
                break
        # As MortalitySmooth: the weights and factor of the last IRLS step serve
        # for the effective dimension and the covariance (they differ from the
        # converged ones by less than the tolerance).
        dev = _poisson_deviance(y, mean(eta), w0)
        problem.theta = theta
    ed = _trace_solve(chol, inner) if need_ed else np.nan
    return _State(tuple(float(v) for v in lambdas), theta, eta, dev, ed, chol, inner)


def _criterion(problem: _Problem, state: _State, psi2: float, which: str) -> float:
    n = problem.n_obs
    if problem.family == "gaussian":
        fit_term = n * np.log(max(state.deviance, 1e-300) / n)
    else:
        fit_term = state.deviance / psi2
    k = np.log(n) if which == "bic" else 2.0
    return float(fit_term + k * state.ed)


def _psi2(problem: _Problem, state: _State) -> float:
    resid_df = problem.n_obs - state.ed
    if resid_df <= 0:
        return 1.0
    return float(state.deviance / resid_df)


def _select(
    problem: _Problem,
    psi2: float,
    which: str,
    n_lambda: int,
    grid: np.ndarray,
    start: np.ndarray | None,
) -> np.ndarray:
    """Minimise the criterion over log10 lambdas: coarse grid then Nelder-Mead."""

    def crit(loglam: np.ndarray) -> float:
        loglam = np.clip(loglam, -8.0, 12.0)
        try:
            state = _solve(problem, tuple(10.0 ** np.asarray(loglam)), tol=SELECTION_TOL)
        except np.linalg.LinAlgError:
            return np.inf
        value = _criterion(problem, state, psi2, which)
        return value if np.isfinite(value) else np.inf

    if start is None:
        mesh = np.stack(np.meshgrid(*([grid] * n_lambda), indexing="ij"), -1).reshape(-1, n_lambda)
        values = np.array([crit(p) for p in mesh])
        start = mesh[int(np.argmin(values))]
        step = float(np.diff(grid).min()) / 2 if grid.size > 1 else 1.0
    else:
        step = 0.2
    simplex = np.vstack([start] + [start + step * np.eye(n_lambda)[i] for i in range(n_lambda)])
    res = optimize.minimize(
        crit,
        start,
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": 0.1, "fatol": 1e-3, "maxfev": 200},
    )
    return np.clip(res.x, -8.0, 12.0)


def _fit(
    problem: _Problem,
    *,
    lambdas: Sequence[float] | None,
    criterion: str,
    overdispersion: bool,
    n_lambda: int,
    grid: np.ndarray,
) -> tuple[_State, float]:
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', not {criterion!r}")
    if problem.n_obs <= 2:
        raise DataError("too few cells with positive weight to fit", expected="at least 3 observed cells")
    gaussian = problem.family == "gaussian"
    if lambdas is not None:
        if len(lambdas) != n_lambda or any(not np.isfinite(v) or v < 0 for v in lambdas):
            raise ValueError(f"lambdas must be {n_lambda} non-negative numbers")
        state = _solve(problem, lambdas)
        psi2 = _psi2(problem, state) if (overdispersion or gaussian) else 1.0
        return state, psi2
    psi2 = 1.0
    loglam = _select(problem, psi2, criterion, n_lambda, grid, None)
    state = _solve(problem, tuple(10.0**loglam))
    if gaussian:
        return state, _psi2(problem, state)
    if overdispersion:
        for _ in range(5):  # MortalitySmooth: at most 5 rounds, relative change 1e-3
            new_psi2 = _psi2(problem, state)
            if abs(new_psi2 - psi2) <= 1e-3 * psi2:
                psi2 = new_psi2
                break
            psi2 = new_psi2
            loglam = _select(problem, psi2, criterion, n_lambda, grid, loglam)
            state = _solve(problem, tuple(10.0**loglam))
        else:
            psi2 = _psi2(problem, state)  # five rounds used: report psi2 of the final fit
    return state, psi2


def _finish(
    problem: _Problem,
    state: _State,
    psi2: float,
    *,
    ages: np.ndarray,
    years: np.ndarray,
    criterion: str,
    method: str,
    coef_shape: tuple[int, ...],
    basis_age: np.ndarray,
    basis_year: np.ndarray | None,
) -> PSplineFit:
    cov = linalg.cho_solve(state.chol, np.eye(problem.design.n_coef), check_finite=False)
    var = problem.design.diag_quad(cov)
    se = np.sqrt(np.maximum(psi2 * var, 0.0))
    n = problem.n_obs
    if problem.family == "gaussian":
        fit_term = n * np.log(max(state.deviance, 1e-300) / n)
    else:
        fit_term = state.deviance / psi2
    return PSplineFit(
        ages=ages,
        years=years,
        log_rates=state.eta,
        se=se,
        lambdas=state.lambdas,
        overdispersion=float(psi2),
        effective_dim=state.ed,
        bic=float(fit_term + np.log(n) * state.ed),
        aic=float(fit_term + 2.0 * state.ed),
        deviance=state.deviance,
        n_obs=n,
        observed=problem.weight > 0,
        family=problem.family,
        criterion=criterion,
        method=method,
        coefficients=state.theta.reshape(coef_shape),
        covariance=cov,
        basis_age=basis_age,
        basis_year=basis_year,
    )


# ---------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------


def _axis(values: Sequence[float] | np.ndarray, name: str, n: int) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size != n:
        raise DataError(
            f"{name} has {arr.size} values but the data have {n} along that axis",
            column=name,
            expected=f"{n} increasing values",
        )
    if np.any(np.diff(arr) <= 0):
        raise DataError(f"{name} are not strictly increasing", column=name, expected="increasing values")
    return arr


def _matrix(values: np.ndarray | pd.DataFrame, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.DataFrame) else values, dtype=float)
    if arr.ndim != ndim:
        raise DataError(f"{name} must be a {ndim}-D array, got {arr.ndim}-D", column=name)
    return arr


def _pad_years(years: np.ndarray, forecast_to: int | None) -> np.ndarray:
    if forecast_to is None or forecast_to <= years[-1]:
        return years
    step = years[1] - years[0] if years.size > 1 else 1.0
    extra = np.arange(years[-1] + step, forecast_to + step / 2, step)
    return np.concatenate([years, extra])


def _poisson_arrays(
    deaths: np.ndarray, exposures: np.ndarray, n_pad: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if deaths.shape != exposures.shape:
        raise DataError(
            f"deaths have shape {deaths.shape} but exposures {exposures.shape}",
            expected="arrays of the same shape (ages x years)",
        )
    bad = np.isfinite(deaths) & (deaths < 0) | np.isfinite(exposures) & (exposures < 0)
    if np.any(bad):
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise DataError("negative deaths or exposure", row=str(i), row_label="cell", expected="values >= 0")
    lost = np.isfinite(deaths) & (deaths > 0) & (exposures == 0)
    if np.any(lost):
        i = tuple(int(v) for v in np.argwhere(lost)[0])
        raise DataError("deaths with zero exposure", row=str(i), row_label="cell",
                        expected="positive exposure where deaths > 0")
    ok = np.isfinite(deaths) & np.isfinite(exposures) & (exposures > 0)
    y = np.where(ok, deaths, 0.0)
    offset = np.where(ok, np.log(np.where(ok, exposures, 1.0)), 0.0)
    w = ok.astype(float)
    if n_pad:
        pad = np.zeros(y.shape[:-1] + (n_pad,))
        y, offset, w = (np.concatenate([a, pad], axis=-1) for a in (y, offset, w))
    return y, offset, w


# ---------------------------------------------------------------------------
# Public fitting functions
# ---------------------------------------------------------------------------


@_single_threaded
def fit_pspline_2d(
    deaths: np.ndarray | pd.DataFrame,
    exposures: np.ndarray | pd.DataFrame,
    *,
    ages: Sequence[float],
    years: Sequence[float],
    knot_spacing: tuple[float, float] = (5.0, 5.0),
    degree: int = 3,
    penalty_order: int = 2,
    lambdas: tuple[float, float] | None = None,
    criterion: Criterion = "bic",
    overdispersion: bool = True,
    forecast_to: int | None = None,
    method: Method = "glam",
    lambda_grid: Sequence[float] | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> PSplineFit:
    """Poisson P-spline smoothing (and forecasting) of a mortality surface.

    Parameters
    ----------
    deaths, exposures
        Death counts and person-years at risk, shape ``(n_ages, n_years)``
        (ages in rows). Cells with zero or missing exposure get weight zero
        (they are interpolated, not fitted); zero deaths are fine.
    ages, years
        Axis values (completed years of age; calendar years).
    knot_spacing
        Distance between knots for ages and for years (default one knot
        every 5 ages and 5 years).
    degree, penalty_order
        Spline degree (cubic) and order of the difference penalty (2).
    lambdas
        Fixed ``(lambda_age, lambda_year)``; if ``None`` both are chosen by
        ``criterion``.
    criterion
        ``"bic"`` (default) or ``"aic"``.
    overdispersion
        Estimate ``psi2`` and iterate it with the selection (MortalitySmooth).
        If False, ``psi2 = 1``.
    forecast_to
        Last year of a forecast: the year axis is padded with zero-weight
        cells up to this year.
    method
        ``"glam"`` (array arithmetic, default) or ``"kronecker"`` (the
        explicit Kronecker reference; slow, for checking only).
    lambda_grid
        log10 values of the coarse search grid (default -4, -1, 2, 5, 8).
    max_iter, tol
        IRLS limits (tolerance on the largest change of a fitted log rate).

    Returns
    -------
    PSplineFit
    """
    d = _matrix(deaths, "deaths", 2)
    e = _matrix(exposures, "exposures", 2)
    ages_arr = _axis(ages, "ages", d.shape[0])
    years_arr = _axis(years, "years", d.shape[1])
    all_years = _pad_years(years_arr, forecast_to)
    y, offset, w = _poisson_arrays(d, e, all_years.size - years_arr.size)
    return _fit_2d(
        "poisson", y, offset, w, ages_arr, all_years, knot_spacing, degree, penalty_order,
        lambdas, criterion, overdispersion, method, lambda_grid, max_iter, tol,
    )  # fmt: skip


@_single_threaded
def fit_pspline_2d_gaussian(
    log_rates: np.ndarray | pd.DataFrame,
    *,
    ages: Sequence[float],
    years: Sequence[float],
    weights: np.ndarray | None = None,
    knot_spacing: tuple[float, float] = (5.0, 5.0),
    degree: int = 3,
    penalty_order: int = 2,
    lambdas: tuple[float, float] | None = None,
    criterion: Criterion = "bic",
    forecast_to: int | None = None,
    method: Method = "glam",
    lambda_grid: Sequence[float] | None = None,
) -> PSplineFit:
    """Weighted Gaussian P-spline smoothing of log rates over age x year.

    For surfaces that come without counts, e.g. log ``mx`` from published
    life tables observed only in some years: put the years of the grid you
    want (e.g. every calendar year) on the axis and ``NaN`` where nothing is
    observed; those cells get weight zero and are interpolated by the
    penalty.

    Parameters
    ----------
    log_rates
        Log central death rates, shape ``(n_ages, n_years)``; ``NaN`` = missing.
    weights
        Prior weights (e.g. inverse variances), same shape; default 1.
    Other parameters
        As :func:`fit_pspline_2d`. ``overdispersion`` in the result is the
        residual variance ``RSS_w / (N - ED)``.
    """
    z = _matrix(log_rates, "log_rates", 2)
    ages_arr = _axis(ages, "ages", z.shape[0])
    years_arr = _axis(years, "years", z.shape[1])
    w = np.ones_like(z) if weights is None else _matrix(weights, "weights", 2)
    if w.shape != z.shape:
        raise DataError("weights and log_rates differ in shape", expected=str(z.shape))
    if np.any(w < 0):
        raise DataError("negative weights", column="weights", expected="weights >= 0")
    ok = np.isfinite(z) & np.isfinite(w) & (w > 0)
    y = np.where(ok, z, 0.0)
    w = np.where(ok, w, 0.0)
    all_years = _pad_years(years_arr, forecast_to)
    n_pad = all_years.size - years_arr.size
    if n_pad:
        pad = np.zeros((y.shape[0], n_pad))
        y, w = np.concatenate([y, pad], axis=1), np.concatenate([w, pad], axis=1)
    return _fit_2d(
        "gaussian", y, np.zeros_like(y), w, ages_arr, all_years, knot_spacing, degree,
        penalty_order, lambdas, criterion, True, method, lambda_grid, 1, 0.0,
    )  # fmt: skip


def _fit_2d(
    family: str,
    y: np.ndarray,
    offset: np.ndarray,
    w: np.ndarray,
    ages: np.ndarray,
    years: np.ndarray,
    knot_spacing: tuple[float, float],
    degree: int,
    penalty_order: int,
    lambdas: tuple[float, float] | None,
    criterion: str,
    overdispersion: bool,
    method: str,
    lambda_grid: Sequence[float] | None,
    max_iter: int,
    tol: float,
) -> PSplineFit:
    ba = bspline_basis(ages, spacing=knot_spacing[0], degree=degree)
    by = bspline_basis(years, spacing=knot_spacing[1], degree=degree)
    ca, cy = ba.shape[1], by.shape[1]
    if method == "glam":
        design: object = _Glam2D(ba, by)
    elif method == "kronecker":
        design = _Kron2D(ba, by)
    else:
        raise ValueError(f"method must be 'glam' or 'kronecker', not {method!r}")
    pa = np.kron(difference_penalty(ca, penalty_order), np.eye(cy))
    py = np.kron(np.eye(ca), difference_penalty(cy, penalty_order))
    problem = _Problem(design, (pa, py), family, y, offset, w, max_iter, tol)
    grid = DEFAULT_LOG10_GRID if lambda_grid is None else np.asarray(lambda_grid, dtype=float)
    state, psi2 = _fit(
        problem, lambdas=lambdas, criterion=criterion, overdispersion=overdispersion,
        n_lambda=2, grid=grid,
    )  # fmt: skip
    return _finish(
        problem, state, psi2, ages=ages, years=years, criterion=criterion, method=method,
        coef_shape=(ca, cy), basis_age=ba, basis_year=by,
    )  # fmt: skip


@_single_threaded
def fit_pspline_1d(
    deaths: Sequence[float] | np.ndarray | None = None,
    exposures: Sequence[float] | np.ndarray | None = None,
    *,
    ages: Sequence[float],
    log_rates: Sequence[float] | np.ndarray | None = None,
    weights: Sequence[float] | np.ndarray | None = None,
    knot_spacing: float = 5.0,
    degree: int = 3,
    penalty_order: int = 2,
    lam: float | None = None,
    criterion: Criterion = "bic",
    overdispersion: bool = True,
    lambda_grid: Sequence[float] | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> PSplineFit:
    """One-dimensional P-spline over age (or any single axis).

    Poisson if ``deaths`` and ``exposures`` are given, weighted Gaussian on
    ``log_rates`` (with optional ``weights``) otherwise. The smoothing
    parameter is chosen by BIC/AIC unless ``lam`` is given. The result has
    one column and ``years`` empty.
    """
    ages_arr = np.asarray(ages, dtype=float)
    if deaths is not None and exposures is not None:
        d = np.asarray(deaths, dtype=float)[:, None]
        e = np.asarray(exposures, dtype=float)[:, None]
        _axis(ages_arr, "ages", d.shape[0])
        y, offset, w = _poisson_arrays(d, e, 0)
        family = "poisson"
    elif log_rates is not None:
        z = np.asarray(log_rates, dtype=float)[:, None]
        _axis(ages_arr, "ages", z.shape[0])
        wt = np.ones_like(z) if weights is None else np.asarray(weights, dtype=float)[:, None]
        ok = np.isfinite(z) & (wt > 0)
        y, w, offset = np.where(ok, z, 0.0), np.where(ok, wt, 0.0), np.zeros_like(z)
        family = "gaussian"
        max_iter, tol = 1, 0.0
    else:
        raise ValueError("give deaths and exposures (Poisson) or log_rates (Gaussian)")
    b = bspline_basis(ages_arr, spacing=knot_spacing, degree=degree)
    problem = _Problem(
        _Design1D(b), (difference_penalty(b.shape[1], penalty_order),), family, y, offset, w,
        max_iter, tol,
    )  # fmt: skip
    grid = DEFAULT_LOG10_GRID if lambda_grid is None else np.asarray(lambda_grid, dtype=float)
    state, psi2 = _fit(
        problem, lambdas=None if lam is None else (lam,), criterion=criterion,
        overdispersion=overdispersion, n_lambda=1, grid=grid,
    )  # fmt: skip
    return _finish(
        problem, state, psi2, ages=ages_arr, years=np.array([]), criterion=criterion,
        method="direct", coef_shape=(b.shape[1],), basis_age=b, basis_year=None,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# Simulation and a diagnostic figure
# ---------------------------------------------------------------------------


def simulate_deaths(
    log_rates: np.ndarray,
    exposures: np.ndarray,
    *,
    overdispersion: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """Death counts with mean ``E * exp(log_rates)`` and variance ``overdispersion`` times the mean.

    ``overdispersion = 1`` draws Poisson counts; above 1, negative-binomial
    counts with ``n = mean / (psi2 - 1)`` and ``p = 1 / psi2``, whose variance
    is exactly ``psi2 * mean`` (the quasi-Poisson model the P-spline
    assumes). Deterministic for a given ``seed``.
    """
    if overdispersion < 1.0:
        raise ValueError("overdispersion must be at least 1")
    rng = np.random.default_rng(seed)
    mean = np.asarray(exposures, dtype=float) * np.exp(np.asarray(log_rates, dtype=float))
    if overdispersion == 1.0:
        return rng.poisson(mean).astype(float)
    n = np.maximum(mean / (overdispersion - 1.0), 1e-12)
    return rng.negative_binomial(n, 1.0 / overdispersion).astype(float)


def fit_figure(
    fit: PSplineFit,
    deaths: np.ndarray,
    exposures: np.ndarray,
    *,
    ages: Sequence[int],
    truth: np.ndarray | None = None,
    title: str = "",
):
    """Crude and fitted log rates by year for a few ages, with 2-SE bands (and forecast)."""
    from foresight import plotting

    fig, ax = plotting.figure(height=4.0)
    n_obs_years = np.asarray(deaths).shape[1]
    years = fit.years
    for k, age in enumerate(ages):
        i = int(np.flatnonzero(fit.ages == age)[0])
        colour = plotting.PALETTE[k % len(plotting.PALETTE)]
        with np.errstate(divide="ignore", invalid="ignore"):
            crude = np.log(np.asarray(deaths, dtype=float)[i] / np.asarray(exposures, dtype=float)[i])
        ax.plot(years[:n_obs_years], crude, ls="none", marker="o", ms=2.5, color=colour, alpha=0.7)
        ax.plot(years, fit.log_rates[i], color=colour, label=f"age {age}")
        ax.fill_between(years, fit.log_rates[i] - 2 * fit.se[i], fit.log_rates[i] + 2 * fit.se[i],
                        color=colour, alpha=0.18, lw=0)
        if truth is not None:
            ax.plot(years, truth[i], color=colour, ls=":", lw=1.0)
    if years.size > n_obs_years:
        ax.axvspan(years[n_obs_years - 1] + 0.5, years[-1], color="#eeeeee", zorder=0)
        ax.text(years[n_obs_years - 1] + 1.5, ax.get_ylim()[1], "forecast", va="top", fontsize=8)
    ax.set_xlabel("year")
    ax.set_ylabel("log death rate")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    return fig
