"""Figures of the mortality tournament (through :mod:`foresight.plotting`)."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from foresight import plotting

__all__ = ["METHOD_STYLES", "horizon_figure", "target_figure"]

#: Colour and line of each method, the same in every figure of the tournament.
METHOD_STYLES: dict[str, dict] = {
    "ONS-style": {"color": plotting.PALETTE[1], "ls": "-", "lw": 2.4},
    "ONS-style, 1.2% (hindsight)": {"color": "#777777", "ls": ":", "lw": 1.6},
    "Lee-Carter": {"color": plotting.PALETTE[0], "ls": "--", "lw": 1.6},
    "Li-Lee coherent": {"color": plotting.PALETTE[4], "ls": "-.", "lw": 1.6},
    "P-spline forecast": {"color": plotting.PALETTE[2], "ls": "-", "lw": 1.6},
    "constant improvement": {"color": plotting.PALETTE[3], "ls": (0, (5, 1.5, 1, 1.5)), "lw": 1.6},
}


def horizon_figure(curve: pd.DataFrame, methods: Sequence[str], *, max_horizon: int = 20,
                   title: str = "Mean absolute error against the horizon, all populations"):
    """Mean absolute error of e0 (left) and e65 (right) against the horizon, one line per method.

    ``curve`` is :func:`foresight.mortality.backtest.horizon_curve` (columns ``method,
    measure, horizon, mae``).
    """
    fig, axes = plotting.figure(1, 2, height=3.9, sharey=False)
    for ax, measure, label in zip(axes, ("e0", "e65"), ("at birth (e0)", "at 65 (e65)")):
        sub = curve[(curve["measure"] == measure) & (curve["horizon"] <= max_horizon)]
        for method in methods:
            line = sub[sub["method"] == method]
            ax.plot(line["horizon"], line["mae"], label=method, **METHOD_STYLES.get(method, {}))
        ax.set_title(f"Life expectancy {label}")
        ax.set_xlabel("years after the origin")
        ax.set_xlim(1, max_horizon)
        ax.set_ylim(0, None)
        ax.set_xticks([1, 5, 10, 15, 20])
    axes[0].set_ylabel("mean absolute error (years)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=9)
    fig.suptitle(title, fontsize=11, fontweight="bold")
    return fig


def target_figure(curves: Mapping[str, pd.DataFrame], rivals: Mapping[str, Mapping[str, float]], *,
                  rule: Mapping[str, tuple[float, float]], hindsight: Mapping[str, tuple[float, float]]):
    """Mean absolute error of e0 of the ONS-style method against its long-term target, by band.

    One panel per band of horizons (the keys of ``curves``): ``curves[band]`` has columns
    ``target`` (% a year) and ``mae``; ``rivals[band]`` the error of each other method
    (horizontal lines); ``rule[band]`` and ``hindsight[band]``: (mean target in %, error)
    of the method with its target rule and with 1.2% at every origin.
    """
    bands = list(curves)
    fig, axes = plotting.figure(1, len(bands), height=4.3)
    axes = np.atleast_1d(axes)
    for ax, band in zip(axes, bands):
        curve = curves[band]
        ax.plot(curve["target"], curve["mae"], color=METHOD_STYLES["ONS-style"]["color"], lw=2.4, marker="o",
                ms=4, label="ONS-style, fixed target")
        for name, value in rivals[band].items():
            style = dict(METHOD_STYLES.get(name, {}))
            style.pop("lw", None)
            ax.axhline(value, lw=1.4, label=name, **style)
        ax.plot([rule[band][0]], [rule[band][1]], "D", color=METHOD_STYLES["ONS-style"]["color"], ms=9,
                mec="black", label="ONS-style, target rule (mean target)")
        ax.plot([hindsight[band][0]], [hindsight[band][1]], "s", color="#777777", ms=8, mec="black",
                label="ONS-style, 1.2% (hindsight)")
        ax.set_xlabel("long-term target (% a year)")
        ax.set_title(f"{band} years ahead")
        ticks = np.round(np.arange(0.0, float(curve["target"].max()) + 1e-9, 0.5), 2)
        ax.set_xticks(ticks, [f"{t:.1f}" for t in ticks])
    axes[0].set_ylabel("mean absolute error of e0 (years)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=9)
    fig.suptitle("Error against the long-term target, all populations", fontsize=11, fontweight="bold")
    return fig
