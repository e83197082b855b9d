"""Results drawn from every chapter, side by side: judgement set against a reference.

Each source document is a case of human judgement meeting a formula or a
benchmark. :func:`judgement_table` collects, for each case, the judgement, the
reference it is set against, and their ratio, by calling the same package
functions the chapters call (nothing is copied from a chapter or typed in).
Published figures come from ``data/published/``; computed ones from the domain
packages; the ``data`` column says which, and whether data are synthetic.

Ratios are judgement / reference, so 1 means agreement; where the judgement is
known only as an interval (the career study's "most stay"), or carries a
confidence interval, ``ratio_low`` and ``ratio_high`` bound it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.data import published_value

COLUMNS = [
    "chapter",
    "case",
    "judgement",
    "judgement_value",
    "reference",
    "reference_value",
    "unit",
    "ratio",
    "ratio_low",
    "ratio_high",
    "data",
]


_ATTRS: dict = {}


def _mortality_rows(report=None) -> list[dict]:
    from foresight.mortality import report as mortality_report

    r = mortality_report.build() if report is None else report
    target = published_value("ons_target_improvement_2039")
    past = r.ew_figures  # HMD England and Wales, 1913-2013: the window ONS name
    rows = []
    for sex in ("female", "male"):
        rows.append(
            dict(
                chapter="mortality",
                case=f"improvement target, {sex}s",
                judgement="ONS expert-informed target for 2039",
                judgement_value=target,
                reference=f"observed improvement, England and Wales 1913-2013, age-standardised ({sex}s)",
                reference_value=float(past[f"ons_improvement_last_100y_{sex}"]),
                unit="% a year",
                data="published target; real data (HMD England and Wales)",
            )
        )
    # How far the judgement moves the projection, against the data's own uncertainty:
    # the spread of period e0 in 2039 over long-term targets of 0% to 2.5%, and over
    # initial improvement rates moved by two standard errors of the P-spline fit.
    sens = r.sensitivity.reset_index()
    unc = r.uncertainty
    _ATTRS["mortality_target_range_pct"] = (100 * float(sens["target"].min()), 100 * float(sens["target"].max()))
    for sex in ("female", "male"):
        judged = float(sens[f"e0_{sex}"].max() - sens[f"e0_{sex}"].min())
        data = float(unc[(sex, "high")] - unc[(sex, "low")])
        rows.append(
            dict(
                chapter="mortality",
                case=f"spread of e0 in 2039, {sex}s",
                judgement=f"long-term target varied from {sens['target'].min():.1%} to {sens['target'].max():.1%}",
                judgement_value=judged,
                reference="initial improvement rates varied by two standard errors",
                reference_value=data,
                unit="years",
                data="real data (HMD UK v2025, 1961-2013)",
            )
        )
    # Does judgement pay? The tournament (13 HMD populations, origins 1980-2015, no hindsight):
    # mean absolute error in e0 six to ten years ahead of the expert-target method (its target
    # from a rule that uses only the data to each origin) against the best of its four rivals.
    from foresight.mortality import backtest, tournament

    t = tournament.results()
    bands = backtest.band_summary(t.main, methods=list(tournament.MAIN_METHODS)).set_index(["method", "band"])
    mid = bands.xs("6-10", level="band")["mae_e0"]
    rivals = mid.drop([tournament.RULE_METHOD, tournament.HINDSIGHT_METHOD])
    rows.append(
        dict(
            chapter="mortality",
            case="tournament error, 6-10 years ahead",
            judgement="ONS-style method, target from the past century (mean absolute error in e0)",
            judgement_value=float(mid[tournament.RULE_METHOD]),
            reference=f"best extrapolation without a target ({rivals.idxmin()})",
            reference_value=float(rivals.min()),
            unit="years",
            data=f"real data (HMD, {len(tournament.POPULATIONS)} populations)",
        )
    )
    return rows


def _sle_rows() -> list[dict]:
    import foresight.sle as sle
    from foresight.data import published
    from foresight.sle import benchmark
    from foresight.sle.report import CENTRAL

    rows = [
        dict(
            chapter="sle",
            case="two formats of one belief",
            judgement="direct point estimate (mean SLE)",
            judgement_value=published_value("sle_mean_sle"),
            reference="age where stated survival chances cross 50% (mean)",
            reference_value=published_value("sle_mean_ssp_pe"),
            unit="years",
            data="published (Rappange et al.)",
        )
    ]
    # Actuarial chances for people of the analysis sample's ages and sexes: the
    # sample is the synthetic cohort calibrated to Table 1 (the real one is not public).
    # The chapter's central benchmark: observed Dutch mortality (HMD) to the year before the
    # survey, improvement by age group from the trend of the standardised rates, the same for
    # both sexes, carried along each respondent's remaining life (cohort basis; see
    # foresight.sle.dutch and foresight.sle.benchmark). The range is over the chapter's trend
    # windows, the assumption the comparison turns on.
    # (the same call as the chapter: the cohort of the paper's size and default seed)
    from foresight.sle.report import WINDOWS

    result = sle.analyse(sle.synthetic_cohort())
    vs = benchmark.published_comparison(result.sample, published("rappange2017sle"), CENTRAL)
    windows = [benchmark.sample_means(result.sample, CENTRAL.with_(window=w)) for w in WINDOWS]
    for measure, target in (("survival_60", 60), ("survival_100", 100)):
        stated = float(vs.loc[measure, "subjective (published)"])
        across = [m[measure] for m in windows]
        rows.append(
            dict(
                chapter="sle",
                case=f"chance of living to {target}",
                judgement="stated survival chance (published mean)",
                judgement_value=stated,
                reference=(f"actuarial benchmark from observed Dutch mortality, improvement by age "
                           f"group from the {CENTRAL.window}-year trend (both sexes alike), along each "
                           f"respondent's life (synthetic sample's ages and sexes; range: trend "
                           f"windows of {min(WINDOWS)}-{max(WINDOWS)} years)"),
                reference_value=float(vs.loc[measure, "actuarial (cohort)"]),
                unit="%",
                ratio_low=stated / max(across),
                ratio_high=stated / min(across),
                data="published answers; real mortality data (HMD Netherlands); synthetic age-sex mix",
            )
        )
    return rows


def _careers_rows() -> list[dict]:
    import foresight.careers as careers

    study = careers.load_study()
    overall = careers.overall_stay(study)
    survey = published_value("careers_survey_half") / 100.0
    low, high = overall["share_low"], overall["share_high"]
    return [
        dict(
            chapter="careers",
            case="intending to stay in clinical academia",
            judgement="interviewees' stated post-PhD intention (share)",
            judgement_value=(low + high) / 2,
            reference="companion survey of PhD students (about half)",
            reference_value=survey,
            unit="share",
            ratio_low=overall["ci_low"] / survey,
            ratio_high=overall["ci_high"] / survey,
            data="structured from the published paper",
        )
    ]


def _selection_rows() -> list[dict]:
    from foresight.selection import evidence

    table = evidence.kuncel2013()
    rows = []
    for _, r in table.iterrows():
        rows.append(
            dict(
                chapter="selection",
                case=f"validity, {r['criterion']}",
                judgement="holistic (clinical) combination",
                judgement_value=float(r["holistic"]),
                reference="mechanical combination of the same data",
                reference_value=float(r["mechanical"]),
                unit="validity (r)",
                data="published meta-analysis (secondary transcription)",
            )
        )
    return rows


def judgement_table(mortality=None) -> pd.DataFrame:
    """One row per case: judgement, reference, ratio and bounds, data provenance.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, ordered by chapter as in the book. ``attrs``
        carries ``mortality_target_range_pct``: the lowest and highest
        long-term targets (% a year) of the mortality sensitivity rows.
        ``mortality``: the mortality chapter's report, if already built.
    """
    _ATTRS.clear()
    rows = [*_mortality_rows(mortality), *_sle_rows(), *_careers_rows(), *_selection_rows()]
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame.attrs.update(_ATTRS)
    frame["ratio"] = frame["judgement_value"] / frame["reference_value"]
    frame["ratio_low"] = frame["ratio_low"].fillna(frame["ratio"])
    frame["ratio_high"] = frame["ratio_high"].fillna(frame["ratio"])
    return frame.reset_index(drop=True)


def chapter_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per chapter: number of cases, smallest and largest ratio, and how far from 1.

    ``max_departure`` is the largest ``|log(ratio)|`` expressed as a percentage
    difference (``exp(|log r|) - 1``), so a ratio of 0.8 and one of 1.25 count
    the same.
    """
    t = table.assign(logdev=np.abs(np.log(table["ratio"])))
    out = t.groupby("chapter", sort=False).agg(
        cases=("case", "size"),
        ratio_min=("ratio", "min"),
        ratio_max=("ratio", "max"),
        logdev=("logdev", "max"),
    )
    out["max_departure_pct"] = (np.exp(out.pop("logdev")) - 1) * 100
    return out


def plot_ratios(table: pd.DataFrame):
    """Dot plot of judgement / reference for every case, log scale, 1 = agreement.

    Cases with an interval (bounds differing from the point) get a bar.
    """
    from foresight import plotting

    fig, ax = plotting.figure(height=0.42 * len(table) + 1.2)
    chapters = list(dict.fromkeys(table["chapter"]))
    colours = dict(zip(chapters, plotting.colours(len(chapters))))
    y = np.arange(len(table))[::-1]
    for yi, (_, r) in zip(y, table.iterrows()):
        c = colours[r["chapter"]]
        if r["ratio_high"] > r["ratio_low"]:
            ax.plot([r["ratio_low"], r["ratio_high"]], [yi, yi], color=c, lw=2.5, alpha=0.45)
        ax.plot(r["ratio"], yi, "o", color=c, ms=7)
    ax.axvline(1.0, color="#444444", lw=1, ls="--")
    ax.set_xscale("log")
    lo = min(table["ratio_low"].min(), 1.0) / 1.15
    hi = max(table["ratio_high"].max(), 1.0) * 1.15
    ax.set_xlim(lo, hi)
    ticks = [t for t in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0) if lo <= t <= hi]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, [f"{r['chapter']}: {r['case']}" for _, r in table.iterrows()])
    ax.set_xlabel("judgement ÷ reference (log scale; 1 = agreement)")
    ax.set_title("Where judgement sits relative to its reference, in four documents")
    ax.grid(axis="y", visible=False)
    return fig
