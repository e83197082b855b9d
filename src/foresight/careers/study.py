"""The study as data: participants, typologies, influences, recommendations.

:func:`load_study` reads ``data/careers/study.yaml``, checks it against
``data/careers/study.schema.yaml`` and the cross-checks below, and returns a
:class:`Study` whose tables (``pandas.DataFrame``) the chapter renders.

Conventions
-----------
* Counts are numbers of participants (people), never percentages.
* A typology's number of stayers is an interval ``[stay_low, stay_high]``; it is
  a single number when the text determines it (``low == high``).
* A location is ``(section id, paragraph, sentence)``, paragraphs counted within
  the section ignoring interview quotations, sentences within the paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from foresight.data.files import parse_yaml, read_text_file
from foresight.data.schema import YamlDoc, load_yaml, validate
from foresight.errors import DataError

__all__ = ["Study", "load_study", "parse_study", "validate_study", "format_location",
           "ACROSS", "SYSTEMS"]

#: Pseudo-typology for influences the paper reports as common to all groups.
ACROSS = "across"
#: Framework systems in the order used in tables and figures (inner to outer).
SYSTEMS = ("intrapersonal", "contextual", "uncontrollable")


def _data_file(name: str) -> Path:
    from foresight.data import data_dir

    return data_dir() / "careers" / name


def _schema() -> dict:
    path = _data_file("study.schema.yaml")
    return parse_yaml(read_text_file(path, label="data/careers/study.schema.yaml"),
                      "data/careers/study.schema.yaml")


def format_location(loc: dict, sections: dict[str, str] | None = None) -> str:
    """``{'section': 'results-t3', 'paragraph': 1, 'sentence': 2}`` → ``'results-t3 ¶1 s2'``.

    With ``sections`` (id → title) the section title replaces the id.
    """
    name = loc["section"] if sections is None else sections.get(loc["section"], loc["section"])
    return f"{name} ¶{loc['paragraph']} s{loc['sentence']}"


@dataclass(frozen=True)
class Study:
    """Validated study data (see module docstring). Build with :func:`load_study`."""

    raw: dict = field(repr=False)
    label: str = "data/careers/study.yaml"

    # -- small lookups -----------------------------------------------------------------
    @cached_property
    def sections(self) -> dict[str, str]:
        """Section id → section title."""
        return {s["id"]: s["title"] for s in self.raw["sections"]}

    @property
    def total(self) -> int:
        """Number of participants."""
        return int(self.raw["participants"]["total"]["value"])

    @property
    def typology_ids(self) -> list[str]:
        return [t["id"] for t in self.raw["typologies"]]

    def loc(self, loc: dict, titles: bool = False) -> str:
        return format_location(loc, self.sections if titles else None)

    # -- tables --------------------------------------------------------------------------
    @cached_property
    def participants(self) -> pd.DataFrame:
        """Participants by characteristic: ``group, category, count, location``."""
        p = self.raw["participants"]
        rows = [("all", "total", p["total"])]
        rows += [("sex", k, v) for k, v in p["by_sex"].items()]
        rows += [("stage", k, v) for k, v in p["by_stage"].items()]
        return pd.DataFrame(
            [(g, c, int(f["value"]), self.loc(f["location"])) for g, c, f in rows],
            columns=["group", "category", "count", "location"],
        )

    @cached_property
    def typologies(self) -> pd.DataFrame:
        """One row per typology: ``id, short, reason, size, stay_low, stay_high,
        leave_low, leave_high, determined, size_location, stay_locations, reading``."""
        rows = []
        for t in self.raw["typologies"]:
            size, lo, hi = int(t["size"]["value"]), int(t["stay"]["low"]), int(t["stay"]["high"])
            rows.append({
                "id": t["id"], "short": t["short"], "reason": t["reason"], "size": size,
                "stay_low": lo, "stay_high": hi, "leave_low": size - hi, "leave_high": size - lo,
                "determined": lo == hi,
                "size_location": self.loc(t["size"]["location"]),
                "stay_locations": "; ".join(self.loc(x) for x in t["stay"]["locations"]),
                "reading": " ".join(t["stay"]["reading"].split()),
            })
        return pd.DataFrame(rows).set_index("id", drop=False).rename_axis(None)

    @cached_property
    def influences(self) -> pd.DataFrame:
        """One row per influence: ``id, label, short, system, system_basis, direction,
        typologies, n_mentions``. ``direction`` is ``towards``, ``away`` or ``mixed``
        (reported in both directions); ``typologies`` lists where it is reported."""
        rows = []
        for inf in self.raw["influences"]:
            dirs = {m["direction"] for m in inf["mentions"]}
            where = [m["typology"] for m in inf["mentions"]]
            rows.append({
                "id": inf["id"], "label": inf["label"], "short": inf["short"],
                "system": inf["system"], "system_basis": inf["system_basis"],
                "direction": dirs.pop() if len(dirs) == 1 else "mixed",
                "typologies": ", ".join(dict.fromkeys(where)),
                "n_mentions": len(inf["mentions"]),
            })
        out = pd.DataFrame(rows)
        out["system"] = pd.Categorical(out["system"], categories=list(SYSTEMS))
        return out.set_index("id", drop=False).rename_axis(None)

    @cached_property
    def mentions(self) -> pd.DataFrame:
        """Long table, one row per (influence, typology) report: ``influence, label, short,
        system, typology, direction, locations``."""
        rows = []
        for inf in self.raw["influences"]:
            for m in inf["mentions"]:
                rows.append({
                    "influence": inf["id"], "label": inf["label"], "short": inf["short"],
                    "system": inf["system"],
                    "typology": m["typology"], "direction": m["direction"],
                    "locations": "; ".join(self.loc(x) for x in m["locations"]),
                })
        return pd.DataFrame(rows)

    @cached_property
    def recommendations(self) -> pd.DataFrame:
        """``id, text, actors, actor_basis, addresses, location``."""
        return pd.DataFrame([
            {"id": r["id"], "text": r["text"], "actors": ", ".join(r["actors"]),
             "actor_basis": r["actor_basis"], "addresses": ", ".join(r["addresses"]),
             "location": self.loc(r["location"])}
            for r in self.raw["recommendations"]
        ]).set_index("id", drop=False).rename_axis(None)

    def comparison(self, ident: str) -> dict[str, Any]:
        """One entry of ``comparisons`` by id (statement, proportion, location)."""
        for c in self.raw["comparisons"]:
            if c["id"] == ident:
                return {**c, "statement": " ".join(c["statement"].split()),
                        "where": self.loc(c["location"])}
        raise DataError(f"no comparison with id {ident!r}", file=self.label, column="comparisons")


def validate_study(doc: YamlDoc, schema: dict | None = None) -> None:
    """Schema check plus the cross-checks that a schema cannot express.

    Raises
    ------
    DataError
        Naming the file, the line and the field of the first problem: counts by sex or by
        stage or typology sizes that do not sum to the total, ``stay`` bounds outside
        ``0 <= low <= high <= size``, an influence never mentioned, ids used twice,
        references to ids that do not exist.
    """
    validate(doc, _schema() if schema is None else schema)
    d = doc.data
    total = d["participants"]["total"]["value"]
    for group in ("by_sex", "by_stage"):
        parts = d["participants"][group]
        s = sum(v["value"] for v in parts.values())
        if s != total:
            raise doc.error(("participants", group), f"{group} counts sum to {s}, not {total}",
                            f"counts summing to the total of {total}")
    sizes = sum(t["size"]["value"] for t in d["typologies"])
    if sizes != total:
        raise doc.error(("typologies",), f"typology sizes sum to {sizes}, not {total}",
                        f"sizes summing to the total of {total}")
    for i, t in enumerate(d["typologies"]):
        lo, hi, n = t["stay"]["low"], t["stay"]["high"], t["size"]["value"]
        if not lo <= hi <= n:
            raise doc.error(("typologies", i, "stay"), f"stay interval [{lo}, {hi}] is not "
                            f"inside [0, size={n}] or low > high", "0 <= low <= high <= size")
    mentioned_t = {m["typology"] for inf in d["influences"] for m in inf["mentions"]}
    for i, t in enumerate(d["typologies"]):
        if t["id"] not in mentioned_t:
            raise doc.error(("typologies", i, "id"), f"typology {t['id']!r} has no influence",
                            "every typology to be the subject of at least one influence")


def parse_study(text: str, label: str = "<study>") -> Study:
    """Validate YAML ``text`` and return a :class:`Study` (see :func:`load_study`)."""
    doc = load_yaml(text, label)
    validate_study(doc)
    return Study(doc.data, label)


def load_study(path: str | PathLike[str] | None = None) -> Study:
    """Load and validate the study data.

    Parameters
    ----------
    path
        A study YAML file; defaults to ``data/careers/study.yaml``.

    Returns
    -------
    Study
        With tables ``participants``, ``typologies``, ``influences``, ``mentions``,
        ``recommendations``.
    """
    p = _data_file("study.yaml") if path is None else Path(path)
    label = "data/careers/study.yaml" if path is None else str(p)
    return parse_study(read_text_file(p, label=label), label)
