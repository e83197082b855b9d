"""Projection methods behind one interface, and the proof that none of them sees past its origin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from foresight.errors import DataError
from foresight.mortality import forecasters as F
from foresight.mortality import populations as pops
from foresight.mortality.backtest import project_origin
from foresight.mortality.leecarter import LI_LEE_MAX_PHI, fit_li_lee
from foresight.mortality.pspline import extrapolate_years, fit_pspline_2d
from foresight.mortality.tournament import main_methods

#: A population whose data start late (1956), so that the histories are short and quick.
CODE, ORIGIN = "DEUTW", 1995
YEARS = list(range(ORIGIN + 1, ORIGIN + 11))


@pytest.fixture(scope="module")
def population():
    return pops.hmd_population(CODE)


@pytest.fixture(scope="module")
def history(population):
    return F.History(population, ORIGIN)


@pytest.fixture(scope="module")
def truncated_folder(tmp_path_factory):
    """The HMD files themselves cut at the origin: every line of a later year removed."""
    from foresight.data import data_dir

    folder = tmp_path_factory.mktemp("trunc") / CODE
    folder.mkdir()
    for name in pops.HMD_FILES:
        lines = (data_dir() / "mortality" / "hmd" / CODE / name).read_text(encoding="utf-8").split("\n")
        kept = [ln for ln in lines if not (ln[:6].strip().isdigit() and int(ln[:6]) > ORIGIN)]
        assert len(kept) < len(lines)
        (folder / name).write_text("\n".join(kept), encoding="utf-8")
    return folder


def _methods():
    return [*main_methods(), F.ONSStyle(F.FixedTarget(0.02), name="ONS-style, 2%"),
            F.ONSStyle(F.CenturyTrend(max_years=None), name="ONS-style, all years"),
            F.LeeCarter(jump_off="fitted", name="Lee-Carter, fitted"),
            F.LiLee(jump_off="fitted", name="Li-Lee, fitted")]


def test_every_method_returns_rates_by_age_and_year(history):
    for method in _methods():
        assert isinstance(method, F.Forecaster), method.name
        rates = method.project(history, YEARS)
        assert set(rates) == {"male", "female"}, method.name
        for sex, m in rates.items():
            assert list(m.index) == list(range(0, F.TOP_AGE + 1)), method.name
            assert list(m.columns) == YEARS, method.name
            assert np.isfinite(m.to_numpy()).all() and (m.to_numpy() > 0).all(), (method.name, sex)
            # the shape of adult mortality, and the Kannisto closure rising above the data's ages
            assert (m.loc[45] < m.loc[65]).all() and (m.loc[65] < m.loc[85]).all(), (method.name, sex)
            assert (np.diff(m.loc[F.RATE_TOP_AGE:].to_numpy(), axis=0) > 0).all(), (method.name, sex)


def test_projections_from_an_origin_are_the_same_when_the_files_end_there(population, truncated_folder):
    """The leakage test: no method, and not the target rule, uses anything after the origin."""
    cut = pops.read_hmd_folder(truncated_folder)
    assert cut.last_year == ORIGIN and population.last_year > ORIGIN
    methods = _methods()
    full = project_origin(population, ORIGIN, methods, YEARS)
    short = project_origin(cut, ORIGIN, methods, YEARS)
    pd.testing.assert_frame_equal(full, short, check_exact=True)
    assert set(full["method"]) == {m.name for m in methods}
    rule = F.CenturyTrend()
    assert rule(F.History(population, ORIGIN)) == rule(F.History(cut, ORIGIN))


def test_the_leakage_test_would_see_a_method_that_looks_ahead(population, truncated_folder, monkeypatch):
    """With the history no longer cut at the origin, the target rule reads later years and the
    comparison above fails: the test can fail."""
    cut = pops.read_hmd_folder(truncated_folder)
    monkeypatch.setattr(pops.HMDPopulation, "truncated", lambda self, last_year: self)
    method = [F.ONSStyle(F.CenturyTrend())]
    full = project_origin(population, ORIGIN, method, YEARS)
    short = project_origin(cut, ORIGIN, method, YEARS)
    assert not np.allclose(full["projected"], short["projected"], rtol=1e-9, atol=0)


def test_history_refuses_origins_the_data_cannot_support(population):
    with pytest.raises(DataError, match="fewer than 30 years of data before it"):
        F.History(population, 1980)
    with pytest.raises(DataError, match="before the origin 2020"):
        F.History(population, 2020)
    h = F.History(population, 1986)  # 1956 + 30: the first possible origin
    assert h.population.last_year == 1986 and h.first_fit_year == 1956
    with pytest.raises(DataError, match="must follow the origin"):
        F.LeeCarter().project(h, [1986, 1987])


# ------------------------------------------------------------------ the target rule
def _synthetic_population(improvement: float, first: int = 1900, last: int = 2010) -> pops.HMDPopulation:
    """A population whose death rates fall by ``improvement`` a year at every age."""
    years = np.arange(first, last + 1)
    ages = np.arange(0, 111)
    base = 2e-4 + 3e-5 * np.exp(0.095 * ages)
    base[0] = 6e-3
    rows = []
    for y in years:
        m = np.minimum(base * (1 - improvement) ** (y - first), 0.9)
        e = 1e5 * np.exp(-ages / 60.0)
        rows.append(pd.DataFrame({"year": y, "age": ages, "open_interval": ages == 110,
                                  "female": m * e, "male": 1.3 * m * e, "total": 2.3 * m * e,
                                  "_e": e}))
    frame = pd.concat(rows, ignore_index=True)
    deaths = frame[["year", "age", "open_interval", "female", "male", "total"]].copy()
    exposures = frame[["year", "age", "open_interval"]].assign(female=frame["_e"], male=frame["_e"],
                                                               total=2 * frame["_e"])
    deaths.attrs, exposures.attrs = {"kind": "deaths"}, {"kind": "exposures"}
    return pops.HMDPopulation("SYN", "Synthetica", deaths, exposures, "generated", "test")


def test_the_century_rule_finds_a_constant_improvement_and_reads_only_its_window():
    p = _synthetic_population(0.015)
    h = F.History(p, 2005)
    assert F.asmr_trend(h) == pytest.approx(0.015, abs=1e-12)
    assert F.CenturyTrend()(h) == pytest.approx(0.015, abs=1e-12)
    # rates that fall faster before 1950 change the all-years average, not the century's
    q = _synthetic_population(0.015, first=1950)
    early = _synthetic_population(0.03, first=1850, last=1949)
    joined = pops.HMDPopulation(
        "J", "J", pd.concat([early.deaths, q.deaths.assign(**{c: q.deaths[c] * (0.97 ** 100 / 0.985 ** 0)
                                                              for c in ("female", "male", "total")})],
                            ignore_index=True),
        pd.concat([early.exposures, q.exposures], ignore_index=True), "generated", "test")
    hj = F.History(joined, 2000)
    assert F.asmr_trend(hj, max_years=50) == pytest.approx(0.015, abs=1e-12)
    assert F.asmr_trend(hj, max_years=None) > 0.02


def test_fixed_and_rule_targets_set_the_long_term_improvement():
    p = _synthetic_population(0.015)
    h = F.History(p, 2005)
    years = list(range(2006, 2061))
    for target in (F.FixedTarget(0.005), 0.02):
        m = F.ONSStyle(target).project(h, years)["female"]
        rate = 0.005 if isinstance(target, F.FixedTarget) else 0.02
        # after the 25 years of convergence, ages born after the cohort split improve at the target
        later = 1.0 - m.loc[0:40, 2050] / m.loc[0:40, 2049]
        assert np.allclose(later, rate, atol=1e-12)
    assert F.ONSStyle().target_rate(h) == pytest.approx(0.015, abs=1e-12)


def test_constant_improvement_continues_a_constant_improvement(history):
    surface = history.smoothed["male"][0]
    origin = history.origin
    rates = F.ConstantImprovement().project(history, [origin + 1, origin + 2])["male"]
    imp = 1 - (surface[origin] / surface[origin - 10]) ** 0.1
    assert np.allclose(rates[origin + 2], surface[origin] * (1 - imp) ** 2, rtol=1e-13)


# ------------------------------------------------------------------ P-spline extrapolation
def test_extrapolation_is_the_padded_forecast_where_the_age_penalty_does_not_act(population):
    """With no age penalty (lambda_age = 0) the zero-weight padding of Currie et al. adds nothing
    but straight-line coefficients, so its forecast equals extrapolate_years on the same knots."""
    d, e = population.surfaces("female", first=1981, last=2011)  # 30 years: knots every 5 years
    kw = dict(ages=np.asarray(d.index), lambdas=(0.0, 500.0))
    plain = fit_pspline_2d(d.to_numpy(float), e.to_numpy(float), years=np.asarray(d.columns), **kw)
    padded = fit_pspline_2d(d.to_numpy(float), e.to_numpy(float), years=np.asarray(d.columns),
                            forecast_to=2016, **kw)  # 35 years: the same knot grid, one more segment
    ahead = extrapolate_years(plain, np.arange(2011, 2017))
    np.testing.assert_allclose(ahead, padded.log_rates[:, -6:], rtol=0, atol=1e-8)
    np.testing.assert_allclose(plain.log_rates, padded.log_rates[:, :-5], rtol=0, atol=1e-8)
    with pytest.raises(ValueError, match="at or after"):
        extrapolate_years(plain, [2005])


def test_the_two_point_grid_finds_the_default_grids_optimum(history):
    """The tournament starts the smoothing search from two points; it must end where the
    default five-point grid ends."""
    d, e = history.window_counts("male")
    full = fit_pspline_2d(d.to_numpy(float), e.to_numpy(float), ages=np.asarray(d.index),
                          years=np.asarray(d.columns))
    fit = history.smoothed["male"][1]
    np.testing.assert_allclose(np.log10(fit.lambdas), np.log10(full.lambdas), rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.log_rates, full.log_rates, rtol=0, atol=1e-8)


# ------------------------------------------------------------------ the coherent model
def test_li_lee_recovers_a_coherent_surface_and_its_forecast_keeps_the_sexes_together():
    ages, years = np.arange(0, 40), np.arange(1971, 2011)
    a_f = -8.0 + 0.08 * ages
    B = np.linspace(2.0, 0.5, ages.size)
    B /= B.sum()
    K = -1.5 * (years - years.mean())
    b_m = np.linspace(-1.0, 2.0, ages.size)
    b_m /= b_m.sum()
    k_m = 3.0 * 0.8 ** (years - years[0])  # a decaying own factor: AR(1) with phi 0.8
    b_f = np.linspace(1.0, 0.5, ages.size)
    b_f /= b_f.sum()
    k_f = 0.5 * 0.5 ** (years - years[0])
    rates = {"female": np.exp(a_f[:, None] + B[:, None] * K[None, :] + b_f[:, None] * k_f[None, :]),
             "male": np.exp(a_f[:, None] + 0.3 + B[:, None] * K[None, :] + b_m[:, None] * k_m[None, :])}
    frames = {s: pd.DataFrame(r, index=ages, columns=years) for s, r in rates.items()}
    # the group's rates carry the common factor only
    pooled = pd.DataFrame(np.exp(a_f[:, None] + 0.15 + B[:, None] * K[None, :]), index=ages, columns=years)
    fit = fit_li_lee(frames, pooled)
    assert fit.phi["male"] == pytest.approx(0.8, abs=1e-8) and fit.phi["female"] == pytest.approx(0.5, abs=1e-8)
    fitted = fit.to_frame()
    for sex in ("female", "male"):
        got = fitted[fitted["population"] == sex]["log_rate"].to_numpy().reshape(ages.size, years.size)
        np.testing.assert_allclose(got, np.log(rates[sex]), atol=1e-8)
    far = fit.forecast([2011, 2100, 2300])
    ratio = np.log(far["male"] / far["female"])
    # coherence: the sexes' log ratio settles (it changes ever less far ahead)
    assert np.abs(ratio[2300] - ratio[2100]).max() < 1e-8 < np.abs(ratio[2100] - ratio[2011]).max()
    assert "AR(1) coefficient, male" in fit.summary()
    # a non-stationary own factor is held at the largest coefficient that keeps coherence
    frames["male"] = pd.DataFrame(rates["female"] * np.exp(0.3 + b_m[:, None] * (0.02 * (years - 1971))[None, :]),
                                  index=ages, columns=years)
    assert fit_li_lee(frames, pooled).phi["male"] == LI_LEE_MAX_PHI
    with pytest.raises(DataError, match="not on the pooled grid"):
        fit_li_lee({"female": frames["female"].iloc[:-1]}, pooled)
