"""The counter-argument quantified: rare destructive hires ("derailers").

Holm & Sahlberg (2014-02-26) argue that structured clinical assessment is
better at spotting the few clearly unsuitable candidates whose problems show
only over time, quoting a client: such hires are about 1% of hires but 50% of
costs. This module puts that argument and the meta-analytic one on one scale.

Model (expected value per hire, in units of SDy)
------------------------------------------------
* Ordinary performance is standard normal; a combination method with
  validity ``r`` selecting the top share ``SR`` of the candidates it
  considers gains ``r * phi(z) / SR`` SDy per hire over random selection
  (Brogden-Cronbach-Gleser without costs).
* A share ``prevalence`` of applicants are derailers, independent of the
  predictors and of ordinary performance (the formula, by assumption, cannot
  see them). Each derailer hired costs ``cost`` SDy.
* An assessor's *veto* flags a derailer with probability ``detection`` and a
  non-derailer with probability ``false_alarm``; flagged candidates are
  removed before ranking, so the remaining pool is ranked and the top
  ``SR / q`` of it hired, where ``q`` is the unflagged share.

Three strategies are compared: *mechanical* (formula ranking, no veto),
*clinical* (holistic ranking with validity ``r_clinical`` and the veto) and
*hybrid* (formula ranking plus the clinical veto).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq
from scipy.stats import norm


def expected_value_per_hire(
    validity: ArrayLike,
    selection_ratio: ArrayLike,
    prevalence: ArrayLike,
    cost: ArrayLike,
    detection: ArrayLike = 0.0,
    false_alarm: ArrayLike = 0.0,
) -> np.ndarray:
    """Expected value per hire (SDy units) of a ranking plus an optional veto.

    Parameters
    ----------
    validity
        Validity of the ranking for ordinary performance.
    selection_ratio
        Hires per applicant, in (0, 1).
    prevalence
        Share of applicants who are derailers, in [0, 1).
    cost
        Cost of one derailer hire, in SDy (positive = loss).
    detection
        Probability that the veto flags a derailer.
    false_alarm
        Probability that the veto flags a non-derailer.

    Returns
    -------
    numpy.ndarray
        ``r * phi(z') / SR' - cost * share_of_derailers_among_hires`` with
        ``SR' = SR / q``; ``nan`` where the unflagged pool is too small to
        fill the posts (``SR' > 1``).
    """
    r, sr, p, c, d, f = np.broadcast_arrays(*(np.asarray(a, float) for a in
                                              (validity, selection_ratio, prevalence, cost,
                                               detection, false_alarm)))
    q = p * (1 - d) + (1 - p) * (1 - f)
    with np.errstate(divide="ignore", invalid="ignore"):
        sr_eff = sr / q
        ok = (sr_eff > 0) & (sr_eff <= 1)
        s = np.where(ok, sr_eff, 0.5)
        gain = r * norm.pdf(norm.isf(s)) / s
        share = p * (1 - d) / q
    return np.where(ok, gain - c * share, np.nan)


def strategy_values(
    r_mechanical: float,
    r_clinical: float,
    selection_ratio: ArrayLike,
    prevalence: ArrayLike,
    cost: ArrayLike,
    detection: ArrayLike,
    false_alarm: ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    """Expected value per hire of the mechanical, clinical and hybrid strategies."""
    return {
        "mechanical": expected_value_per_hire(r_mechanical, selection_ratio, prevalence, cost),
        "clinical": expected_value_per_hire(r_clinical, selection_ratio, prevalence, cost,
                                            detection, false_alarm),
        "hybrid": expected_value_per_hire(r_mechanical, selection_ratio, prevalence, cost,
                                          detection, false_alarm),
    }


def break_even_detection(
    r_mechanical: float,
    r_clinical: float,
    selection_ratio: float,
    prevalence: float,
    cost: float,
    false_alarm: float = 0.0,
    strategy: str = "clinical",
) -> float:
    """Smallest detection rate at which ``strategy`` matches the mechanical composite.

    Returns ``nan`` if even perfect detection is not enough, and 0 if the
    strategy already wins without detecting anyone.
    """
    if strategy not in ("clinical", "hybrid"):
        raise ValueError("strategy is 'clinical' or 'hybrid'")
    r = r_clinical if strategy == "clinical" else r_mechanical
    mech = float(expected_value_per_hire(r_mechanical, selection_ratio, prevalence, cost))

    def diff(d: float) -> float:
        return float(expected_value_per_hire(r, selection_ratio, prevalence, cost, d, false_alarm)) - mech

    lo, hi = diff(0.0), diff(1.0)
    if np.isnan(lo) or np.isnan(hi):
        return float("nan")
    if lo >= 0:
        return 0.0
    if hi < 0:
        return float("nan")
    return float(brentq(diff, 0.0, 1.0, xtol=1e-10))


def implied_cost_ratio(share_of_hires: float, share_of_costs: float) -> float:
    """Cost of one derailer relative to the mean cost of another hire.

    If a share ``h`` of hires causes a share ``s`` of all costs, each of them
    costs ``(s / (1 - s)) * ((1 - h) / h)`` times as much as the average
    other hire ("1% of hires, 50% of costs" gives 99).
    """
    if not (0 < share_of_hires < 1 and 0 <= share_of_costs < 1):
        raise ValueError("shares must lie in (0, 1)")
    return (share_of_costs / (1 - share_of_costs)) * ((1 - share_of_hires) / share_of_hires)


def min_cost_for_break_even(
    r_mechanical: float,
    r_clinical: float,
    selection_ratio: float,
    prevalence: float,
    false_alarm: float = 0.0,
    *,
    max_cost: float = 1e6,
    xtol: float = 1e-10,
) -> float:
    """Lowest derailer cost (SDy) at which clinical integration can match the formula at all.

    Clinical integration is best placed with perfect detection, so the answer
    is the cost at which its value with ``detection = 1`` equals the
    formula's: both are linear in the cost, and the root is found by Brent's
    method to ``xtol`` (not read off a grid). ``nan`` if no cost up to
    ``max_cost`` is enough, 0 if the clinical strategy already wins at no cost.
    """

    def diff(c: float) -> float:
        v = strategy_values(r_mechanical, r_clinical, selection_ratio, prevalence, c, 1.0, false_alarm)
        return float(v["clinical"] - v["mechanical"])

    lo, hi = diff(0.0), diff(max_cost)
    if np.isnan(lo) or np.isnan(hi):
        return float("nan")
    if lo >= 0:
        return 0.0
    if hi < 0:
        return float("nan")
    return float(brentq(diff, 0.0, max_cost, xtol=xtol))
