"""The mortality tournament: six projection methods, thirteen populations, no hindsight.

Does an expert long-term target beat plain extrapolation? :func:`run` answers with one
back-test engine (:func:`foresight.mortality.backtest.backtest`) on every population
shipped in ``data/mortality/hmd/`` (the United Kingdom and twelve more), both sexes,
origins every five years from 1980 as each population's data allow (30 years before the
origin), every horizon to each population's last year or 2019, whichever is earlier (the
pandemic years are a shock no trend method claims to foresee; the chapter shows them for
the UK apart). The methods are those of :data:`MAIN_METHODS`, and the ONS-style method
once more for every fixed target of :data:`TARGETS`, to show how the ranking moves with
the target.

The results are cached. The full tournament takes about a minute on two cores, too long
for every build of the book and every pass of the notebook validation, so
:func:`results` looks first for results stored under a key that can never go stale: a
SHA-256 over the source of every module of the package the computation imports (found
by reading their import statements), the bytes of every data file it reads, the
tournament's settings and the versions of Python, numpy, scipy and pandas
(:func:`cache_key`). Results stored under another key are ignored and recomputed. The
committed copy lives in ``data/mortality/tournament/`` (``python -m
foresight.mortality.tournament --refresh`` rewrites it, atomically); a recomputation
with another key is kept in the user's cache folder (``$XDG_CACHE_HOME/foresight`` or
``~/.cache/foresight``), so that it runs once per machine and code version. A test
recomputes part of the tournament and compares it with the committed results.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import io
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.mortality import backtest as bt
from foresight.mortality.forecasters import (
    WINDOW,
    CenturyTrend,
    ConstantImprovement,
    FixedTarget,
    Forecaster,
    History,
    LeeCarter,
    LiLee,
    ONSStyle,
    PSplineForecast,
)
from foresight.mortality.populations import HMDPopulation, hmd_manifest, hmd_population

__all__ = [
    "CACHE_FILES",
    "FIRST_ORIGIN",
    "HINDSIGHT_TARGET",
    "LAST_YEAR",
    "MAIN_METHODS",
    "POPULATIONS",
    "RULE_METHOD",
    "STEP",
    "TARGETS",
    "TEST_HORIZON",
    "TEST_POPULATIONS",
    "Tournament",
    "cache_key",
    "main_methods",
    "results",
    "run",
    "sweep_methods",
]

#: Every population of the tournament (codes of ``data/mortality/hmd/populations.csv``).
POPULATIONS: tuple[str, ...] = ("GBR_NP", "CAN", "DEUTW", "ESP", "FRACNP", "GBRCENW", "HUN", "ITA",
                                "NLD", "NOR", "PRT", "SWE", "USA")
#: The independent populations of the test across populations: England and Wales is most of
#: the United Kingdom (their errors move together), so the two count once, as the UK.
TEST_POPULATIONS: tuple[str, ...] = tuple(c for c in POPULATIONS if c != "GBRCENW")
#: Last year projected and scored (2019: before the pandemic).
LAST_YEAR = 2019
#: First origin and the step between origins.
FIRST_ORIGIN, STEP = 1980, 5
#: Horizon (years after the origin) of the test across populations.
TEST_HORIZON = 10
#: Fixed long-term targets of the ONS-style method, to trace the ranking against the target.
TARGETS: tuple[float, ...] = tuple(round(0.0025 * k, 4) for k in range(11))
#: The target ONS chose in 2014, applied at every origin: a variant with hindsight.
HINDSIGHT_TARGET = 0.012

#: Name of the expert-target method whose target comes from the rule.
RULE_METHOD = "ONS-style"
HINDSIGHT_METHOD = "ONS-style, 1.2% (hindsight)"


def main_methods() -> list[Forecaster]:
    """The methods of the tournament, in the order tables show them."""
    return [
        ONSStyle(CenturyTrend(), name=RULE_METHOD),
        ONSStyle(FixedTarget(HINDSIGHT_TARGET), name=HINDSIGHT_METHOD),
        LeeCarter(),
        LiLee(),
        PSplineForecast(),
        ConstantImprovement(),
    ]


MAIN_METHODS: tuple[str, ...] = tuple(m.name for m in main_methods())


def sweep_name(target: float) -> str:
    return f"ONS-style, target {100 * target:.2f}%"


def sweep_methods() -> list[Forecaster]:
    """The ONS-style method with each fixed target of :data:`TARGETS`."""
    return [ONSStyle(FixedTarget(t), name=sweep_name(t)) for t in TARGETS]


@dataclass(frozen=True)
class Tournament:
    """The tournament's results.

    Attributes
    ----------
    table
        The back-test table of every population and method
        (:data:`foresight.mortality.backtest.COLUMNS`).
    targets
        The rule's long-term target at each origin: ``population, origin, target``
        (a fraction a year).
    key
        The cache key the results belong to (:func:`cache_key`).
    seconds
        Processor seconds each method took, summed over populations and origins (the
        shared P-spline smoothing is counted apart, as ``smoothing``); empty for
        results read from a cache.
    """

    table: pd.DataFrame
    targets: pd.DataFrame
    key: str
    seconds: dict

    @property
    def main(self) -> pd.DataFrame:
        """The rows of :data:`MAIN_METHODS`."""
        return self.table[self.table["method"].isin(MAIN_METHODS)]

    def population(self, code: str) -> pd.DataFrame:
        return self.table[self.table["population"] == code]


# --------------------------------------------------------------------------- computing
def origins_for(population: HMDPopulation, last_year: int = LAST_YEAR) -> list[int]:
    """The tournament's origins for one population."""
    return bt.default_origins(population, first=FIRST_ORIGIN, step=STEP, window=WINDOW, last_year=last_year)


def _population_task(population: HMDPopulation, last_year: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One population's back-test (every origin, every method), with the rule's targets and timings."""
    methods = [*main_methods(), *sweep_methods()]
    last = min(int(last_year), population.last_year)
    origins = origins_for(population, last)
    seconds: dict[str, float] = {}
    targets = []
    timed = [_Timed(m, seconds) for m in methods]
    table = bt.backtest(population, timed, origins, last_year=last)
    for t in origins:
        history = History(population, t)
        targets.append({"population": population.code, "origin": t,
                        "target": methods[0].target_rate(history)})
    return table, pd.DataFrame(targets), seconds


class _Timed:
    """A forecaster that adds the processor seconds it takes to ``seconds[name]`` (the shared
    smoothing to ``seconds['smoothing']``): processor time, so that the shares do not depend on
    how busy the machine is."""

    def __init__(self, method: Forecaster, seconds: dict) -> None:
        self.method, self.seconds, self.name = method, seconds, method.name

    def project(self, history: History, years):
        if "smoothed" not in history.__dict__ and isinstance(
                self.method, (ONSStyle, PSplineForecast, ConstantImprovement)):
            t0 = time.process_time()
            history.smoothed  # noqa: B018 - computed once per history, timed apart
            self.seconds["smoothing"] = self.seconds.get("smoothing", 0.0) + time.process_time() - t0
        t0 = time.process_time()
        out = self.method.project(history, years)
        self.seconds[self.name] = self.seconds.get(self.name, 0.0) + time.process_time() - t0
        return out


def run(codes: Sequence[str] = POPULATIONS, *, last_year: int = LAST_YEAR, jobs: int = 1,
        populations: Sequence[HMDPopulation] | None = None) -> Tournament:
    """Run the tournament (no cache): every population of ``codes``, every method.

    ``jobs`` processes share the populations (largest first); the result does not
    depend on ``jobs``. ``populations`` replaces the shipped ones (e.g. truncated
    copies, for tests).
    """
    pops = list(populations) if populations is not None else [hmd_population(c) for c in codes]
    order = sorted(range(len(pops)), key=lambda i: -len(origins_for(pops[i], last_year)))
    results: dict[int, tuple] = {}
    if jobs > 1 and len(pops) > 1:
        import multiprocessing

        # fork (Linux, macOS): the workers start with the populations already read
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=int(jobs),
                                 mp_context=multiprocessing.get_context(method)) as pool:
            futures = {i: pool.submit(_population_task, pops[i], last_year) for i in order}
            results = {i: f.result() for i, f in futures.items()}
    else:
        results = {i: _population_task(pops[i], last_year) for i in order}
    tables = [results[i][0] for i in range(len(pops))]
    targets = [results[i][1] for i in range(len(pops))]
    seconds: dict[str, float] = {}
    for i in range(len(pops)):
        for k, v in results[i][2].items():
            seconds[k] = seconds.get(k, 0.0) + v
    return Tournament(pd.concat(tables, ignore_index=True), pd.concat(targets, ignore_index=True),
                      cache_key(codes, last_year), seconds)


# --------------------------------------------------------------------------- the cache key
def _module_file(name: str) -> Path | None:
    """The source file of a ``foresight`` module (``None`` if the name is not a module)."""
    import foresight

    base = Path(foresight.__file__).parent.joinpath(*name.split(".")[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


#: Modules that only draw figures or format tables for display. The computation never
#: calls them (a test runs it with both made unimportable), so their source is not part
#: of the key, and a change to how the book looks does not throw the cache away.
PRESENTATION_MODULES: frozenset[str] = frozenset({"foresight.plotting", "foresight.display"})


def code_closure(root: str = "foresight.mortality.tournament") -> list[str]:
    """Every ``foresight`` module whose code the computation can run, by reading imports.

    From ``root``, every module named by an ``import`` statement anywhere in a
    reached module's source (function bodies included), recursively. A package
    reached only because a module inside it is imported (``from foresight.mortality
    import backtest``) is included as a file, without following its own imports
    (re-exports for users do not change what the computation calls); a package whose
    own names are imported (``from foresight.data import data_dir``) is followed.
    :data:`PRESENTATION_MODULES` are left out. Sorted names.
    """
    followed: set[str] = set()
    files: set[str] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        if name in followed or name in PRESENTATION_MODULES or _module_file(name) is None:
            continue
        followed.add(name)
        parts = name.split(".")
        files.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        tree = ast.parse(_module_file(name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                todo.extend(a.name for a in node.names if a.name.split(".")[0] == "foresight")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module.split(".")[0] == "foresight":
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    todo.append(sub if _module_file(sub) is not None else node.module)
    return sorted(n for n in files if _module_file(n) is not None)


def _data_files(codes: Sequence[str]) -> list[Path]:
    from foresight.data import data_dir
    from foresight.mortality.populations import HMD_FILES, MANIFEST

    manifest = hmd_manifest()
    files = [data_dir() / MANIFEST]
    for code in codes:
        folder = data_dir() / "mortality" / "hmd" / manifest.loc[code, "folder"]
        files += [folder / name for name in HMD_FILES]
    return files


def cache_key(codes: Sequence[str] = POPULATIONS, last_year: int = LAST_YEAR) -> str:
    """SHA-256 of everything the results depend on (see the module docstring)."""
    import scipy

    h = hashlib.sha256()
    settings = {"codes": list(codes), "last_year": int(last_year), "first_origin": FIRST_ORIGIN,
                "step": STEP, "window": WINDOW,
                "methods": [repr(m) for m in (*main_methods(), *sweep_methods())],
                "python": platform.python_version_tuple()[:2], "numpy": np.__version__,
                "scipy": scipy.__version__, "pandas": pd.__version__}
    h.update(repr(sorted(settings.items())).encode())
    for name in code_closure():
        h.update(name.encode())
        h.update(hashlib.sha256(_module_file(name).read_bytes()).digest())
    for path in _data_files(codes):
        h.update(path.name.encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# --------------------------------------------------------------------------- storing and reading
#: The files of a stored tournament, in its folder.
CACHE_FILES: tuple[str, ...] = ("KEY", "projected.csv.gz", "observed.csv.gz", "targets.csv")
#: Where the committed results live, under ``data/``.
COMMITTED = Path("mortality") / "tournament"


def committed_dir() -> Path:
    from foresight.data import data_dir

    return data_dir() / COMMITTED


def user_cache_dir(key: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "foresight" / "tournament" / key[:32]


def _csv_gz(frame: pd.DataFrame) -> bytes:
    text = frame.to_csv(index=False, float_format="%.12g", lineterminator="\n")
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def write(result: Tournament, folder: Path) -> None:
    """Store ``result`` in ``folder`` (all files or none; see :class:`foresight.commands.StagedOutputs`)."""
    from foresight.commands import StagedOutputs

    t = result.table
    proj = t.pivot_table(index=["population", "sex", "method", "origin", "year"], columns="measure",
                         values="projected", sort=False).reset_index()
    obs = t.drop_duplicates(["population", "sex", "year", "measure"]).pivot_table(
        index=["population", "sex", "year"], columns="measure", values="observed", sort=False).reset_index()
    proj.columns.name = obs.columns.name = None
    with StagedOutputs(folder, CACHE_FILES) as staged:
        out = staged.folder
        (out / "projected.csv.gz").write_bytes(_csv_gz(proj))
        (out / "observed.csv.gz").write_bytes(_csv_gz(obs))
        result.targets.to_csv(out / "targets.csv", index=False, float_format="%.12g", lineterminator="\n")
        (out / "KEY").write_text(f"{result.key}\nrows {len(t)}\n", encoding="utf-8")


def read(folder: Path, key: str) -> Tournament | None:
    """The results stored in ``folder`` under ``key``, or ``None`` (absent, other key, incomplete)."""
    from foresight.data.files import read_bytes

    try:
        stamp = (folder / "KEY").read_text(encoding="utf-8").split()
    except OSError:
        return None
    if len(stamp) != 3 or stamp[0] != key:
        return None
    try:
        proj = pd.read_csv(io.BytesIO(gzip.decompress(read_bytes(folder / "projected.csv.gz",
                                                                 max_bytes=64 * 2**20))))
        obs = pd.read_csv(io.BytesIO(gzip.decompress(read_bytes(folder / "observed.csv.gz",
                                                                max_bytes=16 * 2**20))))
        targets = pd.read_csv(folder / "targets.csv")
    except (OSError, ValueError, DataError, EOFError, gzip.BadGzipFile):
        return None
    table = _table(proj, obs)
    if len(table) != int(stamp[2]):
        return None
    return Tournament(table, targets, key, {})


def _table(proj: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    measures = list(bt.MEASURES)
    p = proj.melt(id_vars=["population", "sex", "method", "origin", "year"], value_vars=measures,
                  var_name="measure", value_name="projected")
    o = obs.melt(id_vars=["population", "sex", "year"], value_vars=measures, var_name="measure",
                 value_name="observed")
    t = p.merge(o, on=["population", "sex", "year", "measure"], how="left", validate="many_to_one")
    t["horizon"] = t["year"] - t["origin"]
    t["error"] = t["projected"] - t["observed"]
    methods = [*MAIN_METHODS, *(sweep_name(x) for x in TARGETS)]
    for col, cats in (("population", list(POPULATIONS)), ("method", methods), ("sex", ["male", "female"]),
                      ("measure", measures)):
        t[col] = pd.Categorical(t[col], categories=cats, ordered=True)
    t = t.sort_values(["population", "method", "sex", "origin", "measure", "year"], ignore_index=True)
    for col in ("population", "method", "sex", "measure"):
        t[col] = t[col].astype(str)
    return t.loc[:, list(bt.COLUMNS)]


def _normalised(result: Tournament) -> Tournament:
    """The results as :func:`read` returns them (rounded as stored, in the stored order)."""
    from io import BytesIO

    t = result.table
    proj = t.pivot_table(index=["population", "sex", "method", "origin", "year"], columns="measure",
                         values="projected", sort=False).reset_index()
    obs = t.drop_duplicates(["population", "sex", "year", "measure"]).pivot_table(
        index=["population", "sex", "year"], columns="measure", values="observed", sort=False).reset_index()
    proj.columns.name = obs.columns.name = None
    again = [pd.read_csv(BytesIO(gzip.decompress(_csv_gz(x)))) for x in (proj, obs)]
    targets = pd.read_csv(io.StringIO(result.targets.to_csv(index=False, float_format="%.12g")))
    return Tournament(_table(*again), targets, result.key, result.seconds)


@lru_cache(maxsize=2)
def _results(key: str, jobs: int) -> Tournament:
    for folder in (committed_dir(), user_cache_dir(key)):
        found = read(folder, key)
        if found is not None:
            return found
    fresh = _normalised(run(jobs=jobs))
    try:
        write(fresh, user_cache_dir(key))
    except Exception:  # noqa: BLE001 - a read-only home: the results are still correct, only not kept
        pass
    return fresh


def results(*, jobs: int | None = None) -> Tournament:
    """The tournament, from the cache when its key matches, else computed (and kept).

    The same numbers either way: stored values are rounded to 12 significant
    digits, and computed ones are rounded the same way before they are returned.
    """
    jobs = min(2, os.cpu_count() or 1) if jobs is None else int(jobs)
    return _results(cache_key(), jobs)


def refresh(*, jobs: int = 2) -> Tournament:
    """Recompute the tournament and store it as the committed results (``data/mortality/tournament/``)."""
    fresh = _normalised(run(jobs=jobs))
    write(fresh, committed_dir())
    return fresh


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m foresight.mortality.tournament",
                                     description="Run the mortality tournament; --refresh stores it as "
                                                 "the book's committed results.")
    parser.add_argument("--refresh", action="store_true", help="recompute and rewrite data/mortality/tournament/")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    result = refresh(jobs=args.jobs) if args.refresh else results(jobs=args.jobs)
    print(f"{len(result.table)} rows, key {result.key[:16]}..., {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
