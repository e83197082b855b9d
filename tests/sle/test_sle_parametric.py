"""Per-respondent Gompertz and Weibull fits."""

import numpy as np
import pytest
from scipy import integrate, optimize

from foresight.sle.parametric import BOUNDS, conditional_survival, fit_curves, mean_age, median_age

AGES = np.array([60.0, 70, 80, 90, 100])


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
    with pytest.warns(ConvergenceWarning, match="2 of 2 gompertz"):
        f = fit_curves(p, np.array([30.0, 40.0]), "gompertz", max_iter=2)
    assert not f.converged.any()
    assert fit_curves(p, np.array([30.0, 40.0]), "gompertz").converged.all()


def test_unknown_model():
    with pytest.raises(ValueError):
        fit_curves(np.ones((1, 5)), np.ones(1), "lognormal")
