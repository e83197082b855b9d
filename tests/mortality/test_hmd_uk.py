"""The UK's own data (HMD v2025 and v2018) as shipped, and the life-table engine against every HMD UK table."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

import foresight.mortality as fm
from foresight.data import data_dir
from foresight.errors import DataError

from conftest import ROOT

FILES = [(v, n) for v, files in fm.HMD_UK_FILES.items() for n in files]


@pytest.mark.parametrize("version, name", FILES)
def test_shipped_files_are_the_hmd_files_and_read_cleanly(version, name):
    frame = fm.hmd_uk(name, version)
    years = {"v2025": (1950, 2022), "v2018": (1922, 2016)}[version]
    assert (frame["year"].min(), frame["year"].max()) == years
    assert frame["age"].min() == 0 and frame["age"].max() == 110
    assert frame.attrs["version"] == version
    assert frame.attrs["last_modified"] == {"v2025": "03 Feb 2025", "v2018": "28 May 2018"}[version]
    assert frame.attrs["country"] == "United Kingdom"


def test_checksums_match_the_readme():
    """The data README lists the same SHA-256 as the loader: one source of provenance, checked."""
    readme = (ROOT / "data" / "mortality" / "hmd" / "README.md").read_text(encoding="utf-8")
    listed = dict((path, digest) for digest, path in re.findall(r"([0-9a-f]{64})\s+(v20\d\d/\S+)", readme))
    expected = {f"{v}/{n}": d for v, files in fm.HMD_UK_FILES.items() for n, d in files.items()}
    assert listed == expected
    for path, digest in expected.items():
        assert hashlib.sha256((data_dir() / "mortality" / "hmd" / path).read_bytes()).hexdigest() == digest


def test_an_altered_file_is_refused(tmp_path, monkeypatch):
    import shutil

    import foresight.data as fdata

    copy = tmp_path / "data"
    shutil.copytree(data_dir() / "mortality" / "hmd", copy / "mortality" / "hmd")
    target = copy / "mortality" / "hmd" / "v2025" / "Deaths_1x1.txt"
    target.write_bytes(target.read_bytes().replace(b"14770.07", b"14770.08", 1))
    monkeypatch.setattr(fdata, "data_dir", lambda: copy)
    with pytest.raises(DataError, match="v2025/Deaths_1x1.txt.*differs from the HMD file"):
        fm.hmd_uk("Deaths_1x1.txt", "v2025")
    with pytest.raises(DataError, match="unknown HMD version"):
        fm.hmd_uk("Deaths_1x1.txt", "v2030")
    with pytest.raises(DataError, match="no file"):
        fm.hmd_uk("Deaths_1x1.txt", "v2018")


def _table(name: str, column: str):
    frame = fm.hmd_uk(name, "v2018")
    return frame.pivot(index="age", columns="year", values=column)


@pytest.mark.parametrize("sex, name", [("male", "mltper_1x1.txt"), ("female", "fltper_1x1.txt"),
                                       ("total", "bltper_1x1.txt")])
def test_engine_reproduces_every_hmd_uk_period_life_table(sex, name):
    """All 95 years x 111 ages of each v2018 table: ex from the table's own mx within 0.02 years.

    The HMD prints ex to two decimals (rounding 0.005) and mx to five (which
    moves ex by up to about 0.007 at young ages); 0.02 leaves room for both.
    For both sexes combined, a0 is the exposure-weighted mean of the sexes'
    Andreev-Kingkade values.
    """
    mx, ex = _table(name, "mx"), _table(name, "ex")
    a0 = None
    if sex == "total":
        m0 = {s: _table(f"{s[0]}ltper_1x1.txt", "mx").loc[0] for s in ("male", "female")}
        e0 = fm.hmd_uk("Exposures_1x1.txt", "v2018").query("age == 0").set_index("year")
        a0 = fm.a0_both_sexes(m0["male"], m0["female"], e0.loc[mx.columns, "male"], e0.loc[mx.columns, "female"])
        assert np.max(np.abs(a0 - _table(name, "ax").loc[0].to_numpy())) < 0.006
    tables = fm.life_tables(mx, sex="female" if sex == "total" else sex, a0=a0)
    diff = np.abs(tables.ex - ex.to_numpy())
    assert mx.shape == (111, 95)
    worst = np.unravel_index(np.argmax(diff), diff.shape)
    assert diff.max() <= 0.02, f"{sex}: ex differs by {diff.max():.4f} at age {mx.index[worst[0]]}, {mx.columns[worst[1]]}"


def test_a0_both_sexes_is_a_weighted_mean():
    am = fm.a0_andreev_kingkade(m0=0.01, sex="male")[0]
    af = fm.a0_andreev_kingkade(m0=0.008, sex="female")[0]
    assert fm.a0_both_sexes(0.01, 0.008, 3.0, 1.0) == pytest.approx((3 * am + af) / 4)
    with pytest.raises(DataError):
        fm.a0_both_sexes(0.01, 0.008, 0.0, 0.0)
    with pytest.raises(DataError, match="a0 outside"):
        fm.life_tables(np.array([0.01, 0.5]), sex="male", a0=1.5)
