"""Per-respondent Gompertz and Weibull fits."""

import numpy as np
import pytest
from scipy import integrate, optimize

from foresight.sle.parametric import BOUNDS, conditional_survival, fit_curves, mean_age, median_age

AGES = np.array([60.0, 70, 80, 90, 100])


def _scipy_bounded_best(model, answers, age):
    """The lowest sum of squares scipy's bounded least squares reaches from seven starts
    spread across the bounds (an independent reference for the bounded optimum)."""
    lo, hi = BOUNDS[model]
    best = np.inf
    for s in np.linspace(0.05, 0.95, 7):
        res = optimize.least_squares(
            lambda th: conditional_survival(model, th[None, :], np.array([age]), AGES[None, :])[0] - answers / 100,
            lo + s * (hi - lo), bounds=(lo, hi), xtol=1e-14, ftol=1e-14)
        best = min(best, 2 * res.cost)
    return best


@pytest.mark.parametrize("model, theta", [("gompertz", (85.0, np.log(9.0))),
                                          ("weibull", (np.log(88.0), np.log(9.0)))])
def test_exact_curves_are_recovered(model, theta):
    th = np.array([theta, theta])
    x = np.array([30.0, 50.0])
    p = 100 * conditional_survival(model, th, x, AGES[None, :])
    f = fit_curves(p, x, model)
    np.testing.assert_allclose(f.params, th, rtol=1e-4, atol=1e-4)
    assert f.rmse.max() < 1e-6


def test_gompertz_closed_forms_by_hand():
    # M = 85, b = 10, x = 40: S(a|x) = exp(-(e^{(a-85)/10} - e^{-4.5}))
    th = np.array([[85.0, np.log(10.0)]])
    x = np.array([40.0])
    S = conditional_survival("gompertz", th, x, np.array([[85.0]]))[0, 0]
    assert S == pytest.approx(np.exp(-(1 - np.exp(-4.5))))
    med = median_age("gompertz", th, x)[0]
    assert conditional_survival("gompertz", th, x, np.array([[med]]))[0, 0] == pytest.approx(0.5)
    # mean age at death by independent quadrature
    ref = 40 + integrate.quad(lambda t: np.exp(-(np.exp((40 + t - 85) / 10) - np.exp(-4.5))), 0, 200)[0]
    assert mean_age("gompertz", th, x)[0] == pytest.approx(ref, abs=1e-3)


def test_weibull_median_and_mean():
    th = np.array([[np.log(90.0), np.log(8.0)]])
    x = np.array([35.0])
    med = median_age("weibull", th, x)[0]
    assert conditional_survival("weibull", th, x, np.array([[med]]))[0, 0] == pytest.approx(0.5)
    ref = 35 + integrate.quad(lambda t: np.exp(-(((35 + t) / 90) ** 8 - (35 / 90) ** 8)), 0, 200)[0]
    assert mean_age("weibull", th, x)[0] == pytest.approx(ref, abs=1e-3)


@pytest.mark.parametrize("model", ["gompertz", "weibull"])
def test_least_squares_optimum_matches_scipy(model):
    rng = np.random.default_rng(0)
    x = rng.integers(20, 60, 25).astype(float)
    med = rng.uniform(75, 95, 25)
    base = np.exp(-np.log(2) * np.exp((AGES[None, :] - med[:, None]) / 9.0))
    p = np.clip(5 * np.round(20 * (base + rng.normal(0, 0.04, base.shape))), 0, 100)
    p = np.minimum.accumulate(p, axis=1)
    lo, hi = BOUNDS[model]
    # from a good start (the crossing) and from the default one (85 for everybody)
    for f in (fit_curves(p, x, model, start=med), fit_curves(p, x, model)):
        assert f.converged.all()
        for i in range(25):
            res = optimize.least_squares(
                lambda th: conditional_survival(model, th[None, :], x[i:i + 1], AGES[None, :])[0] - p[i] / 100,
                np.clip(f.params[i] + 0.05, lo + 1e-6, hi - 1e-6), bounds=(lo, hi), xtol=1e-14, ftol=1e-14)
            ours = 5 * f.rmse[i] ** 2
            assert ours <= 2 * res.cost * (1 + 1e-6) + 1e-12, (i, ours, 2 * res.cost)


def test_plateau_answers_end_at_a_bound():
    p = np.array([[60.0, 40, 30, 30, 30]])
    f = fit_curves(p, np.array([27.0]), "gompertz")
    assert f.at_bound[0]
    assert f.converged[0]  # held on the bound, the other parameter still converges
    assert np.all(np.isfinite(f.median))


def test_unconverged_fits_are_flagged_and_announced():
    from foresight import ConvergenceWarning

    p = np.array([[90.0, 80, 60, 30, 10], [95.0, 90, 70, 50, 20]])
    with pytest.warns(ConvergenceWarning, match="2 of 2 gompertz") as caught:
        f = fit_curves(p, np.array([30.0, 40.0]), "gompertz", max_iter=2)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert not f.converged.any()
    assert fit_curves(p, np.array([30.0, 40.0]), "gompertz").converged.all()


def test_unknown_model():
    with pytest.raises(ValueError):
        fit_curves(np.ones((1, 5)), np.ones(1), "lognormal")


def test_fits_on_the_bounds_end_exactly_on_the_documented_values():
    """The bounds keep curves on a human scale: Gompertz M in [40, 140] and b in [log 1, log 40];
    Weibull scale in [log 40, log 160] and shape in [log 1, log 40]. A cliff (100% at 70, 0% at
    80) asks for the steepest curve allowed; a fit well inside is not flagged."""
    assert np.allclose(BOUNDS["gompertz"][0], [40.0, 0.0]) and np.allclose(BOUNDS["gompertz"][1], [140.0, np.log(40)])
    assert np.allclose(BOUNDS["weibull"][0], [np.log(40), 0.0]) and np.allclose(BOUNDS["weibull"][1], [np.log(160), np.log(40)])
    cliff = np.array([[100.0, 100, 0, 0, 0]])
    for model in ("gompertz", "weibull"):
        f = fit_curves(cliff, np.array([30.0]), model, start=np.array([75.0]))
        steepest = 0.0 if model == "gompertz" else np.log(40.0)  # Gompertz dispersion 1, Weibull shape 40
        assert f.at_bound[0] and f.params[0, 1] == pytest.approx(steepest, abs=1e-12), model
        smooth = 100 * conditional_survival(model, np.array([[85.0, np.log(9.0)] if model == "gompertz"
                                                                  else [np.log(88.0), np.log(9.0)]]),
                                            np.array([30.0]), AGES[None, :])
        g = fit_curves(smooth, np.array([30.0]), model)
        assert not g.at_bound[0] and g.rmse[0] < 1e-6, model


def test_the_search_starts_from_the_crossing_and_from_fixed_medians():
    """Gompertz: M = median + 4, b = log 9; Weibull: scale = log(1.03 x median), shape = log 9,
    for the caller's median (the crossing; 85 if none) and for each of STARTS (70 and 100).
    With no iteration allowed the fit reports the start with the lowest sum of squares."""
    from foresight.sle.parametric import STARTS

    assert STARTS == (70.0, 100.0)
    p = np.array([[90.0, 80, 60, 30, 10]])
    x = np.array([30.0])
    for model, start in (("gompertz", lambda m: [m + 4.0, np.log(9.0)]),
                         ("weibull", lambda m: [np.log(1.03 * m), np.log(9.0)])):
        for given in (np.array([80.0]), None):
            medians = [80.0 if given is not None else 85.0, 70.0, 100.0]
            cands = np.array([start(m) for m in medians])
            sse = ((conditional_survival(model, cands, np.repeat(x, 3), AGES[None, :]) - p / 100) ** 2).sum(axis=1)
            with pytest.warns(Warning):
                f = fit_curves(p, x, model, start=given, max_iter=0)
            assert f.params[0].tolist() == pytest.approx(cands[np.argmin(sse)].tolist()), (model, given)
            assert np.argmin(sse) == 0  # here the caller's median is the best start


def test_the_fit_summary_by_hand():
    import pandas as pd

    from foresight.sle.parametric import fit_summary

    fits = pd.DataFrame({"ssp_pe": [80.0, 90.0, 70.0]})
    for m in ("gompertz", "weibull"):
        fits[f"{m}_median"] = [82.0, 88.0, 71.0]
        fits[f"{m}_mean"] = [81.0, 86.0, 72.0]
        fits[f"{m}_at_bound"] = [False, True, False]
        fits[f"{m}_rmse"] = [0.01, 0.03, 0.02]
    s = fit_summary(fits).set_index("model").loc["Gompertz"]
    assert s["median minus crossing"] == pytest.approx((2 - 2 + 1) / 3)
    assert s["mean |median minus crossing|"] == pytest.approx((2 + 2 + 1) / 3)
    assert s["median RMSE (points)"] == pytest.approx(2.0)
    assert s["at a bound (%)"] == pytest.approx(100 / 3)
    assert s["|median minus crossing|, at a bound"] == pytest.approx(2.0)
    assert s["|median minus crossing|, inside bounds"] == pytest.approx(1.5)
    assert s["mean minus median, inside bounds"] == pytest.approx((-1 + 1) / 2)
    assert s["mean minus median, at a bound"] == pytest.approx(-2.0)


@pytest.mark.parametrize("model", ["gompertz", "weibull"])
def test_answers_that_end_on_a_bound_reach_the_bounded_optimum(model):
    """Cliffs, plateaus and early deaths push a parameter onto its bound; the search holds it
    there and still reaches the bounded least-squares optimum (scipy, from several starts)."""
    p = np.array([[100.0, 100, 0, 0, 0], [60, 40, 30, 30, 30], [10, 2, 0, 0, 0], [100, 100, 100, 95, 90]])
    x = np.array([30.0, 27.0, 30.0, 40.0])
    f = fit_curves(p, x, model)
    assert f.converged.all() and f.at_bound[0]
    if model == "gompertz":  # the early deaths put M on its lower bound, 40
        assert f.params[2, 0] == pytest.approx(40.0) and f.at_bound[2]
    for i in range(len(p)):
        best = _scipy_bounded_best(model, p[i], x[i])
        assert 5 * f.rmse[i] ** 2 <= best * (1 + 1e-6) + 1e-12, (i, 5 * f.rmse[i] ** 2, best)


# Answers that trouble a single search: two minima (the first), a flat valley of exact
# fits (the second), and plateaus and cliffs that end on a bound.
TRICKY = np.array([[100.0, 100, 70, 5, 0], [95, 0, 0, 0, 0], [90, 90, 90, 60, 0], [75, 70, 50, 0, 0],
                   [100, 90, 55, 0, 0], [100, 100, 100, 0, 0], [50, 50, 30, 0, 0], [90, 60, 45, 0, 0]])
TRICKY_AGE = np.array([52.0, 47, 42, 48, 26, 55, 42, 39])


@pytest.mark.parametrize("model", ["gompertz", "weibull"])
def test_the_fit_does_not_depend_on_where_the_search_starts(model):
    import warnings

    from foresight.sle.elicitation import ssp_point_estimate

    crossing = ssp_point_estimate(TRICKY).value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every fit converges, from every start
        fits = [fit_curves(TRICKY, TRICKY_AGE, model, start=s)
                for s in (crossing, None, crossing + 8, crossing - 8, np.full(8, 65.0))]
    for f in fits:
        assert f.converged.all()
        np.testing.assert_allclose(f.median, fits[0].median, rtol=0, atol=1e-5)
        np.testing.assert_allclose(f.rmse, fits[0].rmse, rtol=1e-6, atol=1e-12)
    for i in range(len(TRICKY)):  # and it is the best of scipy's bounded optima from seven starts
        best = _scipy_bounded_best(model, TRICKY[i], TRICKY_AGE[i])
        assert 5 * fits[0].rmse[i] ** 2 <= best * (1 + 1e-6) + 1e-12, (i, 5 * fits[0].rmse[i] ** 2, best)


def test_exact_answers_get_the_steepest_curve_through_them():
    """95 % at 60 and 0 after, at age 47: every steep enough curve through 95 % at 60 fits
    exactly, and least squares prefers ever steeper ones. Within the bounds the optimum is
    the steepest curve, placed through the answer. By hand:
    Gompertz b = 1: exp(60 - M) - exp(47 - M) = -ln 0.95, so M = ln((e^60 - e^47) / -ln 0.95);
    Weibull k = 40: (60/lam)^40 - (47/lam)^40 = -ln 0.95, so lam = ((60^40 - 47^40) / -ln 0.95)^(1/40)."""
    p, x = np.array([[95.0, 0, 0, 0, 0]]), np.array([47.0])
    q = -np.log(0.95)
    g = fit_curves(p, x, "gompertz", start=np.array([64.7]))
    M = np.log((np.exp(60.0) - np.exp(47.0)) / q)
    assert g.params[0].tolist() == pytest.approx([M, 0.0], abs=1e-9)
    assert g.median[0] == pytest.approx(M + np.log(np.log(2.0) + np.exp(47.0 - M)), abs=1e-9)
    w = fit_curves(p, x, "weibull", start=np.array([64.7]))
    lam = ((60.0 ** 40 - 47.0 ** 40) / q) ** (1 / 40)
    assert np.exp(w.params[0]).tolist() == pytest.approx([lam, 40.0], rel=1e-9)
    for f in (g, w):
        assert f.at_bound[0] and f.converged[0] and f.rmse[0] < 1e-7
    # answers all 0: every early enough location fits; the first (the lower bound) is reported
    z = fit_curves(np.zeros((1, 5)), np.array([30.0]), "gompertz")
    assert z.params[0].tolist() == [40.0, 0.0]
    # an exact fit the steepest curve cannot match keeps its own curve (both answers matter)
    smooth = 100 * conditional_survival("gompertz", np.array([[85.0, np.log(9.0)]]), x, AGES[None, :])
    assert fit_curves(smooth, x, "gompertz").params[0, 1] == pytest.approx(np.log(9.0), abs=1e-4)


def test_fits_are_frozen_and_tabulated_and_summarised_by_hand():
    """The table has the documented columns on the natural scale (Gompertz M and b, Weibull
    scale and shape), and the summary's shares and median RMSE are computed from the fits:
    here one cliff at a bound and one smooth answer, both converged."""
    import dataclasses

    p = np.array([[100.0, 100, 0, 0, 0], [90, 80, 60, 30, 10]])
    x = np.array([30.0, 30.0])
    g = fit_curves(p, x, "gompertz")
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.median = g.median * 2
    t = g.to_frame()
    assert list(t.columns) == ["M", "b", "rmse", "median", "mean", "converged", "at_bound"]
    np.testing.assert_array_equal(t["M"], g.params[:, 0])
    np.testing.assert_array_equal(t["b"], np.exp(g.params[:, 1]))
    w = fit_curves(p, x, "weibull").to_frame()
    assert list(w.columns)[:2] == ["scale", "shape"] and w["shape"].iloc[0] == pytest.approx(40.0)
    lines = dict(line.split(" = ") for line in g.summary().splitlines()[1:])
    got = {k.strip(): float(v) for k, v in lines.items()}
    assert got["converged (%)"] == 100 and got["at a parameter bound (%)"] == 50
    assert got["median RMSE (points)"] == pytest.approx(100 * np.median(g.rmse), abs=0.005)
    assert got["mean of the fitted medians (years)"] == pytest.approx(np.mean(g.median), abs=0.005)


def test_answers_of_100_throughout_get_the_steepest_curve_at_the_latest_scale():
    """100 % at every target age: every steep Weibull curve that ends late enough fits exactly,
    and the fit keeps getting better up to the largest scale allowed (160, shape 40), the
    last point of the search grid."""
    f = fit_curves(np.full((1, 5), 100.0), np.array([40.0]), "weibull")
    assert np.exp(f.params[0]).tolist() == pytest.approx([160.0, 40.0], rel=1e-12)
    assert f.at_bound[0] and f.converged[0] and f.rmse[0] < 1e-7
