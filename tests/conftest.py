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
