"""Find every fragile output before a reader's machine does.

Strict notebook validation (:mod:`foresight.nbcompare`) proves that the
committed outputs reproduce on the machine that runs it. A glued value can
still be fragile: zero by construction but computed as round-off, sitting on
a rounding edge, or amplifying round-off through an ill-conditioned step, and
so move on a CPU nobody on the team has. This check simulates other machines
and reports every glued value that moves, by name.

Each *variant* runs every chapter's code cells in a fresh interpreter (the
chapters are thin: their code calls the report modules), captures what each
``glue`` call would store, and compares it with the committed notebook under
the book's own rule (six significant digits, the zero floor):

``kernel``
    another OpenBLAS kernel and numpy's wider SIMD loops off: ``Haswell`` with
    AVX-512 loops off on a machine that has AVX-512, else ``Prescott`` (generic
    x86-64) with AVX2 loops off; ``ARMV8`` on ARM;
``threads``
    two BLAS and OpenMP threads instead of one (another summation order in
    every matrix product large enough to be split);
``perturb``
    every non-integral number read from a data file (CSV tables through
    :func:`foresight.data.parse_table`, HMD files through
    :func:`foresight.mortality.hmd.parse_hmd`) multiplied by ``1 +/- 1e-13``,
    the sign drawn per value from a generator seeded by the seed, the file and
    the column (so the draws never depend on what was read before). Whole numbers stay whole
    (they are exact on every machine). This stands in for a different
    rounding anywhere upstream, a thousand times larger than one ulp;
``all``
    the three at once (what ``make test`` runs).

Any glued value whose text differs from the committed one under the rule is
reported with its chapter and glue name; the command exits 1. Pictures are
not compared (as in nbval). Run ``python -m foresight.fragile --help``.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Iterable, Sequence

from foresight.nbcompare import round_floats

__all__ = ["VARIANTS", "capture_chapter", "committed_glue", "moved", "variant_env"]

VARIANTS = ("kernel", "threads", "perturb", "all")
#: Relative size of the input perturbation.
PERTURBATION = 1e-13
_GLUE_PREFIX = "application/papermill.record/"


# --------------------------------------------------------------------------- what is compared

def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def committed_glue(path: Path) -> dict[str, dict[str, str]]:
    """The glued values stored in a committed notebook: name -> {mime type: text}, pictures left out."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            out[name] = {k.removeprefix(_GLUE_PREFIX): _text(v) for k, v in o.get("data", {}).items()
                         if k.startswith(_GLUE_PREFIX) and "image/" not in k}
    return out


def _sanitizers(root: Path) -> list[tuple[re.Pattern[str], str]]:
    """The volatile-text rules nbval applies (tests/nbval_sanitize.cfg), if the file is there."""
    cfg = root / "tests" / "nbval_sanitize.cfg"
    if not cfg.is_file():
        return []
    parser = configparser.ConfigParser()
    parser.read(cfg, encoding="utf-8")
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def _normal(text: str, sanitizers: Sequence[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in sanitizers:
        text = pattern.sub(replacement, text)
    return round_floats(text)


def moved(reference: dict[str, dict[str, str]], produced: dict[str, dict[str, str]], *,
          sanitizers: Sequence[tuple[re.Pattern[str], str]] = ()) -> list[dict[str, str]]:
    """Glued values that differ under the book's rule: one record per (name, mime type).

    A name glued on one side only is reported too (``"(not glued)"`` on the other).
    """
    out = []
    for name in sorted(set(reference) | set(produced)):
        ref, new = reference.get(name), produced.get(name)
        if ref is None or new is None:
            out.append({"name": name, "mime": "", "committed": "(not glued)" if ref is None else "glued",
                        "now": "(not glued)" if new is None else "glued"})
            continue
        for mime in sorted(set(ref) | set(new)):
            a, b = ref.get(mime), new.get(mime)
            if a is None or b is None or _normal(a, sanitizers) != _normal(b, sanitizers):
                out.append({"name": name, "mime": mime, "committed": _short(a), "now": _short(b)})
    return out


def _short(text: str | None, width: int = 160) -> str:
    if text is None:
        return "(absent)"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 12] + " ... " + text[-7:]


# --------------------------------------------------------------------------- running a chapter

def capture_chapter(path: Path) -> dict[str, dict[str, str]]:
    """Run a chapter's code cells in this interpreter and return what ``glue`` would store.

    The working directory is the notebook's folder, as when Jupyter runs it.
    """
    import matplotlib

    matplotlib.use("Agg")
    import myst_nb
    import nbformat
    from IPython.core.formatters import format_display_data

    captured: dict[str, dict[str, str]] = {}

    def glue(name: str, variable: object, display: bool = True) -> None:
        bundle = format_display_data(variable)[0]
        captured[name] = {k: _text(v) for k, v in bundle.items() if not k.startswith("image/")}

    nb = nbformat.read(path, as_version=4)
    original, cwd = myst_nb.glue, os.getcwd()
    myst_nb.glue = glue
    namespace: dict[str, object] = {"__name__": "__main__"}
    try:
        os.chdir(Path(path).parent)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{path}[cell {i}]", "exec"), namespace)  # noqa: S102
    finally:
        myst_nb.glue = original
        os.chdir(cwd)
        import matplotlib.pyplot as plt

        plt.close("all")
    return captured


def _perturb_inputs(seed: int) -> None:
    """Multiply every non-integral number read from a data file by 1 +/- PERTURBATION."""
    import numpy as np
    import pandas as pd

    import foresight.data.tables as tables
    import foresight.mortality.hmd as hmd

    def nudge(values: pd.Series, where: str) -> pd.Series:
        # the signs depend on the seed, the file and the column only, never on what was read
        # before: one chapter's reads cannot change another's perturbation
        rng = np.random.default_rng([seed, zlib.crc32(where.encode("utf-8"))])
        x = values.to_numpy(dtype=float, copy=True)
        fractional = np.isfinite(x) & (x != np.round(x))
        sign = rng.choice((-1.0, 1.0), size=x.shape)
        x[fractional] *= 1.0 + PERTURBATION * sign[fractional]
        return pd.Series(x, index=values.index, name=values.name)

    convert = tables._convert

    def _convert(values, col, label, lines):
        out = convert(values, col, label, lines)
        return nudge(out, f"{label}:{col.name}") if col.kind == "float" else out

    parse = hmd.parse_hmd

    def parse_hmd(text, *, label="<text>", **kwargs):
        frame = parse(text, label=label, **kwargs)
        for c in frame.columns:
            if c not in ("Year", "Age") and pd.api.types.is_float_dtype(frame[c]):
                frame[c] = nudge(frame[c], f"{label}:{c}")
        return frame

    tables._convert = _convert
    hmd.parse_hmd = parse_hmd


def _has_avx512() -> bool:
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def variant_env(variant: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a variant's interpreter (its perturbation is switched on inside it)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    env = dict(os.environ if base is None else base)
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
                "TZ": "UTC", "MPLBACKEND": "Agg"})
    if variant in ("kernel", "all"):
        if platform.machine() in ("aarch64", "arm64"):
            env["OPENBLAS_CORETYPE"] = "ARMV8"
        elif _has_avx512():
            env.update(OPENBLAS_CORETYPE="Haswell", NPY_DISABLE_CPU_FEATURES="X86_V4")
        else:
            env.update(OPENBLAS_CORETYPE="Prescott", NPY_DISABLE_CPU_FEATURES="X86_V3")
    if variant in ("threads", "all"):
        env.update(OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    return env


def _describe(env: dict[str, str], variant: str, seed: int) -> str:
    parts = [f"{k}={env[k]}" for k in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES",
                                      "OPENBLAS_NUM_THREADS") if k in env]
    if variant in ("perturb", "all"):
        parts.append(f"inputs x (1 +/- {PERTURBATION:g}), seed {seed}")
    return ", ".join(parts)


def _run_variant(chapters: Sequence[Path], variant: str, seed: int, out: Path) -> None:
    """Inside the variant's interpreter: perturb if asked, run each chapter, write the captures."""
    if variant in ("perturb", "all"):
        _perturb_inputs(seed)
    result = {}
    for path in chapters:
        t0 = time.perf_counter()
        result[str(path)] = {"glue": capture_chapter(path), "seconds": time.perf_counter() - t0}
    out.write_text(json.dumps(result), encoding="utf-8")


# --------------------------------------------------------------------------- the command

def _chapters(root: Path, names: Iterable[str] | None) -> list[Path]:
    from foresight.book import chapter_paths

    paths = [p for p in chapter_paths(root) if committed_glue(p)]
    if names:
        wanted = set(names)
        paths = [p for p in paths if p.stem in wanted]
        if not paths:
            raise SystemExit(f"no chapter among {sorted(wanted)}")
    return paths


def check(variants: Sequence[str], *, root: Path, chapters: Sequence[Path], seed: int = 0,
          jobs: int = 2) -> list[dict[str, str]]:
    """Run the variants (``jobs`` interpreters at a time) and return every moved glued value."""
    sanitizers = _sanitizers(root)
    src = str(root / "src")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        pending = list(variants)
        active: list[tuple[str, subprocess.Popen, Path, float, dict[str, str]]] = []
        done: list[tuple[str, Path, float, dict[str, str], int, str]] = []
        while pending or active:
            while pending and len(active) < max(1, jobs):
                v = pending.pop(0)
                env = variant_env(v)
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
                out = Path(tmp) / f"{v}.json"
                cmd = [sys.executable, "-m", "foresight.fragile", "_run", "--variant", v,
                       "--seed", str(seed), "--out", str(out), *map(str, chapters)]
                proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
                active.append((v, proc, out, time.perf_counter(), env))
            for item in list(active):
                v, proc, out, t0, env = item
                if proc.poll() is not None:
                    log = proc.stdout.read() if proc.stdout else ""
                    done.append((v, out, time.perf_counter() - t0, env, proc.returncode, log))
                    active.remove(item)
            time.sleep(0.05)
        for v, out, seconds, env, code, log in done:
            if code != 0 or not out.is_file():
                raise SystemExit(f"variant {v} failed (exit {code}):\n{log[-4000:]}")
            captured = json.loads(out.read_text(encoding="utf-8"))
            found = []
            for path in chapters:
                got = captured[str(path)]
                for m in moved(committed_glue(path), got["glue"], sanitizers=sanitizers):
                    found.append({"variant": v, "chapter": path.stem, **m})
            runs.append((v, _describe(env, v, seed), seconds, found))
    everything = []
    for v, description, seconds, found in sorted(runs):
        n = sum(len(committed_glue(p)) for p in chapters)
        print(f"{v:8s} {description}: {n} glued values in {len(chapters)} chapters, "
              f"{len(found)} moved ({seconds:.0f} s)")
        for m in found:
            print(f"  MOVED {m['chapter']}:{m['name']} [{m['mime']}] committed {m['committed']!r} "
                  f"now {m['now']!r}")
        everything += found
    return everything


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m foresight.fragile",
        description="Re-run every chapter as if on another machine and report each glued value "
                    "that moves under the book's comparison rule.")
    sub = parser.add_subparsers(dest="cmd")
    run = sub.add_parser("_run", help=argparse.SUPPRESS)
    run.add_argument("--variant", required=True, choices=VARIANTS)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--variant", action="append", choices=VARIANTS,
                        help="simulated machine (repeatable; default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input perturbation")
    parser.add_argument("--chapter", action="append", help="chapter stem, e.g. sle (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="variants run at once")
    args = parser.parse_args(argv)
    if args.cmd == "_run":
        _run_variant(args.chapters, args.variant, args.seed, args.out)
        return 0
    from foresight.book import repo_root

    root = repo_root()
    chapters = _chapters(root, args.chapter)
    found = check(args.variant or ["all"], root=root, chapters=chapters, seed=args.seed, jobs=args.jobs)
    if found:
        print(f"{len(found)} glued value(s) moved: make them robust (converge tighter, compute "
              "zero as zero, round before a rounding edge) or explain them", file=sys.stderr)
        return 1
    print("no glued value moved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
