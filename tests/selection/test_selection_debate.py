"""The debate as data: the shipped file validates; crafted bad files are rejected."""

import re
from pathlib import Path

import pytest
import yaml

from foresight import DataError
from foresight.selection import load_debate, parse_debate, to_argdown
from foresight.selection.debate import RELATION_TYPES

GOOD = {
    "schema_version": 1,
    "document": "psykologtidningen2014debate",
    "contributions": [
        {"id": "a1", "date": "2013-08-15", "authors": ["A"], "side": "clinical",
         "title_sv": "Titel", "title_en": "Title", "replies_to": None, "summary": "S."},
        {"id": "b1", "date": "2013-10-13", "authors": ["B", "C"], "side": "mechanical",
         "title_sv": "Svar", "title_en": "Reply", "replies_to": "a1", "summary": "S."},
    ],
    "claims": [
        {"id": "a1-x", "contribution": "a1", "kind": "empirical", "text": "X.", "test": "derailers"},
        {"id": "b1-y", "contribution": "b1", "kind": "conceptual", "text": "Y."},
    ],
    "relations": [{"source": "b1-y", "target": "a1-x", "type": "rebuts"}],
}


def _dump(doc) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _mutated(section, index, **changes):
    import copy

    doc = copy.deepcopy(GOOD)
    entry = doc[section][index]
    for key, value in changes.items():
        if value is _DELETE:
            del entry[key]
        else:
            entry[key] = value
    return _dump(doc)


_DELETE = object()


def test_shipped_debate_is_valid_and_complete():
    d = load_debate()
    frame = d.contributions_frame()
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2013-08-15", "2013-10-13", "2014-01-08", "2014-02-26", "2014-04-08"]
    assert frame["side"].tolist() == ["clinical", "mechanical", "clinical", "clinical", "mechanical"]
    assert (frame["n_claims"] > 0).all()
    rel = d.relations_frame()
    assert set(rel["type"]) == set(RELATION_TYPES)
    # every contribution after the first answers something said before
    g = d.graph()
    assert g.number_of_nodes() == len(d.claims)
    assert g.number_of_edges() == len(d.relations)


def test_good_minimal_document_parses():
    d = parse_debate(_dump(GOOD), "mini.yaml")
    assert [c["id"] for c in d.contributions] == ["a1", "b1"]
    assert d.relations_frame().loc[0, "type"] == "rebuts"


@pytest.mark.parametrize(
    "section, index, changes, entry, field",
    [
        ("contributions", 1, {"date": "2013-13-40"}, "contributions[1]", "date"),
        ("contributions", 0, {"side": "holistic"}, "contributions[0]", "side"),
        ("contributions", 0, {"title_en": _DELETE}, "contributions[0]", "title_en"),
        ("contributions", 1, {"replies_to": "zz"}, "contributions[1]", "replies_to"),
        ("contributions", 0, {"authors": "A"}, "contributions[0]", "authors"),
        ("contributions", 0, {"colour": "red"}, "contributions[0]", "colour"),
        ("claims", 1, {"contribution": "nope"}, "claims[1]", "contribution"),
        ("claims", 0, {"kind": "opinion"}, "claims[0]", "kind"),
        ("claims", 0, {"test": "astrology"}, "claims[0]", "test"),
        ("claims", 1, {"id": "a1-x"}, "claims[1]", "id"),
        ("claims", 1, {"id": "Bad Id"}, "claims[1]", "id"),
        ("claims", 0, {"text": "  "}, "claims[0]", "text"),
        ("relations", 0, {"type": "likes"}, "relations[0]", "type"),
        ("relations", 0, {"target": "ghost"}, "relations[0]", "target"),
        ("relations", 0, {"source": "a1-x", "target": "b1-y"}, "relations[0]", "target"),
    ],
)
def test_crafted_bad_files_are_rejected_with_location(tmp_path: Path, section, index, changes, entry, field):
    path = tmp_path / "bad_debate.yaml"
    path.write_text(_mutated(section, index, **changes), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_debate(path)
    msg = str(info.value)
    assert "bad_debate.yaml" in msg
    # one validator for all YAML study data: file, line, then the field's path as column
    assert re.search(r"bad_debate\.yaml, line \d+, column " + re.escape(entry), msg), msg
    assert field in msg


def test_errors_name_the_line_of_the_field():
    text = _mutated("contributions", 1, date="2013-13-40")
    line = 1 + next(i for i, t in enumerate(text.splitlines()) if "2013-13-40" in t)
    with pytest.raises(DataError) as info:
        parse_debate(text, "d.yaml")
    assert info.value.row == line and info.value.column == "contributions[1].date"


def test_malformed_yaml_names_file_and_line(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\ncontributions: [\n  {id: a\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.yaml, line \d+, column \d+: malformed YAML"):
        load_debate(path)


def test_missing_top_level_key_and_wrong_schema(tmp_path: Path):
    doc = dict(GOOD)
    doc.pop("relations")
    with pytest.raises(DataError, match="missing top-level key 'relations'"):
        parse_debate(_dump(doc), "x.yaml")
    with pytest.raises(DataError, match="schema_version"):
        parse_debate(_dump({**GOOD, "schema_version": 2}), "x.yaml")
    with pytest.raises(DataError, match="not a mapping"):
        parse_debate("- just\n- a list\n", "x.yaml")


def test_unsafe_yaml_is_not_executed():
    with pytest.raises(DataError, match="malformed YAML"):
        parse_debate("!!python/object/apply:os.system ['echo hi']\n", "evil.yaml")


def test_missing_file():
    with pytest.raises(DataError, match="file not found"):
        load_debate("/nonexistent/debate.yaml")


def test_argdown_export_lists_every_claim_and_relation():
    d = load_debate()
    text = to_argdown(d)
    for k in d.claims:
        assert f"[{k['id']}]: " in text
    n_rel = sum(line.strip().startswith(("+>", "->")) for line in text.splitlines())
    assert n_rel == len(d.relations)
    assert "  -> [hs2013-misses-liars] // rebuts" in text
