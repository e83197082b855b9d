"""The P-spline gives the same answer on any machine: two OpenBLAS kernels, two SIMD levels.

Each run is a fresh interpreter, because OpenBLAS picks its kernel when it is
loaded: once with the machine's own choice, once with the generic kernel
``OPENBLAS_CORETYPE=Prescott`` (``ARMV8`` on ARM) and, on x86-64, numpy's
AVX2 loops switched off. The smoothing parameters, effective dimension and
overdispersion must agree to 8 significant digits (relative difference below
5e-9); the search converges far more tightly than that, so any larger
difference means a fit stopped on a tolerance that round-off can move.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from conftest import ROOT

RUN = r"""
import json
import numpy as np
import threadpoolctl
from foresight.mortality.pspline import fit_pspline_2d


def surface(seed, ages, years, psi2, bump):
    rng = np.random.default_rng(seed)
    a, t = np.meshgrid(ages, years, indexing="ij")
    logm = (-9.5 + 0.09 * a + bump * np.exp(-a / 2.0) - 0.015 * (t - years[0]) * (1 - a / 150)
            + 0.05 * np.sin((t - years[0]) / 5.0))
    e = 2e5 * np.exp(-((a / 95.0) ** 4)) + 500.0
    mu = e * np.exp(logm)
    if psi2 == 1.0:
        d = rng.poisson(mu)
    else:
        d = rng.negative_binomial(mu / (psi2 - 1.0), 1.0 / psi2)
    return d.astype(float), e


out = {"blas": sorted({i.get("architecture", "?") for i in threadpoolctl.threadpool_info()})}
cases = [
    ("interior optimum, Poisson", 11, np.arange(0, 61), np.arange(1971, 2001), 1.0, 2.5, {}),
    ("overdispersed, forecast", 12, np.arange(20, 81), np.arange(1961, 2001), 2.0, 0.0,
     {"forecast_to": 2020}),
    ("AIC", 13, np.arange(0, 61), np.arange(1981, 2011), 1.5, 2.5, {"criterion": "aic"}),
]
for name, seed, ages, years, psi2, bump, kw in cases:
    d, e = surface(seed, ages, years, psi2, bump)
    fit = fit_pspline_2d(d, e, ages=ages, years=years, **kw)
    out[name] = {"lambdas": list(fit.lambdas), "effective_dim": fit.effective_dim,
                 "overdispersion": fit.overdispersion, "converged": fit.converged,
                 "at_bound": list(fit.lambda_at_bound)}
print(json.dumps(out))
"""


def _run(extra: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")}
    env.update({"PYTHONPATH": str(ROOT / "src"), "OPENBLAS_NUM_THREADS": "1", **extra})
    done = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def second_kernel() -> dict[str, str]:
    """The environment that selects a generic BLAS kernel (and, on x86-64, fewer SIMD loops)."""
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return {"OPENBLAS_CORETYPE": "ARMV8"}
    return {"OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": "X86_V3"}


def test_fits_agree_to_8_significant_digits_under_two_blas_kernels():
    own, other = _run({}), _run(second_kernel())
    if own["blas"] == other["blas"]:
        pytest.skip(f"this machine's own OpenBLAS kernel is already the generic one ({own['blas']})")
    for name in own:
        if name == "blas":
            continue
        a, b = own[name], other[name]
        assert a["converged"] and b["converged"], name
        assert a["at_bound"] == b["at_bound"], name
        for key in ("effective_dim", "overdispersion"):
            assert b[key] == pytest.approx(a[key], rel=5e-9), f"{name}: {key}"
        for la, lb in zip(a["lambdas"], b["lambdas"]):
            assert lb == pytest.approx(la, rel=5e-9), f"{name}: lambdas {a['lambdas']} vs {b['lambdas']}"
