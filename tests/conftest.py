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
# the pinning tests the verdicts of every comparison table.
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def mortality_report():
    from foresight.mortality import report

    return report.build()


@pytest.fixture(scope="session")
def sle_report():
    import foresight.sle as sle
    from foresight.sle import report

    cohort = sle.synthetic_cohort()
    return report.build(cohort, sle.analyse(cohort))


@pytest.fixture(scope="session")
def selection_report():
    from foresight.selection import report

    return report.build()


@pytest.fixture(scope="session")
def careers_report():
    from foresight.careers import report

    return report.build()


@pytest.fixture(scope="session")
def synthesis_report():
    from foresight.synthesis import report

    return report.build()


@pytest.fixture(scope="session")
def reports(mortality_report, sle_report, selection_report, careers_report, synthesis_report):
    """Every chapter's report, by chapter (as the notebooks build them)."""
    return {"mortality": mortality_report, "sle": sle_report, "selection": selection_report,
            "careers": careers_report, "synthesis": synthesis_report}


@pytest.fixture(scope="session")
def comparisons(mortality_report, sle_report, selection_report, careers_report):
    """Every comparison table of the book, by table name."""
    out = {}
    for r in (mortality_report, sle_report, careers_report, selection_report):
        out.update(r.comparisons())
    return out
