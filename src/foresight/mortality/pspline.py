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
number of cells with positive weight and ``psi2`` the overdispersion. The
search runs over ``log10 lambda`` within bounds (default 1e-8 to 1e8, as
MortalitySmooth): a coarse 5 x 5 grid (fits to a loose tolerance, in a snake
order so that each starts near the last) finds the basin, then projected
Newton steps use the exact gradient of the criterion (the derivatives of the
deviance and of ED with respect to each lambda, :func:`_gradient`) with a
Hessian from differences of that gradient, updated by BFGS. Each penalised
fit starts from coefficients predicted by their derivatives with respect to
log10 lambda. On 101 ages x 53 years a full selection with overdispersion
takes about 50 penalised fits (``benchmarks/pspline.py``). With ``overdispersion=True`` the selection
is iterated as in MortalitySmooth (Camarda 2012): select with ``psi2 = 1``;
estimate ``psi2 = Dev / (N - ED)`` at the selected fit; select again with
that ``psi2``; repeat until ``psi2`` changes by less than 1e-10. Standard
errors of the fitted log rates are ``sqrt(psi2 * diag(B (B'WB + P)^-1 B'))``
(the Bayesian covariance of Wood 2006, as used by MortalitySmooth).

Numerics that hold on any machine
---------------------------------
Every loop stops on a tolerance (IRLS: 1e-10 on the log rates; search: 1e-9
on log10 lambda; overdispersion: 1e-10 relative) and reports failure
(``PSplineFit.converged``, :class:`foresight.ConvergenceWarning`). The fit is
computed in the eigenbasis of the marginal penalties (:func:`penalty_eigenbasis`),
where the penalty is diagonal, and the penalised information matrix is
Jacobi-scaled before its Cholesky factorisation: its condition then no longer
grows with lambda, so the criterion carries no round-off noise even near
lambda = 1e8 and the selected lambdas agree between BLAS kernels to about
1e-12. Coefficients and covariance are rotated back to the B-spline basis.

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
import warnings
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence, TypeVar

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.interpolate import BSpline

try:  # optional: keeps BLAS single-threaded on small matrices (see _single_threaded)
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - without it BLAS keeps its own thread count
    import contextlib

    def threadpool_limits(*_args, **_kwargs):  # type: ignore[no-redef]
        return contextlib.nullcontext()

from foresight.errors import ConvergenceWarning, DataError

__all__ = [
    "PSplineFit",
    "bspline_basis",
    "difference_penalty",
    "fit_pspline_1d",
    "fit_pspline_2d",
    "fit_figure",
    "fit_pspline_2d_gaussian",
    "penalty_eigenbasis",
    "row_tensor",
    "simulate_deaths",
]

Criterion = Literal["bic", "aic"]
Method = Literal["glam", "kronecker"]

#: Coarse grid of log10 smoothing parameters searched before the Newton refinement.
DEFAULT_LOG10_GRID = np.arange(-4.0, 8.01, 3.0)
#: IRLS tolerance on the coarse grid, which only has to find the basin.
GRID_TOL = 1e-2
#: Default bounds on log10 of every smoothing parameter (MortalitySmooth's range, 1e-8 to 1e8).
DEFAULT_LOG10_BOUNDS = (-8.0, 8.0)
#: The smoothing-parameter search has converged when a Newton step moves no
#: log10 lambda by more than this.
SELECT_XTOL = 1e-9
#: Most Newton iterations of one smoothing-parameter search.
SELECT_MAX_ITER = 60
#: Longest Newton step, in log10 lambda.
MAX_NEWTON_STEP = 2.0
#: Step of the forward differences of the gradient that give the Hessian (log10 lambda).
HESSIAN_STEP = 1e-4
#: After a full Newton step shorter than this (log10 lambda) the Hessian is reused.
HESSIAN_REUSE_STEP = 0.05
#: The overdispersion iteration has converged when psi2 changes by less than this, relatively.
PSI2_RTOL = 1e-10
#: Relative decrease of the criterion below which a search step is judged by its gradient instead.
NOISE_FLOOR = 1e-8
#: Most rounds of the overdispersion iteration.
PSI2_MAX_ROUNDS = 100


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
    # The base interval [knots[degree], knots[degree + n_segments]] must hold
    # every point exactly: ``lo + dx * n_segments`` can round to just below
    # ``hi`` (ages 0-109 at spacing 5 do), which scipy refuses.
    knots[degree], knots[degree + n_segments] = lo, hi
    basis = BSpline.design_matrix(np.clip(x, lo, hi), knots, degree, extrapolate=False)
    return np.asarray(basis.toarray())


def penalty_eigenbasis(n: int, order: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal eigenvectors ``U`` and eigenvalues ``s`` of ``D'D`` (``D'D = U diag(s) U'``).

    The null space (polynomials of degree below ``order``, eigenvalue 0) gets
    a fixed orthonormal basis, and every other eigenvector the sign that
    makes its first clearly non-zero entry positive, so that the basis, and
    with it every computation made in it, is the same on any machine.
    """
    evals, evecs = np.linalg.eigh(difference_penalty(n, order))
    null = evals <= 1e-9 * max(1.0, float(evals.max()))
    k = int(null.sum())
    poly = np.vander(np.linspace(-1.0, 1.0, n), k, increasing=True)
    q, r = np.linalg.qr(poly)
    q = q * np.sign(np.diag(r))  # the QR with a positive diagonal of R is unique
    rest = evecs[:, ~null]
    first = np.argmax(np.abs(rest) > 1e-6 * np.abs(rest).max(axis=0), axis=0)
    rest = rest * np.sign(rest[first, np.arange(rest.shape[1])])
    return np.column_stack([q, rest]), np.concatenate([np.zeros(k), evals[~null]])


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
        # B'WB needs each product B[i, k] * B[i, k'] once per unordered pair
        # (k, k'): the row tensors restricted to k <= k' carry all of it, and
        # an index array spreads the result over the full matrix.
        (ka, ka2), (ly, ly2) = np.triu_indices(self.ca), np.triu_indices(self.cy)
        self.ga_pairs, self.gy_pairs = self.ga[:, ka * self.ca + ka2], self.gy[:, ly * self.cy + ly2]
        pos_a, pos_y = np.empty((self.ca, self.ca), dtype=np.intp), np.empty((self.cy, self.cy), dtype=np.intp)
        pos_a[ka, ka2] = pos_a[ka2, ka] = np.arange(ka.size)
        pos_y[ly, ly2] = pos_y[ly2, ly] = np.arange(ly.size)
        self.spread = (pos_a[:, None, :, None] * ly.size + pos_y[None, :, None, :]).reshape(
            self.n_coef, self.n_coef
        )

    @property
    def n_coef(self) -> int:
        return self.ca * self.cy

    def eta(self, theta: np.ndarray) -> np.ndarray:
        return self.ba @ theta.reshape(self.ca, self.cy) @ self.by.T

    def inner(self, w: np.ndarray) -> np.ndarray:
        pairs = self.ga_pairs.T @ w @ self.gy_pairs
        return pairs.ravel()[self.spread]

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
    converged
        True when every iteration met its tolerance: IRLS (largest change of
        a log rate below ``tol``), the smoothing-parameter search (last
        Newton step below :data:`SELECT_XTOL` in ``log10 lambda``) and the
        overdispersion (relative change below :data:`PSI2_RTOL`). A fit that
        does not converge also raises :class:`foresight.ConvergenceWarning`.
    lambda_at_bound
        For each smoothing parameter, whether the search stopped at a bound
        of ``lambda_bounds`` (the criterion still falling beyond it: the
        surface is as smooth as the penalty allows in that direction).
    n_fits
        Number of penalised IRLS fits made (grid, search and final fits).
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
    converged: bool = True
    lambda_at_bound: tuple[bool, ...] = ()
    n_fits: int = 0

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
            f"  lambdas = ({lam}) selected by {self.criterion.upper()}"
            + ("" if not any(self.lambda_at_bound) else
               " (at a bound: " + ", ".join(("age", "year")[i] if self.years.size else "lambda"
                                            for i, b in enumerate(self.lambda_at_bound) if b) + ")")
            + ("" if self.converged else " [NOT CONVERGED]")
            + f"; {self.n_fits} penalised fits\n"
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
    penalties: tuple[np.ndarray, ...]  # diagonals p_j: the penalty is sum_j lambda_j * diag(p_j)
    family: str
    y: np.ndarray  # deaths (Poisson) or log rates (Gaussian); 0 where weight 0
    offset: np.ndarray  # log exposure (Poisson), 0 elsewhere
    weight: np.ndarray  # prior weights: 1/0 (Poisson) or user weights (Gaussian)
    max_iter: int
    tol: float
    theta: np.ndarray | None = None  # warm start: coefficients of the last fit
    n_fits: int = 0  # penalised (IRLS) fits made so far


    @property
    def n_obs(self) -> int:
        return int(np.count_nonzero(self.weight > 0))


@dataclass
class _State:
    """A penalised fit at fixed smoothing parameters, at its converged coefficients."""

    lambdas: tuple[float, ...]
    theta: np.ndarray
    eta: np.ndarray
    weights: np.ndarray  # working weights at ``theta``: w0 * mu (Poisson) or w0
    deviance: float
    ed: float
    factor: _Factor  # of A = B'WB + P
    converged: bool

    @functools.cached_property
    def ainv(self) -> np.ndarray:
        """``A^-1``, the Bayesian covariance of the coefficients before ``psi2``."""
        return self.factor.inverse()


@dataclass(frozen=True)
class _Selection:
    """Outcome of a search over log10 smoothing parameters."""

    loglam: np.ndarray
    state: _State
    hessian: np.ndarray | None
    converged: bool
    at_bound: tuple[bool, ...]


def _penalty(problem: _Problem, lambdas: Sequence[float]) -> np.ndarray:
    """Diagonal of the penalty ``P = sum_j lambda_j P_j`` (the coefficients are in the penalty's eigenbasis)."""
    return sum(lam * p for lam, p in zip(lambdas, problem.penalties))


def _poisson_deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)
    return float(2.0 * np.sum(np.where(w > 0, w * term, 0.0)))


@dataclass(frozen=True)
class _Factor:
    """Cholesky factor of ``S A S`` with ``S = diag(A)^-1/2`` (Jacobi scaling)."""

    chol: tuple[np.ndarray, bool]
    scale: np.ndarray

    def solve(self, b: np.ndarray) -> np.ndarray:
        return self.scale * linalg.cho_solve(self.chol, self.scale * b, check_finite=False)

    @functools.cached_property
    def _scaled_root(self) -> np.ndarray:
        """``X = S U^-1``, so that ``A^-1 = X X'`` (LAPACK trtri on the scaled factor)."""
        uinv, info = linalg.lapack.dtrtri(self.chol[0], lower=0)
        if info != 0:
            raise np.linalg.LinAlgError("penalised information matrix is singular")
        return self.scale[:, None] * np.triu(uinv)

    def diag_inverse(self) -> np.ndarray:
        """The diagonal of ``A^-1``."""
        x = self._scaled_root
        return np.einsum("ij,ij->i", x, x)

    def inverse(self) -> np.ndarray:
        """``A^-1`` (symmetric)."""
        x = self._scaled_root
        return x @ x.T


def _factor(inner: np.ndarray, pen: np.ndarray) -> _Factor:
    """Factor the penalised information matrix ``A = B'WB + diag(pen)``.

    In the penalty's eigenbasis ``P`` is diagonal, and scaling ``A`` by
    ``diag(A)^-1/2`` on both sides leaves a matrix whose condition no longer
    grows with the smoothing parameters: near lambda = 1e8 the unscaled
    Cholesky loses six digits, which shows up as round-off noise in the
    criterion. With a tiny smoothing parameter and coefficients that no
    observed cell supports the matrix can still be numerically singular; a
    ridge of relative size 1e-10, then larger, is added in that case.
    """
    d = np.diag(inner) + pen
    scale = 1.0 / np.sqrt(np.where(d > 0, d, 1.0))

    def scaled(ridge: float) -> np.ndarray:
        a = inner * scale[:, None]
        a *= scale[None, :]
        a[np.diag_indices_from(a)] += pen * scale**2 + ridge
        return a

    for ridge in (0.0, 1e-10, 1e-8, 1e-6):
        # LAPACK potrf in place on a fresh array: its upper triangle becomes U
        c, info = linalg.lapack.dpotrf(scaled(ridge), lower=0, clean=0, overwrite_a=1)
        if info == 0:
            return _Factor((c, False), scale)
        if info < 0:  # pragma: no cover - a bad argument, not a singular matrix
            raise ValueError(f"LAPACK dpotrf: illegal argument {-info}")
    raise np.linalg.LinAlgError("penalised information matrix is not positive definite")


def _poisson_mean(problem: _Problem, eta: np.ndarray) -> np.ndarray:
    w0 = problem.weight
    return np.where(w0 > 0, np.exp(np.clip(eta + problem.offset, -50, 50)), 0.0)


def _solve(problem: _Problem, lambdas: Sequence[float], tol: float | None = None) -> _State:
    """Penalised (IR)LS at fixed smoothing parameters.

    Poisson: IRLS with step halving, started from ``problem.theta`` (the
    previous fit's coefficients, or a prediction of the new ones) and run
    until the fitted log rates are known to ``tol`` (default ``problem.tol``):
    a full Newton step that changes no log rate by more than ``tol``, or,
    once the steps shrink quadratically (each at most a tenth of the one
    before), a step whose square is below ``tol`` (Newton's error after a
    step is of the order of the step squared). The effective dimension, the inverse
    used for the covariance and the working weights are then computed at the
    converged coefficients, so that the criterion and its derivatives
    (:func:`_gradient`) describe the same fit.
    """
    problem.n_fits += 1
    tol = problem.tol if tol is None else tol
    design = problem.design
    pen = _penalty(problem, lambdas)
    w0, y = problem.weight, problem.y
    converged = True
    if problem.family == "gaussian":
        weights = w0
        inner = design.inner(w0)
        factor = _factor(inner, pen)
        theta = factor.solve(design.rhs(w0 * y))
        eta = design.eta(theta)
        dev = float(np.sum(w0 * (y - eta) ** 2))
    else:
        theta = problem.theta
        if theta is None:
            # start from a smooth of log((D + 1) / (E + 1)) with unit weights
            with np.errstate(divide="ignore"):
                e = np.where(w0 > 0, np.exp(problem.offset), 0.0)
            z0 = np.where(w0 > 0, np.log((y + 1.0) / (e + 1.0)), 0.0)
            theta = _factor(design.inner(w0), pen + 1e-8).solve(design.rhs(w0 * z0))
        eta = design.eta(theta)

        def penalised_deviance(theta_: np.ndarray, eta_: np.ndarray) -> float:
            return _poisson_deviance(y, _poisson_mean(problem, eta_), w0) + float(np.sum(pen * theta_**2))

        objective = penalised_deviance(theta, eta)
        converged = False
        previous = np.inf
        for _ in range(problem.max_iter):
            mu = _poisson_mean(problem, eta)
            wk = w0 * mu
            z = np.where(w0 > 0, eta + (y - mu) / np.where(mu > 0, mu, 1.0), 0.0)
            new = _factor(design.inner(wk), pen).solve(design.rhs(wk * z))
            eta_new = design.eta(new)
            full = float(np.max(np.abs(eta_new - eta)))
            if (full < tol or (full * full < tol and full <= 0.1 * previous)
                    or (full < 1e3 * tol and full > 0.5 * previous)):
                # a full Newton step this short, or a quadratically shrinking one
                # whose square is (the error left is of the order of the square),
                # or steps that stopped shrinking near the tolerance: the round-off
                # floor of an ill-conditioned system, as close as the arithmetic allows
                theta, eta = new, eta_new
                converged = True
                break
            previous = full
            # step halving: a full Newton step may overshoot far from the optimum
            for _half in range(30):
                obj_new = penalised_deviance(new, eta_new) if np.all(np.isfinite(eta_new)) else np.inf
                if obj_new <= objective + 1e-9 * (1.0 + abs(objective)):
                    break
                new = 0.5 * (theta + new)
                eta_new = design.eta(new)
            theta, eta, objective = new, eta_new, obj_new
        mu = _poisson_mean(problem, eta)
        weights = w0 * mu
        inner = design.inner(weights)
        factor = _factor(inner, pen)
        dev = _poisson_deviance(y, mu, w0)
        problem.theta = theta
    # ED = trace(A^-1 B'WB) = p - trace(A^-1 P), and P is diagonal here
    ed = float(design.n_coef - pen @ factor.diag_inverse())
    return _State(tuple(float(v) for v in lambdas), theta, eta, weights, dev, ed, factor, converged)


def _criterion(problem: _Problem, state: _State, psi2: float, which: str) -> float:
    n = problem.n_obs
    if problem.family == "gaussian":
        fit_term = n * np.log(max(state.deviance, 1e-300) / n)
    else:
        fit_term = state.deviance / psi2
    k = np.log(n) if which == "bic" else 2.0
    return float(fit_term + k * state.ed)


def _gradient(problem: _Problem, state: _State, psi2: float, which: str) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of the criterion with respect to ``log10`` of each smoothing parameter.

    Also returns the derivatives of the coefficients, ``d theta / d log10
    lambda_j`` (one column each), from which the next fit's coefficients are
    predicted.

    With ``A = B'WB + P`` and ``P = sum_j lambda_j P_j``, at the penalised
    optimum (``B'(y - mu) = P theta``):

    * ``d theta / d lambda_j = -A^-1 P_j theta``;
    * ``d Dev / d lambda_j = -2 (P theta)' d theta / d lambda_j`` (the same
      for the weighted residual sum of squares);
    * ``ED = trace(A^-1 B'WB)`` gives ``d ED / d lambda_j = -trace(A^-1 P_j)
      + trace(dA_j A^-1 P A^-1)`` with ``dA_j = P_j + B' diag(dW_j) B`` and,
      for Poisson, ``dW_j = W * (B d theta / d lambda_j)`` (weights ``mu``).

    The last trace is ``sum(dW_j * diag(B M B'))`` with ``M = A^-1 P A^-1``,
    computed by array arithmetic without forming ``B``.
    """
    design = problem.design
    ainv = state.ainv
    pen = _penalty(problem, state.lambdas)
    m = ainv @ (pen[:, None] * ainv)
    ptheta = pen * state.theta
    diag_ainv, diag_m = np.diag(ainv), np.diag(m)
    n = problem.n_obs
    k = np.log(n) if which == "bic" else 2.0
    poisson = problem.family == "poisson"
    dq = design.diag_quad(m) if poisson else None
    grad = np.empty(len(state.lambdas))
    sens = np.empty((state.theta.size, len(state.lambdas)))
    for j, (lam, pj) in enumerate(zip(state.lambdas, problem.penalties)):
        dtheta = -(ainv @ (pj * state.theta))
        sens[:, j] = np.log(10.0) * lam * dtheta
        dfit = -2.0 * float(ptheta @ dtheta)
        ded = -float(diag_ainv @ pj) + float(diag_m @ pj)
        if poisson:
            ded += float(np.sum(state.weights * design.eta(dtheta) * dq))
            dterm = dfit / psi2
        else:
            dterm = n * dfit / max(state.deviance, 1e-300)
        grad[j] = np.log(10.0) * lam * (dterm + k * ded)
    return grad, sens


def _psi2(problem: _Problem, state: _State) -> float:
    resid_df = problem.n_obs - state.ed
    if resid_df <= 0:
        return 1.0
    return float(state.deviance / resid_df)


def _select(
    problem: _Problem,
    psi2: float,
    which: str,
    grid: np.ndarray,
    bounds: tuple[float, float],
    n_lambda: int,
    *,
    xtol: float,
    previous: _Selection | None = None,
) -> _Selection:
    """Minimise the criterion over ``log10`` smoothing parameters within ``bounds``.

    A coarse grid finds the basin (or the search starts from ``previous``,
    the optimum for another ``psi2``, whose fit is reused); then projected
    quasi-Newton steps on ``log10 lambda`` use the analytic gradient
    (:func:`_gradient`), a Hessian from forward differences of it (at the
    start and after any step the line search had to shorten) updated by BFGS
    after every accepted step, and backtracking on the criterion. Each fit
    starts from coefficients predicted from the last accepted one and their
    derivatives. A parameter whose derivative pushes it against a bound is
    held there (reported in ``at_bound``). Converged when a step moves no
    ``log10 lambda`` by more than ``xtol``, or when every parameter is held
    at a bound.
    """
    lo, hi = bounds
    anchor: list = []  # (rho, theta, d theta / d rho) of the last accepted fit

    def evaluate(rho: np.ndarray, tol: float | None = None) -> tuple[float, _State | None]:
        if anchor:
            rho0, theta0, sens0 = anchor
            problem.theta = theta0 + sens0 @ (rho - rho0)
        try:
            state = _solve(problem, tuple(10.0**rho), tol)
        except np.linalg.LinAlgError:
            return np.inf, None
        value = _criterion(problem, state, psi2, which)
        return (value, state) if np.isfinite(value) else (np.inf, None)

    if previous is None:
        axis = np.unique(np.clip(grid, lo, hi))
        mesh = np.stack(np.meshgrid(*([axis] * n_lambda), indexing="ij"), -1)
        if n_lambda == 2:
            mesh[1::2] = mesh[1::2, ::-1]  # a snake through the grid: each fit starts near the last
        mesh = mesh.reshape(-1, n_lambda)
        values = np.array([evaluate(p, GRID_TOL)[0] for p in mesh])
        if not np.isfinite(values).any():
            raise DataError("no smoothing parameter on the search grid gives a finite fit",
                            expected="counts and exposures that a P-spline can fit")
        rho = mesh[int(np.argmin(values))].astype(float)
        value, state = evaluate(rho)
        if state is None:
            raise DataError("the penalised fit failed at the starting smoothing parameters",
                            expected="counts and exposures that a P-spline can fit")
        hessian = None
    else:
        rho, state, hessian = previous.loglam, previous.state, previous.hessian
        value = _criterion(problem, state, psi2, which)
    grad, sens = _gradient(problem, state, psi2, which)
    anchor[:] = [rho, state.theta, sens]
    converged = False
    fresh = False  # is ``hessian`` from forward differences at the current point?
    for _ in range(SELECT_MAX_ITER):
        held = ((rho <= lo) & (grad > 0)) | ((rho >= hi) & (grad < 0))
        free = np.flatnonzero(~held)
        if free.size == 0:
            converged = True
            break
        if hessian is None or not np.all(np.isfinite(hessian)):
            hessian = _hessian(problem, rho, grad, psi2, which, evaluate, hi)
            fresh = True
        step = np.zeros_like(rho)
        step[free] = _newton_step(hessian[np.ix_(free, free)], grad[free])
        # backtracking: accept a sufficient decrease (allowing for round-off in the criterion)
        # Close to the optimum the decrease a step promises can fall below the
        # round-off of the criterion (near lambda = 1e8 the fits are
        # ill-conditioned); there a step that shrinks the gradient is accepted.
        noise = 1e-11 * (1.0 + abs(value))
        t, halved, accepted, new = 1.0, False, False, None
        for _half in range(40):
            trial = np.clip(rho + t * step, lo, hi)
            moved = float(np.max(np.abs(trial - rho)))
            v_trial, st_trial = evaluate(trial)
            if st_trial is not None:
                promised = float(grad @ (trial - rho))
                if v_trial <= value + 1e-4 * promised + noise:
                    accepted = True
                    break
                if -promised < NOISE_FLOOR * (1.0 + abs(value)):
                    new = _gradient(problem, st_trial, psi2, which)
                    if np.linalg.norm(new[0][free]) < 0.9 * np.linalg.norm(grad[free]):
                        accepted = True
                        break
                    new = None
            if moved < xtol:
                break
            t *= 0.5
            halved = True
        if not accepted:
            if not fresh:  # an updated Hessian may point the wrong way: retry with a fresh one
                hessian = None
                continue
            converged = moved < xtol
            break
        new_grad, sens = _gradient(problem, st_trial, psi2, which) if new is None else new
        s_step, y_grad = trial - rho, new_grad - grad
        rho, value, state, grad = trial, v_trial, st_trial, new_grad
        anchor[:] = [rho, state.theta, sens]
        if moved < xtol:
            converged = True
            break
        updated = None if halved else _bfgs_update(hessian, s_step, y_grad)
        # after a shortened step, or without positive curvature to learn from,
        # the next step uses a Hessian from forward differences again
        hessian, fresh = updated, False
    at_bound = tuple(bool(v <= lo or v >= hi) for v in rho)
    problem.theta = state.theta  # the next fit starts from the optimum
    return _Selection(rho, state, hessian, converged, at_bound)


def _bfgs_update(hess: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """BFGS update of a Hessian approximation; ``None`` without positive curvature along ``s``."""
    sy = float(s @ y)
    hs = hess @ s
    shs = float(s @ hs)
    if sy <= 1e-12 * float(np.linalg.norm(s) * np.linalg.norm(y)) or shs <= 0:
        return None
    return hess + np.outer(y, y) / sy - np.outer(hs, hs) / shs


def _hessian(problem, rho, grad, psi2, which, evaluate, hi) -> np.ndarray:
    """Forward differences of the analytic gradient, symmetrised (NaN where a fit failed)."""
    n = rho.size
    hess = np.empty((n, n))
    for j in range(n):
        h = HESSIAN_STEP if rho[j] + HESSIAN_STEP <= hi else -HESSIAN_STEP
        shifted = rho.copy()
        shifted[j] += h
        _, st = evaluate(shifted)
        hess[:, j] = np.nan if st is None else (_gradient(problem, st, psi2, which)[0] - grad) / h
    return 0.5 * (hess + hess.T)


def _newton_step(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """A descent step from the Hessian approximation, at most :data:`MAX_NEWTON_STEP` long.

    Along directions of positive curvature, the Newton step; along directions
    of zero or negative curvature (a plateau or a ridge of the criterion),
    the longest step allowed, downhill (the line search shortens it if need be).
    """
    if not np.all(np.isfinite(hess)):
        step = -np.sign(grad) * 0.5
    else:
        evals, evecs = np.linalg.eigh(hess)
        proj = evecs.T @ grad
        floor = 1e-8 * max(1.0, float(np.max(np.abs(evals))))
        coef = np.where(evals > floor, -proj / np.where(evals > floor, evals, 1.0),
                        -np.sign(proj) * MAX_NEWTON_STEP)
        step = evecs @ coef
    size = float(np.max(np.abs(step))) if step.size else 0.0
    return step * (MAX_NEWTON_STEP / size) if size > MAX_NEWTON_STEP else step


def _fit(
    problem: _Problem,
    *,
    lambdas: Sequence[float] | None,
    criterion: str,
    overdispersion: bool,
    n_lambda: int,
    grid: np.ndarray,
    bounds: tuple[float, float],
) -> tuple[_State, float, bool, tuple[bool, ...]]:
    """Fit at given or selected smoothing parameters; iterate ``psi2`` to convergence.

    Returns the final state, ``psi2``, whether every iteration converged
    (IRLS, smoothing-parameter search, overdispersion), and which smoothing
    parameters ended at a bound.
    """
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
        return state, psi2, state.converged, (False,) * n_lambda
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError("lambda_bounds must be two finite log10 values, lower < upper")
    psi2 = 1.0
    # With the overdispersion iteration to follow, the first search need not be precise.
    xtol = 1e-2 if overdispersion and not gaussian else SELECT_XTOL
    sel = _select(problem, psi2, criterion, grid, (lo, hi), n_lambda, xtol=xtol)
    converged = sel.converged
    if gaussian:
        return sel.state, _psi2(problem, sel.state), converged and sel.state.converged, sel.at_bound
    if overdispersion:
        # Fixed-point iteration (MortalitySmooth): psi2 = Dev / (N - ED) at the
        # fit selected with the previous psi2, until it changes by less than
        # PSI2_RTOL after a search run to SELECT_XTOL. Earlier searches stop at a
        # tolerance matched to how far psi2 still has to move.
        settled, previous = False, np.inf
        for _ in range(PSI2_MAX_ROUNDS):
            new_psi2 = _psi2(problem, sel.state)
            change = abs(new_psi2 - psi2) / psi2
            psi2 = new_psi2
            if change <= PSI2_RTOL and xtol <= SELECT_XTOL:
                settled = True
                break
            if change < 1e-6 and change >= previous:
                # changes that stopped shrinking: the round-off floor of a fit
                # whose deviance is itself tiny (counts fitted almost exactly)
                settled = True
                break
            previous = change
            xtol = float(np.clip(0.1 * change, SELECT_XTOL, 1e-3))
            sel = _select(problem, psi2, criterion, grid, (lo, hi), n_lambda, xtol=xtol, previous=sel)
            converged = converged and sel.converged
        converged = converged and settled
    return sel.state, psi2, converged and sel.state.converged, sel.at_bound


def _finish(
    problem: _Problem,
    state: _State,
    psi2: float,
    *,
    ages: np.ndarray,
    years: np.ndarray,
    criterion: str,
    method: str,
    rotation: np.ndarray,
    coef_shape: tuple[int, ...],
    basis_age: np.ndarray,
    basis_year: np.ndarray | None,
    converged: bool,
    at_bound: tuple[bool, ...],
) -> PSplineFit:
    if not converged:
        warnings.warn(
            f"P-spline fit did not converge within its tolerances (IRLS {problem.tol:g} on log rates, "
            f"smoothing search {SELECT_XTOL:g} on log10 lambda, overdispersion {PSI2_RTOL:g} relative); "
            "the result is reported but may depend on the machine",
            ConvergenceWarning,
            stacklevel=3,
        )
    # standard errors in the working basis; coefficients and covariance back in the B-spline basis
    var = problem.design.diag_quad(state.ainv)
    cov = rotation @ state.ainv @ rotation.T
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
        coefficients=(rotation @ state.theta).reshape(coef_shape),
        covariance=cov,
        basis_age=basis_age,
        basis_year=basis_year,
        converged=bool(converged),
        lambda_at_bound=tuple(at_bound),
        n_fits=problem.n_fits,
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
    lambda_bounds: tuple[float, float] = DEFAULT_LOG10_BOUNDS,
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
    lambda_bounds
        Bounds on log10 of each smoothing parameter (default -8 and 8, as
        MortalitySmooth). Where the criterion keeps falling beyond a bound
        (a surface that is as smooth as the penalty allows in one
        direction), the search stops there and
        :attr:`PSplineFit.lambda_at_bound` says so.
    max_iter, tol
        IRLS limits (tolerance on the largest change of a fitted log rate).

    Returns
    -------
    PSplineFit

    Notes
    -----
    Convergence, with the tolerances that make the result the same on any
    machine to far more than 8 significant digits: IRLS until no log rate
    changes by ``tol`` (1e-10); the smoothing parameters by projected Newton
    steps on log10 lambda with the analytic gradient of the criterion, until
    a step is below :data:`SELECT_XTOL` (1e-7; the convergence is quadratic,
    so the optimum is then known to about 1e-12); ``psi2`` until it changes
    by less than :data:`PSI2_RTOL` (1e-10, relative). If any of these fails
    within its iteration limit the fit is still returned, with
    ``converged=False`` and a :class:`foresight.ConvergenceWarning`.
    """
    d = _matrix(deaths, "deaths", 2)
    e = _matrix(exposures, "exposures", 2)
    ages_arr = _axis(ages, "ages", d.shape[0])
    years_arr = _axis(years, "years", d.shape[1])
    all_years = _pad_years(years_arr, forecast_to)
    y, offset, w = _poisson_arrays(d, e, all_years.size - years_arr.size)
    return _fit_2d(
        "poisson", y, offset, w, ages=ages_arr, years=all_years, knot_spacing=knot_spacing,
        degree=degree, penalty_order=penalty_order, lambdas=lambdas, criterion=criterion,
        overdispersion=overdispersion, method=method, lambda_grid=lambda_grid,
        lambda_bounds=lambda_bounds, max_iter=max_iter, tol=tol,
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
    lambda_bounds: tuple[float, float] = DEFAULT_LOG10_BOUNDS,
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
        "gaussian", y, np.zeros_like(y), w, ages=ages_arr, years=all_years,
        knot_spacing=knot_spacing, degree=degree, penalty_order=penalty_order, lambdas=lambdas,
        criterion=criterion, overdispersion=True, method=method, lambda_grid=lambda_grid,
        lambda_bounds=lambda_bounds, max_iter=1, tol=0.0,
    )  # fmt: skip


def _fit_2d(
    family: str,
    y: np.ndarray,
    offset: np.ndarray,
    w: np.ndarray,
    *,
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
    lambda_bounds: tuple[float, float],
    max_iter: int,
    tol: float,
) -> PSplineFit:
    ba = bspline_basis(ages, spacing=knot_spacing[0], degree=degree)
    by = bspline_basis(years, spacing=knot_spacing[1], degree=degree)
    ca, cy = ba.shape[1], by.shape[1]
    if method not in ("glam", "kronecker"):
        raise ValueError(f"method must be 'glam' or 'kronecker', not {method!r}")
    # Work in the eigenbasis of the two marginal penalties: there the penalty
    # is diagonal and the fit well conditioned (see _factor); the coefficients
    # and their covariance are rotated back to the B-spline basis at the end.
    ua, sa = penalty_eigenbasis(ca, penalty_order)
    uy, sy = penalty_eigenbasis(cy, penalty_order)
    design: object = (_Glam2D if method == "glam" else _Kron2D)(ba @ ua, by @ uy)
    pa, py = np.kron(sa, np.ones(cy)), np.kron(np.ones(ca), sy)
    problem = _Problem(design, (pa, py), family, y, offset, w, max_iter, tol)
    grid = DEFAULT_LOG10_GRID if lambda_grid is None else np.asarray(lambda_grid, dtype=float)
    state, psi2, converged, at_bound = _fit(
        problem, lambdas=lambdas, criterion=criterion, overdispersion=overdispersion,
        n_lambda=2, grid=grid, bounds=lambda_bounds,
    )  # fmt: skip
    return _finish(
        problem, state, psi2, ages=ages, years=years, criterion=criterion, method=method,
        rotation=np.kron(ua, uy), coef_shape=(ca, cy), basis_age=ba, basis_year=by,
        converged=converged, at_bound=at_bound,
    )  # fmt: skip


def extrapolate_years(fit: PSplineFit, years: Sequence[int] | np.ndarray, *, degree: int = 3) -> np.ndarray:
    """The fit's own forecast of the log rates for later years, without refitting.

    With a second-order difference penalty the coefficients of a zero-weight
    padding continue in straight lines along the year axis (the penalty there
    is then zero and the data do not reach them), so the forecast of
    :func:`fit_pspline_2d` with ``forecast_to`` is the B-spline basis on the
    same knot grid, extended by equal steps past the data, times the
    coefficients extended linearly from their last two columns. This computes
    that forecast from a fit made without padding: the same smoothing, for
    the cost of one fit on the data years only (a test checks it against the
    padded fit where the two knot grids coincide).

    Parameters
    ----------
    fit
        A 2-D fit (equally spaced knots over its ``years``, degree ``degree``,
        second-order penalty).
    years
        Calendar years at or after the fit's last year.

    Returns
    -------
    numpy.ndarray
        Log rates, shape ``(n_ages, len(years))``.
    """
    years = np.asarray(years, dtype=float)
    if fit.basis_year is None or fit.coefficients.ndim != 2:
        raise ValueError("extrapolate_years needs a 2-D fit")
    lo, hi = float(fit.years[0]), float(fit.years[-1])
    if years.size and years.min() < hi:
        raise ValueError("extrapolate_years forecasts years at or after the fit's last year")
    n_seg = fit.basis_year.shape[1] - degree
    dx = (hi - lo) / n_seg
    knots = lo + dx * np.arange(-degree, n_seg + degree + 1)
    knots[degree], knots[degree + n_seg] = lo, hi
    again = BSpline.design_matrix(np.clip(fit.years, lo, hi), knots, degree, extrapolate=False).toarray()
    if not np.allclose(again, fit.basis_year, rtol=0, atol=1e-12):
        raise ValueError("the fit's year basis is not an equally spaced cubic B-spline basis")
    extra = int(np.ceil((float(years.max()) - hi) / dx - 1e-9)) if years.size else 0
    extra = max(extra, 0)
    longer = lo + dx * np.arange(-degree, n_seg + extra + degree + 1)
    longer[degree], longer[degree + n_seg] = lo, hi
    top = hi + dx * extra
    basis = BSpline.design_matrix(np.clip(years, lo, top), longer, degree, extrapolate=False).toarray()
    coef = fit.coefficients
    step = coef[:, -1] - coef[:, -2]
    ahead = coef[:, -1][:, None] + step[:, None] * np.arange(1, extra + 1)[None, :]
    return fit.basis_age @ np.hstack([coef, ahead]) @ basis.T


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
    lambda_bounds: tuple[float, float] = DEFAULT_LOG10_BOUNDS,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> PSplineFit:
    """One-dimensional P-spline over age (or any single axis).

    Poisson if ``deaths`` and ``exposures`` are given, weighted Gaussian on
    ``log_rates`` (with optional ``weights``) otherwise. The smoothing
    parameter is chosen by BIC/AIC unless ``lam`` is given, with the search,
    bounds and tolerances of :func:`fit_pspline_2d`. The result has one
    column and ``years`` empty.
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
    u, sv = penalty_eigenbasis(b.shape[1], penalty_order)
    problem = _Problem(_Design1D(b @ u), (sv,), family, y, offset, w, max_iter, tol)
    grid = DEFAULT_LOG10_GRID if lambda_grid is None else np.asarray(lambda_grid, dtype=float)
    state, psi2, converged, at_bound = _fit(
        problem, lambdas=None if lam is None else (lam,), criterion=criterion,
        overdispersion=overdispersion, n_lambda=1, grid=grid, bounds=lambda_bounds,
    )  # fmt: skip
    return _finish(
        problem, state, psi2, ages=ages_arr, years=np.array([]), criterion=criterion,
        method="direct", rotation=u, coef_shape=(b.shape[1],), basis_age=b, basis_year=None,
        converged=converged, at_bound=at_bound,
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
