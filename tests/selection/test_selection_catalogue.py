"""The selection datasets are catalogued and their loaders exist."""

import importlib

from foresight.data import catalogue


def test_selection_catalogue_entries_load():
    cat = catalogue()
    sel = cat[cat["chapter"] == "selection"]
    assert {"selection-debate", "selection-kuncel2013", "selection-simulated-candidates"} <= set(sel["id"])
    for loader in sel["loader"]:
        module, name = loader.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))
