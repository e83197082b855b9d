"""Tests of the Lee-Carter benchmark (foresight.mortality.leecarter)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foresight.errors import DataError
from foresight.mortality.leecarter import fit_lee_carter


def rank_one(years, drift=-1.5, seed=0):
    rng = np.random.default_rng(seed)
    ages = np.arange(0, 50)
    a = -8 + 0.08 * ages
    b = rng.uniform(0.5, 1.5, ages.size)
    b /= b.sum()
    k = drift * (np.asarray(years) - np.mean(years))
    k -= k.mean()
    m = np.exp(a[:, None] + b[:, None] * k[None, :])
    return pd.DataFrame(m, index=pd.Index(ages, name="age"), columns=pd.Index(years, name="year")), a, b, k


@given(st.floats(-3.0, -0.2), st.integers(0, 100))
@settings(max_examples=25, deadline=None)
def test_exact_rank_one_surface_is_recovered(drift, seed):
    years = np.array([1961, 1971, 1981, 1991])
    rates, a, b, k = rank_one(years, drift, seed)
    fit = fit_lee_carter(rates)
    assert np.allclose(fit.a, a) and np.allclose(fit.b, b) and np.allclose(fit.k, k)
    assert fit.b.sum() == pytest.approx(1.0) and fit.k.sum() == pytest.approx(0.0, abs=1e-9)
    assert fit.drift == pytest.approx(drift)  # per calendar year, from decennial data
    assert fit.explained == pytest.approx(1.0)
    assert np.allclose(fit.fitted().to_numpy(), rates.to_numpy())


def test_forecast_continues_the_drift():
    years = np.array([1961, 1971, 1981])
    rates, a, b, k = rank_one(years, -2.0)
    fit = fit_lee_carter(rates)
    fc = fit.forecast([1981, 1991, 2001])
    k_future = k[-1] - 2.0 * np.array([0, 10, 20])
    expected = np.exp(a[:, None] + b[:, None] * k_future[None, :])
    assert np.allclose(fc.to_numpy(), expected)
    # the observed jump-off agrees when the model fits exactly
    obs = fit_lee_carter(rates, jump_off="observed").forecast([1991, 2001])
    assert np.allclose(obs.to_numpy(), expected[:, 1:])
    with pytest.raises(ValueError):
        fit.forecast([1970])


def test_observed_jump_off_starts_from_the_data():
    years = np.array([1961, 1971, 1981])
    rates, *_ = rank_one(years)
    noisy = rates * np.exp(np.random.default_rng(1).normal(0, 0.05, rates.shape))
    fit = fit_lee_carter(noisy, jump_off="observed")
    assert np.allclose(fit.forecast([1981]).to_numpy()[:, 0], noisy[1981].to_numpy())


def test_bad_rates_name_the_cell():
    rates, *_ = rank_one(np.array([1961, 1971]))
    rates.loc[3, 1971] = 0.0
    with pytest.raises(DataError, match="age 3, year 1971"):
        fit_lee_carter(rates)
    with pytest.raises(DataError, match="two increasing years"):
        fit_lee_carter(rates[[1961]])
