"""Benchmark: the 2-D Poisson P-spline with smoothing selection and overdispersion.

Three surfaces of 101 ages (0-100) x 53 years (1961-2013):

* ``heligman_pollard``: Poisson counts from a Heligman-Pollard-shaped
  mortality surface whose three components improve at different speeds, with
  exposures up to 4e5 (a seeded generator here, no shipped data);
* ``gompertz_bump``: the earlier benchmark surface (Gompertz slope, infant
  bump, a wave in calendar time);
* ``uk_males`` / ``uk_females``: the UK's own deaths and exposures, HMD
  v2025, 1961-2013 (``data/mortality/hmd/v2025`` when the book ships it,
  otherwise ``../shared/data/hmd-uk/v2025``; skipped with a message if
  neither is there).

For each: the median wall-clock time of a full fit (both smoothing
parameters by BIC, overdispersion iterated to convergence), the number of
penalised IRLS fits it needed, and where the truth is known the RMS error of
the fitted log rates. Baselines measured in the same run:

* the explicit Kronecker-product version of the same algorithm, at the
  selected smoothing parameters (one IRLS fit each way);
* where ``Rscript`` with ``mgcv`` is installed, ``mgcv::bam`` with
  ``te(age, year, bs = "ps", k = c(23, 13))``, Poisson, ``method = "fREML"``
  on the same counts (timed inside R, so R's start-up is not counted), with
  its RMS error against the same truth. Without R this part is skipped with
  a message: R is never a dependency of the book or its tests.

Run: ``.venv/bin/python benchmarks/pspline.py`` (``make bench``); writes
``benchmarks/results/pspline.json``. Single-threaded BLAS
(``OPENBLAS_NUM_THREADS=1``, as ``make`` sets) for comparable figures.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from _timing import write_results
from foresight.mortality.pspline import fit_pspline_2d

REPEATS = 5
ROOT = Path(__file__).resolve().parents[1]
AGES = np.arange(101)
YEARS = np.arange(1961, 2014)
HMD_DIRS = (ROOT / "data" / "mortality" / "hmd" / "v2025", ROOT.parent / "shared" / "data" / "hmd-uk" / "v2025")
MGCV = """
suppressMessages(library(mgcv))
df <- read.csv(commandArgs(TRUE)[1])
tm <- system.time(fit <- bam(D ~ te(age, year, bs = "ps", k = c(23, 13)) + offset(log(E)),
                             family = poisson, method = "fREML", data = df))[["elapsed"]]
eta <- predict(fit, type = "link") - log(df$E)
cat(tm, sqrt(mean((eta - df$truth)^2)), sum(fit$edf), as.character(packageVersion("mgcv")), "\\n")
"""


def heligman_pollard_surface(seed: int = 2014) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson deaths, exposures and true log rates on a Heligman-Pollard surface.

    Odds of death ``q / (1 - q) = A^((x + B)^C) + D exp(-E (ln x - ln F)^2) + G H^x``
    with childhood (A), accident hump (D) and senescent (G) levels falling by
    3.5 %, 1 % and 1.7 % a year; exposures up to 4e5, thinning above age 85.
    """
    a, t = np.meshgrid(AGES, YEARS, indexing="ij")
    s = t - YEARS[0]
    x = np.maximum(a, 0.5)
    odds = (
        (0.004 * np.exp(-0.035 * s)) ** ((x + 0.02) ** 0.11)
        + 0.0009 * np.exp(-0.01 * s) * np.exp(-9.0 * (np.log(x) - np.log(21.0)) ** 2)
        + 6e-5 * np.exp(-0.017 * s) * 1.10**x
    )
    logm = np.log(-np.log1p(-odds / (1.0 + odds)))
    exposures = 4e5 * np.exp(-((a / 92.0) ** 6)) * (1.0 + 0.004 * s) + 150.0
    deaths = np.random.default_rng(seed).poisson(exposures * np.exp(logm)).astype(float)
    return deaths, exposures, logm


def gompertz_bump_surface(seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The earlier benchmark surface: Gompertz slope, infant bump, a wave in calendar time."""
    a, t = np.meshgrid(AGES, YEARS, indexing="ij")
    logm = (
        -9.5 + 0.09 * a + 2.5 * np.exp(-a / 2.0)
        - 0.015 * (t - 1961) * (1 - a / 150) + 0.05 * np.sin((t - 1961) / 5.0)
    )
    exposures = 3e5 * np.exp(-((a / 90.0) ** 4)) + 500.0
    deaths = np.random.default_rng(seed).poisson(exposures * np.exp(logm)).astype(float)
    return deaths, exposures, logm


def uk_surfaces() -> tuple[dict[str, tuple[np.ndarray, np.ndarray, None]], str]:
    """UK deaths and exposures by sex, ages 0-100, 1961-2013 (HMD v2025), and where they came from."""
    from foresight.mortality.hmd import hmd_surface, read_hmd

    folder = next((d for d in HMD_DIRS if (d / "Deaths_1x1.txt").is_file()), None)
    if folder is None:
        return {}, "HMD UK files not found in " + " or ".join(str(d) for d in HMD_DIRS)
    deaths, exposures = read_hmd(folder / "Deaths_1x1.txt"), read_hmd(folder / "Exposures_1x1.txt")
    out = {}
    for sex in ("male", "female"):
        d = hmd_surface(deaths, sex).loc[AGES, YEARS].to_numpy(dtype=float)
        e = hmd_surface(exposures, sex).loc[AGES, YEARS].to_numpy(dtype=float)
        out[f"uk_{sex}s"] = (d, e, None)
    return out, str(folder.relative_to(ROOT.parent) if ROOT.parent in folder.parents else folder)


def time_fit(deaths: np.ndarray, exposures: np.ndarray, truth: np.ndarray | None) -> dict:
    """Median time of a full fit over ``REPEATS`` runs, with what the fit chose."""
    times = []
    fit = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fit = fit_pspline_2d(deaths, exposures, ages=AGES, years=YEARS)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    fit_pspline_2d(deaths, exposures, ages=AGES, years=YEARS, lambdas=fit.lambdas)
    fixed_glam = time.perf_counter() - t0
    t0 = time.perf_counter()
    kron = fit_pspline_2d(deaths, exposures, ages=AGES, years=YEARS, lambdas=fit.lambdas, method="kronecker")
    fixed_kron = time.perf_counter() - t0
    out = {
        "full_fit_median_s": round(float(np.median(times)), 3),
        "full_fit_min_s": round(float(np.min(times)), 3),
        "penalised_fits": fit.n_fits,
        "lambdas": [float(f"{v:.6g}") for v in fit.lambdas],
        "lambda_at_bound": list(fit.lambda_at_bound),
        "effective_dim": round(fit.effective_dim, 3),
        "overdispersion": round(fit.overdispersion, 5),
        "converged": fit.converged,
        "fixed_lambda_fit_glam_s": round(fixed_glam, 4),
        "fixed_lambda_fit_kronecker_s": round(fixed_kron, 3),
        "glam_equals_kronecker_max_abs": float(np.max(np.abs(fit.log_rates - kron.log_rates))),
    }
    if truth is not None:
        out["rms_error_vs_truth"] = round(float(np.sqrt(np.mean((fit.log_rates - truth) ** 2))), 5)
    return out


def run_mgcv(deaths: np.ndarray, exposures: np.ndarray, truth: np.ndarray) -> dict | str:
    """``mgcv::bam`` fREML on the same counts, or why it could not run."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "skipped: Rscript not installed (R is optional, for this comparison only)"
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "surface.csv"
        a, t = np.meshgrid(AGES, YEARS, indexing="ij")
        table = np.column_stack([a.ravel(), t.ravel(), deaths.ravel(), exposures.ravel(), truth.ravel()])
        np.savetxt(csv, table, delimiter=",", header="age,year,D,E,truth", comments="", fmt="%.10g")
        done = subprocess.run([rscript, "-e", MGCV, str(csv)], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        if "mgcv" in done.stderr and "there is no package" in done.stderr:
            return "skipped: R has no mgcv package"
        return f"failed: {done.stderr.strip()[-300:]}"
    seconds, rms, edf, version = done.stdout.split()
    return {"fit_s": float(seconds), "rms_error_vs_truth": round(float(rms), 5),
            "effective_dim": round(float(edf), 2), "mgcv": version}


def main() -> dict:
    result: dict = {"grid": f"{AGES.size} ages x {YEARS.size} years", "repeats": REPEATS, "surfaces": {}}
    synthetic = {"heligman_pollard": heligman_pollard_surface(), "gompertz_bump": gompertz_bump_surface()}
    uk, source = uk_surfaces()
    result["uk_data"] = source
    for name, (d, e, truth) in {**synthetic, **uk}.items():
        result["surfaces"][name] = time_fit(d, e, truth)
        print(f"{name}: {result['surfaces'][name]}", flush=True)
    hp = result["surfaces"]["heligman_pollard"]
    mgcv = run_mgcv(*synthetic["heligman_pollard"])
    result["mgcv_heligman_pollard"] = mgcv
    if isinstance(mgcv, dict):
        result["speed_ratio_mgcv_over_ours"] = round(mgcv["fit_s"] / hp["full_fit_median_s"], 1)
        result["rms_ratio_ours_over_mgcv"] = round(hp["rms_error_vs_truth"] / mgcv["rms_error_vs_truth"], 3)
    if uk:
        result["uk_both_sexes_s"] = round(sum(result["surfaces"][k]["full_fit_median_s"] for k in uk), 3)
    result["target_s"] = 0.5
    result["meets_target"] = bool(hp["full_fit_median_s"] <= 0.5)
    print(f"mgcv: {mgcv}")
    write_results("pspline", result)
    return result


if __name__ == "__main__":
    main()
