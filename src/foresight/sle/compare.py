"""Published versus reproduced: Table 1, the headline figures and Table 2.

Every comparison table has the columns ``id, quantity, published,
reproduced, difference, tolerance, verdict``; published values come from
``data/published/rappange2017sle.csv`` via :func:`foresight.data.published`.
A verdict is ``"agrees"`` when ``|difference| <= tolerance`` and
``"differs"`` otherwise; tolerances are stated per row, never tuned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.sle.models import ModelFit
from foresight.sle.survey import as_float

#: Headline figures and their tolerances (same units as the figure).
HEADLINE_TOLERANCE: dict[str, float] = {
    "mean_sle": 0.5, "sd_sle": 0.5, "mean_ssp_pe": 0.5, "sd_ssp_pe": 0.5,
    "mean_diff": 0.5, "sd_diff": 0.5, "corr": 0.05, "certainty": 1.5,
    "mean_ssp60": 2.0, "sd_ssp60": 2.0, "mean_ssp100": 2.0, "sd_ssp100": 2.0,
    "share_sle_tens": 3.0, "share_sle_fives": 3.0, "share_sle_80": 3.0,
    "share_ssp_tens": 3.0, "share_ssp_fives": 3.0, "share_ssp80_50": 3.0,
    "share_ssp90_50": 3.0,
}


def _table(ids, quantities, published, reproduced, tolerance) -> pd.DataFrame:
    out = pd.DataFrame({
        "id": list(ids), "quantity": list(quantities),
        "published": np.asarray(published, dtype=float),
        "reproduced": np.asarray(reproduced, dtype=float),
    })
    out["difference"] = out["reproduced"] - out["published"]
    out["tolerance"] = np.asarray(tolerance, dtype=float)
    out["verdict"] = np.where(out["difference"].abs() <= out["tolerance"] + 1e-9, "agrees", "differs")
    return out


def headline_comparison(headline: pd.Series, published: pd.DataFrame) -> pd.DataFrame:
    """Headline statistics (see :func:`foresight.sle.describe.headline`) against the paper."""
    keys = [k for k in HEADLINE_TOLERANCE if f"sle_{k}" in published.index]
    ids = [f"sle_{k}" for k in keys]
    return _table(ids, published.loc[ids, "quantity"], published.loc[ids, "value"],
                  [headline[k] for k in keys], [HEADLINE_TOLERANCE[k] for k in keys])


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
                      tolerance: float = 1.0) -> pd.DataFrame:
    """Table 1 against the paper; ``tolerance`` in percentage points (years for age)."""
    t = table1(sample)
    ids = list(t.index)
    q = published.loc[ids, "quantity"].str.replace(" (analysis sample n = 737)", "", regex=False)
    return _table(ids, q, published.loc[ids, "value"], t.to_numpy(), [tolerance] * len(ids))


def table2_comparison(fits: dict[int, ModelFit], published: pd.DataFrame,
                      n_se: float = 2.0) -> pd.DataFrame:
    """Coefficients of models 1-4 against Table 2, tolerance ``n_se`` published SEs.

    On real data from the same survey the tolerance would be rounding only;
    on a synthetic cohort the estimates differ by sampling noise, so the
    tolerance is expressed in the paper's standard errors.
    """
    rows = []
    for m, fit in sorted(fits.items()):
        t = fit.tidy()
        for _, r in t.iterrows():
            cid, sid = f"sle_t2_m{m}_{r['term']}_coef", f"sle_t2_m{m}_{r['term']}_se"
            rows.append((cid, f"model {m}: {r['label']}", published.loc[cid, "value"],
                         r["coef"], n_se * published.loc[sid, "value"]))
    ids, q, pub, rep, tol = zip(*rows)
    return _table(ids, q, pub, rep, tol)


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
        t = fit.tidy()
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
        t = fit.tidy()
        p = pub[pub["model"] == m]
        slope = t["term"] != "const"
        same = np.sign(t.loc[slope, "coef"].to_numpy()) == np.sign(p.loc[p["term"] != "const", "coef"].to_numpy())
        rows.append(dict(model=m, same_sign=int(same.sum()), slopes=int(slope.sum()),
                         r2_published=float(published.loc[f"sle_t2_m{m}_r2", "value"]),
                         r2_reproduced=float(fit.results.rsquared)))
    return pd.DataFrame(rows)
