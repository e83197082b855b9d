"""Strict nbval compares numbers at six significant digits: round-off passes, real changes fail."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foresight.nbcompare import FLOAT_PATTERN, SIGNIFICANT_DIGITS, ZERO_FLOOR, round_floats

from conftest import ROOT


@pytest.mark.parametrize(
    "text, expected",
    [
        # the committed output of one machine and the re-executed output of another (issue 12)
        ("1.0054530635256076", "1.00545"),
        ("1.0054530635255965", "1.00545"),
        ("57.89615153415008 and 57.89615153415065", "57.8962 and 57.8962"),
        ("83.96717115328825", "83.9672"),
        # integers, versions and words are left as written; short decimals keep their value
        ("0.37, 35 of 35, jupyter-book 1.0.4.post1", "0.37, 35 of 35, jupyter-book 1.0.4.post1"),
        ("2.3e+11 and 1e-08", "2.3e+11 and 1e-08"),
        ("1.0 and 1.0000000000000002, 2.50", "1 and 1, 2.5"),
        ("T_STYLER row0_col1 x1.2345678", "T_STYLER row0_col1 x1.2345678"),
        ("<td>0.123457</td><td>-1234.56789</td>", "<td>0.123457</td><td>-1234.57</td>"),
        ("1.23456789e-05", "1.23457e-05"),
        # round-off around zero has no digits to keep: below the floor it is 0 (issue 22)
        ("sel_lens_gap 1.1102230246251565e-16", "sel_lens_gap 0"),
        ("-2e-17 and 3.3e-13 and 9.99e-09", "0 and 0 and 0"),
        ("-0.0, -0.000, 0.0 and -0.0%", "0, 0, 0 and 0%"),
        # at and above the floor a number keeps its six digits
        ("1e-08, 1.234567e-08, -0.0002", "1e-08, 1.23457e-08, -0.0002"),
    ],
)
def test_round_floats(text, expected):
    assert round_floats(text) == expected


finite = st.floats(min_value=ZERO_FLOOR, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(finite, st.sampled_from([1.0, -1.0]))
def test_a_change_in_the_4th_significant_digit_is_never_absorbed(x, sign):
    """One unit in the 4th significant place always survives the rounding."""
    x = sign * x
    unit = 10.0 ** (math.floor(math.log10(abs(x))) - 3)
    y = x + unit
    assert round_floats(repr(x)) != round_floats(repr(y)) or repr(x) == repr(y)


@given(st.floats(min_value=-ZERO_FLOOR, max_value=ZERO_FLOOR, exclude_min=True, exclude_max=True,
                 allow_nan=False), st.floats(min_value=-ZERO_FLOOR, max_value=ZERO_FLOOR,
                                             exclude_min=True, exclude_max=True, allow_nan=False))
def test_any_two_round_off_values_compare_equal(x, y):
    """0 against 1.1e-16, -2e-17 against 3e-13: all round-off around zero, all equal."""
    assert round_floats(repr(x)) == round_floats(repr(y)) == "0"


@given(st.floats(min_value=ZERO_FLOOR, max_value=1e12, allow_nan=False))
def test_above_the_floor_a_change_in_the_4th_digit_is_caught_even_near_zero(x):
    """The floor does not swallow small real numbers: 2.5e-9 and 2.501e-9 still differ."""
    unit = 10.0 ** (math.floor(math.log10(x)) - 3)
    assert round_floats(repr(x)) != round_floats(repr(x + unit)) or repr(x) == repr(x + unit)
    assert round_floats(repr(x)) != "0"


@given(finite, st.sampled_from([1 + 1e-12, 1 - 1e-12, 1 + 2.2e-16]))
def test_round_off_in_the_last_digits_is_absorbed_away_from_a_rounding_edge(x, factor):
    """A relative change of 1e-12 is absorbed unless x sits on a 6-digit rounding edge."""
    y = x * factor
    scaled = x / 10.0 ** (math.floor(math.log10(x)) - SIGNIFICANT_DIGITS + 1)
    if abs(scaled - math.floor(scaled) - 0.5) < 1e-4:  # within 1e-4 of a tie: may round apart
        return
    if x < ZERO_FLOOR * (1 + 1e-4):  # the floor is an edge too (no shown number lies near it)
        return
    assert round_floats(f"{x!r}") == round_floats(f"{y!r}")


# --- end to end: nbval on a notebook whose committed outputs are then altered ---------------

CELL = """\
from myst_nb import glue
import matplotlib.pyplot as plt
import pandas as pd
glue("e0", 2.0 / 3.0 * 100, display=False)
glue("gap", 0.1 + 0.2 - 0.3 - 5.551115123125783e-17, display=False)
fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1], [0, 1])
glue("fig", fig, display=False)
plt.close(fig)
pd.DataFrame({"rate": [1 / 7]})
"""


def _executed_notebook(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(CELL))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    nbformat.write(nb, path)


def _altered(src: Path, dst: Path, old: str, new: str) -> None:
    text = src.read_text(encoding="utf-8")
    assert old in text, f"{old} not among the committed outputs"
    dst.write_text(text.replace(old, new), encoding="utf-8")


def test_nbval_absorbs_round_off_but_catches_a_change_in_the_4th_digit(tmp_path):
    base = tmp_path / "base.ipynb"
    _executed_notebook(base)
    glued = repr(2.0 / 3.0 * 100)  # '66.66666666666667' as the glue record stores it
    # round-off in the 14th digit, as another BLAS kernel gives: must pass
    _altered(base, tmp_path / "roundoff.ipynb", glued, "66.66666666666671")
    # the glued result changed in its 4th significant digit: must fail
    _altered(base, tmp_path / "digit4.ipynb", glued, "66.67666666666667")
    # a glued quantity that is zero by construction comes out as round-off on another CPU
    # (the AVX-512 failure of issue 22, '0' == '1.11022e-16'): must pass
    zero = '"application/papermill.record/text/plain": "0.0"'
    _altered(base, tmp_path / "zero.ipynb", zero, zero.replace('"0.0"', '"1.1102230246251565e-16"'))
    # ... but a real small number where zero was committed is a change: must fail
    _altered(base, tmp_path / "notzero.ipynb", zero, zero.replace('"0.0"', '"0.0002"'))
    # a displayed table value changed in its 4th significant digit: must fail
    table = repr(1 / 7)[:8]  # pandas shows 0.142857
    _altered(base, tmp_path / "table4.ipynb", table, "0.143857")
    # a glued figure whose PNG bytes differ (one pixel moved by round-off): not compared
    png = re.search(r'"application/papermill.record/image/png": "(iVBOR[A-Za-z0-9+/]{60})', base.read_text()).group(1)
    _altered(base, tmp_path / "picture.ipynb", png, png[:-8] + "AAAAAAAA")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    outcome = {
        name: verdict
        for verdict, name in re.findall(r"^(PASSED|FAILED) \S*?(\w+)\.ipynb::Cell 0", done.stdout, re.M)
    }
    assert outcome == {
        "base": "PASSED", "roundoff": "PASSED", "picture": "PASSED", "digit4": "FAILED", "table4": "FAILED",
        "zero": "PASSED", "notzero": "FAILED",
    }, done.stdout


# --- the floor's two margins, checked on what the book actually shows ------------------------

def _shown_decimals() -> list[tuple[float, str, str]]:
    """Every decimal number in the committed outputs of every notebook: (value, notebook, name)."""
    import json

    found = []
    for path in sorted((ROOT / "chapters").rglob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                name = out.get("metadata", {}).get("scrapbook", {}).get("name", "(displayed)")
                texts = [out.get("text", "")] + [v for k, v in out.get("data", {}).items()
                                                  if "image" not in k]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else str(text)
                    found += [(float(m.group(0)), path.name, name) for m in FLOAT_PATTERN.finditer(text)]
    return found


def test_the_floor_cannot_hide_a_number_the_book_shows():
    """Every non-zero decimal the book shows is at least 1e4 times the floor (smallest today: 2e-4)."""
    shown = _shown_decimals()
    assert len(shown) > 1000
    tiny = [(x, nb, name) for x, nb, name in shown if x != 0 and abs(x) < 1e4 * ZERO_FLOOR]
    assert not tiny, f"numbers too close to the zero floor to be told from round-off: {tiny[:5]}"


def test_the_floor_is_far_above_round_off_of_the_largest_numbers_shown():
    """A zero-by-construction sum of 100 terms as large as anything shown stays below the floor."""
    largest = max(abs(x) for x, _, _ in _shown_decimals())
    assert 100 * largest * 2.220446049250313e-16 < ZERO_FLOOR, largest
