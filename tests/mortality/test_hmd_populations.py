"""The thirteen HMD populations shipped in data/mortality/hmd/: bytes, manifest, catalogue, reading."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from conftest import ROOT
from foresight.data import catalogue, data_dir
from foresight.errors import DataError
from foresight.mortality import populations as pops

MANIFEST = pops.hmd_manifest()
CODES = list(MANIFEST.index)
#: The folder codes of issue 23 (data/mortality/hmd/<code>/) and the UK's folder.
TWELVE = ["CAN", "DEUTW", "ESP", "FRACNP", "GBRCENW", "HUN", "ITA", "NLD", "NOR", "PRT", "SWE", "USA"]


def test_the_manifest_lists_the_twelve_populations_and_the_uk():
    assert sorted(CODES) == sorted(TWELVE + ["GBR_NP"])
    assert all(MANIFEST.loc[c, "folder"] == c for c in TWELVE)  # data/mortality/hmd/<CODE>/
    assert MANIFEST.loc["GBR_NP", "folder"] == "v2025"  # the UK files stay where the chapter reads them


@pytest.mark.parametrize("code", CODES)
def test_shipped_bytes_have_the_manifest_checksums(code):
    row = MANIFEST.loc[code]
    folder = data_dir() / "mortality" / "hmd" / row["folder"]
    for name, column in (("Deaths_1x1.txt", "deaths_sha256"), ("Exposures_1x1.txt", "exposures_sha256")):
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == row[column], (code, name)


def test_the_readme_and_the_catalogue_say_what_the_manifest_says():
    readme = (ROOT / "data" / "mortality" / "hmd" / "README.md").read_text(encoding="utf-8")
    listed = dict((path, digest) for digest, path in
                  re.findall(r"([0-9a-f]{64})\s+([A-Z]+/(?:Deaths|Exposures)_1x1\.txt)", readme))
    expected = {}
    for code in TWELVE:
        expected[f"{code}/Deaths_1x1.txt"] = MANIFEST.loc[code, "deaths_sha256"]
        expected[f"{code}/Exposures_1x1.txt"] = MANIFEST.loc[code, "exposures_sha256"]
    assert listed == expected
    assert "current version" in readme and "www.mortality.org" in readme
    entry = catalogue().set_index("id").loc["mortality-hmd-twelve-populations"]
    for code in TWELVE:
        release = MANIFEST.loc[code, "last_modified"]
        if isinstance(release, str) and release:
            assert f"{code} {release}" in entry["source"], code
        assert code in entry["path"]
    assert "current version" in entry["source"] and "Netherlands" in entry["population"]
    assert any("subjective life expectancy" in c for c in entry["caveats"])  # NLD is shared with the SLE chapter


@pytest.mark.parametrize("code", CODES)
def test_every_population_reads(code):
    p = pops.hmd_population(code)
    row = MANIFEST.loc[code]
    assert (p.first_year, p.last_year) == (row["first_year"], row["last_year"])
    assert p.deaths["age"].min() == 0 and p.deaths["age"].max() == 110
    assert p.deaths.attrs["kind"] == "deaths" and p.exposures.attrs["kind"] == "exposures"
    titled = isinstance(row["title_population"], str) and row["title_population"]
    assert p.deaths.attrs["population"] == (row["title_population"] if titled else row["population"])
    assert p.deaths.attrs["title"] is bool(titled)
    assert p.release == (row["last_modified"] if titled else row["note"])
    d, e = p.surfaces("female", first=p.last_year - 4, max_age=100)
    assert d.shape == (101, 5) and (e.to_numpy() > 0).all()
    # truncation keeps only the years up to the origin, and nothing else changes
    t = p.truncated(p.last_year - 10)
    assert t.last_year == p.last_year - 10 and t.first_year == p.first_year
    assert t.surfaces("male", max_age=100)[0].equals(p.surfaces("male", last=p.last_year - 10, max_age=100)[0])


def _copy_data(tmp_path, code):
    """A data/ folder holding the manifest and one population's files, for tampering."""
    root = tmp_path / "data"
    folder = MANIFEST.loc[code, "folder"]
    (root / "mortality" / "hmd" / folder).mkdir(parents=True)
    shutil.copy(data_dir() / pops.MANIFEST, root / pops.MANIFEST)
    for name in pops.HMD_FILES:
        shutil.copy(data_dir() / "mortality" / "hmd" / folder / name, root / "mortality" / "hmd" / folder / name)
    return root


def test_a_changed_file_is_refused_naming_it(tmp_path, monkeypatch):
    root = _copy_data(tmp_path, "NOR")
    target = root / "mortality" / "hmd" / "NOR" / "Exposures_1x1.txt"
    text = target.read_bytes()
    target.write_bytes(text.replace(b"  2018", b"  2018 ", 0) + b"\n")
    monkeypatch.setenv("FORESIGHT_DATA", str(root))
    pops._manifest.cache_clear()
    pops._hmd_population.cache_clear()
    try:
        with pytest.raises(DataError, match=r"NOR/Exposures_1x1.txt: SHA-256 .* differs"):
            pops.hmd_population("NOR")
        with pytest.raises(DataError, match="no shipped HMD population 'XYZ'"):
            pops.hmd_population("XYZ")
    finally:
        pops._manifest.cache_clear()
        pops._hmd_population.cache_clear()


def test_any_hmd_folder_reads_and_bad_folders_are_named(tmp_path):
    hun = data_dir() / "mortality" / "hmd" / "HUN"
    with pytest.raises(DataError, match=r"HUN/Deaths_1x1.txt, line 1: the file has no HMD title line"):
        pops.read_hmd_folder(hun)
    p = pops.read_hmd_folder(hun, population="Hungary")
    assert p.code == "HUN" and p.name == "Hungary" and p.release == "not stated in the files"
    with pytest.raises(DataError, match="does not exist"):
        pops.read_hmd_folder(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DataError, match="is not a folder"):
        pops.read_hmd_folder(tmp_path / "afile")
    mixed = tmp_path / "MIXED"
    mixed.mkdir()
    shutil.copy(data_dir() / "mortality" / "hmd" / "NOR" / "Deaths_1x1.txt", mixed)
    with pytest.raises(DataError, match=r"no Exposures_1x1.txt in"):
        pops.read_hmd_folder(mixed)
    shutil.copy(data_dir() / "mortality" / "hmd" / "SWE" / "Exposures_1x1.txt", mixed)
    with pytest.raises(DataError, match="different years or ages|describe 'Norway' but the exposures 'Sweden'"):
        pops.read_hmd_folder(mixed)
    swapped = tmp_path / "SWAPPED"
    swapped.mkdir()
    shutil.copy(data_dir() / "mortality" / "hmd" / "NOR" / "Deaths_1x1.txt", swapped / "Exposures_1x1.txt")
    shutil.copy(data_dir() / "mortality" / "hmd" / "NOR" / "Deaths_1x1.txt", swapped / "Deaths_1x1.txt")
    with pytest.raises(DataError, match=r"Exposures_1x1.txt, line 1: Exposures_1x1.txt is not an HMD exposures file"):
        pops.read_hmd_folder(swapped)
