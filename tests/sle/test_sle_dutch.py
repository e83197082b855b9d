"""Observed Dutch mortality (HMD Netherlands): the shipped files, the graduation, the rule."""

import hashlib
import re
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from foresight import ConvergenceWarning, DataError
from foresight.sle import dutch as D

NLD = ROOT / "data" / "mortality" / "hmd" / "NLD"


# ---------------------------------------------------------------- the shipped files
def test_shipped_files_are_the_listed_ones():
    """Each file's SHA-256 is the one listed in data/sle/README.md (copied from the list the
    files came with), and the loader's constants say the same."""
    readme = (ROOT / "data" / "sle" / "README.md").read_text(encoding="utf-8")
    listed = dict((path.rsplit("/", 1)[1], digest) for digest, path in
                  re.findall(r"^([0-9a-f]{64})  (data/mortality/hmd/NLD/\S+)$", readme, flags=re.M))
    assert listed == D.HMD_NLD_FILES
    for name, digest in listed.items():
        assert hashlib.sha256((NLD / name).read_bytes()).hexdigest() == digest


def test_the_hmd_reader_reads_them():
    from foresight.mortality import read_hmd

    deaths = D.hmd_netherlands("Deaths_1x1.txt")
    same = read_hmd(NLD / "Deaths_1x1.txt")
    pd.testing.assert_frame_equal(deaths.reset_index(drop=True), same.reset_index(drop=True))
    assert deaths.attrs["country"] == "Netherlands" and deaths.attrs["last_modified"] == D.HMD_NLD_RELEASE
    assert (deaths["year"].min(), deaths["year"].max()) == (1850, 2019)
    assert (deaths["age"].min(), deaths["age"].max()) == (0, 110)
    d, e = D.netherlands_counts("female")
    assert d.shape == e.shape == (111, 170)
    # one figure read by eye from the file: 8735 female deaths at age 0 in 1850
    assert d.loc[0, 1850] == 8735.0 and e.loc[0, 1850] == pytest.approx(42850.70)


def test_an_edited_file_is_refused(tmp_path, monkeypatch):
    import foresight.data as data

    copy = tmp_path / "mortality" / "hmd" / "NLD"
    copy.mkdir(parents=True)
    shutil.copy(NLD / "Exposures_1x1.txt", copy / "Exposures_1x1.txt")
    raw = (NLD / "Deaths_1x1.txt").read_bytes().replace(b"8735.00", b"8736.00", 1)
    (copy / "Deaths_1x1.txt").write_bytes(raw)
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)
    D._read_nld.cache_clear()
    try:
        with pytest.raises(DataError, match=r"data/mortality/hmd/NLD/Deaths_1x1\.txt: SHA-256"):
            D.hmd_netherlands("Deaths_1x1.txt")
        with pytest.raises(DataError, match="no file"):
            D.hmd_netherlands("Mx_1x1.txt")
    finally:
        D._read_nld.cache_clear()


# ---------------------------------------------------------------- Kannisto graduation
def kannisto(a, b, ages):
    z = np.exp(np.log(a) + b * (np.asarray(ages, float) - 80))
    return z / (1 + z)


def test_kannisto_fit_recovers_a_known_law():
    ages = np.arange(80, 100)
    exposure = np.linspace(30000, 500, ages.size)
    truth = [(0.05, 0.14), (0.08, 0.11)]
    deaths = np.column_stack([exposure * kannisto(a, b, ages) for a, b in truth])
    fit = D.kannisto_fit(deaths, np.column_stack([exposure, exposure]), ages)
    assert fit.converged
    np.testing.assert_allclose(np.exp(fit.log_a), [0.05, 0.08], rtol=1e-9)
    np.testing.assert_allclose(fit.b, [0.14, 0.11], rtol=1e-9)
    np.testing.assert_allclose(fit.rates([105])[0], [kannisto(a, b, 105) for a, b in truth], rtol=1e-8)


def test_kannisto_fit_solves_the_score_equations_on_real_counts():
    d, e = D.netherlands_counts("male")
    fit = D.kannisto_fit(d.loc[80:99, 2011], e.loc[80:99, 2011], range(80, 100))
    mu = fit.rates()[:, 0]
    z = np.arange(80, 100) - 80.0
    resid = (1 - mu) * (d.loc[80:99, 2011].to_numpy() - e.loc[80:99, 2011].to_numpy() * mu)
    # the maximum of the Poisson likelihood: both score equations are zero
    assert abs(resid.sum()) < 1e-6 * d.loc[80:99, 2011].sum()
    assert abs((resid * z).sum()) < 1e-6 * d.loc[80:99, 2011].sum()
    frame = fit.to_frame()
    assert list(frame.columns) == ["schedule", "age", "deaths", "expected", "observed_over_expected"]
    assert "Kannisto" in fit.summary()
    bands = fit.bands(5)
    assert list(bands["ages"]) == ["80-84", "85-89", "90-94", "95-99"]
    assert bands.loc[0, "deaths"] == d.loc[80:84, 2011].sum()
    assert bands["deaths"].sum() / bands["expected"].sum() == pytest.approx(
        d.loc[80:99, 2011].sum() / (mu * e.loc[80:99, 2011].to_numpy()).sum())


def test_kannisto_fit_refuses_bad_counts_and_warns_when_it_stops_early():
    ages = np.arange(80, 90)
    e = np.full(ages.size, 1000.0)
    with pytest.raises(DataError, match="zero exposure"):
        D.kannisto_fit(np.r_[1.0, np.zeros(9)], np.r_[0.0, e[1:]], ages)
    with pytest.raises(DataError, match="negative"):
        D.kannisto_fit(np.r_[-1.0, np.ones(9)], e, ages)
    with pytest.raises(DataError, match="no deaths"):
        D.kannisto_fit(np.zeros(10), e, ages)
    with pytest.warns(ConvergenceWarning):
        D.kannisto_fit(e * kannisto(0.05, 0.12, ages) * 1.3, e, ages, max_iter=1)


def test_graduated_rates_keep_the_observed_below_the_first_fitted_age():
    d, e = D.netherlands_counts("female")
    g = D.graduated_rates(d[[2011]], e[[2011]], fit_ages=(80, 99), from_age=90)
    np.testing.assert_allclose(g.loc[:89, 2011], (d.loc[:89, 2011] / e.loc[:89, 2011]).to_numpy())
    fit = D.kannisto_fit(d.loc[80:99, 2011], e.loc[80:99, 2011], range(80, 100))
    np.testing.assert_allclose(g.loc[90:, 2011], fit.rates(range(90, 111))[:, 0])
    assert list(g.index) == list(range(111))
    with pytest.raises(DataError, match="fitting ages"):
        D.graduated_rates(d[[2011]], e[[2011]], fit_ages=(80, 120), from_age=90)


# ---------------------------------------------------------------- the improvement rule
def synthetic_counts(rates_by_group: dict[int, float], years=range(1990, 2012)):
    """Counts whose rate falls by exactly r_g a year in each age group."""
    ages = np.arange(0, 111)
    years = np.asarray(list(years))
    groups = np.searchsorted(np.array(D.AGE_GROUPS), ages, side="right") - 1
    r = np.array([rates_by_group[D.AGE_GROUPS[g]] for g in groups])
    m0 = 0.0005 * np.exp(0.09 * ages)
    e = pd.DataFrame(1000.0 + ages[:, None] * 0 + years[None, :] * 0, index=ages, columns=years)
    m = m0[:, None] * (1 - r[:, None]) ** (years[None, :] - years[0])
    return pd.DataFrame(m * e.to_numpy(), index=ages, columns=years), e


def test_improvement_rule_recovers_a_known_decline():
    truth = dict(zip(D.AGE_GROUPS, (0.03, 0.025, 0.02, 0.015, 0.01, 0.02, 0.015, 0.012, 0.005)))
    d, e = synthetic_counts(truth)
    table = D.improvement_table(d, e, origin=2011, window=20)
    np.testing.assert_allclose(table["improvement"], list(truth.values()), rtol=1e-10)
    np.testing.assert_allclose(table["standard_error"], 0, atol=1e-12)
    assert (table["first_year"].iloc[0], table["last_year"].iloc[0]) == (1991, 2011)
    by_age = D.improvement_by_age(d, e, origin=2011, window=20)
    assert by_age.loc[89] == pytest.approx(0.012) and by_age.loc[90] == pytest.approx(0.005)
    with pytest.raises(DataError, match="outside the data"):
        D.improvement_table(d, e, origin=2011, window=40)


def test_improvement_is_the_fall_of_the_least_squares_line_by_hand():
    # three years, one group: log rates 0, -0.1, -0.3 -> slope -0.15, improvement 1 - e^-0.15
    ages, years = np.arange(0, 111), [2000, 2001, 2002]
    e = pd.DataFrame(1.0, index=ages, columns=years)
    d = pd.DataFrame(np.repeat(np.exp([[0.0, -0.1, -0.3]]) / 111, 111, axis=0), index=ages, columns=years)
    t = D.improvement_table(d, e, origin=2002, window=2, groups=(0,))
    assert t["improvement"].iloc[0] == pytest.approx(1 - np.exp(-0.15))


def test_standardised_rates_ignore_a_shifting_age_mix():
    """Two ages in one group, each rate falling by exactly 2% a year, while the exposure moves
    from the younger (lower rate) to the older age: the crude group rate falls more slowly than
    either age, the standardised rate at exactly 2%. With a fixed age mix the two agree."""
    ages, years = np.arange(0, 111), np.arange(2000, 2011)
    m0 = np.where(ages == 95, 0.3, 0.1)
    m = m0[:, None] * 0.98 ** (years - years[0])[None, :]
    share = np.linspace(0.2, 0.6, years.size)           # share of the group at 95 grows
    e = np.full((111, years.size), 1000.0)
    e[90] = 1000.0 * (1 - share)
    e[95] = 1000.0 * share
    e[[a for a in range(90, 111) if a not in (90, 95)]] = 0.0
    d = pd.DataFrame(m * e, index=ages, columns=years)
    e = pd.DataFrame(e, index=ages, columns=years)
    groups = (0, 90)
    std = D.improvement_table(d, e, origin=2010, window=10, groups=groups).set_index("age_from")
    crude = D.improvement_table(d, e, origin=2010, window=10, groups=groups,
                                standardised=False).set_index("age_from")
    assert std.loc[90, "improvement"] == pytest.approx(0.02, rel=1e-10)
    assert std.loc[0, "improvement"] == pytest.approx(0.02, rel=1e-10)
    # crude: rate_t = 0.98^t (0.1 (1 - s_t) + 0.3 s_t) rises with s_t, so the fall is slower
    assert crude.loc[90, "improvement"] < 0.01
    fixed = pd.DataFrame(np.repeat(e[[2000]].to_numpy(), years.size, axis=1), index=ages, columns=years)
    same = D.improvement_table(pd.DataFrame(m * fixed.to_numpy(), index=ages, columns=years), fixed,
                               origin=2010, window=10, groups=groups, standardised=False)
    assert same["improvement"].to_numpy() == pytest.approx([0.02, 0.02], rel=1e-10)


def test_an_age_with_no_exposure_in_some_year_leaves_the_standard():
    """Age 100 has exposure in one year only: it gets weight 0, and its wild rate (1 death in
    0.1 person-years) does not reach the group's trend."""
    ages, years = np.arange(0, 111), np.arange(2000, 2004)
    e = pd.DataFrame(100.0, index=ages, columns=years)
    d = pd.DataFrame(10.0 * 0.97 ** (years - 2000)[None, :].repeat(111, axis=0), index=ages, columns=years)
    e.loc[100, [2000, 2001, 2002]] = 0.0
    d.loc[100, [2000, 2001, 2002]] = 0.0
    e.loc[100, 2003], d.loc[100, 2003] = 0.1, 1.0
    t = D.improvement_table(d, e, origin=2003, window=3, groups=(0, 90)).set_index("age_from")
    assert t.loc[90, "improvement"] == pytest.approx(0.03, rel=1e-10)


def test_two_sex_improvement_is_the_mean_of_the_two_trends():
    counts = {s: D.netherlands_counts(s) for s in D.SEXES}
    own = {s: D.improvement_table(*counts[s], origin=2011, window=20) for s in D.SEXES}
    both = D.two_sex_improvement(counts, origin=2011, window=20)
    by_hand = 1 - np.sqrt((1 - own["female"]["improvement"]) * (1 - own["male"]["improvement"]))
    np.testing.assert_allclose(both["improvement"], by_hand, rtol=1e-12)
    assert list(both["age_from"]) == list(D.AGE_GROUPS)
    # the benchmark's table is the two-sex one for either sex, or each sex's own with by_sex
    pd.testing.assert_frame_equal(D.DutchBenchmark().improvement_table("male"), both)
    pd.testing.assert_frame_equal(D.DutchBenchmark(by_sex=True).improvement_table("male"), own["male"])


def test_the_rule_keeps_the_sexes_in_proportion_and_the_variant_crosses_them():
    """Under the rule men's and women's rates fall at the same pace, so their ratio stays at the
    base years' value at every age; under each sex's own trend, men's faster fall in late middle
    age (the smoking generations) takes their rate at 60 below women's within decades."""
    years = np.arange(2012, 2101)
    for bm, crosses in ((D.DutchBenchmark(), False), (D.DutchBenchmark(by_sex=True), True)):
        ratio = bm.rates("male", years) / bm.rates("female", years)
        base = (bm.base_rates("male") / bm.base_rates("female")).to_numpy()
        if not crosses:
            np.testing.assert_allclose(ratio, np.repeat(base[:, None], years.size, axis=1), rtol=1e-12)
        else:
            assert base[60] > 1.3 and ratio[60, -1] < 0.5


def test_trend_to_moves_only_the_trend_window():
    bm = D.DutchBenchmark(survey_year=2014, trend_to=2011)
    pd.testing.assert_frame_equal(bm.improvement_table("female"), D.DutchBenchmark().improvement_table("female"))
    assert bm.base_date == 2012.0 and bm.trend_end == 2011 and D.DutchBenchmark().trend_end == 2011


# ---------------------------------------------------------------- the benchmark
def test_benchmark_rates_observed_to_the_origin_projected_after():
    bm = D.DutchBenchmark()  # survey 2012, origin 2011, base 2009-2011 dated 2010
    assert bm.origin_year == 2011 and bm.base_date == 2010.0
    obs = D.observed_rates("female")
    r = bm.rates("female", [2005, 2011, 2012, 2030])
    np.testing.assert_allclose(r[:, 0], obs[2005].to_numpy())
    np.testing.assert_allclose(r[:, 1], obs[2011].to_numpy())
    d, e = D.netherlands_counts("female")
    base60 = d.loc[60, 2009:2011].sum() / e.loc[60, 2009:2011].sum()
    # the rule: both sexes at the geometric mean of the two sexes' own improvement factors
    own = [D.improvement_table(*D.netherlands_counts(s), origin=2011, window=20)
           .set_index("age_from").loc[60, "improvement"] for s in D.SEXES]
    factor = np.sqrt((1 - own[0]) * (1 - own[1]))
    assert r[60, 2] == pytest.approx(base60 * factor ** 2)
    assert r[60, 3] == pytest.approx(base60 * factor ** 20)
    by_sex = D.DutchBenchmark(by_sex=True).rates("female", [2030])
    assert by_sex[60, 0] == pytest.approx(base60 * (1 - own[0]) ** 20)
    uniform = D.DutchBenchmark(rate=0.012)
    assert uniform.rates("male", [2030])[70, 0] == pytest.approx(
        uniform.base_rates("male").loc[70] * 0.988 ** 20)


def _clear_caches():
    for cache in (D._observed, D._base, D._improvement):
        cache.cache_clear()


def test_nothing_after_the_origin_reaches_a_projection(monkeypatch):
    """Double every death after 2011: the benchmark made in 2012 (origin 2011) must not move,
    and one made with hindsight (origin 2019) must."""
    years = np.arange(2012, 2061)
    clean = {s: D.DutchBenchmark().rates(s, years) for s in D.SEXES}
    clean_hindsight = D.DutchBenchmark(origin=2019).rates("female", [2015, 2030])
    real = D._counts

    def doubled(sex):
        d, e = real(sex)
        d = d.copy()
        d.loc[:, 2012:] *= 2.0
        return d, e

    _clear_caches()
    monkeypatch.setattr(D, "_counts", doubled)
    try:
        for s in D.SEXES:
            np.testing.assert_array_equal(D.DutchBenchmark().rates(s, years), clean[s])
        assert not np.allclose(D.DutchBenchmark(origin=2019).rates("female", [2015, 2030]),
                               clean_hindsight)
    finally:
        monkeypatch.undo()
        _clear_caches()


def test_benchmark_refuses_an_origin_outside_the_data():
    with pytest.raises(DataError, match="outside the observed years"):
        D.DutchBenchmark(origin=2025).rates("female", [2030])
    with pytest.raises(DataError, match="unknown sex"):
        D.DutchBenchmark().rates("other", [2030])
