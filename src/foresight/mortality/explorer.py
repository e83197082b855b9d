"""The interactive figure: move the long-term target and the convergence exponent.

The build precomputes a grid of ONS-style projections (:func:`grid`), one for
every long-term improvement target from 0 to 2.5% a year (in steps of 0.1
points) and every convergence exponent from 0.5 to 4 (in steps of 0.25), all
through the public projection API
(:func:`foresight.mortality.projection.project_mortality` with
:meth:`ProjectionAssumptions.with_target`). For each it keeps period life
expectancy at birth in 2039 and cohort life expectancy at birth for those born
in 2014, by sex. :func:`widget_html` embeds the grid in the page as JSON; the
plain JavaScript in ``foresight/assets/foresight-explorer.js`` (served from the
site's own ``_static``) looks values up as the reader moves the sliders. No
computation and no request happen in the browser, so the figure works offline.

Where the projection's input surfaces come from is decided in one place,
:func:`default_inputs`; everything else takes the surfaces as an argument.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from foresight.mortality.ons import ONS_2014_CONVERGENCE_POWER, ProjectionAssumptions, project_mortality
from foresight.mortality.uk import CALIBRATION_FEMALE_SHARE, UKRun, smooth_uk

__all__ = ["COHORT", "DEFAULT_TOP_AGES", "POWERS", "TARGETS", "YEAR", "Explorer", "build",
           "default_inputs", "grid", "widget_html"]

#: Long-term improvement targets offered (fractions a year): 0 to 2.5% in 0.1-point steps.
TARGETS: tuple[float, ...] = tuple(round(0.001 * k, 4) for k in range(26))
#: Male convergence exponents offered: 0.5 to 4 in steps of 0.25, and the book's own. The
#: female exponent follows the chapter's rule, half-way from linear to the male one
#: (:func:`female_power`), so the starting position is the chapter's run exactly.
POWERS: tuple[float, ...] = tuple(sorted({0.5 + 0.25 * k for k in range(15)}
                                         | {ONS_2014_CONVERGENCE_POWER["male"]}))


def female_power(male: float) -> float:
    """The female exponent that goes with a male one, by the chapter's rule
    (:data:`foresight.mortality.uk.CALIBRATION_FEMALE_SHARE` of the male departure from linear)."""
    return 1.0 + CALIBRATION_FEMALE_SHARE * (float(male) - 1.0)
#: Calendar year of the period life expectancy shown (the ONS target year).
YEAR = 2039
#: Year of birth of the cohort whose life expectancy is shown (the base year).
COHORT = 2014
_COLUMNS = ("e0_male", "e0_female", "cohort_e0_male", "cohort_e0_female")


def default_inputs() -> Mapping[str, pd.DataFrame]:
    """The smoothed ``{"male": mx, "female": mx}`` surfaces the mortality chapter projects.

    The one place that knows where the inputs come from: the UK's own data,
    HMD v2025 1961-2013, smoothed as ONS did (:func:`foresight.mortality.uk.smooth_uk`),
    as in :mod:`foresight.mortality.report`.
    """
    return smooth_uk(UKRun())[0]


#: The top age of the smoothed data by sex, for the inputs of :func:`default_inputs`.
DEFAULT_TOP_AGES: Mapping[str, int] = dict(UKRun().max_age)


def grid(
    surfaces: Mapping[str, pd.DataFrame],
    targets: Sequence[float] = TARGETS,
    powers: Sequence[float] = POWERS,
    *,
    assumptions: ProjectionAssumptions | None = None,
    year: int = YEAR,
    cohort: int = COHORT,
    data_top_age: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Period e0 in ``year`` and cohort e0 of those born in ``cohort``, for every target and exponent.

    Each projection is ``assumptions.with_target(target)`` (the cohort
    differentials kept) with the male convergence exponent set to ``power`` and
    the female one to :func:`female_power` of it, as in the chapter's run;
    ``data_top_age`` as in :func:`project_mortality`.

    Returns
    -------
    DataFrame
        Columns ``target, power, e0_male, e0_female, cohort_e0_male,
        cohort_e0_female`` (years), one row per target and exponent, targets
        varying slowest.
    """
    base = ProjectionAssumptions() if assumptions is None else assumptions
    rows = []
    for t in targets:
        shifted = base.with_target(float(t))
        for p in powers:
            proj = project_mortality(surfaces, replace(shifted, convergence_power={
                "male": float(p), "female": female_power(p)}, convergence_power_below=None),
                data_top_age=data_top_age)
            e0 = proj.period_expectancy(0, [year])
            coh = proj.cohort_expectancy(0, [cohort])
            rows.append({"target": float(t), "power": float(p),
                         "e0_male": float(e0.loc[year, "male"]), "e0_female": float(e0.loc[year, "female"]),
                         "cohort_e0_male": float(coh.loc[cohort, "male"]),
                         "cohort_e0_female": float(coh.loc[cohort, "female"])})
    return pd.DataFrame(rows)


def _nearest(values: Sequence[float], x: float) -> int:
    return int(np.argmin(np.abs(np.asarray(values, dtype=float) - x)))


def widget_html(table: pd.DataFrame, *, start_target: float, start_power: float,
                year: int = YEAR, cohort: int = COHORT) -> str:
    """The interactive figure: two sliders, four read-outs and a small chart, data inline.

    The read-outs are filled for the starting position on the server side, so
    the page shows correct numbers before (or without) JavaScript.
    """
    targets = sorted(table["target"].unique())
    powers = sorted(table["power"].unique())
    t = table.set_index(["target", "power"]).sort_index()
    data = {
        "targets": [round(x, 4) for x in targets],
        "powers": [round(x, 4) for x in powers],
        "rows": [[round(float(t.loc[(a, b), c]), 4) for c in _COLUMNS] for a in targets for b in powers],
        "columns": list(_COLUMNS),
        "year": year, "cohort": cohort,
        "female_share": CALIBRATION_FEMALE_SHARE,
    }
    ti, pi = _nearest(targets, start_target), _nearest(powers, start_power)
    start = t.loc[(targets[ti], powers[pi])]
    lo, hi = t.loc[(targets[0], powers[pi])], t.loc[(targets[-1], powers[pi])]
    sentence = (
        '<p class="explorer-sentence">With a male exponent of '
        f'<span data-text="power">{powers[pi]:.2f}</span> (females '
        f'<span data-text="power-female">{female_power(powers[pi]):.3f}</span>), period life expectancy '
        f'at birth for males in {year} moves from <span data-text="e0m-lo">{lo["e0_male"]:.1f}</span> years '
        f'with no long-term improvement to <span data-text="e0m-hi">{hi["e0_male"]:.1f}</span> years at '
        f'{100 * targets[-1]:.1f}% a year.</p>')
    readouts = "".join(
        f'<div><span>{html.escape(text)}</span><br><span class="value" data-col="{col}">'
        f"{start[col]:.1f}</span> years</div>"
        for col, text in (("e0_male", f"Period e0 in {year}, males"),
                          ("e0_female", f"Period e0 in {year}, females"),
                          ("cohort_e0_male", f"Cohort e0, males born in {cohort}"),
                          ("cohort_e0_female", f"Cohort e0, females born in {cohort}")))
    return (
        '<div class="foresight-explorer" id="foresight-explorer">'
        f'<script type="application/json" class="explorer-data">{json.dumps(data, separators=(",", ":"))}</script>'
        '<label for="explorer-target">Long-term improvement target: '
        f'<output name="target-value" for="explorer-target">{100 * targets[ti]:.1f}% a year</output></label>'
        f'<input type="range" id="explorer-target" name="target" min="0" max="{len(targets) - 1}" '
        f'step="1" value="{ti}" aria-label="long-term improvement target">'
        '<label for="explorer-power">Convergence exponent (males; females half-way to linear): '
        f'<output name="power-value" for="explorer-power">{powers[pi]:.2f}</output></label>'
        f'<input type="range" id="explorer-power" name="power" min="0" max="{len(powers) - 1}" '
        f'step="1" value="{pi}" aria-label="convergence exponent">'
        f'<div class="readout">{readouts}</div>{sentence}'
        '<svg class="explorer-chart" viewBox="0 0 640 280" role="img" '
        f'aria-label="Period life expectancy at birth in {year} against the long-term target, '
        'for the chosen exponent; the dot marks the chosen target"></svg>'
        '<noscript><p>The sliders need JavaScript; the numbers above are those of the '
        'ONS-like starting position.</p></noscript>'
        "</div>"
    )


@dataclass
class Explorer:
    """The explorer page's results: the grid, the glued values and the widget."""

    surfaces: Mapping[str, pd.DataFrame]
    data_top_age: Mapping[str, int] | None = None

    @cached_property
    def assumptions(self) -> ProjectionAssumptions:
        return ProjectionAssumptions()

    @cached_property
    def grid(self) -> pd.DataFrame:
        return grid(self.surfaces, assumptions=self.assumptions, data_top_age=self.data_top_age)

    def values(self) -> dict[str, object]:
        """Numbers the page's prose shows, by glue key."""
        a, g = self.assumptions, self.grid
        lo, hi = g["target"].min(), g["target"].max()
        at = g.set_index(["target", "power"])
        powers = sorted(g["power"].unique())
        p = powers[_nearest(powers, float(a.convergence_power["male"]))]
        return {
            "exp_n": int(len(g)),
            "exp_target_lo": float(100 * lo), "exp_target_hi": float(100 * hi),
            "exp_target_step": float(100 * np.min(np.diff(sorted(g["target"].unique())))),
            "exp_power_lo": float(g["power"].min()), "exp_power_hi": float(g["power"].max()),
            "exp_ons_target": float(100 * a.target_rate),
            "exp_ons_power_m": float(a.convergence_power["male"]),
            "exp_ons_power_f": float(a.convergence_power["female"]),
            "exp_year": YEAR, "exp_cohort": COHORT,
            "exp_power_shown": float(p),
            "exp_e0m_lo": float(at.loc[(lo, p), "e0_male"]),
            "exp_e0m_hi": float(at.loc[(hi, p), "e0_male"]),
        }

    def widget(self):
        """The interactive figure, for display in the page (IPython HTML)."""
        from IPython.display import HTML

        a = self.assumptions
        return HTML(widget_html(self.grid, start_target=a.target_rate,
                                start_power=float(a.convergence_power["male"])))


def build(surfaces: Mapping[str, pd.DataFrame] | None = None,
          data_top_age: Mapping[str, int] | None = None) -> Explorer:
    """The explorer for ``surfaces`` (default: :func:`default_inputs` and its top ages)."""
    if surfaces is None:
        return Explorer(default_inputs(), DEFAULT_TOP_AGES)
    return Explorer(surfaces, data_top_age)
