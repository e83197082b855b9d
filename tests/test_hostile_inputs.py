"""Issue 18: every case the audit found not refused cleanly, each pinned here.

Sections follow the issue: (1) data silently lost, (2) outputs not written
safely, (3) tracebacks instead of DataError, (4) silently accepted, (5) wrong
locations and no size limits. Every hostile file is generated here. The
expected line of an error is found independently of the reader, from the text
written (the line holding the bad value).
"""

from __future__ import annotations

import copy
import io
import os
import struct
import threading
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from _hostile import (HMD_YEARS, hmd_line, hmd_values, qdpx, readers, seed_bytes,
                      write_hmd_folder)
from foresight import DataError
from foresight.__main__ import main as foresight_main

G1 = "11111111-2222-3333-4444-555555555555"
G2 = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"
G3 = "99999999-8888-7777-6666-555555555555"
PR_NS = "urn:QDA-XML:project:1.0"
CB_NS = "urn:QDA-XML:codebook:1.0"
SURVEY_HEADER = ("id,age,sex,education,income,marital,employed,chronic_disease,severe_disorder,"
                 "smoking,kin_age_at_death,completion_minutes,sle,ssp_60,ssp_70,ssp_80,ssp_90,"
                 "ssp_100")
SURVEY_ROW = "R{i},40,female,middle,middle,together,1,0,0,never,75-85,24.5,80,90,80,60,40,10"


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (independent of any reader)."""
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


def raises_data_error(func, *args, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        func(*args, **kwargs)
    return info.value


def survey_text(rows: list[str]) -> str:
    return SURVEY_HEADER + "\n" + "\n".join(rows) + "\n"


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = foresight_main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def hmd(tmp_path: Path) -> Path:
    return write_hmd_folder(tmp_path / "EXL")


@pytest.fixture()
def no_fit(monkeypatch):
    """Fail the test if the command starts fitting (arguments must be refused before)."""
    import foresight.mortality.pspline as ps

    def boom(*a, **k):
        raise AssertionError("the command started computing")

    monkeypatch.setattr(ps, "fit_pspline_2d", boom)


# ================================================================== 1. data silently lost
def test_1_zero_exposure_with_deaths_is_refused_by_the_command(tmp_path, capsys, no_fit):
    deaths, exposures = hmd_values()
    exposures = {s: v.copy() for s, v in exposures.items()}
    exposures["male"][30, 2] = 0.0  # age 30, third year: deaths there are positive
    assert deaths["male"][30, 2] > 0
    folder = write_hmd_folder(tmp_path / "EXL", exposures=exposures)
    code, _, err = run_cli(["mortality", "project", "--hmd", str(folder),
                            "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "Exposures_1x1.txt" in err and f"line {hmd_line(HMD_YEARS[2], 30)}" in err
    assert "column Male" in err and not (tmp_path / "o").exists()


def test_1_pspline_guard_fires_for_deaths_with_zero_exposure():
    from foresight.mortality.pspline import fit_pspline_2d

    d = np.full((12, 6), 5.0)
    e = np.full((12, 6), 1000.0)
    e[4, 2] = 0.0
    err = raises_data_error(fit_pspline_2d, d, e, ages=np.arange(12), years=np.arange(6))
    assert "deaths with zero exposure" in str(err) and err.row == "(4, 2)"


def test_1_dot_cells_are_refused_with_file_line_and_column(tmp_path, capsys, no_fit):
    folder = write_hmd_folder(tmp_path / "EXL")
    path = folder / "Deaths_1x1.txt"
    lines = path.read_text().splitlines()
    k = hmd_line(HMD_YEARS[3], 50) - 1
    fields = lines[k].split()
    fields[2] = "."  # the Female value
    lines[k] = "   ".join(fields)
    path.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(["mortality", "project", "--hmd", str(folder),
                            "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "Deaths_1x1.txt" in err and f"line {k + 1}" in err
    assert "column Female" in err and "--missing zero-weight" in err


def test_1_extend_to_below_max_age_is_refused(hmd, tmp_path, capsys, no_fit):
    code, _, err = run_cli(["mortality", "project", "--hmd", str(hmd), "--out",
                            str(tmp_path / "o"), "--max-age", "100", "--extend-to", "95"], capsys)
    assert code == 2 and "option --extend-to" in err and "from --max-age (100)" in err


# ================================================================== 2. outputs written safely
OUTPUT_NAMES = ("projected_rates.csv", "life_expectancy.csv", "smoothing.csv",
                "improvement_heatmap.png")


def test_2_full_disk_leaves_the_previous_outputs_intact(hmd, tmp_path, capsys, monkeypatch):
    import errno

    import pandas as pd

    out = tmp_path / "out"
    out.mkdir()
    previous = {n: f"previous run: {n}\n".encode() for n in OUTPUT_NAMES}
    for n, payload in previous.items():
        (out / n).write_bytes(payload)
    (out / "notes.txt").write_text("the user's own file")
    real = pd.DataFrame.to_csv
    calls = []

    def to_csv_until_disk_full(self, path, *args, **kwargs):
        calls.append(Path(path).name)
        if len(calls) == 2:  # the second file: half written, then the disk is full
            Path(path).write_text("sex,year,peri")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv_until_disk_full)
    code, _, err = run_cli(["mortality", "project", "--hmd", str(hmd), "--out", str(out)], capsys)
    assert calls == ["projected_rates.csv", "life_expectancy.csv"]  # the failure was reached
    assert code == 1 and err.count("\n") == 1 and "No space left on device" in err
    assert "Traceback" not in err
    assert {n: (out / n).read_bytes() for n in OUTPUT_NAMES} == previous
    assert (out / "notes.txt").read_text() == "the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["EXL", "out"]  # no partial folder


def test_2_a_complete_run_replaces_only_its_own_files(tmp_path, capsys):
    deaths, exposures = hmd_values()
    deaths = {s: v.copy() for s, v in deaths.items()}
    folder = write_hmd_folder(tmp_path / "EXL", deaths=deaths)
    path = folder / "Deaths_1x1.txt"
    lines = path.read_text().splitlines()
    k = hmd_line(HMD_YEARS[4], 60) - 1
    fields = lines[k].split()
    fields[3] = "."  # a missing Male value, handled by the explicit option
    lines[k] = "   ".join(fields)
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "projected_rates.csv").write_text("old")
    (out / "notes.txt").write_text("keep me")
    code, printed, err = run_cli(["mortality", "project", "--hmd", str(folder), "--out",
                                  str(out), "--missing", "zero-weight"], capsys)
    assert code == 0 and err == ""
    assert "1 missing ('.') cells were given zero weight" in printed
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / "projected_rates.csv").read_text().startswith("sex,age,year,mx,improvement")
    assert all((out / n).stat().st_size > 0 for n in OUTPUT_NAMES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["EXL", "out"]


@pytest.mark.parametrize("args, option", [
    (["--extend-to", "100000"], "--extend-to"),
    (["--base-year", "100000"], "--base-year"),
    (["--base-year", "2030"], "--base-year"),   # data end in 2007: at most 10 years later
    (["--base-year", "2001"], "--base-year"),   # before the last smoothed year
    (["--max-age", "300"], "--max-age"),
    (["--trim-years", "-1"], "--trim-years"),
    (["--target", "nan"], "--target"),
    (["--target", "inf"], "--target"),
    (["--first-year", "２０００"], "--first-year"),
])
def test_2_arguments_are_bounded_and_checked_before_computing(hmd, tmp_path, capsys, no_fit,
                                                              args, option):
    start = time.perf_counter()
    code, _, err = run_cli(["mortality", "project", "--hmd", str(hmd), "--out",
                            str(tmp_path / "o"), *args], capsys)
    assert code == 2 and option in err and "Traceback" not in err
    assert time.perf_counter() - start < 5 and not (tmp_path / "o").exists()


def test_2_an_existing_file_as_out_is_refused_before_computing(hmd, tmp_path, capsys, no_fit):
    target = tmp_path / "results"
    target.write_text("not a folder")
    code, _, err = run_cli(["mortality", "project", "--hmd", str(hmd), "--out", str(target)],
                           capsys)
    assert code == 2 and err.count("\n") == 1 and "option --out" in err
    assert target.read_text() == "not a folder"


# ================================================================== 3. tracebacks -> DataError
DEBATE = {
    "schema_version": 1,
    "document": "psykologtidningen2014debate",
    "contributions": [
        {"id": "a1", "date": "2013-08-15", "authors": ["A"], "side": "clinical",
         "title_sv": "T", "title_en": "T", "replies_to": None, "summary": "S."},
        {"id": "b1", "date": "2013-10-13", "authors": ["B"], "side": "mechanical",
         "title_sv": "S", "title_en": "R", "replies_to": "a1", "summary": "S."},
    ],
    "claims": [{"id": "a1-x", "contribution": "a1", "kind": "empirical", "text": "X."},
               {"id": "b1-y", "contribution": "b1", "kind": "conceptual", "text": "Y."}],
    "relations": [{"source": "b1-y", "target": "a1-x", "type": "rebuts"}],
}


def debate_text(doc=DEBATE) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def test_3_impossible_unquoted_date_is_a_data_error():
    from foresight.selection import parse_debate

    text = debate_text().replace("date: '2013-10-13'", "date: 2013-02-30")
    err = raises_data_error(parse_debate, text, "d.yaml")
    assert err.row == line_of(text, "2013-02-30") and err.column == "contributions[1].date"
    assert "not a valid date" in str(err)


@pytest.mark.parametrize("name", ["load_debate", "load_study", "load_coreq"])
def test_3_deeply_nested_yaml_is_a_data_error(tmp_path, name):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 500 + "]" * 500 + "\n")  # about 1 kB
    err = raises_data_error(readers()[name], path)
    assert "nesting deeper than" in str(err) and err.row == 1


def _nested_codes(depth: int, ns: str) -> str:
    guid = lambda i: f"{i:08X}-0000-0000-0000-000000000000"  # noqa: E731
    opening = "".join(f'<Code guid="{guid(i)}" name="c{i}" isCodable="true">'
                      for i in range(depth))
    return opening + "</Code>" * depth


def test_3_deeply_nested_xml_codes_are_a_data_error(tmp_path):
    from foresight.careers import read_qdc, read_qdpx

    qdc = tmp_path / "deep.qdc"
    qdc.write_text(f'<CodeBook xmlns="{CB_NS}"><Codes>{_nested_codes(1000, CB_NS)}'
                   "</Codes></CodeBook>")
    assert "nested more than" in str(raises_data_error(read_qdc, qdc))
    qde = (f'<Project xmlns="{PR_NS}" name="p"><CodeBook><Codes>'
           f"{_nested_codes(1000, PR_NS)}</Codes></CodeBook></Project>").encode()
    err = raises_data_error(read_qdpx, io.BytesIO(qdpx({"project.qde": qde})), label="d.qdpx")
    assert "nested more than" in str(err) and "d.qdpx!project.qde" in str(err)


def test_3_codes_nested_within_the_limit_still_read():
    from foresight.careers import parse_qdc

    codes = parse_qdc(f'<CodeBook xmlns="{CB_NS}"><Codes>{_nested_codes(90, CB_NS)}'
                      "</Codes></CodeBook>".encode())
    assert len(codes) == 90 and codes[-1].parent == codes[-2].guid


def test_3_not_a_directory_and_permission_denied_are_data_errors(tmp_path, monkeypatch):
    from foresight.data import read_text_file

    afile = tmp_path / "afile"
    afile.write_text("x")
    assert "not a directory" in str(raises_data_error(read_text_file, afile / "inside.txt"))

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)  # root may read anything; simulate the refusal
    assert "permission denied" in str(raises_data_error(read_text_file, afile))


@pytest.mark.parametrize("name", ["read_qdc", "load_coreq"])
def test_3_qdc_and_coreq_go_through_the_input_layer(tmp_path, name):
    err = raises_data_error(readers()[name], tmp_path)  # a directory
    assert "is a directory" in str(err)
    err = raises_data_error(readers()[name], tmp_path / "missing")
    assert "file not found" in str(err)


def test_3_windows_1252_coreq_names_line_and_column(tmp_path):
    text = seed_bytes("load_coreq").decode("utf-8")
    lines = text.splitlines()
    k = next(i for i, t in enumerate(lines) if "topic:" in t)
    lines[k] = lines[k] + " \u2013 note"  # an en dash: one byte 0x96 in Windows-1252
    path = tmp_path / "coreq.yaml"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    err = raises_data_error(readers()["load_coreq"], path)
    assert "not valid UTF-8" in str(err) and err.row == k + 1
    assert err.column == str(len(lines[k].encode("cp1252")) - len(" note"))


def test_3_hmd_given_a_file_is_a_data_error(tmp_path, capsys, no_fit):
    afile = tmp_path / "a_file"
    afile.write_text("x")
    code, _, err = run_cli(["mortality", "project", "--hmd", str(afile)], capsys)
    assert code == 2 and "option --hmd" in err and "is not a folder" in err


# ================================================================== 4. silently accepted
@pytest.mark.parametrize("name, key", [
    ("load_debate", "document"),
    ("load_study", "document"),
    ("load_coreq", "domains"),
])
def test_4_duplicate_yaml_keys_are_refused(tmp_path, name, key):
    original = seed_bytes(name).decode("utf-8")
    first = next(line for line in original.splitlines() if line.startswith(f"{key}:"))
    doubled = original + f"\n{first}\n"
    path = tmp_path / "dup.yaml"
    path.write_text(doubled)
    err = raises_data_error(readers()[name], path)
    assert f"duplicate key '{key}'" in str(err) and err.row == len(doubled.splitlines())


def test_4_unknown_top_level_key_and_bad_versions_are_refused():
    from foresight.selection import parse_debate

    text = debate_text({**DEBATE, "comments": "x"})
    err = raises_data_error(parse_debate, text, "d.yaml")
    assert "unknown key 'comments'" in str(err) and err.row == line_of(text, "comments:")
    assert "schema_version" in str(err)  # the allowed names are listed
    doc = copy.deepcopy(DEBATE)
    doc["contributions"][1]["versions"] = [{"label": "longer", "colour": "red"}]
    text = debate_text(doc)
    err = raises_data_error(parse_debate, text, "d.yaml")
    assert err.column == "contributions[1].versions[0].colour" and "label, note" in str(err)
    doc["contributions"][1]["versions"] = "two versions"
    assert "not a non-empty list" in str(raises_data_error(parse_debate, debate_text(doc), "d"))


def _qde(body: str) -> bytes:
    return (f'<?xml version="1.0"?><Project xmlns="{PR_NS}" name="t">{body}</Project>').encode()


CODEBOOK = f'<CodeBook><Codes><Code guid="{G1}" name="c" isCodable="true"/></Codes></CodeBook>'


def _source(guid=G2, path=None, body=""):
    attr = f' plainTextPath="{path}"' if path else ""
    return f'<TextSource guid="{guid}" name="s"{attr}>{body}</TextSource>'


def _import(qde: bytes, extra: dict[str, bytes] | None = None) -> str:
    from foresight.careers import read_qdpx

    data = qdpx({"project.qde": qde, **(extra or {})})
    return str(raises_data_error(read_qdpx, io.BytesIO(data), label="h.qdpx"))


@pytest.mark.parametrize("body, fragment", [
    (CODEBOOK + "<Sorces/>", "unknown element 'Sorces' in Project"),
    (CODEBOOK + f"<Sources>{_source(body='<PlainTextSelecton/>')}</Sources>",
     "unknown element 'PlainTextSelecton' in TextSource"),
    (CODEBOOK + CODEBOOK, "Project has more than 1 CodeBook"),
    (CODEBOOK + f'<Cases><Case guid="{G3}" nmae="x"/></Cases>', "unknown attribute 'nmae'"),
    (CODEBOOK + '<Extra xmlns="urn:vendor"/>', "unknown element"),
])
def test_4_misspelled_or_extra_refi_elements_are_refused(body, fragment):
    msg = _import(_qde(body))
    assert fragment in msg and ("one of" in msg or "at most 1" in msg)


def test_4_misspelled_codebook_element_is_refused():
    from foresight.careers import parse_qdc

    xml = (f'<CodeBook xmlns="{CB_NS}"><Codes><Code guid="{G1}" name="a" isCodable="true">'
           "<Descripton>x</Descripton></Code></Codes></CodeBook>")
    assert "unknown element 'Descripton' in Code" in str(raises_data_error(parse_qdc,
                                                                            xml.encode()))


def test_4_duplicate_text_source_and_case_guids_are_refused():
    msg = _import(_qde(CODEBOOK + f"<Sources>{_source()}{_source()}</Sources>"))
    assert "source guid" in msg and "used twice" in msg and "TextSource[2]" in msg
    cases = f'<Cases><Case guid="{G3}" name="a"/><Case guid="{G3.lower()}" name="b"/></Cases>'
    msg = _import(_qde(CODEBOOK + cases))
    assert "case guid" in msg and "used twice" in msg and "Case[2]" in msg


def test_4_plain_text_path_to_a_missing_member_is_refused():
    body = CODEBOOK + f"<Sources>{_source(path='internal://missing.txt')}</Sources>"
    msg = _import(_qde(body))
    assert "names no member" in msg and "sources/missing.txt" in msg
    from foresight.careers import read_qdpx  # the same path with its member is fine

    ok = qdpx({"project.qde": _qde(body), "sources/missing.txt": b"text"})
    assert list(read_qdpx(io.BytesIO(ok)).sources) == [G2]


def test_4_symlink_member_is_refused():
    buf = io.BytesIO(qdpx({"project.qde": _qde(CODEBOOK)}))
    with zipfile.ZipFile(buf, "a") as zf:
        link = zipfile.ZipInfo("sources/link.txt", (1980, 1, 1, 0, 0, 0))
        link.external_attr = 0o120777 << 16  # S_IFLNK
        zf.writestr(link, "/etc/passwd")
    from foresight.careers import read_qdpx

    err = raises_data_error(read_qdpx, io.BytesIO(buf.getvalue()), label="l.qdpx")
    assert "symbolic link" in str(err) and "member sources/link.txt" in str(err)


@pytest.mark.parametrize("column, value, fragment", [
    ("ssp_60", "NaN", "not a finite number"),
    ("age", "4e1", "not a whole number"),
    ("completion_minutes", "1e308", "above the maximum"),
    ("id", "R\x001", "NUL character"),
    ("age", "４０", "not a number"),
    ("sle", "n/a", "not a number"),
])
def test_4_survey_numbers_only_in_documented_forms(tmp_path, column, value, fragment):
    from foresight.sle import read_survey
    from foresight.sle.survey import SURVEY_SPEC

    cells = dict(zip(SURVEY_HEADER.split(","), SURVEY_ROW.format(i=2).split(",")))
    cells[column] = value
    rows = [SURVEY_ROW.format(i=1), ",".join(cells.values()), SURVEY_ROW.format(i=3)]
    path = tmp_path / "s.csv"
    path.write_text(survey_text(rows), encoding="utf-8")
    err = raises_data_error(read_survey, path)
    assert fragment in str(err) and err.row == 3
    if fragment != "NUL character":
        assert err.column == column and "expected" in str(err)
    assert SURVEY_SPEC.column("completion_minutes").maximum is not None


@pytest.mark.parametrize("field, value, fragment", [
    (0, "２０００", "four-digit year"),
    (2, "1e300", "not a number in the HMD's form"),
    (3, "1" + "0" * 300, "not a number in the HMD's form"),
    (4, "NaN", "not a number in the HMD's form"),
])
def test_4_hmd_values_only_in_the_hmd_form(tmp_path, field, value, fragment):
    from foresight.mortality import read_hmd

    folder = write_hmd_folder(tmp_path / "EXL")
    path = folder / "Deaths_1x1.txt"
    lines = path.read_text().splitlines()
    k = hmd_line(HMD_YEARS[0], 0) - 1
    fields = lines[k].split()
    fields[field] = value
    lines[k] = "   ".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = raises_data_error(read_hmd, path)
    assert fragment in str(err) and err.row == k + 1 and "Deaths_1x1.txt" in str(err)
    assert err.column == ("Year", "Age", "Female", "Male", "Total")[field]


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "1e1", "20000"])
def test_4_sle_min_minutes_is_bounded(tmp_path, capsys, value):
    path = tmp_path / "s.csv"
    path.write_text(survey_text([SURVEY_ROW.format(i=i) for i in range(5)]))
    code, out, err = run_cli(["sle", str(path), f"--min-minutes={value}"], capsys)
    assert code == 2 and "--min-minutes" in err and out == ""
    assert "Traceback" not in err and "Warning" not in err


def test_4_cascade_wording_follows_the_threshold(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text(survey_text([SURVEY_ROW.format(i=i) for i in range(5)]))
    code, out, _ = run_cli(["sle", str(path), "--min-minutes", "12.5"], capsys)
    assert code == 0 and "completed in under 12.5 minutes" in out and "15 minutes" not in out
    from foresight.sle.cascade import CascadeOptions, rule_labels

    assert rule_labels()["speeder"] == "completed in under 15 minutes"  # the paper's rule
    assert rule_labels(CascadeOptions(min_age=18))["age"] == "aged outside 18-59"


# ================================================================== 5. locations and limits
def test_5_survey_lines_are_file_lines_after_a_multi_line_field(tmp_path):
    from foresight.sle import read_survey

    rows = [SURVEY_ROW.format(i=1).replace("R1", '"R\n1\nmulti"'),  # lines 2-4
            SURVEY_ROW.format(i=2),                                 # line 5
            SURVEY_ROW.format(i=3).replace(",80,90,", ",abc,90,")]  # line 6
    text = survey_text(rows)
    path = tmp_path / "s.csv"
    path.write_text(text)
    err = raises_data_error(read_survey, path)
    assert err.row == line_of(text, "abc") == 6 and err.column == "sle"


def test_5_elt_lines_are_file_lines_after_a_multi_line_field(tmp_path):
    from foresight.mortality import elt_cited_figures

    text = seed_bytes("elt_cited_figures").decode("utf-8").splitlines()
    text[1] = text[1].replace('"paragraph after', '"paragraph\nafter')  # record 1: two lines
    text.append("bad_row,8,male,median,60,1,years,0,exact,,,ons2015elt17,ONS,s1,")
    body = "\n".join(text) + "\n"
    path = tmp_path / "elt.csv"
    path.write_text(body)
    err = raises_data_error(elt_cited_figures, path)
    assert "takes no age" in str(err) and err.row == line_of(body, "bad_row")
    good = "\n".join(text[:-1]) + "\n"
    path.write_text(good)
    figures = elt_cited_figures(path)
    assert figures.attrs["lines"]["elt8_e0_male"] == line_of(good, "elt8_e0_male")


READER_NAMES = list(readers())


@pytest.mark.parametrize("name", READER_NAMES)
def test_5_dev_zero_is_refused_by_every_reader(name):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    start = time.perf_counter()
    err = raises_data_error(readers()[name], Path("/dev/zero"))
    assert "not a regular file" in str(err) and time.perf_counter() - start < 2


@pytest.mark.parametrize("name", READER_NAMES)
def test_5_a_fifo_is_refused_without_hanging(tmp_path, name):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(_outcome(readers()[name], fifo)),
                              daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail(f"{name} hangs on a FIFO")
    assert isinstance(result[0], DataError) and "FIFO" in str(result[0])


def _outcome(func, *args):
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - the caller inspects it
        return exc


def test_5_size_cap_is_checked_while_reading_not_from_st_size(tmp_path):
    from foresight.data import read_bytes

    proc = Path("/proc/self/status")
    if not proc.exists() or proc.stat().st_size != 0:
        pytest.skip("needs a file that reports size 0 (Linux /proc)")
    assert "larger than 64 bytes" in str(raises_data_error(read_bytes, proc, max_bytes=64))
    assert len(read_bytes(proc, max_bytes=1_000_000)) > 64


def test_5_an_oversized_survey_is_refused_cleanly(tmp_path):
    from foresight.data import read_table
    from foresight.data.files import DEFAULT_MAX_BYTES
    from foresight.sle.survey import SURVEY_SPEC

    path = tmp_path / "big.csv"
    path.write_text(survey_text([SURVEY_ROW.format(i=i) for i in range(200)]))
    err = raises_data_error(read_table, path, SURVEY_SPEC, max_bytes=5_000)
    assert "larger than 5000 bytes" in str(err)
    assert DEFAULT_MAX_BYTES <= 16_000_000  # a 200 MB survey is refused by default


def _zip_announcing(members: int, cd_size: int) -> bytes:
    """A ZIP whose end-of-directory record announces ``members`` entries."""
    data = bytearray(qdpx({"project.qde": _qde("")}))
    pos = data.rfind(b"PK\x05\x06")
    if members > 0xFFFF:  # ZIP64: locator and record before the classic one
        rec = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, members, members,
                          cd_size, 0)
        loc = struct.pack("<4sLQL", b"PK\x06\x07", 0, pos, 1)
        eocd = bytes(data[pos:])
        eocd = eocd[:8] + struct.pack("<2H2L", 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + eocd[20:]
        return bytes(data[:pos]) + rec + loc + eocd
    struct.pack_into("<2HL", data, pos + 8, members, members, cd_size)
    return bytes(data)


def test_5_zip_member_count_is_checked_before_the_directory_is_parsed(monkeypatch):
    from foresight.careers import read_qdpx

    def never(*a, **k):
        raise AssertionError("zipfile parsed the central directory")

    archives = [(_zip_announcing(1_000_000, 46_000_000), "1000000 members"),
                (_zip_announcing(20_000, 920_000), "20000 members"),
                (_zip_announcing(5, 50_000_000), "central directory is 50000000 bytes")]
    monkeypatch.setattr(zipfile, "ZipFile", never)
    for data, fragment in archives:
        start = time.perf_counter()
        msg = str(raises_data_error(read_qdpx, io.BytesIO(data), label="m.qdpx"))
        assert fragment in msg and time.perf_counter() - start < 0.5


def test_5_a_1e300_death_cell_names_file_line_and_column(tmp_path):
    from foresight.mortality import read_hmd

    deaths, _ = hmd_values()
    folder = write_hmd_folder(tmp_path / "EXL")
    path = folder / "Deaths_1x1.txt"
    text = path.read_text().splitlines()
    k = hmd_line(HMD_YEARS[0], 0) - 1
    text[k] = text[k].replace(f"{deaths['male'][0, 0]:.2f}", "1e300", 1)
    path.write_text("\n".join(text) + "\n")
    err = raises_data_error(read_hmd, path)
    assert str(err).startswith(f"{path}, line {k + 1}, column Male:")


def test_5_exit_codes_are_the_same_for_both_commands(hmd, tmp_path, capsys, monkeypatch):
    survey = tmp_path / "s.csv"
    survey.write_text(survey_text([SURVEY_ROW.format(i=i) for i in range(5)]))
    bad_survey = tmp_path / "bad.csv"
    bad_survey.write_text("id\n1\n")
    assert run_cli(["sle", str(bad_survey)], capsys)[0] == 2
    assert run_cli(["mortality", "project", "--hmd", str(tmp_path / "none")], capsys)[0] == 2
    assert run_cli(["sle", "--no-such-option", str(survey)], capsys)[0] == 2
    assert run_cli(["mortality", "project", "--no-such-option"], capsys)[0] == 2
    import foresight.mortality.pspline as ps
    import foresight.sle.pipeline as pipeline

    def bug(*a, **k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "analyse", bug)
    monkeypatch.setattr(ps, "fit_pspline_2d", bug)
    for argv in (["sle", str(survey)],
                 ["mortality", "project", "--hmd", str(hmd), "--out", str(tmp_path / "o")]):
        code, _, err = run_cli(argv, capsys)
        assert code == 1 and "internal error: ZeroDivisionError: a bug" in err
        assert err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_5_no_warnings_for_handled_cases(tmp_path, capsys):
    survey = tmp_path / "s.csv"
    survey.write_text(survey_text([SURVEY_ROW.format(i=i) for i in range(5)]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for argv in (["sle", str(survey), "--min-minutes", "10000"],  # everyone excluded
                     ["sle", str(survey), "--min-minutes", "nan"],
                     ["sle", str(survey), "--min-minutes", "0"]):
            code, _, err = run_cli(argv, capsys)
            assert "Warning" not in err
    assert [str(w.message) for w in caught] == []


def test_5_hmd_lines_count_line_feeds_only(tmp_path):
    from foresight.mortality import read_hmd

    folder = write_hmd_folder(tmp_path / "EXL")
    path = folder / "Deaths_1x1.txt"
    lines = path.read_text().split("\n")
    lines[5] += "\x0c"  # a form feed: str.splitlines() would count a line more
    k = hmd_line(HMD_YEARS[1], 7) - 1
    lines[k] = lines[k].replace(lines[k].split()[2], "x", 1)
    path.write_text("\n".join(lines))
    err = raises_data_error(read_hmd, path)
    assert err.row == k + 1 and err.column == "Female"
