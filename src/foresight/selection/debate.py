"""The debate as data: contributions, claims and typed relations, with a schema.

The debate lives in ``data/selection/debate.yaml`` (see the schema comment at
its top). :func:`load_debate` parses it with ``yaml.safe_load`` and checks
every entry, raising :class:`foresight.DataError` that names the file, the
entry (``contributions[2]``, ``claims[17]``, ``relations[4]``) and the field.

:class:`Debate` offers tidy tables (:meth:`Debate.contributions_frame`,
:meth:`Debate.claims_frame`, :meth:`Debate.relations_frame`), a directed
graph (:meth:`Debate.graph`, edges from the answering claim to the claim it
answers) and an Argdown export (:func:`to_argdown`).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from os import PathLike
from typing import Any

import pandas as pd

from foresight.errors import DataError
from foresight.data.files import parse_yaml, read_text_file

SIDES: tuple[str, ...] = ("clinical", "mechanical")
CLAIM_KINDS: tuple[str, ...] = (
    "empirical", "conceptual", "normative", "anecdotal", "methodological", "concession",
)
RELATION_TYPES: tuple[str, ...] = ("supports", "attacks", "rebuts", "concedes")
TESTS: tuple[str, ...] = ("meta-analysis", "simulation", "lens", "utility", "stanines", "derailers")
_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

_CONTRIBUTION_FIELDS = {
    "id": (str, True), "date": (str, True), "authors": (list, True), "side": (str, True),
    "title_sv": (str, True), "title_en": (str, True), "replies_to": ((str, type(None)), True),
    "summary": (str, True), "versions": (list, False), "note": (str, False),
}
_CLAIM_FIELDS = {
    "id": (str, True), "contribution": (str, True), "kind": (str, True), "text": (str, True),
    "test": (str, False), "cites": (list, False),
}
_RELATION_FIELDS = {
    "source": (str, True), "target": (str, True), "type": (str, True), "note": (str, False),
}


@dataclass(frozen=True)
class Debate:
    """A validated debate: lists of dicts in file order."""

    contributions: tuple[dict, ...]
    claims: tuple[dict, ...]
    relations: tuple[dict, ...]
    document: str
    source: str

    def contributions_frame(self) -> pd.DataFrame:
        """One row per contribution, sorted by date: id, date, authors, side, titles, summary."""
        df = pd.DataFrame([
            {"id": c["id"], "date": pd.Timestamp(c["date"]), "authors": ", ".join(c["authors"]),
             "side": c["side"], "title_sv": c["title_sv"], "title_en": c["title_en"],
             "replies_to": c["replies_to"], "summary": c["summary"],
             "n_claims": sum(1 for k in self.claims if k["contribution"] == c["id"])}
            for c in self.contributions
        ])
        return df.sort_values(["date", "id"]).reset_index(drop=True)

    def claims_frame(self) -> pd.DataFrame:
        """One row per claim: id, contribution, side, date, kind, test, text."""
        by_id = {c["id"]: c for c in self.contributions}
        return pd.DataFrame([
            {"id": k["id"], "contribution": k["contribution"],
             "side": by_id[k["contribution"]]["side"],
             "date": pd.Timestamp(by_id[k["contribution"]]["date"]),
             "kind": k["kind"], "test": k.get("test", ""), "text": k["text"]}
            for k in self.claims
        ])

    def relations_frame(self) -> pd.DataFrame:
        """One row per relation: source, target, type, note."""
        return pd.DataFrame([
            {"source": r["source"], "target": r["target"], "type": r["type"],
             "note": r.get("note", "")} for r in self.relations
        ], columns=["source", "target", "type", "note"])

    def graph(self):
        """A :class:`networkx.MultiDiGraph`: claims as nodes, relations as typed edges."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for row in self.claims_frame().itertuples(index=False):
            g.add_node(row.id, contribution=row.contribution, side=row.side, kind=row.kind,
                       test=row.test, text=row.text)
        for r in self.relations:
            g.add_edge(r["source"], r["target"], type=r["type"], note=r.get("note", ""))
        return g


def _where(label: str, section: str, index: int) -> dict[str, Any]:
    return {"file": label, "row": f"{section}[{index}]", "row_label": "entry"}


def _check_fields(entry: Any, spec: dict, label: str, section: str, index: int) -> dict:
    where = _where(label, section, index)
    if not isinstance(entry, dict):
        raise DataError("entry is not a mapping", **where, expected="key: value pairs")
    entry = dict(entry)
    for key, (typ, required) in spec.items():
        if key not in entry:
            if required:
                raise DataError(f"missing field {key!r}", **where, column=key,
                                expected="fields " + ", ".join(k for k, (_, r) in spec.items() if r))
            continue
        value = entry[key]
        if key == "date" and isinstance(value, _dt.date):
            value = entry[key] = value.isoformat()
        if not isinstance(value, typ):
            name = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
            raise DataError(f"field {key!r} has the wrong type ({type(value).__name__})", **where,
                            column=key, expected=name)
        if isinstance(value, str) and not value.strip():
            raise DataError(f"field {key!r} is empty", **where, column=key, expected="non-empty text")
    for key in entry:
        if key not in spec:
            raise DataError(f"unknown field {key!r}", **where, column=key,
                            expected="one of " + ", ".join(spec))
    return entry


def _check_choice(value: str, choices: tuple[str, ...], where: dict, column: str) -> None:
    if value not in choices:
        raise DataError(f"{column} {value!r} is not allowed", **where, column=column,
                        expected="one of " + ", ".join(choices))


def parse_debate(text: str, label: str = "<debate>") -> Debate:
    """Parse and validate a debate document (YAML text).

    Raises
    ------
    DataError
        Naming ``label``, the entry (e.g. ``claims[3]``) and the field, for
        malformed YAML, missing or unknown fields, wrong types, bad dates,
        values outside the allowed vocabularies, duplicate ids, and references
        to contributions or claims that do not exist.
    """
    doc = parse_yaml(text, label)
    if not isinstance(doc, dict):
        raise DataError("the debate file is not a mapping", file=label,
                        expected="keys schema_version, document, contributions, claims, relations")
    for key in ("schema_version", "document", "contributions", "claims", "relations"):
        if key not in doc:
            raise DataError(f"missing top-level key {key!r}", file=label, column=key)
    if doc["schema_version"] != 1:
        raise DataError(f"unsupported schema_version {doc['schema_version']!r}", file=label,
                        column="schema_version", expected="1")
    for key in ("contributions", "claims", "relations"):
        if not isinstance(doc[key], list) or not doc[key]:
            raise DataError(f"{key!r} is not a non-empty list", file=label, column=key,
                            expected="a YAML list of entries")

    contributions: list[dict] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(doc["contributions"]):
        c = _check_fields(raw, _CONTRIBUTION_FIELDS, label, "contributions", i)
        where = _where(label, "contributions", i)
        _check_id(c["id"], seen, where, "contributions")
        try:
            _dt.date.fromisoformat(c["date"])
        except ValueError:
            raise DataError(f"date {c['date']!r} is not a valid date", **where, column="date",
                            expected="YYYY-MM-DD") from None
        _check_choice(c["side"], SIDES, where, "side")
        if not c["authors"] or not all(isinstance(a, str) and a.strip() for a in c["authors"]):
            raise DataError("authors must be a non-empty list of names", **where, column="authors")
        contributions.append(c)
    contrib_ids = {c["id"]: c for c in contributions}
    for i, c in enumerate(contributions):
        if c["replies_to"] is not None:
            where = _where(label, "contributions", i)
            if c["replies_to"] not in contrib_ids:
                raise DataError(f"replies_to {c['replies_to']!r} is not a contribution id", **where,
                                column="replies_to", expected="the id of another contribution")
            if contrib_ids[c["replies_to"]]["date"] > c["date"]:
                raise DataError("a contribution replies to a later one", **where, column="replies_to",
                                expected="a reply dated on or after what it answers")

    claims: list[dict] = []
    for i, raw in enumerate(doc["claims"]):
        k = _check_fields(raw, _CLAIM_FIELDS, label, "claims", i)
        where = _where(label, "claims", i)
        _check_id(k["id"], seen, where, "claims")
        if k["contribution"] not in contrib_ids:
            raise DataError(f"contribution {k['contribution']!r} does not exist", **where,
                            column="contribution", expected="the id of a contribution")
        _check_choice(k["kind"], CLAIM_KINDS, where, "kind")
        if "test" in k:
            _check_choice(k["test"], TESTS, where, "test")
        claims.append(k)
    claim_ids = {k["id"]: k for k in claims}

    relations: list[dict] = []
    pairs: set[tuple[str, str, str]] = set()
    for i, raw in enumerate(doc["relations"]):
        r = _check_fields(raw, _RELATION_FIELDS, label, "relations", i)
        where = _where(label, "relations", i)
        for end in ("source", "target"):
            if r[end] not in claim_ids:
                raise DataError(f"{end} {r[end]!r} is not a claim id", **where, column=end,
                                expected="the id of a claim")
        _check_choice(r["type"], RELATION_TYPES, where, "type")
        if r["source"] == r["target"]:
            raise DataError("a claim cannot relate to itself", **where, column="target")
        d_src = contrib_ids[claim_ids[r["source"]]["contribution"]]["date"]
        d_tgt = contrib_ids[claim_ids[r["target"]]["contribution"]]["date"]
        if d_tgt > d_src:
            raise DataError("a claim answers a claim made later", **where, column="target",
                            expected="a target from the same or an earlier contribution")
        key = (r["source"], r["target"], r["type"])
        if key in pairs:
            raise DataError("duplicate relation", **where, column="type")
        pairs.add(key)
        relations.append(r)
    return Debate(tuple(contributions), tuple(claims), tuple(relations),
                  document=str(doc["document"]), source=label)


def _check_id(value: str, seen: dict[str, str], where: dict, section: str) -> None:
    if not _ID.match(value):
        raise DataError(f"id {value!r} is malformed", **where, column="id",
                        expected="lower-case letters and digits separated by single hyphens")
    if value in seen:
        raise DataError(f"id {value!r} is used twice", **where, column="id",
                        expected=f"ids unique across contributions and claims (also in {seen[value]})")
    seen[value] = section


def load_debate(path: str | PathLike[str] | None = None) -> Debate:
    """Load and validate the debate (default: ``data/selection/debate.yaml``)."""
    if path is None:
        from foresight.data import data_dir

        path = data_dir() / "selection" / "debate.yaml"
        label = "data/selection/debate.yaml"
    else:
        label = str(path)
    return parse_debate(read_text_file(path, label=label), label)


_ARGDOWN_ARROWS = {"supports": "+>", "attacks": "->", "rebuts": "->", "concedes": "+>"}


def to_argdown(debate: Debate) -> str:
    """The debate as an Argdown document.

    Each contribution becomes a heading; each claim a statement
    ``[id]: text #side #kind``; each relation an outgoing relation under its
    source claim (``+>`` supports/concedes, ``->`` attacks/rebuts; the finer
    type is kept in a trailing comment, since Argdown has two relation kinds
    for statements).
    """
    lines = [f"===\ntitle: {debate.document}\n===", ""]
    by_contrib: dict[str, list[dict]] = {}
    for k in debate.claims:
        by_contrib.setdefault(k["contribution"], []).append(k)
    out_rel: dict[str, list[dict]] = {}
    for r in debate.relations:
        out_rel.setdefault(r["source"], []).append(r)
    for c in sorted(debate.contributions, key=lambda c: (c["date"], c["id"])):
        lines.append(f"# {c['date']} {', '.join(c['authors'])}: {c['title_en']} "
                     f"({c['title_sv']})")
        lines.append("")
        for k in by_contrib.get(c["id"], []):
            text = " ".join(k["text"].split())
            lines.append(f"[{k['id']}]: {text} #{c['side']} #{k['kind']}")
            for r in out_rel.get(k["id"], []):
                lines.append(f"  {_ARGDOWN_ARROWS[r['type']]} [{r['target']}] // {r['type']}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
