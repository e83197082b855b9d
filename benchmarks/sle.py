"""Benchmark: the subjective life expectancy hot paths, vectorised vs per respondent.

Run: ``.venv/bin/python benchmarks/sle.py``

Times, on the synthetic analysis sample (737 respondents) replicated to
7370 respondents:

* :func:`foresight.sle.ssp_point_estimate` (footnote 3, all respondents at
  once) against a plain-Python loop that applies the footnote row by row;
* :func:`foresight.sle.parametric.fit_curves` (batched Levenberg-Marquardt
  for every respondent at once, Gompertz) on the 737 respondents against
  ``scipy.optimize.least_squares`` called once per respondent, timed on
  the first 100 and scaled (cost per respondent is constant);
* the whole pipeline (:func:`foresight.sle.analyse`) on the 1223-respondent
  synthetic cohort, for scale.

Ratios are measured in the same run; timings vary with machine load. Prints a
table and writes ``benchmarks/results/sle.json``.
"""

from __future__ import annotations

import numpy as np
from _timing import best, write_results
from scipy import optimize

import foresight.sle as sle
from foresight.sle.parametric import BOUNDS, conditional_survival, fit_curves
from foresight.sle.survey import TARGET_AGES, ssp_matrix


def loop_point_estimate(p: np.ndarray) -> list[float]:
    """Footnote 3, one respondent at a time (the baseline)."""
    out = []
    for row in p.tolist():
        fifty = [a for a, x in zip(TARGET_AGES, row) if x == 50]
        if fifty:
            out.append(sum(fifty) / len(fifty))
            continue
        val = float("nan")
        for (a0, x0), (a1, x1) in zip(zip(TARGET_AGES, row), zip(TARGET_AGES[1:], row[1:])):
            if x0 > 50 > x1:
                val = a0 + (x0 - 50) / (x0 - x1) * (a1 - a0)
                break
        out.append(val)
    return out


def scipy_fits(p: np.ndarray, age: np.ndarray, start: np.ndarray) -> None:
    lo, hi = BOUNDS["gompertz"]
    a = np.asarray(TARGET_AGES, dtype=float)[None, :]
    for i in range(p.shape[0]):
        x0 = np.clip([start[i] + 4.0, np.log(9.0)], lo + 1e-9, hi - 1e-9)
        optimize.least_squares(
            lambda th: conditional_survival("gompertz", th[None, :], age[i:i + 1], a)[0] - p[i] / 100,
            x0, bounds=(lo, hi))


def main() -> None:
    cohort = sle.synthetic_cohort()
    result = sle.analyse(cohort)
    p = ssp_matrix(result.sample)
    age = result.sample["age"].to_numpy(dtype=float)
    pe = result.sample["ssp_pe"].to_numpy(dtype=float)
    big = np.tile(p, (10, 1))
    assert np.allclose(sle.ssp_point_estimate(big).value, loop_point_estimate(big), equal_nan=True)

    rows = []
    t_vec = best(lambda: sle.ssp_point_estimate(big))
    t_loop = best(lambda: loop_point_estimate(big))
    rows.append(("ssp_point_estimate, 7370 respondents", t_vec, "plain-Python loop", t_loop))

    t_fit = best(lambda: fit_curves(p, age, "gompertz", start=pe), repeats=3)
    n_sub = 100
    t_sci = best(lambda: scipy_fits(p[:n_sub], age[:n_sub], pe[:n_sub]), repeats=2) * len(p) / n_sub
    rows.append((f"fit_curves Gompertz, {len(p)} respondents", t_fit,
                 "scipy least_squares per respondent (scaled from 100)", t_sci))

    t_all = best(lambda: sle.analyse(cohort), repeats=3)
    rows.append(("analyse (cascade, estimates, 4 models), 1223 respondents", t_all, "", None))

    print(f"{'task':<60s} {'time (ms)':>10s}  {'baseline':<52s} {'baseline (ms)':>13s} {'speed-up':>9s}")
    out = []
    for task, t, base, tb in rows:
        ratio = None if tb is None else tb / t
        tb_text = "" if tb is None else f"{1e3 * tb:13.2f}"
        ratio_text = "" if ratio is None else f"{ratio:9.1f}"
        print(f"{task:<60s} {1e3 * t:10.2f}  {base:<52s} {tb_text:>13s} {ratio_text:>9s}")
        out.append({"task": task, "seconds": t, "baseline": base, "baseline_seconds": tb,
                    "speedup": ratio})
    write_results("sle", {"results": out})


if __name__ == "__main__":
    main()
