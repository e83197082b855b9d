"""Benchmark: the full mortality tournament on two cores, with each method's share.

Run: ``.venv/bin/python benchmarks/tournament.py`` (``make bench`` runs every benchmark).

Times :func:`foresight.mortality.tournament.run` with two processes: 13 HMD populations,
both sexes, every origin (101 population-origins), six methods plus the ONS-style method at
eleven fixed targets, every horizon to 2019; the cache is not used. The time each method
took (processor time) is summed over populations and origins (the P-spline smoothing that
three methods share is counted once, as ``smoothing``) and shown as a share of the total. The baseline,
measured in the same run, is one population-origin with every method in one process: the
tournament's wall-clock time divided by 101 of them is the parallel speed-up. The target
of issue 23 is under 60 s on two cores. The processor time of all the processes is reported
too: on a machine shared with other work the wall-clock time grows while the processor time
does not, and half of it is what two free cores would need. Prints a table and writes
``benchmarks/results/tournament.json``.
"""

from __future__ import annotations

import os
import resource
import time

from _timing import best, write_results

from foresight.mortality import backtest as bt
from foresight.mortality import populations as pops
from foresight.mortality import tournament as T

TARGET_SECONDS = 60.0
JOBS = 2


def one_origin() -> None:
    p = pops.hmd_population("GBR_NP")
    bt.project_origin(p, 2000, [*T.main_methods(), *T.sweep_methods()], range(2001, 2020))


def main() -> None:
    for code in T.POPULATIONS:  # read and check the files first (the book does so once per process)
        pops.hmd_population(code)
    unit = best(one_origin, repeats=3)
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    t0 = time.perf_counter()
    result = T.run(jobs=JOBS)
    total = time.perf_counter() - t0
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    # processor time of this process and of the workers: on a machine shared with other work
    # the wall-clock time grows, the processor time does not; half of it is what two free
    # cores would need
    cpu = sum((a.ru_utime + a.ru_stime) - (b.ru_utime + b.ru_stime) for a, b in zip(after, before))
    load = os.getloadavg()[0]
    n_origins = int(result.table[["population", "origin"]].drop_duplicates().shape[0])
    spent = sum(result.seconds.values())
    shares = {k: v / spent for k, v in sorted(result.seconds.items(), key=lambda kv: -kv[1])}
    print(f"tournament: {len(T.POPULATIONS)} populations, {n_origins} population-origins, "
          f"{len(result.table)} rows in {total:.1f} s with {JOBS} processes "
          f"(target {TARGET_SECONDS:.0f} s; {os.cpu_count()} cores here)")
    print(f"baseline: one population-origin, every method, one process: {unit:.2f} s; "
          f"speed-up {n_origins * unit / total:.2f}x")
    print(f"processor time {cpu:.1f} s (half of it: {cpu / JOBS:.1f} s on {JOBS} free cores); "
          f"load average {load:.1f} during the run")
    for name, share in shares.items():
        print(f"  {name:32s} {result.seconds[name]:7.1f} s  {100 * share:5.1f}%")
    write_results("tournament", {
        "benchmark": "tournament", "populations": len(T.POPULATIONS), "population_origins": n_origins,
        "rows": int(len(result.table)), "jobs": JOBS, "cores": os.cpu_count(),
        "seconds_total": total, "seconds_one_origin": unit,
        "speed_up": n_origins * unit / total, "cpu_seconds": cpu,
        "cpu_seconds_per_core": cpu / JOBS, "load_average": load,
        "seconds_by_method": result.seconds, "share_by_method": shares,
        "target_seconds": TARGET_SECONDS, "meets_target": total < TARGET_SECONDS,
    })


if __name__ == "__main__":
    main()
