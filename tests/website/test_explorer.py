"""The interactive projection figure works in a real browser, offline, from 127.0.0.1 only.

The page embeds the build's precomputed grid; moving the sliders must change the
read-outs to the grid's values for that target and exponent. The same values are
recomputed here through the public projection API for two positions, so the
test fails if the page showed numbers the projection does not give.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from .test_site import PAGES

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGE = "chapters/appendix/explore.html"
READ = """
root => ({state: root.getAttribute('data-state'),
          target: root.querySelector('output[name=target-value]').textContent,
          power: root.querySelector('output[name=power-value]').textContent,
          values: Object.fromEntries(Array.from(root.querySelectorAll('.value[data-col]'))
                    .map(s => [s.dataset.col, s.textContent])),
          marks: root.querySelectorAll('svg circle').length,
          sentence: Object.fromEntries(Array.from(root.querySelectorAll('[data-text]'))
                    .map(s => [s.dataset.text, s.textContent])),
          lines: root.querySelectorAll('svg polyline').length})
"""


def _move(page, name: str, index: int) -> None:
    page.eval_on_selector(f'input[name="{name}"]',
                          "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }",
                          str(index))


def test_explorer_is_in_the_toc():
    assert PAGE in PAGES


def test_sliders_change_the_projection_offline_and_locally(browser, site_url):
    from foresight.mortality import explorer

    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site_url}/{PAGE}", wait_until="networkidle")
    ctx.set_offline(True)  # from here on nothing can be fetched: the figure must not need to
    root = page.query_selector(".foresight-explorer")
    assert root is not None
    data = json.loads(page.eval_on_selector("script.explorer-data", "e => e.textContent"))
    assert data["targets"][0] == 0 and data["targets"][-1] == pytest.approx(0.025)
    assert len(data["rows"]) == len(data["targets"]) * len(data["powers"])

    start = root.evaluate(READ)
    assert start["lines"] == 2 and start["marks"] == 2  # the chart is drawn by the script

    # moving each slider changes what the reader sees, to the grid's values
    seen = []
    surfaces = explorer.default_inputs()
    for ti, pi in ((0, 0), (len(data["targets"]) - 1, 0), (len(data["targets"]) - 1, len(data["powers"]) - 1)):
        _move(page, "target", ti)
        _move(page, "power", pi)
        now = root.evaluate(READ)
        assert now["state"] == f"{ti},{pi}"
        assert now["target"] == f"{100 * data['targets'][ti]:.1f}% a year"
        row = dict(zip(data["columns"], data["rows"][ti * len(data["powers"]) + pi]))
        assert now["values"] == {k: f"{v:.1f}" for k, v in row.items()}
        seen.append(tuple(now["values"].values()))
        # the sentence under the read-outs follows the exponent slider
        npow = len(data["powers"])
        assert now["sentence"]["power"] == f"{data['powers'][pi]:.2f}"
        assert now["sentence"]["e0m-lo"] == f"{data['rows'][pi][data['columns'].index('e0_male')]:.1f}"
        assert now["sentence"]["e0m-hi"] == \
            f"{data['rows'][(len(data['targets']) - 1) * npow + pi][data['columns'].index('e0_male')]:.1f}"
        # and the grid holds what the projection API gives for this position
        fresh = explorer.grid(surfaces, [data["targets"][ti]], [data["powers"][pi]],
                              data_top_age=explorer.DEFAULT_TOP_AGES).iloc[0]
        for k, v in row.items():
            assert fresh[k] == pytest.approx(v, abs=1e-3), (ti, pi, k)
    assert len(set(seen)) == 3, "the read-outs did not change"
    lo, hi = (dict(zip(data["columns"], data["rows"][i * len(data["powers"])]))
              for i in (0, len(data["targets"]) - 1))
    assert hi["e0_male"] > lo["e0_male"] and hi["cohort_e0_female"] > lo["cohort_e0_female"]

    ctx.close()
    host = urllib.parse.urlparse(site_url)
    external = [u for u in requests
                if urllib.parse.urlparse(u).scheme not in ("data", "blob", "about")
                and (urllib.parse.urlparse(u).hostname, urllib.parse.urlparse(u).port) != (host.hostname, host.port)]
    assert external == []
    assert any("_static/foresight-explorer.js" in u for u in requests)  # the script is served locally
    assert errors == []
