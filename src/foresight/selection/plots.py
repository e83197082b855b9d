"""Figures of the selection chapter, all drawn in the house style (foresight.plotting)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from scipy.stats import norm

from foresight.plotting import DIVERGING_CMAP, PALETTE, figure
from foresight.selection.debate import Debate
from foresight.selection.stanine import Z_EDGES, stanine_z_interval
from foresight.selection.utility import bcg_gain_per_hire, taylor_russell

SIDE_COLOURS = {"clinical": PALETTE[1], "mechanical": PALETTE[0]}
RELATION_STYLES = {
    "supports": dict(color=PALETTE[2], linestyle="-"),
    "concedes": dict(color=PALETTE[3], linestyle="-"),
    "attacks": dict(color=PALETTE[7], linestyle="--"),
    "rebuts": dict(color=PALETTE[4], linestyle="-."),
}


def timeline_figure(debate: Debate):
    """The five contributions on a time axis, clinical above and mechanical below."""
    frame = debate.contributions_frame()
    fig, ax = figure(height=4.2)
    ypos = {"clinical": 1.0, "mechanical": -1.0}
    pos = {}
    count = {"clinical": 0, "mechanical": 0}
    for i, row in frame.iterrows():
        y = ypos[row["side"]]
        x = row["date"]
        pos[row["id"]] = (x, y)
        ax.scatter([x], [y], s=70, color=SIDE_COLOURS[row["side"]], zorder=3)
        label = f"{row['date']:%d %b %Y}\n" + "\n".join(textwrap.wrap(row["title_en"], 24))
        off = 14 + 46 * (count[row["side"]] % 2)  # stagger neighbours on the same side
        count[row["side"]] += 1
        ax.annotate(label, (x, y), xytext=(0, off if y > 0 else -off), textcoords="offset points",
                    ha="center", va="bottom" if y > 0 else "top", fontsize=8,
                    arrowprops=dict(arrowstyle="-", color="#bbbbbb", lw=0.6))
    for _, row in frame.iterrows():
        if isinstance(row["replies_to"], str):
            x0, y0 = pos[row["replies_to"]]
            x1, y1 = pos[row["id"]]
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops=dict(arrowstyle="->", color="#777777", lw=1.0,
                                        connectionstyle="arc3,rad=0.15"))
    ax.axhline(0, color="#bbbbbb", lw=0.8)
    ax.set_ylim(-4.2, 4.2)
    ax.set_yticks([1, -1], ["Holm & Sahlberg\n(clinical)", "Sjöberg, Åkerlund &\nHenrysson Eidvall\n(mechanical)"])
    ax.grid(False)
    ax.set_title("The debate in Psykologtidningen, 2013-2014")
    lo, hi = frame["date"].min(), frame["date"].max()
    pad = (hi - lo) * 0.12
    ax.set_xlim(lo - pad, hi + pad)
    return fig


def _short(claim_id: str) -> str:
    return claim_id.split("-", 1)[1] if "-" in claim_id else claim_id


def argument_map_figure(debate: Debate):
    """Claims as nodes (one column per contribution), relations as typed edges."""
    contribs = debate.contributions_frame()
    claims = debate.claims_frame()
    col = {cid: i for i, cid in enumerate(contribs["id"])}
    pos: dict[str, tuple[float, float]] = {}
    for cid, grp in claims.groupby("contribution", sort=False):
        for j, cl in enumerate(grp["id"]):
            pos[cl] = (col[cid] * 2.0, -j * 1.0)
    n_max = claims.groupby("contribution").size().max()
    fig, ax = figure(height=0.55 * n_max + 2.6)
    for r in debate.relations:
        (x0, y0), (x1, y1) = pos[r["source"]], pos[r["target"]]
        same_col = x0 == x1
        style = RELATION_STYLES[r["type"]]
        arrow = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=9,
                                connectionstyle=f"arc3,rad={0.6 if same_col else 0.12}",
                                lw=1.0, alpha=0.85, shrinkA=6, shrinkB=6, **style)
        ax.add_patch(arrow)
    for row in claims.itertuples(index=False):
        x, y = pos[row.id]
        ax.scatter([x], [y], s=45, color=SIDE_COLOURS[row.side], zorder=3,
                   marker="s" if row.kind == "concession" else "o", edgecolor="white", lw=0.5)
        # the claim in words, on a white box drawn over the arrows (no arrow runs through text)
        ax.text(x + 0.14, y + 0.16, _short(row.id).replace("-", " "), fontsize=8.5, ha="left",
                va="bottom", zorder=4,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.9})
    ax.set_xticks([col[c] * 2.0 for c in contribs["id"]],
                  [f"{d:%d %b %Y}\n{'Holm & Sahlberg' if s == 'clinical' else 'Sjöberg et al.'}"
                   for d, s in zip(contribs["date"], contribs["side"])], fontsize=8.5)
    ax.set_yticks([])
    ax.grid(False)
    for sp in ("left", "bottom"):
        ax.spines[sp].set_visible(False)
    ax.set_xlim(-0.6, 2.0 * (len(contribs) - 1) + 1.8)
    ax.set_ylim(-(n_max - 1) - 0.8, 0.9)
    handles = [Line2D([0], [0], lw=1.4, label=t, **s) for t, s in RELATION_STYLES.items()]
    handles += [Line2D([0], [0], marker="o", lw=0, color=c, label=f"{k} side") for k, c in SIDE_COLOURS.items()]
    handles += [Line2D([0], [0], marker="s", lw=0, color="#666666", label="concession")]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8.5)
    return fig


def validity_intervals_figure(summaries: dict[str, pd.DataFrame]):
    """Mean validity and Monte Carlo interval per method, one marker per judge scenario."""
    fig, ax = figure(height=3.4)
    names = list(next(iter(summaries.values())).index)
    y = np.arange(len(names))[::-1]
    k = len(summaries)
    for i, (label, s) in enumerate(summaries.items()):
        off = (i - (k - 1) / 2) * 0.22
        s = s.loc[names]
        ax.errorbar(s["mean"], y + off, xerr=[s["mean"] - s["lower"], s["upper"] - s["mean"]],
                    fmt="o", color=PALETTE[i], capsize=3, ms=5, label=label)
    ax.set_yticks(y, names)
    ax.set_xlabel("validity (correlation with the criterion), synthetic samples")
    ax.set_title("Mechanical vs clinical combination of the same data (synthetic)")
    ax.legend(loc="upper left")
    return fig


def insight_figure(curve: pd.DataFrame, break_even: float):
    """Judge, model of the judge and formula validity against the judge's insight."""
    fig, ax = figure(height=3.6)
    ax.plot(curve["insight"], curve["formula"], color=PALETTE[0], label="formula (regression weights)")
    ax.plot(curve["insight"], curve["unit_weights"], color=PALETTE[0], ls=":", label="formula (unit weights)")
    ax.plot(curve["insight"], curve["model_of_judge"], color=PALETTE[2], ls="--", label="model of the judge")
    ax.plot(curve["insight"], curve["judge"], color=PALETTE[1], label="clinical judge")
    if np.isfinite(break_even):
        ax.axvline(break_even, color="#777777", lw=0.9)
        ax.annotate("judge = formula", (break_even, curve["judge"].min()), xytext=(4, 0),
                    textcoords="offset points", fontsize=8, color="#555555")
    ax.set_xlabel("judge's insight: weight on what the formula cannot see")
    ax.set_ylabel("validity")
    ax.set_title("How much insight would the clinician need? (synthetic)")
    ax.legend(loc="upper left")
    return fig


def utility_figure(r_mechanical: float, r_clinical: float, base_rates=(0.3, 0.5, 0.7)):
    """Taylor-Russell success ratios and BCG gain per hire across selection ratios."""
    fig, (a, b) = figure(1, 2, height=3.6)
    sr = np.linspace(0.02, 0.98, 97)
    for i, br in enumerate(base_rates):
        a.plot(sr, taylor_russell(r_mechanical, sr, br), color=PALETTE[i], label=f"base rate {br:.1f}")
        a.plot(sr, taylor_russell(r_clinical, sr, br), color=PALETTE[i], ls="--")
        a.axhline(br, color=PALETTE[i], lw=0.6, alpha=0.5)
    a.set_xlabel("selection ratio")
    a.set_ylabel("success ratio among those hired")
    a.set_title("Taylor-Russell")
    handles = a.get_legend_handles_labels()[0]
    handles += [Line2D([0], [0], color="#444444", label=f"mechanical r = {r_mechanical:.2f}"),
                Line2D([0], [0], color="#444444", ls="--", label=f"holistic r = {r_clinical:.2f}")]
    a.legend(handles=handles, fontsize=8)
    b.plot(sr, bcg_gain_per_hire(r_mechanical, sr), color=PALETTE[0], label="mechanical")
    b.plot(sr, bcg_gain_per_hire(r_clinical, sr), color=PALETTE[1], ls="--", label="holistic")
    b.fill_between(sr, bcg_gain_per_hire(r_clinical, sr), bcg_gain_per_hire(r_mechanical, sr),
                   color=PALETTE[0], alpha=0.12, label="gain forgone")
    b.set_xlabel("selection ratio")
    b.set_ylabel("gain per hire (SD of performance value)")
    b.set_title("Brogden-Cronbach-Gleser")
    b.legend()
    return fig


def stanine_figure(norm_shift: float, sd_ratio: float):
    """General-population and graduate norm distributions with their stanine-5 bands."""
    fig, ax = figure(height=3.6)
    z = np.linspace(-3.5, 4.0, 600)
    pop = norm.pdf(z)
    grad = norm.pdf(z, loc=norm_shift, scale=sd_ratio)
    ax.plot(z, pop, color=PALETTE[0], label="general population")
    ax.plot(z, grad, color=PALETTE[1], label=f"graduate norm group (illustrative: mean +{norm_shift:g} SD, SD x{sd_ratio:g})")
    lo, hi = stanine_z_interval(5)
    m = (z >= lo) & (z < hi)
    ax.fill_between(z[m], pop[m], color=PALETTE[0], alpha=0.25)
    g_lo, g_hi = norm_shift + sd_ratio * lo, norm_shift + sd_ratio * hi
    mg = (z >= g_lo) & (z < g_hi)
    ax.fill_between(z[mg], grad[mg], color=PALETTE[1], alpha=0.25)
    for e in Z_EDGES:
        ax.axvline(e, color="#cccccc", lw=0.6, zorder=0)
    for s in range(1, 10):
        a_, b_ = stanine_z_interval(s)
        mid = np.clip((max(a_, -2.3) + min(b_, 2.3)) / 2, -2.2, 2.2)
        ax.text(mid, -0.03, str(s), ha="center", va="top", fontsize=8, color=PALETTE[0])
    ax.set_ylim(-0.06, None)
    ax.set_xlabel("score in general-population SD units (z)")
    ax.set_ylabel("density")
    ax.set_title("Same score, different norm group: stanine 5 is a band, not a level")
    ax.legend(loc="upper left", fontsize=8,
              handles=ax.get_legend_handles_labels()[0]
              + [Patch(color=PALETTE[0], alpha=0.25, label="stanine 5, general population"),
                 Patch(color=PALETTE[1], alpha=0.25, label="stanine 5, graduate norm")])
    return fig


def break_even_figure(grid: dict[str, np.ndarray], reading_cost: float | None = None):
    """Break-even map: where clinical integration and the hybrid beat the formula."""
    fig, ax = figure(height=4.0)
    C, D = np.meshgrid(grid["costs"], grid["detections"])
    diff = grid["clinical_minus_mechanical"]
    lim = np.nanmax(np.abs(diff))
    mesh = ax.pcolormesh(C, D, diff, cmap=DIVERGING_CMAP, vmin=-lim, vmax=lim, shading="auto")
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label("clinical minus mechanical, SDy per hire")
    ax.contour(C, D, diff, levels=[0.0], colors=[PALETTE[7]], linewidths=1.6)
    ax.contour(C, D, grid["hybrid_minus_mechanical"], levels=[0.0], colors=[PALETTE[2]],
               linewidths=1.6, linestyles="--")
    if reading_cost is not None:
        ax.axvline(reading_cost, color=PALETTE[3], lw=1.2)
        ax.annotate('"1% of hires, 50% of costs"', (reading_cost, 0.03), xytext=(4, 0),
                    textcoords="offset points", fontsize=8, color="#333333")
    ax.set_xlabel("cost of one derailer hire (SD of performance value)")
    ax.set_ylabel("share of derailers the assessor detects")
    ax.set_title("Break-even map for rare destructive hires")
    ax.legend(handles=[Line2D([0], [0], color=PALETTE[7], label="clinical = mechanical"),
                       Line2D([0], [0], color=PALETTE[2], ls="--", label="hybrid = mechanical")],
              loc="upper right", fontsize=8)
    ax.grid(False)
    return fig


def restriction_figure(table: pd.DataFrame, break_even: pd.DataFrame, r_mechanical: float,
                       r_clinical: float, selection_ratio: float, *, career_validity: float,
                       career_formula, career_holistic: np.ndarray, judge_rxz: float | None = None):
    """Relative loss of holistic combination in a restricted final round, two scenarios.

    Left: a pool chosen on the formula (``table`` from
    :func:`foresight.selection.utility.restriction_table`): loss against the
    holistic score's correlation with the formula, one line per selection
    ratio; the no-insight value ``r_c / r_m``, the break-even at
    ``selection_ratio`` and, if given, the simulated judge's correlation with
    the formula (``judge_rxz``, ``G R_s`` of the lens model) marked. Right: a
    pool chosen on earlier careers: loss against the holistic score's
    correlation with the career record, one line per correlation of the
    record with the formula (record validity ``career_validity``, same
    selection ratio), and, dotted, the pool chosen on the formula (the record
    *is* the formula), which the lines approach as the correlation nears 1
    when ``career_validity`` is the formula's validity. Below zero the
    holistic score is the more valid in the pool. Model with stated
    assumptions.
    """
    from foresight.selection.utility import restricted_validity, restricted_validity_indirect

    fig, axes = figure(1, 2, height=4.0, sharey=True)
    ax = axes[0]
    for k, (sr, t) in enumerate(table.groupby("selection_ratio", sort=True)):
        ax.plot(t["r_xz"], 100 * t["loss"], color=PALETTE[k], lw=1.8, label=f"top {sr:.0%} kept")
    be = float(break_even.set_index("selection_ratio").loc[selection_ratio, "r_xz"])
    ax.axhline(100 * (1 - r_clinical / r_mechanical), color="#888888", lw=1, ls=":",
               label="no restriction")
    ax.axvline(r_clinical / r_mechanical, color="#444444", lw=1, ls="--", label="no insight ($r_c/r_m$)")
    ax.plot([be], [0], "o", color="#222222", ms=6, label=f"break-even, top {selection_ratio:.0%}")
    if judge_rxz is not None:
        f0 = float(restricted_validity(r_mechanical, selection_ratio))
        h0 = float(restricted_validity_indirect(r_clinical, r_mechanical, judge_rxz, selection_ratio))
        ax.plot([judge_rxz], [100 * (1 - h0 / f0)], "^", color="#222222", ms=7,
                label=f"simulated judge ($G R_s$), top {selection_ratio:.0%}")
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_xlabel("correlation with the formula, $r_{xz}$")
    ax.set_ylabel("relative loss of holistic combination (%)")
    ax.set_title("Pool chosen on the formula", fontsize=10)
    ax.set_ylim(-80, 110)
    ax.legend(loc="upper left", fontsize=8)
    ax = axes[1]
    x = np.asarray(career_holistic, float)
    for k, rwx in enumerate(career_formula):
        f = float(restricted_validity_indirect(r_mechanical, career_validity, rwx, selection_ratio))
        h = restricted_validity_indirect(r_clinical, career_validity, x, selection_ratio)
        ax.plot(x, 100 * (1 - h / f), color=PALETTE[k + 3], lw=1.8, label=f"record with formula {rwx:g}")
    f1 = float(restricted_validity(r_mechanical, selection_ratio))
    h1 = restricted_validity_indirect(r_clinical, r_mechanical, x, selection_ratio)
    ok = 1 - r_mechanical**2 - r_clinical**2 - x**2 + 2 * r_mechanical * r_clinical * x > 0
    ax.plot(x[ok], 100 * (1 - h1[ok] / f1), color="#444444", lw=1.2, ls=":", label="record = formula (left)")
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_xlabel("correlation with the career record, $r_{wz}$")
    ax.set_title("Pool chosen on earlier careers", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, title=f"record validity {career_validity:.2f}",
              title_fontsize=8)
    fig.suptitle("Range restriction in a final round (model with stated assumptions)",
                 fontweight="bold", fontsize=11)
    return fig
