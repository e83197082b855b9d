"""The COREQ reporting checklist (Tong, Sainsbury & Craig 2007) as data.

:func:`load_coreq` reads ``data/careers/coreq.yaml``: the 32 items with what
Ranieri et al. (2018) report for each and where (section, paragraph, sentence), or
"not reported". Checked against ``data/careers/coreq.schema.yaml`` and against the
study's section ids.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from foresight.careers.study import Study, format_location, load_study
from foresight.data.files import parse_yaml, read_text_file
from foresight.data.schema import load_yaml, validate

__all__ = ["load_coreq", "parse_coreq", "coreq_summary", "COREQ_ITEMS"]

#: Number of items in the COREQ checklist.
COREQ_ITEMS = 32


def parse_coreq(text: str, label: str, study: Study) -> pd.DataFrame:
    """Validate COREQ YAML ``text`` and return one row per item.

    Columns: ``n, domain, domain_title, topic, item, status, where, what``.
    """
    from foresight.data import data_dir

    doc = load_yaml(text, label)
    schema_label = "data/careers/coreq.schema.yaml"
    schema = parse_yaml(read_text_file(data_dir() / "careers" / "coreq.schema.yaml",
                                       label=schema_label), schema_label)
    validate(doc, schema)
    d = doc.data
    numbers = [it["n"] for it in d["items"]]
    if numbers != list(range(1, COREQ_ITEMS + 1)):
        raise doc.error(("items",), f"items are numbered {numbers[:3]}... ({len(numbers)} items)",
                        f"items 1 to {COREQ_ITEMS} in order")
    domains = {x["id"]: x["title"] for x in d["domains"]}
    rows = []
    for i, it in enumerate(d["items"]):
        if it["domain"] not in domains:
            raise doc.error(("items", i, "domain"), f"domain {it['domain']} does not exist",
                            "one of " + ", ".join(map(str, domains)))
        for j, loc in enumerate(it["locations"]):
            if loc["section"] not in study.sections:
                raise doc.error(("items", i, "locations", j, "section"),
                                f"unknown section {loc['section']!r}",
                                "a section id of data/careers/study.yaml")
        if (it["status"] == "not reported") != (not it["locations"]):
            raise doc.error(("items", i, "status"),
                            f"status {it['status']!r} with {len(it['locations'])} locations",
                            "'not reported' exactly when there is no location")
        rows.append({"n": it["n"], "domain": it["domain"], "domain_title": domains[it["domain"]],
                     "topic": it["topic"], "item": it["item"], "status": it["status"],
                     "where": "; ".join(format_location(x) for x in it["locations"]) or "—",
                     "what": it["what"]})
    return pd.DataFrame(rows)


def load_coreq(path: str | PathLike[str] | None = None, study: Study | None = None) -> pd.DataFrame:
    """The COREQ checklist with the paper's reporting (see :func:`parse_coreq`)."""
    from foresight.data import data_dir

    p = data_dir() / "careers" / "coreq.yaml" if path is None else Path(path)
    label = "data/careers/coreq.yaml" if path is None else str(p)
    text = read_text_file(p, label=label, expected="a COREQ checklist in YAML")
    return parse_coreq(text, label, load_study() if study is None else study)


def coreq_summary(coreq: pd.DataFrame) -> pd.DataFrame:
    """Items per status, overall and by domain (``domain_title`` x ``status`` counts)."""
    cats = ["reported", "partly", "not reported", "judgement"]
    tab = pd.crosstab(coreq["domain_title"], pd.Categorical(coreq["status"], categories=cats),
                      dropna=False)
    tab.columns.name = "status"
    return tab.reindex(coreq.drop_duplicates("domain")["domain_title"])
