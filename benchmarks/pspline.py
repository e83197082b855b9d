"""Benchmark: 2-D Poisson P-spline on a 101-age x 53-year grid (ages 0-100, years 1961-2013).

Times a full fit (both smoothing parameters selected by BIC, overdispersion
iterated) with array arithmetic (GLAM), and compares with the explicit
Kronecker-product implementation of the same algorithm, measured in the same
run: a full fit with selection (once, it is slow) and one penalised IRLS fit
at the selected smoothing parameters (median of repeats for GLAM).

Run: ``.venv/bin/python benchmarks/pspline.py``; writes
``benchmarks/results/pspline.json``.
"""

from __future__ import annotations

import platform

import numpy as np

from _timing import timed, write_results
from foresight.mortality.pspline import fit_pspline_2d

REPEATS = 3


def synthetic_surface(seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Poisson deaths from a smooth log-rate surface with an infant-mortality bump."""
    rng = np.random.default_rng(seed)
    ages = np.arange(101)
    years = np.arange(1961, 2014)
    a, t = np.meshgrid(ages, years, indexing="ij")
    logm = (
        -9.5 + 0.09 * a + 2.5 * np.exp(-a / 2.0)
        - 0.015 * (t - 1961) * (1 - a / 150) + 0.05 * np.sin((t - 1961) / 5.0)
    )
    e = 3e5 * np.exp(-((a / 90.0) ** 4)) + 500.0
    d = rng.poisson(e * np.exp(logm)).astype(float)
    return d, e, ages, years


def median_time(fn, repeats: int = REPEATS) -> tuple[float, object]:
    """Median seconds over ``repeats`` calls, and the last result."""
    _, median, out = timed(fn, repeats=repeats)
    return median, out


def main() -> dict:
    d, e, ages, years = synthetic_surface()
    t_full, fit = median_time(lambda: fit_pspline_2d(d, e, ages=ages, years=years))
    lam = fit.lambdas
    t_glam, g = median_time(lambda: fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lam))
    t_kron, k = median_time(lambda: fit_pspline_2d(d, e, ages=ages, years=years, lambdas=lam, method="kronecker"), 1)
    t_kfull, kfull = median_time(lambda: fit_pspline_2d(d, e, ages=ages, years=years, method="kronecker"), 1)
    agree = float(np.max(np.abs(g.log_rates - k.log_rates)))
    result = {
        "grid": f"{ages.size} ages x {years.size} years",
        "coefficients": int(fit.coefficients.size),
        "full_fit_with_selection_glam_s": round(t_full, 3),
        "fixed_lambda_fit_glam_s": round(t_glam, 4),
        "fixed_lambda_fit_kronecker_s": round(t_kron, 3),
        "speed_ratio_kronecker_over_glam": round(t_kron / t_glam, 1),
        "full_fit_with_selection_kronecker_s": round(t_kfull, 2),
        "full_fit_speed_ratio_kronecker_over_glam": round(t_kfull / t_full, 1),
        "selected_lambdas_kronecker": [float(f"{v:.4g}") for v in kfull.lambdas],
        "max_abs_difference_log_rates": agree,
        "selected_lambdas": [float(f"{v:.4g}") for v in lam],
        "effective_dim": round(fit.effective_dim, 2),
        "overdispersion": round(fit.overdispersion, 4),
        "target_s": 2.0,
        "meets_target": bool(t_full < 2.0),
        "repeats": REPEATS,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    width = max(len(k) for k in result)
    print("P-spline benchmark (medians of repeated runs)")
    for key, value in result.items():
        print(f"  {key:<{width}}  {value}")
    write_results("pspline", result)
    return result


if __name__ == "__main__":
    main()
