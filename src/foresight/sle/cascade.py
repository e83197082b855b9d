"""The exclusion cascade of Rappange et al. (2017), in the paper's order.

Each rule is applied only to the respondents that survived the previous
rules, so a respondent is counted once, at the first rule that removes them.
The rules (section "Results" of the paper):

1. completed the questionnaire in under 15 minutes (a pilot-tested minimum);
2. aged outside 20-59 (the SSP questions for target ages 60 and above were
   answered only below 60; 18- and 19-year-olds were dropped to form equal
   ten-year age groups, footnote 5);
3. SLE point estimate below the current age;
4. SLE point estimate below 60 or above 100 (no SSP to compare with);
5. the same answer to all five SSP questions;
6. an SSP higher than the one for a lower target age;
7. SSP answers that do not cross 50 % within ages 60-100.

One step the paper does not state is made explicit here: respondents
with a missing SLE or SSP answer (or missing completion time, age) are
removed by a separate rule placed after rule 2, and counted, rather than
dropped silently or guessed. The paper's counts contain no such step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from foresight.results import summary_text
from foresight.sle.elicitation import ABOVE_50, BELOW_50, ssp_point_estimate
from foresight.sle.survey import SSP_COLUMNS, as_float, ssp_matrix

#: Rule keys in the paper's order (``missing`` is the compendium's addition).
RULES: tuple[str, ...] = (
    "speeder",
    "age",
    "missing",
    "sle_below_age",
    "sle_outside",
    "identical",
    "increasing",
    "no_crossing",
)

#: The paper's counts, by rule (ids in data/published/rappange2017sle.csv).
PUBLISHED_IDS: dict[str, str | None] = {
    "speeder": "sle_excl_speeders",
    "age": None,  # 1067 - 878, stated as the remaining 878
    "missing": None,
    "sle_below_age": "sle_excl_sle_below_age",
    "sle_outside": "sle_excl_sle_outside",
    "identical": "sle_excl_identical",
    "increasing": "sle_excl_increasing",
    "no_crossing": "sle_excl_no_crossing",
}


@dataclass(frozen=True)
class CascadeOptions:
    """Thresholds of the cascade (the paper's values by default) and switches.

    ``skip`` names rules to leave out (sensitivity analysis). ``all_50_as_dont_know``
    removes only the all-50 pattern at the identical-answers step and keeps
    other identical answers (a reading of Bruine de Bruin et al.).
    """

    min_minutes: float = 15.0
    min_age: int = 20
    max_age: int = 59
    min_sle: int = 60
    max_sle: int = 100
    skip: tuple[str, ...] = ()
    identical_only_all_50: bool = False


@dataclass(frozen=True)
class CascadeResult:
    """The outcome of the cascade.

    Attributes
    ----------
    flow
        One row per rule: ``step, rule, label, excluded, remaining``, with a
        first row for the initial sample.
    excluded_by
        Per respondent (aligned with the input), the rule that removed them,
        or ``""`` if kept.
    kept
        The analysis sample (the input rows that passed every rule).
    """

    flow: pd.DataFrame
    excluded_by: pd.Series
    kept: pd.DataFrame
    options: CascadeOptions = field(default_factory=CascadeOptions)

    def to_frame(self) -> pd.DataFrame:
        """The flow table: ``step, rule, label, excluded, remaining`` (one row per rule)."""
        return self.flow.copy()

    def summary(self) -> str:
        """Initial and final sample and the count removed by each rule."""
        f = self.flow.set_index("rule")
        return summary_text(
            f"Exclusion cascade: {int(f.loc['initial', 'remaining']):,} respondents, "
            f"{len(self.kept):,} kept",
            {str(f.loc[r, "label"]): int(f.loc[r, "excluded"]) for r in RULES},
        )


def rule_labels(options: CascadeOptions = CascadeOptions()) -> dict[str, str]:
    """What each rule removes, in words, with the thresholds of ``options``.

    ``rule_labels()["speeder"]`` is "completed in under 15 minutes"; with
    ``CascadeOptions(min_minutes=10)`` it is "completed in under 10 minutes".
    """
    o = options
    return {
        "speeder": f"completed in under {o.min_minutes:g} minutes",
        "age": f"aged outside {o.min_age}-{o.max_age}",
        "missing": "missing SLE or SSP answer (not a rule of the paper)",
        "sle_below_age": "SLE point estimate below current age",
        "sle_outside": f"SLE point estimate below {o.min_sle} or above {o.max_sle}",
        "identical": "same answer to all five SSP questions",
        "increasing": "SSP increasing for a higher target age",
        "no_crossing": "SSP answers do not cross 50% within 60-100",
    }


#: The rules' labels with the paper's thresholds.
RULE_LABELS: dict[str, str] = rule_labels()


def rule_masks(survey: pd.DataFrame, options: CascadeOptions = CascadeOptions()) -> dict[str, np.ndarray]:
    """Boolean mask per rule: True where the respondent *fails* that rule.

    Masks are computed on every respondent independently; :func:`apply_cascade`
    applies them in order. Missing values never fail a rule other than
    ``missing`` (whose mask is True where SLE, any SSP, age or completion
    time is missing).
    """
    o = options
    minutes = as_float(survey["completion_minutes"])
    age = as_float(survey["age"])
    sle = as_float(survey["sle"])
    p = ssp_matrix(survey)
    miss = np.isnan(sle) | np.isnan(p).any(axis=1) | np.isnan(age) | np.isnan(minutes)
    identical = (p == p[:, :1]).all(axis=1)
    if o.identical_only_all_50:
        identical = identical & (p[:, 0] == 50)
    increasing = (np.diff(p, axis=1) > 0).any(axis=1)
    est = ssp_point_estimate(p, non_monotone="first")
    no_cross = np.isin(est.reason, [ABOVE_50, BELOW_50])
    with np.errstate(invalid="ignore"):
        return {
            "speeder": minutes < o.min_minutes,
            "age": (age < o.min_age) | (age > o.max_age),
            "missing": miss,
            "sle_below_age": sle < age,
            "sle_outside": (sle < o.min_sle) | (sle > o.max_sle),
            "identical": identical,
            "increasing": increasing,
            "no_crossing": no_cross,
        }


def apply_cascade(survey: pd.DataFrame, options: CascadeOptions = CascadeOptions()) -> CascadeResult:
    """Apply the exclusion rules in the paper's order and count each step.

    Parameters
    ----------
    survey
        A validated survey table (see :func:`foresight.sle.read_survey`).
    options
        Thresholds and switches; the defaults are the paper's.

    Returns
    -------
    CascadeResult
        The flow table, each respondent's excluding rule and the kept rows.
    """
    masks = rule_masks(survey, options)
    labels = rule_labels(options)
    n = len(survey)
    alive = np.ones(n, dtype=bool)
    by = np.full(n, "", dtype=object)
    rows = [dict(step=0, rule="initial", label="initial sample", excluded=0, remaining=n)]
    for step, rule in enumerate(RULES, start=1):
        if rule in options.skip:
            hit = np.zeros(n, dtype=bool)
        else:
            hit = alive & masks[rule]
        by[hit] = rule
        alive &= ~hit
        rows.append(dict(step=step, rule=rule, label=labels[rule],
                         excluded=int(hit.sum()), remaining=int(alive.sum())))
    flow = pd.DataFrame(rows)
    return CascadeResult(
        flow=flow,
        excluded_by=pd.Series(by, index=survey.index, name="excluded_by"),
        kept=survey.loc[alive].reset_index(drop=True),
        options=options,
    )


def flow_vs_published(flow: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """The flow table next to the paper's counts.

    ``published`` is ``foresight.data.published("rappange2017sle")``. The
    paper states the remaining sample after the age rule (878) and the final
    737 rather than a count for every step; both kinds are filled in.
    """
    val = published["value"]
    pub_excl = {r: (float(val[i]) if i else np.nan) for r, i in PUBLISHED_IDS.items()}
    pub_excl["age"] = float(val["sle_after_speeders"] - val["sle_after_age"])
    pub_excl["missing"] = np.nan  # not a step of the paper
    pub_excl["initial"] = 0.0
    pub_rem = {"initial": float(val["sle_initial_sample"])}
    out = flow.copy()
    out["published_excluded"] = out["rule"].map(pub_excl)
    remaining = [pub_rem["initial"]]
    for r in out["rule"].iloc[1:]:
        step = pub_excl[r]
        remaining.append(remaining[-1] - (0.0 if np.isnan(step) else step))
    out["published_remaining"] = remaining
    return out
