"""Shared test configuration.

Hypothesis runs with a fixed, derandomised profile so the suite is
deterministic; each domain's tests live in tests/<domain>/.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]


def bib_keys() -> set[str]:
    """The entry keys of ``references.bib``."""
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M))

settings.register_profile(
    "foresight",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("foresight")


# ---------------------------------------------------------------- the chapters' reports
# Built once per test session and shared: the report tests check what each chapter glues,
# the pinning tests the verdicts of every comparison table. A report is built only when a
# test asks for it (or for one of its comparison tables), so a run of one chapter's tests
# does not pay for the others.
from collections.abc import Mapping  # noqa: E402
from functools import lru_cache  # noqa: E402

import pytest  # noqa: E402


@lru_cache(maxsize=None)
def chapter_report(chapter: str):
    """The report of one chapter, as its notebook builds it (once per session)."""
    if chapter == "sle":
        import foresight.sle as sle
        from foresight.sle import report

        cohort = sle.synthetic_cohort()
        return report.build(cohort, sle.analyse(cohort))
    import importlib

    return importlib.import_module(f"foresight.{chapter}.report").build()


@pytest.fixture(scope="session")
def mortality_report():
    return chapter_report("mortality")


@pytest.fixture(scope="session")
def sle_report():
    return chapter_report("sle")


@pytest.fixture(scope="session")
def selection_report():
    return chapter_report("selection")


@pytest.fixture(scope="session")
def careers_report():
    return chapter_report("careers")


@pytest.fixture(scope="session")
def synthesis_report():
    return chapter_report("synthesis")


class _Comparisons(Mapping):
    """Every comparison table of the book by name, each chapter's built when first asked for.

    Table names begin with their chapter's prefix (``mort``, ``sle``, ``car``, ``sel``).
    """

    CHAPTERS = {"mort": "mortality", "sle": "sle", "car": "careers", "sel": "selection"}

    def __init__(self) -> None:
        self._tables: dict[str, dict] = {}

    def _chapter(self, chapter: str) -> dict:
        if chapter not in self._tables:
            self._tables[chapter] = chapter_report(chapter).comparisons()
        return self._tables[chapter]

    def __getitem__(self, name: str):
        for prefix, chapter in self.CHAPTERS.items():
            if name.startswith(prefix) and name in self._chapter(chapter):
                return self._chapter(chapter)[name]
        raise KeyError(name)

    def __iter__(self):
        for chapter in self.CHAPTERS.values():
            yield from self._chapter(chapter)

    def __len__(self) -> int:
        return sum(len(self._chapter(c)) for c in self.CHAPTERS.values())


@pytest.fixture(scope="session")
def reports(mortality_report, sle_report, selection_report, careers_report, synthesis_report):
    """Every chapter's report, by chapter (as the notebooks build them)."""
    return {"mortality": mortality_report, "sle": sle_report, "selection": selection_report,
            "careers": careers_report, "synthesis": synthesis_report}


@pytest.fixture(scope="session")
def comparisons():
    """Every comparison table of the book, by table name (built lazily, per chapter)."""
    return _Comparisons()


def compare_with_review(path: Path, reproduced: Mapping[str, float], *, source: str, section: str):
    """A reviewer's independent figures (a CSV with the published-figure columns and an
    ``expected_verdict``) through the comparison engine: ``(reference, comparison table)``,
    after checking that every row gets the verdict the reviewer expects."""
    import pandas as pd

    from foresight.data import compare

    ref = pd.read_csv(path, dtype={"id": str}).set_index("id")
    figures = ref.assign(source=source, section=section, file=str(Path(path).relative_to(ROOT)))
    table = compare(figures, {i: reproduced[i] for i in ref.index})
    assert table["verdict"].to_dict() == ref["expected_verdict"].to_dict()
    return ref, table
