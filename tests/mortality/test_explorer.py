"""The explorer's precomputed grid: the projection API's own numbers, in the page's order."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from foresight.mortality import explorer
from foresight.mortality.projection import ProjectionAssumptions, project_mortality


@pytest.fixture(scope="module")
def surfaces():
    return explorer.default_inputs()


def test_offered_ranges_are_those_of_the_issue():
    assert explorer.TARGETS[0] == 0 and explorer.TARGETS[-1] == pytest.approx(0.025)
    assert 0.012 in explorer.TARGETS  # the ONS target is a position of the slider
    # the book's male exponent and linear convergence are positions of the slider
    assert ProjectionAssumptions().convergence_power["male"] in explorer.POWERS and 1.0 in explorer.POWERS


def test_grid_is_the_projection_for_each_position(surfaces):
    g = explorer.grid(surfaces, [0.0, 0.012], [1.0, 2.0], data_top_age=explorer.DEFAULT_TOP_AGES)
    assert list(g[["target", "power"]].itertuples(index=False, name=None)) == [
        (0.0, 1.0), (0.0, 2.0), (0.012, 1.0), (0.012, 2.0)]
    a = ProjectionAssumptions().with_target(0.012)
    p = project_mortality(surfaces, replace(a, convergence_power={"male": 2.0, "female": 1.5}),
                          data_top_age=explorer.DEFAULT_TOP_AGES)  # females half-way to linear
    row = g.iloc[3]
    assert row["e0_male"] == pytest.approx(p.period_expectancy(0, [2039]).loc[2039, "male"], rel=1e-12)
    assert row["cohort_e0_female"] == pytest.approx(p.cohort_expectancy(0, [2014]).loc[2014, "female"],
                                                    rel=1e-12)
    # more long-term improvement, longer lives; both sexes, both measures
    for col in ("e0_male", "e0_female", "cohort_e0_male", "cohort_e0_female"):
        assert g.iloc[2][col] > g.iloc[0][col]


def test_widget_embeds_the_grid_and_starts_at_the_given_position(surfaces):
    g = explorer.grid(surfaces, [0.0, 0.012, 0.025], [1.0, 2.0])
    html = explorer.widget_html(g, start_target=0.012, start_power=2.0)
    data = json.loads(re.search(r'<script type="application/json" class="explorer-data">(.*?)</script>',
                                html).group(1))
    assert data["targets"] == [0.0, 0.012, 0.025] and data["powers"] == [1.0, 2.0]
    assert len(data["rows"]) == 6
    start = g[(g.target == 0.012) & (g.power == 2.0)].iloc[0]
    assert data["rows"][3][0] == pytest.approx(start["e0_male"], abs=1e-4)
    assert 'value="1"' in html  # the target slider starts at 1.2%
    assert f'data-col="e0_male">{start["e0_male"]:.1f}<' in html  # read-outs filled without script


def test_the_starting_position_is_the_chapters_run(surfaces, mortality_report):
    """At its defaults the explorer shows the chapter's own 2039 figures (both sexes)."""
    a = ProjectionAssumptions()
    g = explorer.grid(surfaces, [a.target_rate], [a.convergence_power["male"]],
                      data_top_age=explorer.DEFAULT_TOP_AGES).iloc[0]
    assert explorer.female_power(a.convergence_power["male"]) == pytest.approx(a.convergence_power["female"])
    chapter = mortality_report.projection.period_expectancy(0, [2039]).loc[2039]
    assert g["e0_male"] == pytest.approx(chapter["male"], rel=1e-12)
    assert g["e0_female"] == pytest.approx(chapter["female"], rel=1e-12)


def test_the_sentence_follows_the_sliders(surfaces):
    g = explorer.grid(surfaces, [0.0, 0.012, 0.025], [1.0, 2.0])
    html = explorer.widget_html(g, start_target=0.012, start_power=2.0)
    sentence = re.search(r'<p class="explorer-sentence">(.*?)</p>', html).group(1)
    lo = g[(g.target == 0.0) & (g.power == 2.0)].iloc[0]["e0_male"]
    hi = g[(g.target == 0.025) & (g.power == 2.0)].iloc[0]["e0_male"]
    assert f'data-text="e0m-lo">{lo:.1f}<' in sentence and f'data-text="e0m-hi">{hi:.1f}<' in sentence
    assert 'data-text="power">2.00<' in sentence and 'data-text="power-female">1.500<' in sentence
    # the script rewrites each of these spans when a slider moves
    script = (explorer.__file__.rsplit("/mortality/", 1)[0] + "/assets/foresight-explorer.js")
    js = open(script, encoding="utf-8").read()
    for key in ("power", "power-female", "e0m-lo", "e0m-hi"):
        assert f'"{key}"' in js
