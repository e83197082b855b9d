"""Shared helpers for the benchmark scripts: repeated timing and result files.

Each script compares the package's hot path with a baseline measured in the
same run and reports the ratio, so results are comparable across machines
even though absolute times vary with load. Run all with ``make bench``.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def timed(fn: Callable[..., Any], *args: Any, repeats: int = 5) -> tuple[float, float, Any]:
    """Call ``fn(*args)`` ``repeats`` times; return (best seconds, median seconds, last result)."""
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), out


def best(fn: Callable[[], Any], repeats: int = 5) -> float:
    """Best wall-clock time of ``repeats`` calls of ``fn()``, in seconds."""
    return timed(fn, repeats=repeats)[0]


def write_results(name: str, payload: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` with the Python and NumPy versions added."""
    RESULTS.mkdir(exist_ok=True)
    data = {**payload, "python": platform.python_version(), "numpy": np.__version__}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
