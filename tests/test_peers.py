"""Peer comparison: funnel limits against an independent computation, verdicts on constructed
data, the annual table, the trend band, Kolada without network, and the page via AppTest."""

import io
import json
import urllib.error

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lib.figures import peers
from lib.i18n import fmt_num
from lib.ingest import kolada
from tests.conftest import ROOT
from tests.test_pages import assert_ok


def chi2_quantile(p: float, mean: float) -> int:
    """The Poisson p-quantile without scipy.stats.poisson: the smallest y with
    P(Y <= y) >= p, where P(Y <= y) = P(chi2 with 2(y+1) d.f. > 2 mean)."""
    y = 0
    while stats.chi2.sf(2 * mean, 2 * (y + 1)) < p:
        y += 1
    return y


def chi2_cdf(y: int, mean: float) -> float:
    return 0.0 if y < 0 else float(stats.chi2.sf(2 * mean, 2 * (y + 1)))


@pytest.mark.parametrize("population", [800, 5_000, 15_954, 153_367])
@pytest.mark.parametrize("level", peers.LEVELS)
def test_funnel_limits_match_an_independent_chi2_computation(population, level):
    group_rate = 9_500.0
    mean = group_rate * population / 100_000
    lower, upper = peers.funnel_limits(group_rate, np.array([population]), level)
    for p, got in (((1 - level) / 2, lower[0]), (1 - (1 - level) / 2, upper[0])):
        y = chi2_quantile(p, mean)
        alpha = (chi2_cdf(y, mean) - p) / (chi2_cdf(y, mean) - chi2_cdf(y - 1, mean))
        assert got == pytest.approx((y - alpha) / population * 100_000, rel=1e-9)


def test_large_populations_approach_the_normal_limits():
    population, rate = 1_000_000, 9_500.0
    lower, upper = peers.funnel_limits(rate, np.array([population]), 0.95)
    half = 1.959964 * np.sqrt(rate * population / 100_000) / population * 100_000
    assert lower[0] == pytest.approx(rate - half, rel=2e-3)
    assert upper[0] == pytest.approx(rate + half, rel=2e-3)


def test_hand_worked_small_limits():
    # Expected 2 events: P(Y <= 5) = 0.983 < 0.975? no: ppf(0.975, 2) = 5, cdf(5) = 0.98344,
    # cdf(4) = 0.94735, alpha = (0.98344 - 0.975) / 0.03609 = 0.2339: upper = 4.766 events.
    lower, upper = peers.funnel_limits(2.0, np.array([100_000]), 0.95)
    assert upper[0] == pytest.approx(4.766, abs=1e-3)
    assert lower[0] == pytest.approx(0.0, abs=1e-9) or lower[0] < 1


def constructed(rates: dict[str, float], population: int = 15_000) -> pd.DataFrame:
    rows = [
        {
            "region_code": code,
            "region": code,
            "year": 2019,
            "category": "X",
            "n": round(rate * population / 100_000),
            "pop": float(population),
        }
        for code, rate in rates.items()
    ]
    return pd.DataFrame(rows)


def test_constructed_outlier_is_detected_and_an_in_line_municipality_is_not():
    rates = {f"m{i}": 9_000 + 40 * i for i in range(10)} | {"high": 18_000, "usual": 9_900}
    data = constructed(rates)
    points, group_rate = peers.funnel_data(data, 2019, "X", list(rates))
    assert group_rate == pytest.approx(data["n"].sum() / data["pop"].sum() * 100_000)
    by = points.set_index("region_code")
    high = peers.verdict(by.at["high", "n"], by.at["high", "pop"], group_rate)
    usual = peers.verdict(by.at["usual", "n"], by.at["usual", "pop"], group_rate)
    assert high.code == peers.ABOVE
    assert usual.code == peers.INSIDE
    low = peers.verdict(by.at["usual", "n"] * 0.7, by.at["usual", "pop"], group_rate)
    assert low.code == peers.BELOW


def test_between_the_funnels_is_only_the_95_verdict():
    group_rate, pop = 10_000.0, 10_000
    (lo95,), (hi95,) = peers.funnel_limits(group_rate, [pop], 0.95)
    (lo998,), (hi998,) = peers.funnel_limits(group_rate, [pop], 0.998)
    between = (hi95 + hi998) / 2 * pop / 100_000
    assert peers.verdict(between, pop, group_rate).code == peers.ABOVE_95
    assert peers.verdict((lo95 + lo998) / 2 * pop / 100_000, pop, group_rate).code == (
        peers.BELOW_95
    )


def test_whole_years_prefers_counts_and_derives_counts_from_rates():
    raw = pd.DataFrame(
        {
            "region_code": ["1861", "1861", "1881", "1861"],
            "region": ["Hallsberg", "Hallsberg", "Kumla", "Hallsberg"],
            "year": [2019, 2019, 2019, 2019],
            "period": ["helår", "helår", "helår", "Aug"],
            "category": ["Samtliga anmälda brott"] * 4,
            "count": [1500.0, np.nan, np.nan, 120.0],
            "rate": [np.nan, 9000.0, 10_000.0, np.nan],
            "population": [15_954.0, np.nan, np.nan, np.nan],
            "source": ["BRÅ", "Kolada N07540", "Kolada N07540", "BRÅ"],
        }
    )
    annual = peers.whole_years(raw).set_index("region_code")
    assert len(annual) == 2  # the monthly row and the duplicate source are left out
    assert annual.at["1861", "n"] == 1500 and annual.at["1861", "source"] == "BRÅ"
    assert annual.at["1881", "n"] == round(10_000 * 21_640 / 100_000)  # regions.toml, 2018


def test_trend_band_is_the_others_median_and_quartiles():
    rows = []
    for year in (2018, 2019):
        for code, rate in {"1861": 9000, "1881": 8000, "1814": 10_000, "1884": 12_000}.items():
            rows.append(
                {
                    "region_code": code,
                    "year": year,
                    "category": "X",
                    "n": rate / 100,
                    "pop": 1_000.0,
                    "rate": np.nan,
                }
            )
    band = peers.trend(pd.DataFrame(rows), "X", "1861", ["1861", "1881", "1814", "1884"])
    others = np.array([8000, 10_000, 12_000])
    assert band["median"].tolist() == [np.median(others)] * 2
    assert band["q1"].iloc[0] == pytest.approx(np.quantile(others, 0.25))
    assert band["own"].tolist() == [9000, 9000]


def test_kolada_without_network_says_so():
    def offline(url, timeout):
        raise urllib.error.URLError("no route to host")

    with pytest.raises(kolada.KoladaUnavailable):
        kolada.fetch("N07540", [2019], opener=offline)
    assert "/kpi/N07540/municipality/" in kolada.url("N07540", [2019])
    assert "0018" in kolada.url("N07540", [2019]) and "1861" in kolada.url("N07540", [2019])


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def page(open_app):
    return open_app("pages/jamforelse.py")


def test_page_verdict_matches_an_independent_count_of_the_sample(page):
    at = page
    assert_ok(at)
    assert any("Exempeldata" in w.value for w in at.warning)
    sample = pd.read_csv(
        ROOT / "data" / "sample" / "peers.csv",
        sep=";",
        encoding="utf-8-sig",
        decimal=",",
        dtype={"kommunkod": str},
    )
    year = sample["år"].max()
    rows = sample[
        (sample["år"] == year)
        & (sample["brott"] == "Samtliga anmälda brott")
        & (sample["kommunkod"].str.len() == 4)
    ]
    group = rows["antal"].sum() / rows["folkmängd"].sum() * 100_000
    own = rows[rows["kommunkod"] == "1861"].iloc[0]
    rate = own["antal"] / own["folkmängd"] * 100_000
    sentence = next(m.value for m in at.markdown if m.value.startswith("**Hallsberg"))
    assert f"{fmt_num(rate, 0)} samtliga anmälda brott" in sentence
    assert f"gruppens {fmt_num(group, 0)}" in sentence
    table = at.dataframe[0].value
    assert len(table) == 12 and "Hallsberg" in table["Kommun"].tolist()


def test_page_other_category_and_year(page):
    at = page
    at.selectbox(key="brott").set_value("Narkotikabrott").run()
    at.selectbox(key="ar").set_value(2016).run()
    assert_ok(at)
    assert any("Trattdiagram 2016" in h.value for h in at.subheader)
    assert any("narkotikabrott per 100 000" in m.value for m in at.markdown)


def test_page_without_peer_data(open_app):
    from lib.ingest.store import Store

    at = open_app()
    store = Store()
    peer_import = store.import_log().query("kind == 'peers'")["id"].iloc[0]
    store.undo(int(peer_import))
    at.switch_page("pages/jamforelse.py").run()
    assert_ok(at)
    assert any("ingen jämförelsestatistik" in i.value for i in at.info)


def test_kolada_json_through_the_import(store, muni):
    from lib.ingest.loading import import_bytes

    payload = {
        "values": [
            {
                "kpi": "N07540",
                "municipality": "1861",
                "period": 2019,
                "values": [{"gender": "T", "value": 7012.5}, {"gender": "K", "value": 1.0}],
            },
            {
                "kpi": "N07540",
                "municipality": "0018",
                "period": 2019,
                "values": [{"gender": "T", "value": 9000.0}],
            },
        ],
        "count": 2,
    }
    outcome = import_bytes(store, json.dumps(payload).encode(), "peers", muni, "k.json")
    assert outcome.ok and outcome.rows_added == 2
    stored = store.read("peers").set_index("region_code")
    assert stored.at["1861", "rate"] == 7012.5 and stored.at["18", "rate"] == 9000.0
    again = import_bytes(
        store, io.BytesIO(json.dumps(payload).encode()).getvalue(), "peers", muni, "k.json"
    )
    assert not again.ok and any("redan inläst" in m for m in again.messages)


def test_kolada_fetch_on_the_page_without_network(open_app, monkeypatch):
    """A signed-in analyst presses "Hämta nu" with no internet: a Swedish warning, the page
    keeps showing what is stored, nothing is written."""
    from lib.ingest.store import Store

    def offline(kpi, years, opener=None):
        raise kolada.KoladaUnavailable("no route to host")

    monkeypatch.setattr(kolada, "fetch", offline)
    at = open_app("pages/jamforelse.py", "ett lösenord", sign_in=True)
    version = Store().data_version()
    next(b for b in at.button if b.label == "Hämta nu").click().run()
    assert_ok(at)
    assert any("Ingen kontakt med Kolada" in w.value for w in at.warning)
    assert Store().data_version() == version
    assert len(at.dataframe) >= 1  # the stored figures are still shown
