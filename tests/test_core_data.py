"""Published figures and the dataset catalogue."""

import shutil

import pytest
from conftest import bib_keys

from foresight import DataError
from foresight.data import (
    DOCUMENTS,
    catalogue,
    data_dir,
    load_catalogue_text,
    published,
    published_value,
)

HEADER = ("id,document,section,quantity,value,unit,decimals,qualifier,note,tolerance,tolerance_basis,"
          "use,printed,wording\n")


def test_published_figures_load_and_name_their_source():
    table = published()
    assert set(table["document"].unique()) <= set(DOCUMENTS)
    assert table["section"].str.len().min() > 0
    assert table.index.is_unique
    # every document has at least one published figure on file
    assert set(DOCUMENTS) <= set(table["document"].astype(str))


def test_known_published_values():
    # Values read directly from the source documents.
    assert published_value("ons_target_improvement_2039") == 1.2  # ONS section 7
    assert published_value("sle_initial_sample") == 1223  # Rappange et al., Methods
    assert published_value("careers_participants") == 35  # Ranieri et al., Method


def test_published_selects_one_document():
    t = published("rappange2017sle")
    assert (t["document"] == "rappange2017sle").all()
    with pytest.raises(DataError, match="unknown document"):
        published("nope")


def test_published_rejects_duplicate_ids_across_files(tmp_path, monkeypatch):
    pub = tmp_path / "published"
    pub.mkdir()
    row = "x1,ons2015mortality,s,q,1.0,years,1,exact,,,,context,1.0,it was 1.0 years\n"
    (pub / "a.csv").write_text(HEADER + row)
    (pub / "b.csv").write_text(HEADER + row)
    monkeypatch.setenv("FORESIGHT_DATA", str(tmp_path))
    from foresight.data import _published_all

    _published_all.cache_clear()
    try:
        with pytest.raises(DataError, match="appears in more than one file"):
            published()
    finally:
        _published_all.cache_clear()


def test_published_rejects_bad_rows(tmp_path, monkeypatch):
    pub = tmp_path / "published"
    pub.mkdir()
    (pub / "a.csv").write_text(
        HEADER + "x1,ons2015mortality,s,q,about 1,years,1,exact,,,,context,1,it was 1 year\n")
    monkeypatch.setenv("FORESIGHT_DATA", str(tmp_path))
    from foresight.data import _published_all

    _published_all.cache_clear()
    try:
        with pytest.raises(DataError, match=r"data/published/a\.csv, line 2, column value"):
            published()
    finally:
        _published_all.cache_clear()


def test_data_dir_is_the_repository_data_folder():
    assert (data_dir() / "published").is_dir()


def test_catalogue_is_valid_and_unique():
    cat = catalogue()
    assert cat["id"].is_unique
    assert {"id", "kind", "licence", "source", "loader"} <= set(cat.columns)
    assert cat["kind"].isin(["real", "published", "synthetic", "fixture", "structured"]).all()


def test_catalogue_citations_are_in_the_bibliography():
    cited = set(catalogue()["citation"].dropna())
    assert cited, "no dataset names a citation"
    assert cited <= bib_keys(), cited - bib_keys()


def test_catalogue_loaders_exist():
    import importlib

    for dotted in catalogue()["loader"]:
        module, _, name = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), dotted


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("- id: a\n  title: t\n", "missing key 'kind'"),
        ("id: a\n", "not a list"),
        ("- [unclosed\n", "malformed YAML"),
        ("- 3\n", "not a mapping"),
        (
            "- {id: a, title: t, kind: real, chapter: c, source: s, licence: l, loader: x.y, colour: red}\n",
            "unknown key 'colour'",
        ),
        (
            "- {id: a, title: t, kind: imaginary, chapter: c, source: s, licence: l, loader: x.y}\n",
            "kind 'imaginary' is not allowed",
        ),
        (
            "- {id: a, title: '', kind: real, chapter: c, source: s, licence: l, loader: x.y}\n",
            "wrong type",
        ),
    ],
)
def test_catalogue_validation(text, fragment):
    with pytest.raises(DataError) as info:
        load_catalogue_text(text, "cat.yaml")
    assert str(info.value).startswith("cat.yaml")
    assert fragment in str(info.value)


def test_sources_name_each_documents_licence():
    from foresight.data import DOCUMENT_LICENCES, sources

    table = sources()
    assert list(table["document"]) == list(DOCUMENTS)
    assert set(DOCUMENT_LICENCES) == set(DOCUMENTS)
    # the two journal articles state CC BY 4.0 in their text
    lic = dict(zip(table["document"], table["licence"]))
    assert "CC BY 4.0" in lic["rappange2017sle"] and "CC BY 4.0" in lic["ranieri2018careers"]
    assert (table["published_figures"] >= 1).all()
