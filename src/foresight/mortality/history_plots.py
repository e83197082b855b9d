"""Figures for "The changing life table" (all through :mod:`foresight.plotting`)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from foresight import plotting
from foresight.mortality.lifetable import LifeTables

__all__ = [
    "arriaga_figure",
    "improvement_by_age_figure",
    "life_expectancy_figure",
    "rectangularisation_figure",
    "sex_gap_figure",
    "survival_figure",
]


def survival_figure(both: LifeTables, history: pd.DataFrame):
    """Percentage surviving by age for each ELT (both sexes), coloured by period."""
    fig, ax = plotting.figure(height=4.4)
    years = history["mid_year"].to_numpy()
    norm = mpl.colors.Normalize(vmin=years.min(), vmax=years.max())
    cmap = mpl.colormaps[plotting.SEQUENTIAL_CMAP]
    lx = both.column("lx") / both.radix * 100
    for j, elt in enumerate(both.labels):
        ax.plot(lx.index, lx[elt], color=cmap(norm(years[j])), lw=1.4,
                label=f"ELT {elt} ({history.loc[elt, 'period']})")
    ax.axhline(50, color="#555555", lw=0.8, ls="--")
    ax.text(1, 51.5, "half the cohort", fontsize=8, color="#555555")
    ax.set_xlim(0, 110)
    ax.set_ylim(0, 100)
    ax.set_xlabel("age (years)")
    ax.set_ylabel("survivors (% of births)")
    ax.set_title("Period survival curves, England and Wales, ELT 1841 to 2000-02")
    ax.legend(ncol=2, fontsize=8, loc="lower left")
    return fig


def life_expectancy_figure(history: pd.DataFrame):
    """Life expectancy at birth and at 65 by sex against the table's mid-year."""
    fig, axes = plotting.figure(1, 2, height=3.6)
    for ax, age in zip(axes, (0, 65)):
        for sex in ("female", "male"):
            ax.plot(history["mid_year"], history[f"e{age}_{sex}"], marker="o", ms=3.5,
                    color=plotting.SEX_COLOURS[sex], label=sex)
        ax.set_xlabel("mid-year of the life table")
        ax.set_ylabel("years")
        ax.set_title(f"Life expectancy at {'birth' if age == 0 else 'age 65'}")
    axes[0].legend()
    return fig


def sex_gap_figure(history: pd.DataFrame, published: float | None = None,
                   published_year: float = 1980):
    """Female minus male life expectancy at birth and at 65 by period."""
    fig, ax = plotting.figure(height=3.6)
    ax.plot(history["mid_year"], history["gap_e0"], marker="o", ms=3.5,
            color=plotting.PALETTE[2], label="at birth (ELT)")
    ax.plot(history["mid_year"], history["gap_e65"], marker="s", ms=3.5,
            color=plotting.PALETTE[4], label="at age 65 (ELT)")
    if published is not None:
        ax.plot([published_year], [published], marker="*", ms=11, ls="none",
                color=plotting.PALETTE[7], label="ONS: UK, 1980 (at birth)")
    ax.set_xlabel("mid-year of the life table")
    ax.set_ylabel("female minus male (years)")
    ax.set_title("The sex gap in period life expectancy, England and Wales")
    ax.legend()
    return fig


def arriaga_figure(decomposition: pd.DataFrame, start_label: str, end_label: str):
    """Contributions of age groups to the gain in e0 (Arriaga), by sex."""
    fig, ax = plotting.figure(height=3.8)
    groups = list(decomposition.index)
    y = np.arange(len(groups))
    h = 0.38
    for k, sex in enumerate(("female", "male")):
        ax.barh(y + (k - 0.5) * h, decomposition[sex], height=h,
                color=plotting.SEX_COLOURS[sex], label=sex)
    ax.set_yticks(y, groups)
    ax.invert_yaxis()
    ax.set_xlabel("contribution to the gain in life expectancy at birth (years)")
    ax.set_ylabel("age group")
    ax.set_title(f"Where the gain came from: {start_label} to {end_label}")
    ax.legend()
    return fig


def rectangularisation_figure(history: pd.DataFrame):
    """Keyfitz entropy and interquartile range of the age at death by period."""
    fig, axes = plotting.figure(1, 2, height=3.4)
    axes[0].plot(history["mid_year"], history["entropy"], marker="o", ms=3.5,
                 color=plotting.PALETTE[0])
    axes[0].set_title("Life-table entropy H")
    axes[0].set_ylabel("H (dimensionless)")
    axes[1].plot(history["mid_year"], history["iqr"], marker="o", ms=3.5,
                 color=plotting.PALETTE[1])
    axes[1].set_title("Interquartile range of age at death")
    axes[1].set_ylabel("years")
    for ax in axes:
        ax.set_xlabel("mid-year of the life table")
        ax.set_ylim(bottom=0)
    return fig


def improvement_by_age_figure(improvement: pd.DataFrame, reference: float | None = None,
                              title: str = ""):
    """Average annual improvement in death rates by age, by sex."""
    fig, ax = plotting.figure(height=3.6)
    for sex in ("female", "male"):
        ax.plot(improvement.index, improvement[sex], color=plotting.SEX_COLOURS[sex], label=sex)
    if reference is not None:
        ax.axhline(reference, color="#555555", lw=0.9, ls="--",
                   label=f"ONS target / past average ({reference:g}%)")
    ax.axhline(0, color="#999999", lw=0.6)
    ax.set_xlabel("age (years)")
    ax.set_ylabel("improvement (% per year)")
    ax.set_title(title)
    ax.legend()
    return fig
