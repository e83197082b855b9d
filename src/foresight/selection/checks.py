"""The chapter's checks of cited figures, through :func:`foresight.data.compare`.

* :func:`validity_drop_check` — the debate's "validity falls by 25%" against
  summaries of the meta-analytic validities: over every stored criterion, over
  the criteria the article's abstract names, over the work criteria (the
  debate is about personnel selection), and job performance alone (a
  reproduction: the debate cites the same meta-analysis).
* :func:`schmidt_hunter_check` — Schmidt & Hunter's (1998) multiple R of GMA
  with each other predictor against the two-predictor formula, with the
  correlation with GMA from ``data/selection/predictor_correlations.csv``:
  *calibrated* where that correlation was solved from the same R, a
  reproduction where it was not.
* :func:`taylor_russell_check` — published Taylor-Russell table entries against
  the bivariate-normal computation (a reproduction).
"""

from __future__ import annotations

import pandas as pd

from foresight.data import compare, published
from foresight.errors import DataError
from foresight.selection.combine import multiple_r
from foresight.selection.evidence import (
    drop_readings,
    kuncel2013,
    nearest_reading,
    predictor_correlations,
    schmidt_hunter1998,
    taylor_russell_table,
)
from foresight.selection.utility import taylor_russell

__all__ = ["gma_correlations", "schmidt_hunter_check", "taylor_russell_check", "validity_drop_check"]

GMA = "general mental ability"


#: The two summary readings of the debate's figure, by row stem.
DROP_READINGS: dict[str, str] = {
    "mean": "mean of criteria",
    "ratio": "ratio of mean validities",
}
#: The criterion the debate's context points to most directly.
JOB_PERFORMANCE = "job performance"


def criteria_sets(kuncel: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, str]]:
    """The sets of criteria the debate's figure is read over: key -> (rows, words)."""
    from foresight.selection.evidence import confirmed_criteria

    work = kuncel[kuncel["setting"].astype(str) == "work"].reset_index(drop=True)
    confirmed = confirmed_criteria(kuncel)
    return {
        "all": (kuncel, f"all {len(kuncel)} criteria"),
        "confirmed": (confirmed, f"the {len(confirmed)} criteria the abstract names"),
        "work": (work, f"the {len(work)} work criteria ({', '.join(work['criterion'].astype(str))})"),
    }


def validity_drop_check(kuncel: pd.DataFrame | None = None) -> pd.DataFrame:
    """The debate's drop in validity against the meta-analysis, read seven ways.

    The debate gives one figure; the meta-analysis gives a pair of validities
    per criterion. Two summaries of the relative loss (``1 - holistic /
    mechanical``) are compared with it, the unweighted mean of the criteria's
    losses and the loss computed from the mean validities, over three sets of
    criteria (:func:`criteria_sets`): every stored criterion, the criteria the
    article's abstract names (the others come only from a secondary
    transcription), and the work criteria, which fit a debate about personnel
    selection; and the loss for job performance alone.

    Returns
    -------
    pandas.DataFrame
        Seven rows (``drop_<mean|ratio>_<all|confirmed|work>`` and
        ``drop_job_performance``, per cent) against ``debate_validity_drop``,
        in the comparison layout.
    """
    from foresight.selection.evidence import readings_of_drop

    table = kuncel2013() if kuncel is None else kuncel
    pub = published("psykologtidningen2014debate")
    rep, labels, ids = {}, {}, {}
    for key, (rows, words) in criteria_sets(table).items():
        wide = readings_of_drop(rows).set_index("criterion")
        for stem, reading in DROP_READINGS.items():
            rid = f"drop_{stem}_{key}"
            rep[rid] = 100.0 * float(wide.loc[reading, "relative_loss"])
            labels[rid] = f"validity drop, per cent: {reading}, {words}"
            ids[rid] = "debate_validity_drop"
    wide = readings_of_drop(table).set_index("criterion")
    rep["drop_job_performance"] = 100.0 * float(wide.loc[JOB_PERFORMANCE, "relative_loss"])
    labels["drop_job_performance"] = f"validity drop, per cent: {JOB_PERFORMANCE} alone"
    ids["drop_job_performance"] = "debate_validity_drop"
    return compare(pub, rep, figure_ids=ids, labels=labels)


def gma_correlations(correlations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each predictor's correlation with GMA and its basis, indexed by predictor."""
    corr = predictor_correlations() if correlations is None else correlations
    a, b = corr["predictor_a"].astype(str), corr["predictor_b"].astype(str)
    pick = (a == GMA) | (b == GMA)
    other = b.where(a == GMA, a)[pick]
    return pd.DataFrame({"r": corr.loc[pick, "r"].to_numpy(float),
                         "basis": corr.loc[pick, "basis"].astype(str).to_numpy()},
                        index=pd.Index(other.to_numpy(), name="predictor"))


def schmidt_hunter_check(correlations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published multiple R of GMA plus each predictor against the two-predictor formula.

    Parameters
    ----------
    correlations
        Predictor intercorrelations (default :func:`predictor_correlations`);
        every predictor with a published multiple R needs its correlation
        with GMA.

    Returns
    -------
    pandas.DataFrame
        The comparison table, one row per predictor (ids are predictor names).
        A correlation marked ``solved`` was solved from the published R, so
        that row is a calibration check.
    """
    sh = schmidt_hunter1998().set_index("predictor")
    corr = gma_correlations(correlations)
    rows = sh.dropna(subset=["multiple_r_with_gma"])
    missing = [n for n in rows.index if n not in corr.index]
    if missing:
        raise DataError(f"no correlation between {GMA!r} and {missing[0]!r}",
                        file="data/selection/predictor_correlations.csv", column="r",
                        expected="the correlation with GMA of every predictor with a published R")
    g = float(sh.loc[GMA, "validity"])
    rep = {n: multiple_r([g, float(sh.loc[n, "validity"])],
                         [[1.0, corr.loc[n, "r"]], [corr.loc[n, "r"], 1.0]]) for n in rows.index}
    figures = pd.DataFrame({
        "quantity": [f"R, GMA + {n} (r with GMA = {corr.loc[n, 'r']:.2f}, {corr.loc[n, 'basis']})"
                     for n in rows.index],
        "value": rows["multiple_r_with_gma"].to_numpy(float),
        "decimals": rows["decimals"].to_numpy(),
        "qualifier": rows["qualifier"].astype(str).to_numpy(),
        "source": "Schmidt & Hunter (1998)",
        "section": "Table 1",
        "file": "data/selection/schmidt_hunter_1998.csv",
    }, index=rows.index)
    basis = {n: ("calibrated" if corr.loc[n, "basis"] == "solved" else "reproduction")
             for n in rows.index}
    return compare(figures, rep, basis=basis)


def taylor_russell_check() -> pd.DataFrame:
    """Published Taylor-Russell entries against the bivariate-normal computation."""
    t = taylor_russell_table()
    ids = [f"BR {b:.2f}, SR {s:.2f}, r {r:.2f}"
           for b, s, r in zip(t["base_rate"], t["selection_ratio"], t["validity"])]
    figures = pd.DataFrame({
        "quantity": [f"success ratio, {i}" for i in ids],
        "value": t["success_ratio"].to_numpy(float),
        "decimals": t["decimals"].to_numpy(),
        "qualifier": t["qualifier"].astype(str).to_numpy(),
        "source": "Taylor & Russell (1939)",
        "section": [f"table for a base rate of {b:.2f}" for b in t["base_rate"]],
        "file": "data/selection/taylor_russell_1939.csv",
    }, index=ids)
    rep = taylor_russell(t["validity"].to_numpy(float), t["selection_ratio"].to_numpy(float),
                         t["base_rate"].to_numpy(float))
    return compare(figures, pd.Series(rep, index=ids, dtype=float))
