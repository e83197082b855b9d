"""Figures of the ONS-style projection (through :mod:`foresight.plotting`)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from foresight import plotting
from foresight.mortality.ons import Projection

__all__ = [
    "expectancy_figure",
    "improvement_heatmap_figure",
    "realised_figure",
    "sensitivity_figure",
    "survival_figure",
]

def improvement_heatmap_figure(projection: Projection, *, first_year: int = 1962, last_year: int = 2060,
                               max_age: int = 100):
    """Heat map of annual improvement rates by age and year, one panel per sex.

    Counterpart of ONS Figures 4.5a/b, extended into the projection: the
    smoothed history, the years carried forward to the base year and the
    convergence to the targets. Cohort diagonals (1931 and 1960) are marked.
    """
    a = projection.assumptions
    fig, axes = plotting.figure(2, 1, height=6.6, sharex=True)
    bounds = np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
    cmap = mpl.colormaps[plotting.DIVERGING_CMAP].resampled(len(bounds) + 1)
    norm = mpl.colors.BoundaryNorm(bounds, cmap.N, extend="both")
    for ax, sex in zip(axes, ("male", "female")):
        # rounding removes floating-point noise that would flip cells lying exactly on a band edge
        imp = (projection.improvement[sex].loc[:max_age, first_year:last_year] * 100).round(6)
        mesh = ax.pcolormesh(imp.columns, imp.index, imp.to_numpy(), cmap=cmap, norm=norm, shading="nearest",
                             rasterized=True)
        for k, (year, label) in enumerate(((projection.last_data_year, "initial rates"), (a.base_year, "base"),
                                           (a.target_year, "target"))):
            ax.axvline(year + 0.5, color="#222222", lw=0.8, ls=":")
            ax.text(year + 1, max_age * (0.97 - 0.08 * (k % 2)), label, fontsize=8, va="top")
        for cohort, style in ((1931, "--"), (a.cohort_split, "-.")):
            xs = np.array([max(first_year, cohort), min(last_year, cohort + max_age)])
            ax.plot(xs, xs - cohort, color="#222222", lw=0.9, ls=style)
            ax.text(xs[0] + 2, xs[0] - cohort + 4, f"born {cohort}", fontsize=8, rotation=35)
        ax.set_ylabel("age")
        ax.set_title(f"{sex.capitalize()}s: annual improvement in mortality")
        ax.set_ylim(0, max_age)
        ax.grid(False)
    axes[-1].set_xlabel("year")
    fig.colorbar(mesh, ax=axes, label="improvement (% a year)", shrink=0.8)
    return fig


def expectancy_figure(projection: Projection, *, first_year: int = 1961, last_year: int = 2060):
    """Period and cohort life expectancy at birth and at 65 by year (ONS Figures 4.6/4.7).

    Cohort e0 is plotted against the year of birth; cohort e65 against the
    year in which the cohort reaches 65.
    """
    years = np.arange(first_year, last_year + 1)
    top = int(projection.ages[-1])
    last_birth = int(projection.years[-1]) - top
    fig, axes = plotting.figure(1, 2, height=3.8)
    for ax, age in zip(axes, (0, 65)):
        per = projection.period_expectancy(age, years)
        coh_years = years[(years >= int(projection.years[0])) & (years - age <= last_birth)]
        coh = projection.cohort_expectancy(age, coh_years)
        for sex in ("female", "male"):
            colour = plotting.SEX_COLOURS[sex]
            ax.plot(per.index, per[sex], color=colour, label=f"{sex}, period")
            ax.plot(coh.index, coh[sex], color=colour, ls="--", label=f"{sex}, cohort")
        ax.axvline(projection.assumptions.base_year, color="#555555", lw=0.8, ls=":")
        ax.set_xlabel("year" if age == 65 else "year (of birth, for cohort)")
        ax.set_ylabel("years")
        ax.set_title(f"Expectation of life at {'birth' if age == 0 else '65'}")
    axes[0].legend(fontsize=8)
    return fig


def survival_figure(period: pd.DataFrame, cohort: pd.DataFrame):
    """Period and cohort survival curves side by side (ONS Figures 4.10/4.11)."""
    fig, axes = plotting.figure(1, 2, height=3.9, sharey=True)
    years = np.asarray(period.columns, dtype=float)
    norm = mpl.colors.Normalize(vmin=years.min(), vmax=years.max())
    cmap = mpl.colormaps[plotting.SEQUENTIAL_CMAP]
    for ax, frame, title in ((axes[0], period, "Period"), (axes[1], cohort, "Cohort")):
        for year in frame.columns:
            ax.plot(frame.index, frame[year], color=cmap(norm(float(year)) * 0.9), lw=1.3, label=str(year))
        ax.axhline(50, color="#555555", lw=0.8, ls="--")
        ax.set_xlim(0, 110)
        ax.set_ylim(0, 100)
        ax.set_xlabel("age")
        ax.set_title(f"{title} survival curves")
    axes[0].set_ylabel("survivors (% of births)")
    axes[1].legend(fontsize=8, ncol=2, loc="lower left")
    return fig


def sensitivity_figure(table: pd.DataFrame, *, year: int = 2039, central: float = 0.012):
    """Period e0 in ``year`` and cohort e0 at birth in the base year against the long-term target."""
    fig, axes = plotting.figure(1, 2, height=3.5)
    x = table["target"] * 100
    for sex in ("female", "male"):
        colour = plotting.SEX_COLOURS[sex]
        axes[0].plot(x, table[f"e0_{sex}"], marker="o", ms=3.5, color=colour, label=sex)
        axes[1].plot(x, table[f"cohort_e0_{sex}"], marker="o", ms=3.5, color=colour, label=sex)
    for ax in axes:
        ax.axvline(central * 100, color="#555555", lw=0.8, ls=":")
        ax.set_xlabel("long-term improvement target (% a year)")
        ax.set_ylabel("years")
    axes[0].set_title(f"Period e0 in {year}")
    axes[1].set_title("Cohort e0, born in the base year")
    axes[0].legend()
    return fig


def realised_figure(realised: pd.DataFrame, history: pd.DataFrame, projection: Projection, *,
                    first_year: int = 2001):
    """The 2014-based path against what happened: period e0 and e65 by sex, 2001-2022.

    ``realised`` is :func:`~foresight.mortality.checks.realised_errors`;
    ``history`` the observed expectancy (columns ``e0_male`` ...) of the
    years before, so the reader sees the trend the projection continued.
    """
    fig, axes = plotting.figure(1, 2, height=3.6)
    last = int(realised["year"].max())
    years = np.arange(first_year, last + 1)
    for ax, measure in zip(axes, ("e0", "e65")):
        per = projection.period_expectancy(int(measure[1:]), [y for y in years if y >= 2012])
        for sex in ("female", "male"):
            colour = plotting.SEX_COLOURS[sex]
            past = history.loc[first_year:, f"{measure}_{sex}"]
            ax.plot(past.index, past.to_numpy(), color=colour, lw=1.2, label=f"{sex}, observed")
            after = realised[(realised["measure"] == measure) & (realised["sex"] == sex)]
            ax.plot(after["year"], after["observed"], color=colour, lw=1.2, marker="o", ms=3)
            ax.plot(per.index, per[sex], color=colour, ls="--", lw=1.2, label=f"{sex}, 2014-based")
        ax.axvspan(2019.5, last + 0.5, color="#999999", alpha=0.18, lw=0)
        ax.text(2019.8, ax.get_ylim()[0], "pandemic\nyears", fontsize=8, va="bottom")
        ax.set_xlabel("year")
        ax.set_ylabel("years")
        ax.set_title(f"Period life expectancy at {'birth' if measure == 'e0' else '65'}")
    axes[0].legend(fontsize=8)
    return fig


