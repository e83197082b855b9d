"""The input layer of foresight.data and the commands' shared machinery, function by function."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from foresight import DataError
from foresight.commands import OutputError, StagedOutputs, check_output_dir, decimal, integer
from foresight.data import (Column, TableSpec, decode_text, load_yaml, parse_table, parse_xml,
                            parse_yaml, read_bytes, validate)
from foresight.data.archive import Limits, open_zip, read_member
from foresight.data.xmlsafe import check_vocabulary
from foresight.data.yamlsafe import MAX_DEPTH

from _hostile import qdpx


# ------------------------------------------------------------------ bounded reads
def test_read_bytes_reads_up_to_the_cap_and_no_further(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(b"x" * 100)
    assert read_bytes(p, max_bytes=100) == b"x" * 100
    with pytest.raises(DataError, match="larger than 99 bytes"):
        read_bytes(p, max_bytes=99)
    with pytest.raises(DataError, match="is a directory"):
        read_bytes(tmp_path)
    with pytest.raises(DataError, match="NUL character"):
        read_bytes("bad\0path")


def test_decode_text_locates_bad_bytes_and_nul_characters():
    data = "line one\nline twö\nthree".encode("utf-8")
    assert decode_text(b"\xef\xbb\xbf" + data, label="f") == data.decode()  # BOM dropped
    bad = b"line one\nline tw\xf6\nthree"  # Latin-1 o-umlaut: byte 17, line 2, column 8
    with pytest.raises(DataError) as err:
        decode_text(bad, label="f.txt")
    assert (err.value.row, err.value.column) == (2, "8") and "0xf6" in str(err.value)
    with pytest.raises(DataError) as err:
        decode_text(b"ab\ncd\x00", label="f.txt")
    assert (err.value.row, err.value.column) == (2, "3")
    with pytest.raises(DataError, match="UTF-16"):
        decode_text("id,age\n".encode("utf-16"), label="f.csv")


# ------------------------------------------------------------------ strict YAML
@pytest.mark.parametrize("text, value", [
    ("12", 12), ("-3", -3), ("0", 0), ("0.5", 0.5), ("1.5e3", 1500.0), ("true", True),
    ("false", False), ("~", None), ("null", None),
    # not in the documented forms, so text
    ("017", "017"), ("0x1f", "0x1f"), ("1_000", "1_000"), ("1:20", "1:20"), ("4e1", "4e1"),
    (".nan", ".nan"), (".inf", ".inf"), ("yes", "yes"), ("2013-02-30", "2013-02-30"),
    ("2013-08-15", "2013-08-15"), ("!!str 12", "12"), ("'12'", "12"),
])
def test_yaml_scalars_are_typed_only_in_documented_forms(text, value):
    got = parse_yaml(f"v: {text}\n", "t.yaml")["v"]
    assert got == value and type(got) is type(value)


def test_yaml_depth_limit_is_exact():
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_yaml(ok, "t.yaml") is not None
    with pytest.raises(DataError, match="nesting deeper than"):
        parse_yaml("[" + ok + "]", "t.yaml")


@pytest.mark.parametrize("text, fragment, line", [
    ("a:\n  b: 1\n  c: 2\n  b: 3\n", "duplicate key 'b' (first on line 2)", 4),
    ("a: &x 1\nb: *x\n", "anchors and aliases", 1),
    ("a: !!binary aGVsbG8=\n", "explicit tag", 1),
    ("a: !!set {x}\n", "explicit tag", 1),
    ("a: 'x\x07'\n", "is not allowed", 1),
    ("a: 1\nb: " + "9" * 5000 + "\n", "too many digits", 2),
    ("a: 1.5e99999\n", "too large a number", 1),
    ("<<: {a: 1}\n", None, None),  # merge keys are plain text keys now
])
def test_yaml_refusals_name_the_line(text, fragment, line):
    if fragment is None:
        assert parse_yaml(text, "t.yaml") == {"<<": {"a": 1}}
        return
    with pytest.raises(DataError) as err:
        parse_yaml(text, "t.yaml")
    assert fragment in str(err.value) and err.value.row == line


SCHEMA = {"root": "doc", "records": {
    "doc": {"items": "list:item", "when": "date", "note?": "maybe:str", "tags?": "list0:slug"},
    "item": {"id": "id", "n": "posint", "p?": "prob", "friend?": "ref:items"},
}}


@pytest.mark.parametrize("text, column, fragment", [
    ("items: [{id: a, n: 1}]\nwhen: 2013-02-29\n", "when", "not a valid date"),
    ("items: [{id: a, n: 1}]\nwhen: '13-1-1'\n", "when", "not a valid date"),
    ("items: [{id: a, n: 0}]\nwhen: 2012-02-29\n", "items[0].n", "whole number >= 1"),
    ("items: [{id: a, n: true}]\nwhen: 2012-02-29\n", "items[0].n", "whole number >= 1"),
    ("items: [{id: a, n: 1, p: 1.5}]\nwhen: 2012-02-29\n", "items[0].p", "probability"),
    ("items: [{id: a, n: 1, friend: b}]\nwhen: 2012-02-29\n", "items[0].friend", "refer"),
    ("items: [{id: a, n: 1}, {id: a, n: 2}]\nwhen: 2012-02-29\n", "items[1].id", "used twice"),
    ("items: [{id: a, n: 1}]\nwhen: 2012-02-29\ntags: [Bad-Tag]\n", "tags[0]", "valid id"),
    ("items: [{id: a, n: 1}]\nwhen: 2012-02-29\nnote: 5\n", "note", "is not text"),
    ("items: [{id: a, n: 1, size: 3}]\nwhen: 2012-02-29\n", "items[0].size",
     "one of id, n, p, friend"),
])
def test_schema_types(text, column, fragment):
    doc = load_yaml(text, "s.yaml")
    with pytest.raises(DataError) as err:
        validate(doc, SCHEMA)
    assert err.value.column == column and fragment in str(err.value)


def test_schema_accepts_a_valid_document():
    doc = load_yaml("items: [{id: a, n: 1, friend: b}, {id: b, n: 2, p: 0.5}]\n"
                    "when: 2012-02-29\nnote: null\ntags: []\n", "s.yaml")
    validate(doc, SCHEMA)


# ------------------------------------------------------------------ XML
def test_xml_depth_limit_dtd_and_position():
    deep = lambda n: "<a>" * n + "</a>" * n  # noqa: E731
    assert parse_xml(deep(10).encode(), "x.xml", max_depth=10).tag == "a"
    with pytest.raises(DataError) as err:
        parse_xml(deep(11).encode(), "x.xml", max_depth=10)
    assert "nested more than 10 deep" in str(err.value) and err.value.row == 1
    with pytest.raises(DataError, match="DTD"):
        parse_xml(b'<!DOCTYPE a [<!ELEMENT a ANY>]><a/>', "x.xml")
    with pytest.raises(DataError) as err:
        parse_xml(b"<a>\n<b>\n</a>", "x.xml")
    assert err.value.row == 3 and "malformed XML" in str(err.value)
    with pytest.raises(DataError, match="at most 5 bytes"):
        parse_xml(b"<a></a>", "x.xml", max_bytes=5)


def test_vocabulary_check_lists_the_allowed_names():
    vocab = {"r": ({"x": 1, "y": None}, frozenset({"id"})), "x": ({}, frozenset()),
             "y": ({}, frozenset())}
    ok = parse_xml(b'<r xmlns="urn:t" id="1"><x/><y/><y/></r>', "v.xml")
    check_vocabulary(ok, "urn:t", vocab, "v.xml")
    for xml, fragment in ((b'<r xmlns="urn:t"><z/></r>', "one of x, y"),
                          (b'<r xmlns="urn:t"><x/><x/></r>', "more than 1 x"),
                          (b'<r xmlns="urn:t" ID="1"/>', "one of id"),
                          (b'<r xmlns="urn:t"><x xmlns="urn:other"/></r>', "in namespace urn:t")):
        with pytest.raises(DataError, match=fragment):
            check_vocabulary(parse_xml(xml, "v.xml"), "urn:t", vocab, "v.xml")


# ------------------------------------------------------------------ ZIP
def test_open_zip_and_bounded_member_reads():
    data = qdpx({"a.txt": b"hello", "dir/b.txt": b"x" * 100})
    with open_zip(data, label="z.zip") as zf:
        assert read_member(zf, "a.txt", "z.zip", 5) == b"hello"
        with pytest.raises(DataError, match="member dir/b.txt"):
            read_member(zf, "dir/b.txt", "z.zip", 99)
    with pytest.raises(DataError, match="larger than 100 bytes"):
        open_zip(data, label="z.zip", limits=Limits(max_archive_bytes=100))
    with pytest.raises(DataError, match="not a ZIP archive"):
        open_zip(b"PK\x03\x04 and nothing else", label="z.zip")
    with open_zip(b"PK\x05\x06" + b"\0" * 18, label="z.zip") as zf:  # a valid empty archive
        assert zf.namelist() == []
    corrupt = bytearray(data)
    corrupt[corrupt.find(b"PK\x01\x02") + 2] = 0x09  # the directory's first entry is garbled
    with pytest.raises(DataError, match="not a ZIP archive"):
        open_zip(bytes(corrupt), label="z.zip")


# ------------------------------------------------------------------ tables
SPEC = TableSpec(columns=(Column("id", "str"), Column("n", "int", missing_ok=True),
                          Column("x", "float", missing_ok=True)), key=("id",))


@pytest.mark.parametrize("cell_n, cell_x, n, x", [
    ("40", "0.5", 40, 0.5), ("+5", ".5", 5, 0.5), ("40.0", "1.5e-3", 40, 0.0015),
    ("NA", "", None, None),
])
def test_table_number_forms_accepted(cell_n, cell_x, n, x):
    t = parse_table(f"id,n,x\na,{cell_n},{cell_x}\n", SPEC)
    assert (None if t["n"].isna()[0] else int(t["n"][0])) == n
    assert (None if t["x"].isna()[0] else float(t["x"][0])) == x


@pytest.mark.parametrize("cell_n, cell_x, column, fragment", [
    ("4e1", "1", "n", "not a whole number"), ("na", "1", "n", "not a number"),
    ("1", "nan", "x", "not a finite number"), ("1", "1e999", "x", "not a finite number"),
    ("99999999999999999999", "1", "n", "too large"), ("１", "1", "n", "not a number"),
    ("1", "0x10", "x", "not a number"),
    ("7" * 5000, "1", "n", "too many digits"),  # pandas would read it as missing
    ("1", "7" * 5000, "x", "too many digits"),
])
def test_table_number_forms_refused(cell_n, cell_x, column, fragment):
    with pytest.raises(DataError) as err:
        parse_table(f"id,n,x\na,{cell_n},{cell_x}\n", SPEC, label="t.csv")
    assert err.value.column == column and fragment in str(err.value) and err.value.row == 2


def test_table_refuses_control_characters_in_text():
    with pytest.raises(DataError, match="control character") as err:
        parse_table("id,n,x\n\"a\x07b\",1,1\n", SPEC, label="t.csv")
    assert err.value.column == "id"


# ------------------------------------------------------------------ commands
def test_argument_types_accept_only_plain_numbers():
    import argparse

    assert integer("2014") == 2014 and integer("-3") == -3
    assert decimal("15") == 15.0 and decimal("0.012") == 0.012 and decimal(".5") == 0.5
    for text in ("nan", "inf", "1e3", "１５", "", "2014.0", " 5"):
        with pytest.raises(argparse.ArgumentTypeError):
            (integer if text == "2014.0" else decimal)(text)


def test_check_output_dir(tmp_path):
    check_output_dir(tmp_path / "new" / "deeper", ["a.csv"])  # created later, parents too
    (tmp_path / "f").write_text("x")
    with pytest.raises(DataError, match="not a folder"):
        check_output_dir(tmp_path / "f", ["a.csv"])
    with pytest.raises(DataError, match="not a folder"):
        check_output_dir(tmp_path / "f" / "sub", ["a.csv"])
    (tmp_path / "out" / "a.csv").mkdir(parents=True)
    with pytest.raises(DataError, match="is a folder"):
        check_output_dir(tmp_path / "out", ["a.csv"])


def test_staged_outputs_create_replace_and_keep_other_files(tmp_path):
    target = tmp_path / "out"
    with StagedOutputs(target, ["a.txt", "b.txt"]) as s:
        (s.folder / "a.txt").write_text("1")
        (s.folder / "b.txt").write_text("1")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt", "b.txt"]
    assert target.stat().st_mode & 0o777 == 0o777 & ~_umask()
    (target / "mine.txt").write_text("keep")
    with StagedOutputs(target, ["a.txt", "b.txt"]) as s:
        (s.folder / "a.txt").write_text("2")
        (s.folder / "b.txt").write_text("2")
    assert [(target / n).read_text() for n in ("a.txt", "b.txt", "mine.txt")] == ["2", "2", "keep"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_staged_outputs_leave_the_target_alone_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.txt").write_text("old a")
    (target / "b.txt").write_text("old b")
    with pytest.raises(ZeroDivisionError):
        with StagedOutputs(target, ["a.txt", "b.txt"]) as s:
            (s.folder / "a.txt").write_text("new")
            raise ZeroDivisionError
    with pytest.raises(OutputError, match="No space left"):
        with StagedOutputs(target, ["a.txt", "b.txt"]) as s:
            (s.folder / "a.txt").write_text("new")
            raise OSError(28, "No space left on device")
    real_replace = os.replace
    calls = []

    def replace_failing_on_the_last_file(src, dst):
        calls.append(Path(dst).name)
        if Path(dst) == target / "b.txt" and Path(src).parent.name != ".previous":
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_failing_on_the_last_file)
    with pytest.raises(OutputError, match="Input/output error"):
        with StagedOutputs(target, ["a.txt", "b.txt"]) as s:
            (s.folder / "a.txt").write_text("new")
            (s.folder / "b.txt").write_text("new")
    assert "b.txt" in calls  # the commit was under way when it failed
    assert [(target / n).read_text() for n in ("a.txt", "b.txt")] == ["old a", "old b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_yaml_lines_count_line_feeds_only():
    text = "a: 'x\u2028y'\nb: 1\nb: 2\n"  # U+2028 is a YAML line break, not an editor's
    with pytest.raises(DataError) as err:
        parse_yaml(text, "t.yaml")
    assert err.value.row == 3 and "first on line 2" in str(err.value)
    doc = load_yaml("a: 'x\u2028y'\nc:\n  d: 1\n", "t.yaml")
    assert doc.line(("c", "d")) == 3
