"""Human Mortality Database populations: the shipped folders and any folder a user points at.

The book ships deaths and exposures (``Deaths_1x1.txt``, ``Exposures_1x1.txt``, bytes
unchanged) for thirteen HMD populations in ``data/mortality/hmd/<folder>/``: the United
Kingdom (``v2025/``) and twelve more (``CAN``, ``DEUTW``, ``ESP``, ``FRACNP``, ``GBRCENW``,
``HUN``, ``ITA``, ``NLD``, ``NOR``, ``PRT``, ``SWE``, ``USA``). Their provenance, release
("Last modified") and SHA-256 are listed in ``data/mortality/hmd/populations.csv``
(:func:`hmd_manifest`); :func:`hmd_population` refuses a file whose bytes differ from it.
:func:`read_hmd_folder` reads any other HMD country folder the same way, with the checks of
:func:`~foresight.mortality.hmd.read_hmd` (errors name the file, line and column).

An :class:`HMDPopulation` is what the back-test engine works on: deaths and exposures by
single year of age (0 to 110+) and calendar year, both sexes, with
:meth:`HMDPopulation.truncated` to keep only the years up to an origin.

HMD data are licensed CC BY 4.0; cite the Human Mortality Database with the release of the
files used. The HMD asks users to fetch the current version from www.mortality.org: these
copies are frozen so that the book's results can be reproduced.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from foresight.errors import DataError

__all__ = ["HMD_FILES", "HMDPopulation", "MANIFEST", "hmd_manifest", "hmd_population",
           "read_hmd_folder"]

#: The two files of an HMD country folder that the back-test reads.
HMD_FILES: tuple[str, str] = ("Deaths_1x1.txt", "Exposures_1x1.txt")

#: Where the manifest of the shipped populations is, under ``data/``.
MANIFEST = "mortality/hmd/populations.csv"

SEXES = ("male", "female")


@dataclass(frozen=True)
class HMDPopulation:
    """Deaths and exposures of one HMD population, as read and checked.

    Attributes
    ----------
    code
        Short name (the HMD's country code, e.g. ``"SWE"``, or the folder's name).
    name
        The population in words (``"Sweden"``).
    deaths, exposures
        Tidy frames from :func:`~foresight.mortality.hmd.read_hmd` (one row per year
        and age, ages 0 to 110 with 110 the open interval; columns ``female, male,
        total``), without the per-line map, which is kept in :attr:`lines`.
    release
        The HMD's "Last modified" date of the files, or a note when it is unknown.
    source
        Where the files came from (a folder, or the manifest's public copy).
    """

    code: str
    name: str
    deaths: pd.DataFrame = field(repr=False)
    exposures: pd.DataFrame = field(repr=False)
    release: str = ""
    source: str = ""
    lines: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def first_year(self) -> int:
        return int(self.deaths["year"].iloc[0])

    @property
    def last_year(self) -> int:
        return int(self.deaths["year"].iloc[-1])

    def truncated(self, last_year: int) -> "HMDPopulation":
        """The same population with only the years up to ``last_year`` (inclusive)."""
        keep = (self.deaths["year"] <= int(last_year)).to_numpy()
        if not keep.any():
            raise DataError(f"{self.code} has no year up to {last_year}", column="Year",
                            expected=f"a year from {self.first_year}")
        return HMDPopulation(self.code, self.name, self.deaths[keep].reset_index(drop=True),
                             self.exposures[keep].reset_index(drop=True), self.release, self.source,
                             self.lines)

    def surfaces(self, sex: str, *, first: int | None = None, last: int | None = None,
                 max_age: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Deaths and exposures of one sex as age x year surfaces (ages 0 to ``max_age``).

        ``first``, ``last``: inclusive range of years (default all). Ages above
        ``max_age`` are left out (not pooled). Raises :class:`DataError` for a missing
        value or an exposure of zero with deaths among the cells returned, naming the
        file, line and column.
        """
        if sex not in SEXES:
            raise DataError(f"unknown sex {sex!r}", column="sex", expected="'male' or 'female'")
        lo = self.first_year if first is None else int(first)
        hi = self.last_year if last is None else int(last)
        out = []
        for frame in (self.deaths, self.exposures):
            sel = ((frame["year"] >= lo) & (frame["year"] <= hi) & (frame["age"] <= max_age)).to_numpy()
            part = frame.loc[sel, ["year", "age", sex]]
            wide = part.pivot(index="age", columns="year", values=sex)
            wide.index = pd.Index(wide.index.astype(int), name="age")
            wide.columns = pd.Index(wide.columns.astype(int), name="year")
            out.append(wide)
        d, e = out
        bad = d.isna() | e.isna()
        if bad.any().any():
            age, year = _first_cell(bad)
            kind = "deaths" if np.isnan(d.loc[age, year]) else "exposures"
            frame = self.deaths if kind == "deaths" else self.exposures
            raise DataError(f"missing value '.' (year {year}, age {age})", file=frame.attrs.get("file"),
                            row=self.lines.get(kind, {}).get((year, age)), column=sex.capitalize(),
                            expected="a number in every cell the back-test uses")
        lost = (d > 0) & (e <= 0)
        if lost.any().any():
            age, year = _first_cell(lost)
            raise DataError(f"exposure {e.loc[age, year]} with {d.loc[age, year]} deaths (year {year}, "
                            f"age {age})", file=self.exposures.attrs.get("file"),
                            row=self.lines.get("exposures", {}).get((year, age)),
                            column=sex.capitalize(),
                            expected="a positive exposure wherever deaths are positive")
        return d, e


def _first_cell(mask: pd.DataFrame) -> tuple[int, int]:
    j, i = np.argwhere(mask.to_numpy().T)[0]  # earliest year first, then youngest age
    return int(mask.index[i]), int(mask.columns[j])


def _split(deaths: pd.DataFrame, exposures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The frames without their per-line maps (pandas deep-copies ``attrs`` on every step),
    and the maps, by kind."""
    lines = {}
    for frame, kind in ((deaths, "deaths"), (exposures, "exposures")):
        lines[kind] = frame.attrs.get("line", {})
        frame.attrs = {k: v for k, v in frame.attrs.items() if k != "line"}
    return deaths, exposures, lines


def _check_pair(deaths: pd.DataFrame, exposures: pd.DataFrame, folder: str) -> None:
    for frame, name, kind in ((deaths, HMD_FILES[0], "deaths"), (exposures, HMD_FILES[1], "exposures")):
        if frame.attrs.get("kind") != kind:
            raise DataError(f"{name} is not an HMD {kind} file", file=frame.attrs.get("file"), row=1,
                            expected=f"the HMD {kind} series")
    keys = ["year", "age"]
    if not deaths[keys].equals(exposures[keys]):
        raise DataError("deaths and exposures cover different years or ages",
                        file=exposures.attrs.get("file"), column="Year/Age",
                        expected=f"the same (Year, Age) rows as {folder}/{HMD_FILES[0]}")
    if deaths.attrs.get("population") != exposures.attrs.get("population"):
        raise DataError(f"the deaths describe {deaths.attrs.get('population')!r} but the exposures "
                        f"{exposures.attrs.get('population')!r}", file=exposures.attrs.get("file"), row=1,
                        expected="two files of the same population")
    ages = np.unique(deaths["age"].to_numpy())
    if ages[-1] < 100:
        raise DataError(f"the files stop at age {int(ages[-1])}", file=deaths.attrs.get("file"),
                        column="Age", expected="single ages to at least 100, as in the HMD's 1x1 files")


def read_hmd_folder(folder: str | PathLike[str], *, population: str | None = None,
                    code: str | None = None) -> HMDPopulation:
    """Read an HMD country folder (``Deaths_1x1.txt`` and ``Exposures_1x1.txt``).

    Parameters
    ----------
    folder
        The folder, as downloaded from the HMD (or as shipped in ``data/mortality/hmd/``).
    population
        The population's name; needed only when the files lost their title line
        (see :func:`~foresight.mortality.hmd.read_hmd`), and checked against the title
        otherwise.
    code
        Short name (default: the folder's name).

    Raises
    ------
    DataError
        A path that is not a folder, a missing file, and every problem
        :func:`~foresight.mortality.hmd.read_hmd` finds; files of the wrong kind,
        of different populations, years or ages, or stopping below age 100.
    """
    from foresight.mortality.hmd import read_hmd

    path = Path(folder)
    if not path.is_dir():
        raise DataError(f"{path} is not a folder" if path.exists() else f"{path} does not exist",
                        file=path, expected="an HMD country folder holding " + " and ".join(HMD_FILES))
    for name in HMD_FILES:
        if not (path / name).is_file():
            raise DataError(f"no {name} in {path}", file=path / name,
                            expected="the HMD's " + " and ".join(HMD_FILES) + " in the folder")
    deaths = read_hmd(path / HMD_FILES[0], population=population)
    exposures = read_hmd(path / HMD_FILES[1], population=population)
    _check_pair(deaths, exposures, str(path))
    name = deaths.attrs.get("population") or (population or path.name)
    release = deaths.attrs.get("last_modified") or "not stated in the files"
    deaths, exposures, lines = _split(deaths, exposures)
    return HMDPopulation(code or path.name, name, deaths, exposures, release, str(path), lines)


MANIFEST_COLUMNS = ("code", "folder", "population", "title_population", "last_modified", "first_year",
                    "last_year", "deaths_sha256", "exposures_sha256", "public_copy", "note")


@lru_cache(maxsize=1)
def _manifest() -> pd.DataFrame:
    from foresight.data import Column, TableSpec, data_dir, read_table

    spec = TableSpec(
        name="HMD populations shipped with the book",
        columns=(
            Column("code", "str", description="HMD country code"),
            Column("folder", "str", description="folder under data/mortality/hmd/"),
            Column("population", "str", description="the population in words"),
            Column("title_population", "str", missing_ok=True,
                   description="the population as the files' title line writes it (empty: no title line)"),
            Column("last_modified", "str", missing_ok=True,
                   description="the HMD's 'Last modified' date of the files (empty: not in the files)"),
            Column("first_year", "int", minimum=1700, maximum=2100, description="first year in the files"),
            Column("last_year", "int", minimum=1700, maximum=2100, description="last year in the files"),
            Column("deaths_sha256", "str", description="SHA-256 of Deaths_1x1.txt as shipped"),
            Column("exposures_sha256", "str", description="SHA-256 of Exposures_1x1.txt as shipped"),
            Column("public_copy", "str", description="public copy the files were taken from (repository, commit, path)"),
            Column("note", "str", missing_ok=True, description="what to know when using the files"),
        ),
        key=("code",),
    )
    table = read_table(data_dir() / MANIFEST, spec, label=f"data/{MANIFEST}")
    return table.set_index("code", drop=False)


def hmd_manifest() -> pd.DataFrame:
    """The shipped HMD populations, one row each (``data/mortality/hmd/populations.csv``).

    Columns :data:`MANIFEST_COLUMNS`, indexed by ``code``: the folder, the population
    in words and as the title line writes it, the release, the years, the SHA-256 of
    both files and the public copy they were taken from.
    """
    return _manifest().copy()


def hmd_population(code: str) -> HMDPopulation:
    """One shipped population, read and checked (a copy; the files are read once per process).

    Raises
    ------
    DataError
        An unknown code, or a file whose SHA-256 differs from the manifest (the
        message names the file).
    """
    pop = _hmd_population(code)
    return HMDPopulation(pop.code, pop.name, pop.deaths.copy(), pop.exposures.copy(), pop.release,
                         pop.source, pop.lines)


@lru_cache(maxsize=None)
def _hmd_population(code: str) -> HMDPopulation:
    from foresight.data import data_dir
    from foresight.data.files import read_bytes
    from foresight.mortality.hmd import read_hmd

    manifest = _manifest()
    if code not in manifest.index:
        raise DataError(f"no shipped HMD population {code!r}", file=f"data/{MANIFEST}", column="code",
                        expected="one of " + ", ".join(manifest.index))
    row = manifest.loc[code]
    folder = data_dir() / "mortality" / "hmd" / row["folder"]
    frames = []
    for name, digest in zip(HMD_FILES, (row["deaths_sha256"], row["exposures_sha256"])):
        label = f"data/mortality/hmd/{row['folder']}/{name}"
        got = hashlib.sha256(read_bytes(folder / name, label=label)).hexdigest()
        if got != digest:
            raise DataError(f"SHA-256 {got[:16]}... differs from the HMD file the book was built with",
                            file=label, expected=f"the unchanged HMD file ({digest[:16]}...)")
        untitled = pd.isna(row["title_population"]) or not str(row["title_population"]).strip()
        frames.append(read_hmd(folder / name, label=label,
                               population=row["population"] if untitled else None))
    deaths, exposures = frames
    _check_pair(deaths, exposures, f"data/mortality/hmd/{row['folder']}")
    release = row["last_modified"] if isinstance(row["last_modified"], str) and row["last_modified"] \
        else str(row["note"])
    deaths, exposures, lines = _split(deaths, exposures)
    return HMDPopulation(code, str(row["population"]), deaths, exposures, release,
                         f"data/mortality/hmd/{row['folder']}", lines)
