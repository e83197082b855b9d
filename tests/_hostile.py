"""Shared builders for the hostile-input tests: the eight readers, valid seed files, HMD folders.

Nothing here asserts; ``test_hostile_inputs.py`` pins each case of issue 18 and
``test_fuzz_readers.py`` runs the any-bytes property over the same readers.
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

#: reader name -> (file shipped with the book that it reads, suffix for generated files)
SEEDS: dict[str, tuple[Path, str]] = {
    "read_hmd": (DATA / "mortality" / "hmd_gbr_fltper_1922.txt", ".txt"),
    "read_survey": (DATA / "sle" / "example_survey.csv", ".csv"),
    "read_qdc": (DATA / "careers" / "codebook.qdc", ".qdc"),
    "read_qdpx": (DATA / "careers" / "fixture" / "demo.qdpx", ".qdpx"),
    "load_debate": (DATA / "selection" / "debate.yaml", ".yaml"),
    "load_study": (DATA / "careers" / "study.yaml", ".yaml"),
    "load_coreq": (DATA / "careers" / "coreq.yaml", ".yaml"),
    "elt_cited_figures": (DATA / "mortality" / "elt_cited_figures.csv", ".csv"),
}


@lru_cache(maxsize=1)
def _study():
    from foresight.careers import load_study

    return load_study()


def readers() -> dict[str, Callable[[Path], object]]:
    """The eight public readers, each taking a path."""
    from foresight.careers import load_coreq, load_study, read_qdc, read_qdpx
    from foresight.mortality import elt_cited_figures, read_hmd
    from foresight.selection import load_debate
    from foresight.sle import read_survey

    return {
        "read_hmd": read_hmd,
        "read_survey": read_survey,
        "read_qdc": read_qdc,
        "read_qdpx": read_qdpx,
        "load_debate": load_debate,
        "load_study": load_study,
        "load_coreq": lambda p: load_coreq(p, study=_study()),
        "elt_cited_figures": elt_cited_figures,
    }


def seed_bytes(name: str) -> bytes:
    """The shipped file the reader ``name`` reads."""
    return SEEDS[name][0].read_bytes()


def qdpx(members: dict[str, bytes]) -> bytes:
    """A ZIP archive with the given members (deflated, fixed dates)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
    return buf.getvalue()


# ------------------------------------------------------------------ HMD folders
HMD_YEARS = np.arange(2000, 2008)
HMD_AGES = np.arange(0, 111)
HMD_HEAD = "  Year          Age             Female            Male           Total"


def hmd_line(year: int, age: int) -> int:
    """File line of the row (year, age) in a file written by :func:`hmd_text`."""
    return 4 + int(np.flatnonzero(HMD_YEARS == year)[0]) * HMD_AGES.size + age


def hmd_text(title: str, values: dict[str, np.ndarray]) -> str:
    """An HMD 1x1 file (ages 0-110+, :data:`HMD_YEARS`) of ``values[sex]`` (ages x years)."""
    lines = [f"Exland, {title} (period 1x1)  \tLast modified: 01 Jan 2024;  Methods Protocol: "
             "v6 (2017)", "", HMD_HEAD]
    for j, y in enumerate(HMD_YEARS):
        for i, a in enumerate(HMD_AGES):
            age = f"{a}+" if a == HMD_AGES[-1] else str(a)
            f, m = values["female"][i, j], values["male"][i, j]
            lines.append(f"  {y}   {age:>10}   {f:>16.2f}   {m:>13.2f}   {f + m:>13.2f}")
    return "\n".join(lines) + "\n"


def hmd_values(seed: int = 7) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Poisson deaths from Gompertz-Makeham rates falling 1.5% a year, and their exposures."""
    rng = np.random.default_rng(seed)
    ages, years = HMD_AGES, HMD_YEARS
    base = 2e-4 + 2.5e-5 * np.exp(0.1 * ages)
    base[0] = 5e-3
    trend = 0.985 ** (years - years[0])
    exposure = np.broadcast_to((4e5 * np.exp(-((ages / 92.0) ** 6)) + 50.0)[:, None],
                               (ages.size, years.size)).copy()
    exposures = {"female": exposure, "male": exposure * 0.98}
    deaths = {sex: rng.poisson(exposures[sex] * np.minimum(base[:, None] * k * trend, 1.5))
              .astype(float) for sex, k in (("female", 1.0), ("male", 1.4))}
    return deaths, exposures


def write_hmd_folder(folder: Path, deaths=None, exposures=None) -> Path:
    """Write ``Deaths_1x1.txt`` and ``Exposures_1x1.txt`` (defaults: :func:`hmd_values`)."""
    d0, e0 = hmd_values()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Deaths_1x1.txt").write_text(hmd_text("Deaths", deaths or d0), encoding="utf-8")
    (folder / "Exposures_1x1.txt").write_text(hmd_text("Exposure to risk", exposures or e0),
                                              encoding="utf-8")
    return folder
