"""The fragile-output check finds glued values that move on a simulated other machine (issue 22)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from foresight import fragile
from foresight.fragile import committed_glue, moved, variant_env


def test_moved_applies_the_books_rule_and_names_what_moved():
    ref = {"e0": {"text/plain": "57.89615153415008"}, "gap": {"text/plain": "0.0"},
           "tab": {"text/html": "<td>0.142857</td>", "text/plain": "T_abcde 0.142857"},
           "gone": {"text/plain": "1.0"}}
    new = {"e0": {"text/plain": "57.89615153415065"},  # round-off: same at six digits
           "gap": {"text/plain": "1.1102230246251565e-16"},  # round-off around zero
           "tab": {"text/html": "<td>0.143857</td>", "text/plain": "T_fghij 0.142857"},
           "new": {"text/plain": "2.0"}}
    styler = [(re.compile(r"T_[0-9a-z]{5}"), "T_STYLER")]
    found = moved(ref, new, sanitizers=styler)
    assert [(m["name"], m["mime"]) for m in found] == [("gone", ""), ("new", ""), ("tab", "text/html")]
    assert found[2]["committed"] == "<td>0.142857</td>" and found[2]["now"] == "<td>0.143857</td>"


def test_a_real_change_in_the_4th_digit_moves():
    assert moved({"x": {"text/plain": "0.5362"}}, {"x": {"text/plain": "0.5363"}})
    assert not moved({"x": {"text/plain": "0.536238507531"}}, {"x": {"text/plain": "0.536238507"}})


def test_variants_choose_another_kernel_threads_and_perturbation(monkeypatch):
    monkeypatch.setattr(fragile.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(fragile, "_has_avx512", lambda: True)
    env = variant_env("all", base={})
    assert env["OPENBLAS_CORETYPE"] == "Haswell" and env["NPY_DISABLE_CPU_FEATURES"] == "X86_V4"
    assert env["OPENBLAS_NUM_THREADS"] == "2"
    monkeypatch.setattr(fragile, "_has_avx512", lambda: False)
    assert variant_env("kernel", base={})["OPENBLAS_CORETYPE"] == "Prescott"
    assert variant_env("perturb", base={})["OPENBLAS_NUM_THREADS"] == "1"
    assert "OPENBLAS_CORETYPE" not in variant_env("threads", base={})
    monkeypatch.setattr(fragile.platform, "machine", lambda: "aarch64")
    assert variant_env("kernel", base={})["OPENBLAS_CORETYPE"] == "ARMV8"
    with pytest.raises(ValueError, match="unknown variant"):
        variant_env("cosmic rays")


def test_the_perturbation_moves_fractions_by_1e13_and_leaves_whole_numbers(monkeypatch):
    import foresight.data.tables as tables
    import foresight.mortality.hmd as hmd
    from foresight.data import Column, TableSpec, parse_table

    monkeypatch.setattr(tables, "_convert", tables._convert)  # restored after the test
    monkeypatch.setattr(hmd, "parse_hmd", hmd.parse_hmd)
    spec = TableSpec(columns=(Column("year", "float"), Column("rate", "float"), Column("n", "int")))
    text = "year,rate,n\n" + "".join(f"{2000 + i},0.{i + 1}23,{i}\n" for i in range(40))
    before = parse_table(text, spec)
    fragile._perturb_inputs(seed=1)
    after = parse_table(text, spec)
    assert (after["year"] == before["year"]).all() and (after["n"] == before["n"]).all()
    rel = (after["rate"] / before["rate"] - 1).to_numpy()
    assert abs(abs(rel) - 1e-13).max() < 1e-15
    assert (rel > 0).any() and (rel < 0).any()


def _chapter(tmp_path, code: str, glued: dict[str, str]):
    """A committed 'chapter': one code cell and the glue records it stored."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={f"application/papermill.record/text/plain": text},
        metadata={"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}})
        for name, text in glued.items()]
    nb.cells.append(cell)
    path = tmp_path / "chapters" / "toy.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


CODE = """\
from myst_nb import glue
from foresight.data import Column, TableSpec, parse_table
t = parse_table("x\\n0.1\\n", TableSpec(columns=(Column("x", "float"),)))
x = float(t["x"].iloc[0])
glue("robust", 3 * x, display=False)
glue("fragile", (3 * x - 0.3) * 1e12, display=False)
"""


def test_the_check_reports_a_value_that_amplifies_round_off_by_name(tmp_path, capsys):
    path = _chapter(tmp_path, CODE, {"robust": repr(3 * 0.1), "fragile": repr((3 * 0.1 - 0.3) * 1e12)})
    assert set(committed_glue(path)) == {"robust", "fragile"}
    # unperturbed, nothing moves (and the check's own rule absorbs nothing real)
    assert fragile.check(["threads"], root=tmp_path, chapters=[path], jobs=1) == []
    found = fragile.check(["perturb"], root=tmp_path, chapters=[path], seed=0, jobs=1)
    assert [(m["chapter"], m["name"], m["variant"]) for m in found] == [("toy", "fragile", "perturb")]
    assert "MOVED toy:fragile" in capsys.readouterr().out


def test_the_book_has_glued_values_to_check():
    from foresight.book import chapter_paths, repo_root

    counts = {p.stem: len(committed_glue(p)) for p in chapter_paths(repo_root())}
    assert all(counts[c] >= 10 for c in ("mortality", "sle", "careers", "selection", "synthesis"))
    assert json.dumps(counts)  # plain data
