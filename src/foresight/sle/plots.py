"""Figures of the subjective life expectancy chapter (house style, one function each).

Every function returns a Matplotlib figure; the caller glues and closes it.
Titles say "synthetic" when ``synthetic=True`` (the default), as the book
requires wherever synthetic data are shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from foresight.plotting import PALETTE, figure
from foresight.sle.survey import TARGET_AGES, as_float, ssp_matrix


def _title(text: str, synthetic: bool) -> str:
    return f"{text} (synthetic data)" if synthetic else text


def answers_figure(sample: pd.DataFrame, *, synthetic: bool = True):
    """Two panels: the distribution of SLE point estimates (counts by single
    year, multiples of 10 and 5 highlighted) and of the SSP point estimates."""
    fig, axes = figure(1, 2, height=3.6)
    sle = as_float(sample["sle"])
    pe = sample["ssp_pe"].to_numpy(dtype=float)
    ages = np.arange(60, 101)
    counts = np.array([(sle == a).sum() for a in ages])
    colours = [PALETTE[1] if a % 10 == 0 else PALETTE[3] if a % 5 == 0 else PALETTE[0] for a in ages]
    axes[0].bar(ages, counts, width=0.85, color=colours)
    axes[0].set_xlabel("SLE point estimate (age, years)")
    axes[0].set_ylabel("respondents")
    axes[0].set_title("Direct question", fontsize=10)
    axes[1].hist(pe, bins=np.arange(59.5, 101.5, 1.0), color=PALETTE[2])
    axes[1].set_xlabel("SSP point estimate (age at the 50% crossing)")
    axes[1].set_title("From survival probabilities", fontsize=10)
    from matplotlib.patches import Patch

    axes[0].legend(handles=[Patch(color=PALETTE[1], label="multiple of 10"),
                            Patch(color=PALETTE[3], label="multiple of 5 only"),
                            Patch(color=PALETTE[0], label="other")], loc="upper left")
    fig.suptitle(_title("Point estimates of subjective life expectancy", synthetic),
                 fontweight="bold", fontsize=11)
    return fig


def ssp_by_age_figure(ssp_by_age: pd.DataFrame, published: dict[int, tuple[float, float]],
                      *, synthetic: bool = True):
    """Mean SSP (with +/- 1 SD band) by target age, published means and SDs as points."""
    fig, ax = figure(height=3.6)
    a = ssp_by_age["target_age"].to_numpy()
    m = ssp_by_age["mean"].to_numpy()
    sd = ssp_by_age["sd"].to_numpy()
    ax.fill_between(a, m - sd, m + sd, color=PALETTE[0], alpha=0.15, lw=0, label="\u00b11 SD")
    ax.plot(a, m, "o-", color=PALETTE[0], label="mean (this pipeline)")
    if published:
        pa = np.array(sorted(published))
        pm = np.array([published[k][0] for k in pa])
        ps = np.array([published[k][1] for k in pa])
        ax.errorbar(pa, pm, yerr=ps, fmt="s", color=PALETTE[1], capsize=4,
                    label="published mean \u00b1 SD")
    ax.axhline(50, color="#888888", lw=0.8, ls="--")
    ax.set_xticks(list(TARGET_AGES))
    ax.set_xlabel("target age (years)")
    ax.set_ylabel("chance of living to the target age (%)")
    ax.set_ylim(0, 105)
    ax.legend(loc="lower left")
    ax.set_title(_title("Subjective survival probabilities by target age", synthetic))
    return fig


def difference_figure(sample: pd.DataFrame, *, synthetic: bool = True):
    """Histogram of SSP minus SLE point estimates, with the mean marked."""
    fig, ax = figure(height=3.4)
    d = sample["ssp_pe"].to_numpy(dtype=float) - as_float(sample["sle"])
    d = d[~np.isnan(d)]
    ax.hist(d, bins=np.arange(np.floor(d.min()) - 0.5, np.ceil(d.max()) + 1.5, 2.0), color=PALETTE[0])
    ax.axvline(0, color="#888888", lw=0.8)
    ax.axvline(d.mean(), color=PALETTE[1], lw=1.6, label=f"mean {d.mean():.1f} years")
    ax.set_xlabel("SSP point estimate minus SLE point estimate (years)")
    ax.set_ylabel("respondents")
    ax.legend(loc="upper right")
    ax.set_title(_title("Individual differences between the two formats", synthetic))
    return fig


def fits_figure(sample: pd.DataFrame, fits: pd.DataFrame, examples: int = 3,
                *, synthetic: bool = True):
    """Left: a few respondents' answers with fitted Gompertz and Weibull curves.
    Right: fitted medians against the 50 %-crossing estimate."""
    from foresight.sle.parametric import conditional_survival, fit_curves

    fig, axes = figure(1, 2, height=3.8)
    p = ssp_matrix(sample)
    age = as_float(sample["age"])
    order = np.argsort(fits["gompertz_rmse"].to_numpy(), kind="stable")
    picks = order[np.linspace(0, len(order) // 2, examples).astype(int)]
    grid = np.linspace(20, 110, 181)
    for k, i in enumerate(picks):
        col = PALETTE[k % len(PALETTE)]
        axes[0].plot(TARGET_AGES, p[i], "o", color=col)
        for model, ls in (("gompertz", "-"), ("weibull", ":")):
            f = fit_curves(p[i:i + 1], age[i:i + 1], model, start=sample["ssp_pe"].to_numpy()[i:i + 1])
            g = grid[grid >= age[i]]
            axes[0].plot(g, 100 * conditional_survival(model, f.params, age[i:i + 1], g[None, :])[0],
                         ls, color=col, lw=1.2)
    axes[0].plot([], [], "k-", label="Gompertz")
    axes[0].plot([], [], "k:", label="Weibull")
    axes[0].axhline(50, color="#888888", lw=0.8, ls="--")
    axes[0].set_xlabel("age (years)")
    axes[0].set_ylabel("chance of living to age (%)")
    axes[0].set_title("Answers and fitted curves", fontsize=10)
    axes[0].legend(loc="lower left")
    x = fits["ssp_pe"].to_numpy()
    axes[1].plot(x, fits["gompertz_median"], "o", ms=2.5, alpha=0.5, label="Gompertz median")
    axes[1].plot(x, fits["weibull_median"], "o", ms=2.5, alpha=0.5, label="Weibull median")
    lim = [58, 112]
    axes[1].plot(lim, lim, color="#888888", lw=0.8)
    axes[1].set_xlim(lim)
    axes[1].set_ylim(lim)
    axes[1].set_xlabel("50%-crossing estimate (years)")
    axes[1].set_ylabel("median of fitted curve (years)")
    axes[1].set_title("Fitted median vs crossing", fontsize=10)
    axes[1].legend(loc="upper left", markerscale=2)
    fig.suptitle(_title("Parametric survival curves per respondent", synthetic),
                 fontweight="bold", fontsize=11)
    return fig


def sensitivity_figure(table: pd.DataFrame, *, synthetic: bool = True):
    """Forest plot of the gap (SSP minus SLE point estimate) under each variant."""
    n = len(table)
    fig, ax = figure(height=0.32 * n + 1.4)
    y = np.arange(n)[::-1]
    ax.errorbar(table["gap"], y, xerr=[table["gap"] - table["ci_low"], table["ci_high"] - table["gap"]],
                fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(table["gap"].iloc[0], color=PALETTE[1], lw=0.9, ls="--")
    ax.set_yticks(y)
    ax.set_yticklabels(table["variant"], fontsize=8)
    ax.set_xlabel("mean SSP minus SLE point estimate, years (95% CI); dashed: paper's rules")
    ax.set_title(_title("Sensitivity of the headline gap", synthetic))
    return fig


def actuarial_figure(table: pd.DataFrame, *, synthetic: bool = True):
    """Subjective minus actuarial survival by target age, one panel per sex,
    one line per age group (``table`` from
    :func:`foresight.sle.benchmark.by_group`)."""
    fig, axes = figure(1, 2, height=3.6, sharey=True)
    for ax, sex in zip(axes, ("female", "male")):
        for k, group in enumerate(("20-35", "36-59")):
            t = table[(table["sex"] == sex) & (table["age_group"] == group)]
            ax.plot(t["target_age"], t["difference"], "o-", color=PALETTE[k], label=f"aged {group}")
        ax.axhline(0, color="#888888", lw=0.8)
        ax.set_xticks(list(TARGET_AGES))
        ax.set_xlabel("target age (years)")
        ax.set_title(f"{sex.capitalize()}s", fontsize=10)
    axes[0].set_ylabel("subjective minus actuarial (points)")
    axes[0].legend(loc="upper left")
    fig.suptitle(_title("Subjective minus actuarial chance of living to each age", synthetic),
                 fontweight="bold", fontsize=11)
    return fig


def rounding_figure(sample: pd.DataFrame, *, synthetic: bool = True):
    """Composition of the SSP answers at each target age: exactly 50, other
    multiples of ten, multiples of five only, and the rest (stacked shares, %)."""
    fig, ax = figure(height=3.6)
    p = ssp_matrix(sample)
    ok = ~np.isnan(p)
    n = ok.sum(axis=0)
    is50 = (p == 50) & ok
    ten = (np.mod(p, 10) == 0) & ok & ~is50
    five = (np.mod(p, 5) == 0) & ok & ~is50 & ~ten
    other = ok & ~is50 & ~ten & ~five
    x = np.arange(len(TARGET_AGES))
    bottom = np.zeros(len(TARGET_AGES))
    for mask, label, col in ((is50, "exactly 50", PALETTE[1]), (ten, "other multiple of 10", PALETTE[0]),
                             (five, "multiple of 5 only", PALETTE[3]), (other, "other", PALETTE[5])):
        share = 100 * mask.sum(axis=0) / np.maximum(n, 1)
        ax.bar(x, share, bottom=bottom, color=col, label=label, width=0.6)
        bottom += share
    ax.set_xticks(x, [str(a) for a in TARGET_AGES])
    ax.set_xlabel("target age (years)")
    ax.set_ylabel("share of answers (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_axisbelow(True)
    ax.set_title(_title("Rounding of the survival-probability answers", synthetic))
    return fig


def improvement_figure(rules: dict[str, dict[str, pd.DataFrame]], *, uniform: float | None = None,
                       realised: str | None = None, variant: str | None = None):
    """Annual improvement by age group, one panel per sex, one step line per rule.

    ``rules`` maps a label to ``{sex: improvement table}``
    (:func:`foresight.sle.dutch.improvement_table`); the ``realised`` label, if
    given, is drawn dashed (years after the survey), the ``variant`` label
    thin and dash-dotted; ``uniform`` (a fraction) as a horizontal line. Real
    data (HMD Netherlands).
    """
    fig, axes = figure(1, 2, height=4.4, sharey=True)
    for ax, sex in zip(axes, ("female", "male")):
        for k, (label, tables) in enumerate(rules.items()):
            t = tables[sex]
            x = np.r_[t["age_from"].to_numpy(), t["age_to"].iloc[-1] + 1]
            y = 100 * t["improvement"].to_numpy()
            style = (dict(ls="--", lw=1.6) if label == realised else dict(ls="-.", lw=1.2) if label == variant
                     else dict(lw=1.8))
            ax.stairs(y, x, color=PALETTE[k % len(PALETTE)], label=label, baseline=None, **style)
        if uniform is not None:
            ax.axhline(100 * uniform, color="#444444", lw=1, ls=":", label=f"uniform {100 * uniform:.1f}%")
        ax.axhline(0, color="#888888", lw=0.8)
        ax.set_xlim(0, 111)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("age (years)")
        ax.set_title(f"{sex.capitalize()}s", fontsize=10)
    axes[0].set_ylabel("fall in the death rate (% a year)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8.5)
    fig.suptitle("Improvement by age group, Netherlands (HMD, real data)", fontweight="bold", fontsize=11)
    return fig


def benchmark_range_figure(variants: pd.DataFrame, stated: dict[str, float], *, central: str):
    """The benchmark under every variant: chance of living to 100 and median age at death.

    ``variants`` from :func:`foresight.sle.benchmark.variants_table` (rows in
    display order, with ``assumption`` and ``variant``); ``stated`` holds the
    published ``survival_100`` and the SSP point estimate as
    ``median_footnote3`` (vertical lines; the benchmark's median is read by the
    same footnote-3 rule as the respondents' answers);
    ``central`` names the central variant (drawn larger). Actuarial figures
    are averaged over the synthetic sample's ages and sexes.
    """
    n = len(variants)
    fig, axes = figure(1, 2, height=0.26 * n + 1.4, sharey=True)
    y = np.arange(n)[::-1]
    groups = list(dict.fromkeys(variants["assumption"]))
    colour = {g: PALETTE[k % len(PALETTE)] for k, g in enumerate(groups)}
    cols = (("survival_100", "chance of living to 100 (%)"),
            ("median_footnote3", "median, by footnote 3 (years)"))
    for ax, (col, label) in zip(axes, cols):
        for yi, (_, row) in zip(y, variants.iterrows()):
            big = row["variant"] == central
            ax.plot(row[col], yi, "D" if big else "o", ms=8 if big else 5, color=colour[row["assumption"]])
        ax.axvline(stated[col], color="#222222", lw=1.2, ls="--")
        lo = min(float(variants[col].min()), stated[col])
        hi = max(float(variants[col].max()), stated[col])
        pad = 0.06 * (hi - lo)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_xlabel(label)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, list(variants["variant"]))
    axes[0].tick_params(axis="y", labelsize=8)
    axes[1].text(stated["median_footnote3"], n - 0.3, " stated", fontsize=8, va="bottom")
    axes[0].text(stated["survival_100"], n - 0.3, " stated", fontsize=8, va="bottom")
    axes[0].set_ylim(-0.7, n + 0.5)
    fig.suptitle("The actuarial benchmark under each assumption (synthetic age and sex mix)",
                 fontweight="bold", fontsize=11)
    return fig
