"""The paper's anchoring test (Discussion, Fig. 4), as a function of any two groups.

Rappange et al. ask each respondent for the chance of living to each target
age in turn, so the first answer may anchor the rest. Their test compares
respondents aged 50-59, whose first target age is 60, with respondents aged
60-69, who were not asked about 60 and start at 70. If the older group's
curve is the younger group's curve moved ten years to the right (the same
answer to the first question, the same to the second, and so on) the answers
follow the *position* of the question rather than the target age, which is
what anchoring predicts; a rational shift of expectations would also move the
curve right, so the test is suggestive, not conclusive, as the paper says.

:func:`anchoring_comparison` puts both readings side by side: mean answers
aligned by question position (older group's target = younger group's + 10)
and aligned by target age (the same target in both groups). A small gap by
position with a large gap by target is the pattern the paper describes.

The source is inconsistent about the older group: the sample is of Dutch
adults aged 18-65, yet the test uses respondents aged 60-69; only 60-65 can
have been in it. :func:`anchoring_groups` takes whichever ages a survey has.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from foresight.errors import DataError
from foresight.results import summary_text
from foresight.sle.survey import SSP_COLUMNS, TARGET_AGES, as_float, ssp_matrix

__all__ = ["AnchoringResult", "anchoring_comparison", "anchoring_groups"]

#: The paper's two groups: (lowest, highest) age, both inclusive.
YOUNGER_AGES: tuple[int, int] = (50, 59)
OLDER_AGES: tuple[int, int] = (60, 69)


@dataclass(frozen=True)
class AnchoringResult:
    """Mean answers of two groups aligned two ways (see :func:`anchoring_comparison`).

    Attributes
    ----------
    table
        One row per compared pair: ``alignment`` (``"by position"`` or
        ``"by target age"``), ``younger_target``, ``older_target``,
        ``younger_mean``, ``older_mean`` (% chance) and ``difference``
        (older minus younger, percentage points).
    n_younger, n_older
        Respondents in each group.
    shift
        Years between the two groups' first target ages.
    """

    table: pd.DataFrame
    n_younger: int
    n_older: int
    shift: int

    def gap(self, alignment: str) -> float:
        """Mean absolute difference (points) over the pairs of one alignment."""
        t = self.table[self.table["alignment"] == alignment]
        return float(t["difference"].abs().mean())

    def to_frame(self) -> pd.DataFrame:
        """The compared pairs, one row each."""
        return self.table.copy()

    def summary(self) -> str:
        """Group sizes and the mean absolute gap under each alignment."""
        return summary_text(
            f"Anchoring test: {self.n_younger:,} younger and {self.n_older:,} older respondents, "
            f"first target ages {self.shift} years apart",
            {"mean |gap|, by question position": self.gap("by position"),
             "mean |gap|, by target age": self.gap("by target age")},
            self.table)


def _ssp(frame: pd.DataFrame, label: str) -> np.ndarray:
    missing = [c for c in SSP_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"no column {missing[0]!r}", file=label, column=missing[0],
                        expected="the survey's SSP columns " + ", ".join(SSP_COLUMNS))
    return ssp_matrix(frame)


def anchoring_comparison(younger: pd.DataFrame, older: pd.DataFrame, *, shift: int = 10,
                         labels: tuple[str, str] = ("younger group", "older group")) -> AnchoringResult:
    """Compare two groups' mean survival answers by question position and by target age.

    Parameters
    ----------
    younger, older
        Respondents in the survey format (columns ``ssp_60`` ... ``ssp_100``,
        percent). The younger group's first question is the first target age
        (60); the older group's first question is ``shift`` years later (its
        answers to earlier targets, if any, are ignored). Missing answers are
        left out of each mean.
    shift
        Years between the two first target ages (a multiple of the 10-year
        spacing of the target ages).
    labels
        Names used in error messages.

    Returns
    -------
    AnchoringResult
        ``by position``: the younger group's answer at target ``T`` against
        the older group's at ``T + shift``; ``by target age``: both groups at
        the same target, for the targets the older group was asked.
    """
    step = TARGET_AGES[1] - TARGET_AGES[0]
    if shift <= 0 or shift % step:
        raise ValueError(f"shift must be a positive multiple of {step} years")
    y, o = _ssp(younger, labels[0]), _ssp(older, labels[1])
    if len(y) == 0 or len(o) == 0:
        raise DataError("an empty group cannot be compared", file=labels[0] if len(y) == 0 else labels[1],
                        expected="at least one respondent in each group")
    with warnings.catch_warnings():  # a question nobody in a group was asked has no mean
        warnings.simplefilter("ignore", RuntimeWarning)
        my, mo = np.nanmean(y, axis=0), np.nanmean(o, axis=0)
    k = shift // step
    targets = np.asarray(TARGET_AGES)
    rows = []
    for j in range(len(targets) - k):  # younger target j against older target j + k
        rows.append({"alignment": "by position", "younger_target": int(targets[j]),
                     "older_target": int(targets[j + k]), "younger_mean": float(my[j]),
                     "older_mean": float(mo[j + k])})
    for j in range(k, len(targets)):  # the targets the older group was asked
        rows.append({"alignment": "by target age", "younger_target": int(targets[j]),
                     "older_target": int(targets[j]), "younger_mean": float(my[j]),
                     "older_mean": float(mo[j])})
    table = pd.DataFrame(rows)
    table["difference"] = table["older_mean"] - table["younger_mean"]
    return AnchoringResult(table=table, n_younger=int(len(y)), n_older=int(len(o)), shift=int(shift))


def anchoring_groups(survey: pd.DataFrame, younger_ages: tuple[int, int] = YOUNGER_AGES,
                     older_ages: tuple[int, int] = OLDER_AGES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paper's two groups from a survey: rows aged within each range (inclusive).

    Only respondents who answered every question of their sequence are kept
    (all five for the younger group, target ages 70-100 for the older one)
    and whose answers never rise with the target age, as in the analysis
    sample.
    """
    age = as_float(survey["age"])
    p = ssp_matrix(survey)

    def consistent(cols: slice) -> np.ndarray:
        q = p[:, cols]
        with np.errstate(invalid="ignore"):
            return ~np.isnan(q).any(axis=1) & ~(np.diff(q, axis=1) > 0).any(axis=1)

    young = (age >= younger_ages[0]) & (age <= younger_ages[1]) & consistent(slice(0, None))
    old = (age >= older_ages[0]) & (age <= older_ages[1]) & consistent(slice(1, None))
    return survey.loc[young].copy(), survey.loc[old].copy()
