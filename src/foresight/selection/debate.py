"""The debate as data: contributions, claims and typed relations, with a schema.

The debate lives in ``data/selection/debate.yaml`` (see the schema comment at
its top). :func:`load_debate` reads it through the input layer of
:mod:`foresight.data` (bounded read, strict YAML) and checks it against
:data:`DEBATE_SCHEMA` with the same validator as the careers study data,
raising :class:`foresight.DataError` that names the file, the line and the
field (``contributions[2].date``, ``claims[17].kind``).

:class:`Debate` offers tidy tables (:meth:`Debate.contributions_frame`,
:meth:`Debate.claims_frame`, :meth:`Debate.relations_frame`), a directed
graph (:meth:`Debate.graph`, edges from the answering claim to the claim it
answers) and an Argdown export (:func:`to_argdown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import pandas as pd

from foresight.data.files import read_text_file
from foresight.data.schema import load_yaml, validate

SIDES: tuple[str, ...] = ("clinical", "mechanical")
CLAIM_KINDS: tuple[str, ...] = (
    "empirical", "conceptual", "normative", "anecdotal", "methodological", "concession",
)
RELATION_TYPES: tuple[str, ...] = ("supports", "attacks", "rebuts", "concedes")
TESTS: tuple[str, ...] = ("meta-analysis", "simulation", "lens", "utility", "stanines", "derailers")


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


#: The debate file's schema, in the language of :mod:`foresight.data.schema`.
DEBATE_SCHEMA: dict = {
    "root": "debate",
    "records": {
        "debate": {
            "schema_version": "posint", "document": "str",
            "contributions": "list:contribution", "claims": "list:claim",
            "relations": "list:relation",
        },
        "contribution": {
            "id": "slug", "date": "date", "authors": "list:str",
            "side": "enum:" + "|".join(SIDES), "title_sv": "str", "title_en": "str",
            "replies_to": "maybe:ref:contributions", "summary": "str",
            "versions?": "list:version", "note?": "str",
        },
        "version": {"label": "str", "note": "str"},
        "claim": {
            "id": "slug", "contribution": "ref:contributions",
            "kind": "enum:" + "|".join(CLAIM_KINDS), "text": "str",
            "test?": "enum:" + "|".join(TESTS), "cites?": "list:str",
        },
        "relation": {
            "source": "ref:claims", "target": "ref:claims",
            "type": "enum:" + "|".join(RELATION_TYPES), "note?": "str",
        },
    },
}


def parse_debate(text: str, label: str = "<debate>") -> Debate:
    """Parse and validate a debate document (YAML text).

    The YAML is read strictly (:mod:`foresight.data.yamlsafe`) and checked
    against :data:`DEBATE_SCHEMA` (:func:`foresight.data.schema.validate`),
    then against what a schema cannot express: a contribution replies to an
    earlier one, a relation answers a claim made in the same or an earlier
    contribution, no claim relates to itself, no relation is repeated.

    Raises
    ------
    DataError
        Naming ``label``, the line and the field (e.g. ``claims[3].kind``), for
        malformed YAML, duplicate keys, missing or unknown fields (top level
        included), wrong types, impossible dates, values outside the allowed
        vocabularies, duplicate ids, and references to contributions or claims
        that do not exist.
    """
    doc = load_yaml(text, label)
    validate(doc, DEBATE_SCHEMA)
    d = doc.data
    if d["schema_version"] != 1:
        raise doc.error(("schema_version",), f"unsupported schema_version {d['schema_version']!r}",
                        "1")
    contributions = [dict(c) for c in d["contributions"]]
    by_id = {c["id"]: c for c in contributions}
    for i, c in enumerate(contributions):
        answered = by_id.get(c["replies_to"])
        if answered is not None and answered["date"] > c["date"]:
            raise doc.error(("contributions", i, "replies_to"),
                            "a contribution replies to a later one",
                            "a reply dated on or after what it answers")
    claims = [dict(k) for k in d["claims"]]
    claim_ids = {k["id"]: k for k in claims}
    relations: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for i, r in enumerate(d["relations"]):
        if r["source"] == r["target"]:
            raise doc.error(("relations", i, "target"), "a claim cannot relate to itself",
                            "another claim")
        d_src = by_id[claim_ids[r["source"]]["contribution"]]["date"]
        d_tgt = by_id[claim_ids[r["target"]]["contribution"]]["date"]
        if d_tgt > d_src:
            raise doc.error(("relations", i, "target"), "a claim answers a claim made later",
                            "a target from the same or an earlier contribution")
        key = (r["source"], r["target"], r["type"])
        if key in seen:
            raise doc.error(("relations", i, "type"), "duplicate relation",
                            "each (source, target, type) once")
        seen.add(key)
        relations.append(dict(r))
    return Debate(tuple(contributions), tuple(claims), tuple(relations),
                  document=d["document"], source=label)


def load_debate(path: str | PathLike[str] | None = None) -> Debate:
    """Load and validate the debate (default: ``data/selection/debate.yaml``)."""
    if path is None:
        from foresight.data import data_dir

        path = data_dir() / "selection" / "debate.yaml"
        label = "data/selection/debate.yaml"
    else:
        label = str(path)
    return parse_debate(read_text_file(path, label=label, expected="a debate file in YAML"),
                        label)


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
