"""One result shape: every fit or analysis has summary() (text) and a tidy to_frame()."""

from __future__ import annotations

import re
import numpy as np
import pandas as pd
import pytest

import foresight.mortality as fm
import foresight.selection as sel
import foresight.sle as sle
from foresight import careers
from foresight.results import Result, summary_text
from foresight.sle.parametric import fit_curves


def _lee_carter():
    ages, years = np.arange(0, 5), np.array([1960, 1970, 1985])
    a, b, k = np.linspace(-7, -3, 5), np.full(5, 0.2), np.array([1.0, 0.0, -1.0])
    rates = pd.DataFrame(np.exp(a[:, None] + b[:, None] * k[None, :]), index=ages, columns=years)
    return fm.fit_lee_carter(rates), rates


@pytest.fixture(scope="module")
def results():
    lc, _ = _lee_carter()
    ages, years = np.arange(50, 71), np.arange(1991, 2001)
    aa, tt = np.meshgrid(ages, years, indexing="ij")
    truth = -10 + 0.09 * aa - 0.015 * (tt - 1991)
    exposure = np.full(truth.shape, 1e5)
    deaths = fm.simulate_deaths(truth, exposure, seed=1)
    pspline = fm.fit_pspline_2d(deaths, exposure, ages=ages, years=years)
    survey = sle.synthetic_cohort(n=400, seed=3)
    analysis = sle.analyse(survey)
    ssp = sle.survey.ssp_matrix(analysis.sample)
    curves = fit_curves(ssp[:20], analysis.sample["age"].to_numpy(dtype=float)[:20])
    cands = sel.simulate_candidates(5000, sel.default_predictors(), seed=2)
    judge = sel.clinical_judgements(cands, sel.JudgeSpec(weights=(0.3, 0.2, 0.4, 0.1), noise_sd=0.5), seed=3)
    study = careers.load_study()
    surfaces, _ = fm.smooth_elt_surfaces()
    return {
        "LeeCarterFit": lc,
        "PSplineFit": pspline,
        "Projection": fm.project_mortality(surfaces),
        "ModelFit": analysis.fits[1],
        "CascadeResult": analysis.cascade,
        "SLEAnalysis": analysis,
        "CurveFit": curves,
        "Estimate": sle.ssp_point_estimate(ssp[:10]),
        "LensResult": sel.lens_model(judge, cands.Y, cands.X),
        "IntentionTest": careers.intention_test(study),
        "ProjectSummary": careers.project_summary(careers.read_qdpx(careers.demo_qdpx_path()), study),
    }


NAMES = ["LeeCarterFit", "PSplineFit", "Projection", "ModelFit", "CascadeResult", "SLEAnalysis",
         "CurveFit", "Estimate", "LensResult", "IntentionTest", "ProjectSummary"]


@pytest.mark.parametrize("name", NAMES)
def test_every_result_has_summary_and_tidy_frame(results, name):
    r = results[name]
    assert type(r).__name__ == name
    assert isinstance(r, Result)
    text = r.summary()
    assert isinstance(text, str) and "\n" in text
    frame = r.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    assert frame.columns.is_unique and not isinstance(frame.columns, pd.MultiIndex)


def test_old_names_are_gone(results):
    assert not hasattr(results["ModelFit"], "tidy")
    assert not hasattr(results["LensResult"], "as_dict")
    assert not hasattr(results["CurveFit"], "frame")


def test_lee_carter_frame_is_the_fitted_surface():
    lc, rates = _lee_carter()
    t = lc.to_frame()
    assert len(t) == 5 * 3 and list(t.columns) == ["age", "year", "a", "b", "k", "log_rate"]
    wide = t.pivot(index="age", columns="year", values="log_rate")
    np.testing.assert_allclose(np.exp(wide.to_numpy()), lc.fitted().to_numpy())
    # the data are exactly rank one, so the fit reproduces them
    np.testing.assert_allclose(np.exp(wide.to_numpy()), rates.to_numpy(), rtol=1e-10)
    text = lc.summary()
    assert re.search(r"variance explained by b k +  = 1\n", text)
    # k falls from 1 to -1 over 1960-1985 (b sums to 1 already): drift -2/25 a year
    assert re.search(r"drift of k per calendar year = -0.08\n", text)


def test_frames_carry_the_numbers_of_the_objects(results):
    lens = results["LensResult"]
    f = lens.to_frame().set_index("statistic")["value"]
    assert f["r_a"] == lens.r_a and f["model_of_judge"] == pytest.approx(lens.G * lens.Re)
    # Tucker's identity: the two components add up to the achievement
    assert f["linear_component"] + f["residual_component"] == pytest.approx(lens.r_a, abs=1e-12)
    m = results["ModelFit"]
    assert m.to_frame()["coef"].tolist() == pytest.approx(
        m.results.params.reindex(m.to_frame()["term"]).tolist())
    analysis = results["SLEAnalysis"]
    h = analysis.to_frame().set_index("statistic")["value"]
    assert h["mean_sle"] == analysis.headline["mean_sle"]
    casc = results["CascadeResult"]
    assert casc.to_frame()["remaining"].iloc[-1] == len(casc.kept)
    est = results["Estimate"]
    np.testing.assert_array_equal(est.to_frame()["value"].to_numpy(), est.value)
    it = results["IntentionTest"]
    assert it.to_frame()["p_value"].min() == it.p_min


def test_summary_text_layout():
    text = summary_text("Title", {"n": 1234, "share": 0.123456, "ok": True, "name": "x"})
    assert text.splitlines() == ["Title", "  n     = 1,234", "  share = 0.1235", "  ok    = yes",
                                 "  name  = x"]
