"""Benchmark: 200 period life tables of 111 ages (0 to 110+) at once.

Run: ``.venv/bin/python benchmarks/lifetable.py``

Times :func:`foresight.mortality.life_tables` (HMD Methods Protocol v6:
Andreev-Kingkade a0, open interval at 110+) on a 111 x 200 array of death
rates, with and without the summary measures (e0, median, IQR, entropy),
against two baselines measured in the same run:

* *per-table loop*: :func:`foresight.mortality.period_life_table` called once
  per schedule (a Python loop over the 200 years);
* *per-age loop*: a textbook pure-Python life table (loops over ages and
  tables), timed on 20 tables and scaled to 200 (cost per table is constant).

The target of the issue is under 50 ms for the 200 tables. Prints a table and
writes ``benchmarks/results/lifetable.json``. Timings vary with machine load;
the ratios are the point.
"""

from __future__ import annotations

import math

import numpy as np

import foresight.mortality as fm
from _timing import best, write_results

N_AGES = 111
N_TABLES = 200
N_LOOP = 20
REPEATS = 7


def rates(n: int = N_TABLES, seed: int = 0) -> np.ndarray:
    """Gompertz-Makeham-like rates with an infant peak, improving over 'years'."""
    rng = np.random.default_rng(seed)
    ages = np.arange(N_AGES)[:, None]
    years = np.arange(n)[None, :]
    level = np.exp(-0.01 * years)
    m = (0.0003 + 0.00003 * np.exp(0.1 * ages)) * level
    m[0] += 0.02 * level[0]
    return np.minimum(m * np.exp(0.05 * rng.standard_normal((N_AGES, n))), 3.0)


def textbook(mx: np.ndarray, sex: str = "female") -> list[float]:
    """Pure-Python life tables, one age at a time (the baseline)."""
    out = []
    for j in range(mx.shape[1]):
        m = [float(v) for v in mx[:, j]]
        a0 = float(fm.a0_andreev_kingkade(m0=m[0], sex=sex)[0])
        lx, L = 1.0, []
        for x, mm in enumerate(m):
            if x == len(m) - 1:
                L.append(lx / mm)
                break
            a = a0 if x == 0 else 0.5
            q = min(mm / (1 + (1 - a) * mm), 1.0)
            d = lx * q
            L.append(lx - d + a * d)
            lx -= d
        out.append(math.fsum(L))
    return out


def main() -> None:
    mx = rates()
    ages = np.arange(N_AGES)
    # correctness first: the three methods agree on e0
    lt = fm.life_tables(mx, sex="female", ages=ages)
    loop_e0 = [fm.period_life_table(mx[:, j], sex="female").loc[0, "ex"] for j in range(5)]
    np.testing.assert_allclose(lt.ex[0, :5], loop_e0, rtol=1e-12)
    np.testing.assert_allclose(lt.ex[0, :N_LOOP], textbook(mx[:, :N_LOOP]), rtol=1e-10)

    t_vec = best(lambda: fm.life_tables(mx, sex="female", ages=ages), REPEATS)

    def with_summaries():
        t = fm.life_tables(mx, sex="female", ages=ages)
        fm.median_age_at_death(t)
        fm.interquartile_range(t)
        fm.keyfitz_entropy(t)

    t_sum = best(with_summaries, REPEATS)
    t_loop = best(lambda: [fm.period_life_table(mx[:, j], sex="female")
                           for j in range(N_TABLES)], repeats=3)
    t_text = best(lambda: textbook(mx[:, :N_LOOP]), repeats=3) * N_TABLES / N_LOOP

    rows = [
        ("life_tables (vectorised)", t_vec),
        ("life_tables + median, IQR, entropy", t_sum),
        ("period_life_table in a loop over tables", t_loop),
        ("pure-Python textbook (scaled from 20 tables)", t_text),
    ]
    print(f"{N_TABLES} life tables of {N_AGES} ages, best of {REPEATS} runs")
    print(f"{'method':48s} {'ms':>9s} {'x vectorised':>13s}")
    for name, t in rows:
        print(f"{name:48s} {1000 * t:9.2f} {t / t_vec:13.1f}")
    verdict = "meets" if t_vec < 0.050 else "misses"
    print(f"target: under 50 ms for {N_TABLES} tables -> {verdict} ({1000 * t_vec:.2f} ms)")
    result = {
        "benchmark": "lifetable",
        "tables": N_TABLES,
        "ages": N_AGES,
        "seconds": {name: t for name, t in rows},
        "ratio_to_vectorised": {name: t / t_vec for name, t in rows},
        "target_seconds": 0.050,
        "meets_target": bool(t_vec < 0.050),
    }
    write_results("lifetable", result)


if __name__ == "__main__":
    main()
