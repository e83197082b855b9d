"""The mutator behind `make mutation` (benchmarks/_mutate.py): the mutants it makes, and where."""

from __future__ import annotations

import ast
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from _mutate import mutants, mutated_source  # noqa: E402

SOURCE = '''\
"""Module docstring 1 + 2 is not code."""
__all__ = ["f"]


def f(x: int = 3, y: "float" = 0.5) -> float:
    """Docstring with 7 < 8."""
    if x < 2 and not y:
        raise ValueError(f"x {x + 1} too small")
    z = -x * y / 4
    z += 1
    mask = (z > 0) | (x == 5)
    return z if mask is not None else True
'''


def _changes(source: str = SOURCE) -> list[tuple[int, str]]:
    return [(m.line, m.change) for m in mutants(source, "toy")]


def test_every_operator_family_is_mutated_once_per_site():
    got = _changes()
    expected = {
        (5, "3 -> 4"), (5, "0.5 -> 1.5"),  # default values are code
        (7, "< -> <="), (7, "2 -> 3"), (7, "and -> or"), (7, "not x -> x"),
        (9, "-x -> x"), (9, "* -> /"), (9, "/ -> *"), (9, "4 -> 5"),
        (10, "+= -> -="), (10, "1 -> 2"),
        (11, "> -> >="), (11, "0 -> 1"), (11, "| -> &"), (11, "== -> !="), (11, "5 -> 6"),
        (12, "is not -> is"), (12, "True -> False"),
    }
    assert set(got) == expected and len(got) == len(expected)


def test_docstrings_annotations_defaults_of_annotations_raise_and_all_are_left_alone():
    lines = {line for line, _ in _changes()}
    assert not lines & {1, 2, 6, 8}  # docstrings, __all__, the raise and its message
    # annotations are skipped, but a default value is code
    assert (5, "3 -> 4") in _changes() and (5, "0.5 -> 1.5") in _changes()


@pytest.mark.parametrize("index", range(len(mutants(SOURCE, "toy"))))
def test_each_mutant_compiles_and_differs_from_the_original_in_one_place(index):
    tree = mutated_source(SOURCE, index)
    compile(tree, "toy", "exec")
    original = ast.unparse(ast.parse(SOURCE)).splitlines()
    changed = ast.unparse(tree).splitlines()
    assert len(original) == len(changed)
    assert sum(a != b for a, b in zip(original, changed)) == 1


def test_a_mutant_changes_behaviour_as_its_name_says():
    m = next(m for m in mutants(SOURCE, "toy") if m.change == "+= -> -=")
    ns: dict = {}
    exec(compile(mutated_source(SOURCE, m.index), "toy", "exec"), ns)
    plain: dict = {}
    exec(compile(SOURCE, "toy", "exec"), plain)
    assert plain["f"](4, 1.0) == -4 * 1.0 / 4 + 1
    assert ns["f"](4, 1.0) == -4 * 1.0 / 4 - 1


def test_the_order_is_stable_and_an_unknown_index_is_refused():
    assert _changes() == _changes()
    with pytest.raises(IndexError):
        mutated_source(SOURCE, 10_000)


def test_the_verdict_modules_are_all_configured_and_exist():
    import mutation

    assert len(mutation.MODULES) == 11
    for module, (tests, chapters) in mutation.MODULES.items():
        assert mutation._source_path(module).is_file(), module
        assert all((ROOT / t).exists() for t in tests), module
        assert set(chapters) <= set(mutation.CHAPTERS), module


def test_a_survivors_rerun_keeps_the_report_whole():
    import mutation

    row = lambda mod, i, outcome: {"module": mod, "index": i, "line": i, "col": 0, "change": "< -> <=",  # noqa: E731
                                   "outcome": outcome}
    previous = [row("b", 2, "killed"), row("a", 1, "survived"), row("a", 3, "killed"), row("b", 5, "survived"),
                row("c", 1, "survived")]
    rerun = [row("a", 1, "killed"), row("b", 5, "survived")]
    merged = mutation.merge_rerun(previous, rerun, ["a", "b"])
    assert [(r["module"], r["index"], r["outcome"]) for r in merged] == [
        ("a", 1, "killed"), ("a", 3, "killed"), ("b", 2, "killed"), ("b", 5, "survived")]


def test_a_later_run_selects_the_survivors_or_the_mutants_a_report_lacks():
    import mutation
    from _mutate import Mutant

    sampled = [Mutant("a", 1, 1, 0, "< -> <="), Mutant("a", 2, 2, 0, "0 -> 1"), Mutant("a", 3, 3, 0, "+ -> -")]
    previous = [{"module": "a", "line": 1, "col": 0, "change": "< -> <=", "outcome": "survived"},
                {"module": "a", "line": 2, "col": 0, "change": "0 -> 1", "outcome": "killed (time limit)"}]
    assert [m.index for m in mutation.select_again(sampled, previous, survivors=True)] == [1]
    assert [m.index for m in mutation.select_again(sampled, previous, survivors=False)] == [3]


def test_records_of_a_module_changed_since_the_report_are_dropped():
    import mutation

    report = {"modules": {"a": {"source": mutation.source_hash("x = 1\n")},
                          "b": {"source": mutation.source_hash("y = 2\n")}, "c": {}},
              "results": [{"module": "a", "outcome": "killed"}, {"module": "b", "outcome": "survived"},
                          {"module": "c", "outcome": "killed"}]}
    kept = mutation.current_records(report, {"a": "x = 1\n", "b": "y = 3\n", "c": "z = 0\n"})
    assert [r["module"] for r in kept] == ["a"]  # b changed; c has no hash, so nothing vouches for it


def test_equivalent_judgements_count_only_for_survivors_of_the_same_source(tmp_path):
    import json

    import mutation

    summary = {"modules": {"a": {"source": "h1", "mutants": 4, "killed": 2, "survived": 2,
                                 "survived_changing_the_book": 0, "score": 0.5},
                           "b": {"source": "h2", "mutants": 1, "killed": 0, "survived": 1,
                                 "survived_changing_the_book": 0, "score": 0.0}},
               "seconds": 1,
               "results": [{"name": "a:1:0 < -> <=", "outcome": "survived"},
                           {"name": "a:2:0 0 -> 1", "outcome": "survived"},
                           {"name": "a:3:0 + -> -", "outcome": "killed"},
                           {"name": "a:4:0 * -> /", "outcome": "killed"},
                           {"name": "b:1:0 < -> <=", "outcome": "survived"}]}
    judged = {"a": {"source": "h1", "mutants": {"1:0 < -> <=": "floats never equal", "3:0 + -> -": "x"}},
              "b": {"source": "old", "mutants": {"1:0 < -> <=": "stale"}}}
    (tmp_path / "m-equivalent.json").write_text(json.dumps(judged), encoding="utf-8")
    assert mutation.equivalent_mutants(tmp_path / "m-equivalent.json", summary) == {
        "a:1:0 < -> <=": "floats never equal"}  # a killed mutant and a stale judgement do not count
    mutation.write_markdown(summary, tmp_path / "m.md")
    text = (tmp_path / "m.md").read_text(encoding="utf-8")
    assert "| `a` | 4 | 2 | 2 | 1 | 0 | 50% | 67% |" in text
    assert "| `b` | 1 | 0 | 1 | 0 | 0 | 0% | 0% |" in text
    assert "- `a:1:0 < -> <=`: judged equivalent, floats never equal" in text
