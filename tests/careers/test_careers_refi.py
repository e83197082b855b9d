"""REFI-QDA exchange: codebook round trip, project import, and hostile files.

Every hostile file is generated here; none is committed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foresight import DataError
from foresight.careers import (Code, Limits, code_guid, load_study, parse_qdc, project_summary,
                               read_qdc, read_qdpx, study_codebook, write_qdc, write_qdpx)
from foresight.careers.refi import Case, Selection, parse_qde

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "data" / "careers" / "fixture" / "demo.qdpx"
QDC = ROOT / "data" / "careers" / "codebook.qdc"
CB_NS = "urn:QDA-XML:codebook:1.0"
PR_NS = "urn:QDA-XML:project:1.0"
G1 = "11111111-2222-3333-4444-555555555555"
G2 = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"


@pytest.fixture(scope="module")
def study():
    return load_study()


# ------------------------------------------------------------------ codebook (.qdc)
def test_qdc_has_refi_structure(study):
    data = write_qdc(study_codebook(study))
    text = data.decode("utf-8")
    assert f'xmlns="{CB_NS}"' in text and "<CodeBook" in text and "<Codes>" in text
    assert 'isCodable="false"' in text and 'color="#0072B2"' in text


def test_qdc_round_trip_is_lossless(study):
    codes = study_codebook(study)
    back = parse_qdc(write_qdc(codes))
    assert back == codes  # guid, name, parent, isCodable, colour, description
    assert write_qdc(back) == write_qdc(codes)  # byte-identical re-export


def test_committed_qdc_is_current(study):
    assert read_qdc(QDC) == study_codebook(study)


def test_codebook_hierarchy(study):
    codes = study_codebook(study)
    by = {c.guid: c for c in codes}
    burnout = by[code_guid("burnout")]
    system = by[burnout.parent]
    assert system.name == "Intrapersonal" and not system.is_codable
    assert by[system.parent].parent is None
    # exactly the four typologies, three intentions and 29 influences are codable
    assert sum(c.is_codable for c in codes) == 4 + 3 + len(study.influences)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20) \
    .filter(lambda s: s.strip() == s and s.strip())


@given(st.lists(st.tuples(_text, st.booleans(), st.sampled_from([None, "#00FF00", "#a1b2c3"]),
                          st.one_of(st.none(), _text), st.integers(0, 10)),
                min_size=1, max_size=12))
def test_qdc_round_trip_property(rows):
    codes = []
    for i, (name, codable, colour, desc, parent_pick) in enumerate(rows):
        parent = codes[parent_pick % len(codes)].guid if codes and parent_pick % 3 else None
        codes.append(Code(code_guid(f"h{i}"), name, codable, colour, desc, parent))
    back = parse_qdc(write_qdc(codes))
    # export groups children under parents (depth first); compare as sets and by parent
    assert sorted(back, key=lambda c: c.guid) == sorted(codes, key=lambda c: c.guid)


def test_special_characters_survive():
    codes = [Code(G1, 'A & B <"quoted"> ünïcödé', True, None, "x < y & 'z'")]
    assert parse_qdc(write_qdc(codes)) == codes


# ------------------------------------------------------------------ project (.qdpx)
def test_fixture_reproduces_the_paper_summaries(study):
    summary = project_summary(read_qdpx(FIXTURE), study)
    t = summary.typologies
    # hand-derived from the paper: sizes 5/15/11/4; stayers 5, 7, "most" (6-8), 2
    assert t["size"].tolist() == [5, 15, 11, 4]
    assert t["stay"].tolist() == [5, 7, 6, 2]
    assert t["leave"].tolist() == [0, 8, 3, 2]
    assert t["undetermined"].tolist() == [0, 0, 2, 0]
    assert t["stay_low"].tolist() == study.typologies["stay_low"].tolist()
    assert t["stay_high"].tolist() == study.typologies["stay_high"].tolist()
    assert len(summary.cases) == 35 and summary.unmapped.empty


def test_fixture_influences_match_where_the_paper_reports_them(study):
    inf = project_summary(read_qdpx(FIXTURE), study).influences
    coded = {(i, t) for i in inf.index for t in inf.columns if inf.loc[i, t] > 0}
    expected = set()
    for _, m in study.mentions.iterrows():
        ts = study.typology_ids if m["typology"] == "across" else [m["typology"]]
        expected |= {(m["influence"], t) for t in ts}
    assert coded == expected


def _tiny_project(extra_case_codes=(), name_override=None):
    study = load_study()
    codes = study_codebook(study)
    src = code_guid("src-1")
    text = "Synthetic. Burnout here. "
    sel = Selection(code_guid("sel-1"), src, 11, 24, (code_guid("burnout"),))
    case = Case(code_guid("case-1"), "X1", (code_guid("T3"), *extra_case_codes), (src,))
    if name_override:  # same code names, different GUIDs: software that regenerates GUIDs
        remap = {c.guid: code_guid("re:" + c.guid) for c in codes}
        codes = [Code(remap[c.guid], c.name, c.is_codable, c.color, c.description,
                      remap.get(c.parent)) for c in codes]
        sel = Selection(sel.guid, src, 11, 24, (remap[code_guid("burnout")],))
        case = Case(case.guid, "X1", tuple(remap[g] for g in case.codes), (src,))
    return study, write_qdpx(None, codes, [case], {src: ("X1", text)}, [sel])


def test_small_project_summary_and_name_fallback():
    for override in (False, True):
        study, data = _tiny_project((code_guid("leave"),), name_override=override)
        s = project_summary(read_qdpx(io.BytesIO(data)), study)
        assert s.cases.to_dict("records") == [{"case": "X1", "typology": "T3", "intention": "leave"}]
        assert s.influences.loc["burnout", "T3"] == 1 and s.influences.to_numpy().sum() == 1


def test_case_with_two_typologies_is_an_error():
    study, data = _tiny_project((code_guid("T1"),))
    with pytest.raises(DataError) as err:
        project_summary(read_qdpx(io.BytesIO(data), label="two.qdpx"), study)
    assert "case X1" in str(err.value) and "2 typology codes" in str(err.value)


def test_case_without_typology_is_an_error():
    study = load_study()
    codes = study_codebook(study)
    case = Case(code_guid("case-9"), "X9", (code_guid("stay"),), ())
    data = write_qdpx(None, codes, [case], {}, [])
    with pytest.raises(DataError, match=r"case X9, column CodeRef: case has 0 typology codes"):
        project_summary(read_qdpx(io.BytesIO(data), label="none.qdpx"), study)


def test_duplicate_case_names_do_not_double_count():
    study = load_study()
    codes = study_codebook(study)
    src = [code_guid(f"s{i}") for i in range(2)]
    cases = [Case(code_guid(f"c{i}"), "same", (code_guid("T2"),), (src[i],)) for i in range(2)]
    sels = [Selection(code_guid(f"x{i}"), src[i], 0, 1, (code_guid("burnout"),)) for i in range(2)]
    data = write_qdpx(None, codes, cases, {s: ("t", "ab") for s in src}, sels)
    s = project_summary(read_qdpx(io.BytesIO(data)), study)
    assert s.influences.loc["burnout", "T2"] == 2 and s.typologies.loc["T2", "size"] == 2


def test_selection_ref_attaches_codes_to_a_case():
    study = load_study()
    codes = study_codebook(study)
    src = code_guid("shared-src")  # one group-interview text, selections linked per case
    sels = [Selection(code_guid("a"), src, 0, 2, (code_guid("burnout"),)),
            Selection(code_guid("b"), src, 3, 5, (code_guid("job_security"),))]
    cases = [Case(code_guid("ca"), "A", (code_guid("T3"),), (), (code_guid("a"),)),
             Case(code_guid("cb"), "B", (code_guid("T3"),), (), (code_guid("b"),))]
    p = read_qdpx(io.BytesIO(write_qdpx(None, codes, cases, {src: ("g", "ab cd")}, sels)))
    s = project_summary(p, study)
    assert s.influences.loc["burnout", "T3"] == 1 and s.influences.loc["job_security", "T3"] == 1
    bad = _qde(f'<Cases><Case guid="{G1}" name="k"><SelectionRef targetGUID="{G2}"/></Case></Cases>')
    assert "SelectionRef to unknown selection" in _import_error(_zip({"project.qde": bad}))


def test_write_qdpx_is_deterministic():
    assert _tiny_project()[1] == _tiny_project()[1]


# ------------------------------------------------------------------ hostile files
def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            zf.writestr(info, payload)
    buf.seek(0)
    return buf


def _qde(body: str = "", prolog: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{prolog}<Project xmlns="{PR_NS}" name="t">'
            f"{body}</Project>").encode()


GOOD_QDE = _qde(f'<CodeBook><Codes><Code guid="{G1}" name="c" isCodable="true"/></Codes></CodeBook>')


def _import_error(buf, **kw) -> str:
    with pytest.raises(DataError) as err:
        read_qdpx(buf, label="hostile.qdpx", **kw)
    msg = str(err.value)
    assert msg.startswith("hostile.qdpx")
    return msg


def test_minimal_valid_project_imports():
    p = read_qdpx(_zip({"project.qde": GOOD_QDE}))
    assert [c.name for c in p.codes] == ["c"]


def test_hostile_not_a_zip():
    assert "not a ZIP archive" in _import_error(io.BytesIO(b"PK\x03\x04 this is not really a zip"))


def test_hostile_missing_project_qde():
    assert "no project.qde" in _import_error(_zip({"sources/a.txt": b"hello"}))


def test_hostile_nested_project_qde_is_not_accepted():
    assert "no project.qde" in _import_error(_zip({"sub/project.qde": GOOD_QDE}))


@pytest.mark.parametrize("name", ["../evil.txt", "sources/../../evil.txt", "/etc/evil",
                                  "C:/evil.txt", "sources\\..\\evil.txt"])
def test_hostile_path_traversal(name):
    msg = _import_error(_zip({"project.qde": GOOD_QDE, name: b"x"}))
    assert "path traversal" in msg and "member" in msg


def test_hostile_duplicate_member():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", GOOD_QDE)
        with pytest.warns(UserWarning):
            zf.writestr("project.qde", _qde())
    buf.seek(0)
    assert "appears twice" in _import_error(buf)


def test_hostile_oversized_member():
    msg = _import_error(_zip({"project.qde": GOOD_QDE, "sources/big.txt": b"a" * 5000}),
                        limits=Limits(max_member_bytes=4096))
    assert "member sources/big.txt" in msg and "5000 bytes" in msg


def test_hostile_zip_bomb_ratio():
    bomb = b"\0" * 3_000_000  # deflates about 1000-fold
    msg = _import_error(_zip({"project.qde": GOOD_QDE, "sources/bomb.txt": bomb}))
    assert "possible ZIP bomb" in msg


def test_hostile_total_size():
    members = {"project.qde": GOOD_QDE, **{f"sources/{i}.txt": b"b" * 3000 for i in range(5)}}
    assert "expands to" in _import_error(_zip(members), limits=Limits(max_total_bytes=10_000))


def test_hostile_too_many_members():
    members = {"project.qde": GOOD_QDE, **{f"sources/{i}.txt": b"" for i in range(20)}}
    assert "members" in _import_error(_zip(members), limits=Limits(max_members=10))


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def test_hostile_entity_expansion_bomb():
    qde = _qde("<Description>&lol3;</Description>", BILLION_LAUGHS)
    msg = _import_error(_zip({"project.qde": qde}))
    assert "project.qde" in msg and ("DTD" in msg or "entities" in msg)


def test_hostile_external_entity():
    qde = _qde("<Description>&xxe;</Description>",
               '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    msg = _import_error(_zip({"project.qde": qde}))
    assert "refused" in msg


def test_hostile_malformed_xml_names_line():
    qde = b'<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0">\n<CodeBook>\n</Project>'
    msg = _import_error(_zip({"project.qde": qde}))
    assert "malformed XML" in msg and "line 4" in msg


def test_hostile_wrong_namespace():
    qde = b'<Project xmlns="urn:something-else"/>'
    assert "namespace urn:QDA-XML:project:1.0" in _import_error(_zip({"project.qde": qde}))


def test_hostile_dangling_code_ref():
    body = (f'<CodeBook><Codes><Code guid="{G1}" name="c" isCodable="true"/></Codes></CodeBook>'
            f'<Sources><TextSource guid="{G2}" name="s"><PlainTextSelection guid="{G1}" '
            f'startPosition="0" endPosition="3"><Coding guid="{G2}"><CodeRef '
            f'targetGUID="99999999-9999-9999-9999-999999999999"/></Coding></PlainTextSelection>'
            f"</TextSource></Sources>")
    msg = _import_error(_zip({"project.qde": _qde(body)}))
    assert "CodeRef to unknown code" in msg and "PlainTextSelection[1]" in msg


def test_hostile_bad_selection_range():
    body = (f'<Sources><TextSource guid="{G2}" name="s"><PlainTextSelection guid="{G1}" '
            f'startPosition="9" endPosition="3"/></TextSource></Sources>')
    assert "not a valid range" in _import_error(_zip({"project.qde": _qde(body)}))


def test_hostile_dangling_source_ref():
    body = f'<Cases><Case guid="{G1}" name="k"><SourceRef targetGUID="{G2}"/></Case></Cases>'
    assert "SourceRef to unknown source" in _import_error(_zip({"project.qde": _qde(body)}))


def test_member_lying_about_its_size():
    # a header claiming 10 bytes for a longer member: the bounded read refuses it
    buf = _zip({"project.qde": GOOD_QDE})
    raw = bytearray(buf.getvalue())
    zf = zipfile.ZipFile(io.BytesIO(bytes(raw)))
    info = zf.getinfo("project.qde")
    # patch the uncompressed size in the central directory
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    msg = _import_error(io.BytesIO(bytes(raw)))
    assert "project.qde" in msg and info.file_size > 10


# ------------------------------------------------------------------ hostile codebooks
@pytest.mark.parametrize("xml, fragment", [
    (f'<?xml version="1.0"?>{BILLION_LAUGHS}<CodeBook xmlns="{CB_NS}"><Codes/></CodeBook>', "DTD"),
    (f'<CodeBook xmlns="{CB_NS}"><Codes><Code guid="nope" name="a" isCodable="true"/></Codes></CodeBook>',
     "is not a GUID"),
    (f'<CodeBook xmlns="{CB_NS}"><Codes><Code guid="{G1}" name="a" isCodable="maybe"/></Codes></CodeBook>',
     "not a boolean"),
    (f'<CodeBook xmlns="{CB_NS}"><Codes><Code guid="{G1}" name="a" isCodable="true" color="red"/></Codes></CodeBook>',
     "#RRGGBB"),
    (f'<CodeBook xmlns="{CB_NS}"><Codes><Code guid="{G1}" name="a" isCodable="true">'
     f'<Code guid="{G1}" name="b" isCodable="true"/></Code></Codes></CodeBook>', "used twice"),
    (f'<CodeBook xmlns="{CB_NS}"></CodeBook>', "no Codes element"),
    (f'<CodeBook xmlns="{PR_NS}"><Codes/></CodeBook>', "namespace urn:QDA-XML:codebook:1.0"),
    (f'<CodeBook xmlns="{CB_NS}"><Codes><Code guid="{G1}" isCodable="true"/></Codes></CodeBook>',
     "code has no name"),
])
def test_hostile_codebooks(xml, fragment):
    with pytest.raises(DataError) as err:
        parse_qdc(xml.encode(), "bad.qdc")
    assert str(err.value).startswith("bad.qdc") and fragment in str(err.value)


def test_codebook_size_limit(tmp_path):
    p = tmp_path / "big.qdc"
    p.write_bytes(b" " * 2000)
    with pytest.raises(DataError, match="at most 1000 bytes"):
        read_qdc(p, Limits(max_xml_bytes=1000))


def test_parse_qde_element_paths_in_messages():
    body = f'<Cases><Case guid="x" name="k"/></Cases>'
    with pytest.raises(DataError, match=r"element Cases/Case\[1\], column guid"):
        parse_qde(_qde(body), "p.qde")
