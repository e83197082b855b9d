"""Published versus reproduced: the exclusion flow, Table 1, the headline figures and Table 2.

Every comparison goes through :func:`foresight.data.compare` (one column set,
one vocabulary); published values and any explicit tolerance, with its reason,
come from ``data/published/rappange2017sle.csv``. Each function takes a
``basis``: ``"reproduction"`` for a real survey of the paper's kind, or a
mapping from figure id to basis for data that were built to match some figures
(see :func:`foresight.sle.synthetic.calibration_basis`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from foresight.data import compare
from foresight.sle.cascade import RULES
from foresight.sle.describe import HEADLINE_FIGURES
from foresight.sle.models import ModelFit
from foresight.sle.survey import as_float

Basis = str | Mapping[str, str]


def _basis(basis: Basis, ids) -> Basis:
    return basis if isinstance(basis, str) else {i: basis[i] for i in ids}


def flow_figures(flow: pd.DataFrame) -> pd.Series:
    """The exclusion flow as the paper reports it, keyed by the published ids.

    The initial sample, each rule's count in the paper's order (the age rule
    as the number remaining after it, as the paper states it, with the number
    remaining after the completion-time rule before it), the analysis sample,
    and the two shares of the initial sample the paper prints. The
    compendium's missing-answer step has no published count and is not here.

    Parameters
    ----------
    flow
        The flow table of :func:`foresight.sle.apply_cascade` (``.flow``).
    """
    flow = flow.set_index("rule")
    last = float(flow.loc[RULES[-1], "remaining"])
    n0 = float(flow.loc["initial", "remaining"])
    return pd.Series({
        "sle_initial_sample": n0,
        "sle_excl_speeders": float(flow.loc["speeder", "excluded"]),
        "sle_excl_speeders_pct": 100.0 * flow.loc["speeder", "excluded"] / n0,
        "sle_after_speeders": float(flow.loc["speeder", "remaining"]),
        "sle_after_age": float(flow.loc["age", "remaining"]),
        "sle_excl_sle_below_age": float(flow.loc["sle_below_age", "excluded"]),
        "sle_excl_sle_outside": float(flow.loc["sle_outside", "excluded"]),
        "sle_excl_identical": float(flow.loc["identical", "excluded"]),
        "sle_excl_increasing": float(flow.loc["increasing", "excluded"]),
        "sle_excl_no_crossing": float(flow.loc["no_crossing", "excluded"]),
        "sle_analysis_sample": last,
        "sle_analysis_sample_pct": 100.0 * last / n0,
    })


def flow_comparison(flow: pd.DataFrame, published: pd.DataFrame,
                    basis: Basis = "reproduction") -> pd.DataFrame:
    """The exclusion flow against the paper's counts (see :func:`flow_figures`)."""
    rep = flow_figures(flow)
    return compare(published, rep, basis=_basis(basis, rep.index))


def headline_comparison(headline: pd.Series, published: pd.DataFrame,
                        basis: Basis = "reproduction") -> pd.DataFrame:
    """Headline statistics (see :func:`foresight.sle.describe.headline`) against the paper."""
    rep = pd.Series({f"sle_{k}": float(headline[k]) for k in HEADLINE_FIGURES})
    return compare(published, rep, basis=_basis(basis, rep.index))


def table1(sample: pd.DataFrame) -> pd.Series:
    """Table 1 of the paper for an analysis sample, keyed by the published ids.

    Shares are percentages of respondents with a non-missing value; age mean
    and SD (ddof=1) in years.
    """
    age = as_float(sample["age"])

    def share(col, value) -> float:
        s = sample[col].astype(object)
        ok = s.notna().to_numpy()
        return 100.0 * float(np.mean((s[ok] == value).to_numpy())) if ok.any() else np.nan

    return pd.Series({
        "sle_t1_age_mean": np.nanmean(age), "sle_t1_age_sd": np.nanstd(age, ddof=1),
        "sle_t1_age_20_35": 100.0 * float(np.mean(age[~np.isnan(age)] <= 35)),
        "sle_t1_age_36_59": 100.0 * float(np.mean(age[~np.isnan(age)] > 35)),
        "sle_t1_male": share("sex", "male"),
        "sle_t1_marital_alone": share("marital", "alone"),
        "sle_t1_marital_together": share("marital", "together"),
        "sle_t1_educ_low": share("education", "low"),
        "sle_t1_educ_middle": share("education", "middle"),
        "sle_t1_educ_high": share("education", "high"),
        "sle_t1_income_low": share("income", "low"),
        "sle_t1_income_middle": share("income", "middle"),
        "sle_t1_income_high": share("income", "high"),
        "sle_t1_employed": share("employed", True),
        "sle_t1_severe": share("severe_disorder", True),
        "sle_t1_chronic": share("chronic_disease", True),
        "sle_t1_smoke_never": share("smoking", "never"),
        "sle_t1_smoke_occasionally": share("smoking", "occasionally"),
        "sle_t1_smoke_daily": share("smoking", "daily"),
        "sle_t1_kin_lt75": share("kin_age_at_death", "<75"),
        "sle_t1_kin_75_85": share("kin_age_at_death", "75-85"),
        "sle_t1_kin_ge85": share("kin_age_at_death", ">=85"),
    })


def table1_comparison(sample: pd.DataFrame, published: pd.DataFrame,
                      basis: Basis = "reproduction") -> pd.DataFrame:
    """Table 1 against the paper (shares in %, age in years)."""
    t = table1(sample)
    labels = published.loc[t.index, "quantity"].str.replace(" (analysis sample n = 737)", "",
                                                           regex=False)
    return compare(published, t, basis=_basis(basis, t.index), labels=labels.to_dict())


def table2_figures(fits: dict[int, ModelFit]) -> pd.Series:
    """The coefficients of models 1-4, keyed by the ids of Table 2's coefficients."""
    return pd.Series({f"sle_t2_m{m}_{r['term']}_coef": float(r["coef"])
                      for m, fit in sorted(fits.items()) for _, r in fit.to_frame().iterrows()})


def table2_comparison(fits: dict[int, ModelFit], published: pd.DataFrame,
                      basis: Basis = "reproduction") -> pd.DataFrame:
    """Coefficients of models 1-4 against Table 2.

    The tolerance of each coefficient is the one stated in the data (two
    published standard errors, for estimates on a synthetic draw), or else
    the rounding of the printed coefficient.
    """
    rep = table2_figures(fits)
    labels = {i: f"model {i[len('sle_t2_m')]}: {published.loc[i, 'quantity'].split('coefficient, ')[-1]}"
              for i in rep.index}
    return compare(published, rep, basis=_basis(basis, rep.index), labels=labels)


def _cell(coef: float, star: str, se: float) -> str:
    return f"{coef:.2f}{star} ({se:.3f})".replace("-", "\u2212")


def published_table2_long(published: pd.DataFrame) -> pd.DataFrame:
    """Table 2 as published, long form: ``model, term, label, coef, se, stars``."""
    from foresight.sle.models import OUTCOMES, TERMS

    rows = []
    for m in OUTCOMES:
        for term, label in TERMS.items():
            c = published.loc[f"sle_t2_m{m}_{term}_coef"]
            note = "" if pd.isna(c["note"]) else str(c["note"])
            star = note.removeprefix("stars ") if note.startswith("stars ") else ""
            rows.append(dict(model=m, term=term, label=label, coef=float(c["value"]),
                             se=float(published.loc[f"sle_t2_m{m}_{term}_se", "value"]), stars=star))
    return pd.DataFrame(rows)


def published_star_check(published: pd.DataFrame, distribution: str = "t") -> pd.DataFrame:
    """Table 2's printed significance stars against its printed coefficients and SEs.

    Each p-value is recomputed from the printed coefficient and robust SE with
    the t distribution on ``n - k`` degrees of freedom (``n`` the published
    observations of model 1, ``k`` the twelve terms), as Stata does with
    robust standard errors, or with the standard normal distribution
    (``distribution="normal"``); the stars follow Table 2's thresholds.

    Returns
    -------
    pandas.DataFrame
        :func:`published_table2_long` with ``p`` and ``stars_recomputed``;
        ``attrs["df"]`` holds the degrees of freedom.
    """
    from scipy import stats

    from foresight.sle.models import TERMS, stars

    t = published_table2_long(published)
    df = float(published.loc["sle_t2_m1_n", "value"]) - len(TERMS)
    z = (t["coef"] / t["se"]).abs().to_numpy()
    if distribution == "t":
        t["p"] = 2 * stats.t.sf(z, df=df)
    elif distribution == "normal":
        t["p"] = 2 * stats.norm.sf(z)
    else:
        raise ValueError("distribution is 't' or 'normal'")
    t["stars_recomputed"] = stars(t["p"].to_numpy())
    t.attrs["df"] = df
    return t


def table2_side_by_side(fits: dict[int, ModelFit], published: pd.DataFrame,
                        reproduced_label: str = "synthetic") -> pd.DataFrame:
    """Table 2, published next to reproduced, one row per regressor plus N, R², adj. R².

    Cells read ``coefficient[stars] (robust SE)``; columns are
    ``Variables`` then ``model m, published`` / ``model m, <reproduced_label>``.
    """
    from foresight.sle.models import TERMS

    pub = published_table2_long(published)
    out = pd.DataFrame({"Variables": [*TERMS.values(), "Observations", "R\u00b2", "Adj. R\u00b2"]})
    for m, fit in sorted(fits.items()):
        p = pub[pub["model"] == m]
        t = fit.to_frame()
        r = fit.results
        val = published["value"]
        out[f"model {m}, published"] = [
            *[_cell(c, s, e) for c, s, e in zip(p["coef"], p["stars"], p["se"])],
            f"{val[f'sle_t2_m{m}_n']:.0f}", f"{val[f'sle_t2_m{m}_r2']:.2f}", f"{val[f'sle_t2_m{m}_adjr2']:.2f}"]
        out[f"model {m}, {reproduced_label}"] = [
            *[_cell(c, s, e) for c, s, e in zip(t["coef"], t["stars"], t["se"])],
            f"{int(r.nobs)}", f"{r.rsquared:.2f}", f"{r.rsquared_adj:.2f}"]
    return out


def sign_agreement(fits: dict[int, ModelFit], published: pd.DataFrame) -> pd.DataFrame:
    """Per model: how many of the 11 slopes have the published sign, and R² both ways."""
    pub = published_table2_long(published)
    rows = []
    for m, fit in sorted(fits.items()):
        t = fit.to_frame()
        p = pub[pub["model"] == m]
        slope = t["term"] != "const"
        same = np.sign(t.loc[slope, "coef"].to_numpy()) == np.sign(p.loc[p["term"] != "const", "coef"].to_numpy())
        rows.append(dict(model=m, same_sign=int(same.sum()), slopes=int(slope.sum()),
                         r2_published=float(published.loc[f"sle_t2_m{m}_r2", "value"]),
                         r2_reproduced=float(fit.results.rsquared)))
    return pd.DataFrame(rows)
