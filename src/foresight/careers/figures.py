"""Figures and chart tables for the career-typologies chapter, drawn from the study data.

* :func:`flow_counts` / :func:`flow_figure`: alluvial flow from reason for the PhD
  (typology) to post-PhD intention; counts the text does not determine go to their own
  "not determined" band instead of being guessed.
* :func:`framework_matrix` / :func:`matrix_heatmap`: the Framework Method's charting
  step, typology x framework system, listing the influences in each cell.
* :func:`influence_graph` / :func:`influence_map`: a map of influences in the spirit of
  the paper's Figure 2, typologies linked to the influences reported in them, grouped by
  system and coloured by direction.

All drawing goes through :mod:`foresight.plotting` (house style, Okabe-Ito colours).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle

from foresight import plotting
from foresight.careers.coding import DIRECTION_COLOURS, SYSTEM_COLOURS
from foresight.careers.study import ACROSS, SYSTEMS, Study

__all__ = ["flow_counts", "flow_figure", "framework_matrix", "matrix_heatmap",
           "influence_graph", "influence_map", "OUTCOMES", "ROW_LABEL_ACROSS"]

#: Right-hand nodes of the flow figure, top to bottom.
OUTCOMES = ("stay", "leave", "undetermined")
_OUTCOME_COLOURS = {"stay": plotting.PALETTE[0], "leave": plotting.PALETTE[1],
                    "undetermined": "#9a9a9a"}
_OUTCOME_LABELS = {"stay": "Stay in clinical academia", "leave": "Return to clinical work",
                   "undetermined": "Not determined by the text"}
ROW_LABEL_ACROSS = "Across groups"


def flow_counts(study: Study) -> pd.DataFrame:
    """People per (typology, outcome) that the text determines.

    ``stay`` = ``stay_low``, ``leave`` = ``size - stay_high`` and ``undetermined`` =
    ``stay_high - stay_low``; rows sum to the typology sizes.
    """
    t = study.typologies
    return pd.DataFrame({"stay": t["stay_low"], "leave": t["size"] - t["stay_high"],
                         "undetermined": t["stay_high"] - t["stay_low"]},
                        index=t["id"]).astype(int)


def _smooth(y0: float, y1: float, x: np.ndarray) -> np.ndarray:
    s = 3 * x**2 - 2 * x**3
    return y0 + (y1 - y0) * s


def flow_figure(study: Study):
    """Alluvial diagram: typologies (left) to post-PhD intentions (right). Returns ``fig``."""
    counts = flow_counts(study)
    t = study.typologies
    fig, ax = plotting.figure(height=4.6)
    gap = 1.0
    total = counts.to_numpy().sum()
    # left node extents, top to bottom
    left, y = {}, total + gap * (len(counts) - 1)
    for tid in counts.index:
        h = counts.loc[tid].sum()
        left[tid] = (y - h, y)
        y -= h + gap
    right, y = {}, total + gap * (len(OUTCOMES) - 1)
    for o in OUTCOMES:
        h = counts[o].sum()
        right[o] = (y - h, y)
        y -= h + (gap if h else 0)
    x = np.linspace(0, 1, 60)
    x0, x1, w = 0.12, 0.88, 0.04
    lcur = {k: v[1] for k, v in left.items()}
    rcur = {k: v[1] for k, v in right.items()}
    for o in OUTCOMES:  # bands in outcome order so they do not cross within a node
        for tid in counts.index:
            n = counts.loc[tid, o]
            if n == 0:
                continue
            lt, rt = lcur[tid], rcur[o]
            lcur[tid] -= n
            rcur[o] -= n
            top = _smooth(lt, rt, x)
            bot = _smooth(lt - n, rt - n, x)
            ax.fill_between(x0 + w + (x1 - x0 - w) * x, bot, top, color=_OUTCOME_COLOURS[o],
                            alpha=0.45, linewidth=0,
                            hatch="///" if o == "undetermined" else None)
    for tid, (a, b) in left.items():
        ax.add_patch(Rectangle((x0, a), w, b - a, color="#444444"))
        ax.text(x0 - 0.01, (a + b) / 2, f"{tid} {t.loc[tid, 'short']}\n(n = {b - a:g})",
                ha="right", va="center", fontsize=8)
    for o, (a, b) in right.items():
        if b - a == 0:
            continue
        ax.add_patch(Rectangle((x1, a), w, b - a, color=_OUTCOME_COLOURS[o]))
        ax.text(x1 + w + 0.01, (a + b) / 2, f"{_OUTCOME_LABELS[o]}\n(n = {b - a:g})",
                ha="left", va="center", fontsize=8)
    ax.set_xlim(-0.32, 1.32)
    ax.set_ylim(-0.5, total + gap * (len(counts) - 1) + 0.5)
    ax.axis("off")
    ax.set_title("From reason for the PhD to post-PhD intention (people)")
    return fig


def framework_matrix(study: Study) -> pd.DataFrame:
    """Typology (rows, then "Across groups") x framework system: influences per cell.

    Each cell is a list of ``(influence id, short label, direction)`` tuples, sorted by id.
    """
    m = study.mentions
    rows = [*study.typology_ids, ACROSS]
    out = pd.DataFrame(index=rows, columns=list(SYSTEMS), dtype=object)
    for r in rows:
        for s in SYSTEMS:
            sub = m[(m["typology"] == r) & (m["system"] == s)].sort_values("influence")
            out.loc[r, s] = list(sub[["influence", "short", "direction"]]
                                 .drop_duplicates().itertuples(index=False, name=None))
    out.index.name = "typology"
    return out


def matrix_heatmap(study: Study):
    """Heat map of :func:`framework_matrix`: colour = number of influences in the cell,
    text = the influences (``+`` towards, ``−`` away from clinical academia). Returns ``fig``."""
    mat = framework_matrix(study)
    counts = mat.map(len).to_numpy(dtype=float)
    fig, ax = plotting.figure(height=6.4)
    im = ax.imshow(counts, cmap=plotting.SEQUENTIAL_CMAP, aspect="auto", vmin=0,
                   vmax=max(counts.max(), 1), alpha=0.42)
    ax.grid(False)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            lines = [("+ " if d == "towards" else "− ") + lab for _, lab, d in mat.iloc[i, j]]
            ax.text(j, i, "\n".join(lines) or "(none reported)", ha="center", va="center",
                    fontsize=8, color="#111111")
    t = study.typologies
    ax.set_yticks(range(len(mat.index)),
                  [f"{r}\n{t.loc[r, 'short'].replace(' ', chr(10), 1)}" if r in t.index
                   else ROW_LABEL_ACROSS.replace(" ", chr(10))
                   for r in mat.index])
    ax.set_xticks(range(len(SYSTEMS)), [s.capitalize() for s in SYSTEMS])
    ax.xaxis.set_ticks_position("top")
    ax.tick_params(length=0)
    fig.colorbar(im, ax=ax, orientation="horizontal", shrink=0.5, pad=0.02,
                 label="number of influences in the cell")
    ax.set_title("Typology × framework system (+ towards, − away from clinical academia)",
                 fontsize=10)
    return fig


def influence_graph(study: Study) -> nx.Graph:
    """Bipartite graph: typology nodes (``kind='typology'``, plus ``across``) and influence
    nodes (``kind='influence'``, with ``system``, ``direction``, ``label``); one edge per
    mention, with the mention's ``direction``."""
    g = nx.Graph()
    for tid in [*study.typology_ids, ACROSS]:
        g.add_node(tid, kind="typology")
    for _, r in study.influences.iterrows():
        g.add_node(r["id"], kind="influence", system=r["system"], direction=r["direction"],
                   label=r["label"], short=r["short"])
    for _, m in study.mentions.iterrows():
        g.add_edge(m["typology"], m["influence"], direction=m["direction"])
    return g


def influence_map(study: Study):
    """Draw :func:`influence_graph`: typologies on the left, influences on the right grouped
    into framework-system bands, edges coloured by direction. Returns ``fig``."""
    g = influence_graph(study)
    inf = study.influences.sort_values(["system", "direction", "id"])
    n = len(inf)
    fig, ax = plotting.figure(height=7.0)
    pos: dict[str, tuple[float, float]] = {}
    gap = 1.2
    y = n + gap * (len(SYSTEMS) - 1)
    bands = {}
    for s in SYSTEMS:
        ids = inf.loc[inf["system"] == s, "id"].tolist()
        top = y
        for i in ids:
            pos[i] = (1.0, y)
            y -= 1
        bands[s] = (y + 0.5, top + 0.5)
        y -= gap - 1 + 1
    typ = [*study.typology_ids, ACROSS]
    span = n + gap * (len(SYSTEMS) - 1)
    for k, tid in enumerate(typ):
        pos[tid] = (0.0, span - (k + 0.5) * span / len(typ))
    for s, (a, b) in bands.items():
        ax.add_patch(Rectangle((0.93, a), 0.95, b - a, color=SYSTEM_COLOURS[s], alpha=0.12,
                               linewidth=0))
        ax.text(1.9, (a + b) / 2, s.capitalize(), rotation=90, va="center", ha="left",
                fontsize=9, color=SYSTEM_COLOURS[s], fontweight="bold")
    for d in ("towards", "away"):
        edges = [(u, v) for u, v, e in g.edges(data=True) if e["direction"] == d]
        nx.draw_networkx_edges(g, pos, edgelist=edges, ax=ax, edge_color=DIRECTION_COLOURS[d],
                               width=1.0, alpha=0.7)
    inf_nodes = inf["id"].tolist()
    nx.draw_networkx_nodes(g, pos, nodelist=inf_nodes, ax=ax, node_size=28,
                           node_color=[DIRECTION_COLOURS[g.nodes[i]["direction"]]
                                       for i in inf_nodes])
    nx.draw_networkx_nodes(g, pos, nodelist=typ, ax=ax, node_size=260, node_color="#444444",
                           node_shape="s")
    for i in inf_nodes:
        ax.text(1.03, pos[i][1], g.nodes[i]["short"], fontsize=8, va="center")
    t = study.typologies
    for tid in typ:
        lab = f"{tid}\n{t.loc[tid, 'short']}" if tid in t.index else ROW_LABEL_ACROSS
        ax.text(-0.05, pos[tid][1], lab, ha="right", va="center", fontsize=8)
    ax.legend(handles=[Patch(color=DIRECTION_COLOURS["towards"], label="towards clinical academia"),
                       Patch(color=DIRECTION_COLOURS["away"], label="away from clinical academia"),
                       Patch(color=DIRECTION_COLOURS["mixed"], label="both directions (node)")],
              loc="lower left", bbox_to_anchor=(-0.02, -0.06), fontsize=8)
    ax.set_xlim(-0.6, 2.0)
    ax.set_ylim(-1.5, span + 1)
    ax.axis("off")
    ax.set_title("Influences reported in each typology, by framework system")
    return fig
