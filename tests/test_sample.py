"""The sample generator: deterministic, committed output up to date, planted patterns there."""

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from lib.figures import stats
from lib.ingest import sample
from lib.ingest.importers import to_swedish_csv

PROMISE_YEAR = ("2018-10-01", "2019-09-30")
YEAR_BEFORE = ("2017-10-01", "2018-09-30")


@pytest.fixture(scope="module")
def incidents(muni):
    return sample.generate_incidents(muni)


def between(frame, period, column="occurred_at"):
    return frame[
        frame[column].between(
            pd.Timestamp(period[0]), pd.Timestamp(period[1]) + pd.Timedelta(hours=23, minutes=59)
        )
    ]


def test_deterministic_and_committed_files_are_current(muni, incidents):
    pd.testing.assert_frame_equal(incidents, sample.generate_incidents(muni))
    assert to_swedish_csv(incidents, "incidents") == sample.sample_bytes(muni)["incidents"]
    for kind, data in sample.sample_bytes(muni).items():
        assert muni.sample_files[kind].read_bytes() == data, (
            f"data/sample/{kind}.csv is stale: run python -m lib.ingest.sample"
        )
    assert set(sample.sample_bytes(muni)) == set(muni.sample_files)


def test_the_demos_reports_follow_the_incidents_and_say_they_are_examples(muni):
    reports = sample.generate_reports(muni)
    when = pd.to_datetime(reports["datum"])
    assert when.min() > pd.Timestamp(sample.END) and when.max().date() <= sample.REPORTS_END
    assert reports["anteckning"].str.startswith("Exempel: ").all()
    assert reports["rapportör"].str.startswith("Exempelrapportör").all()
    assert reports["plats"].value_counts().get("Hallsbergs station", 0) >= 3  # a repeated place


def test_volume_and_span(incidents):
    assert incidents["occurred_at"].min() >= pd.Timestamp("2017-10-01")
    assert incidents["occurred_at"].max() < pd.Timestamp("2019-10-01")
    for period in (PROMISE_YEAR, YEAR_BEFORE):
        assert 1500 <= len(between(incidents, period)) <= 2500


def test_vandalism_really_increases_and_total_does_not(incidents):
    def compare(frame):
        return stats.compare_counts(
            len(between(frame, PROMISE_YEAR)), len(between(frame, YEAR_BEFORE))
        )

    assert compare(incidents[incidents["category"] == "Skadegörelse"]).verdict == stats.INCREASE
    assert compare(incidents[incidents["category"] == "Narkotikabrott"]).verdict == stats.INCREASE
    assert compare(incidents).verdict == stats.NO_CHANGE
    others = incidents[~incidents["category"].isin(["Skadegörelse", "Narkotikabrott"])]
    verdicts = {c: compare(g).verdict for c, g in others.groupby("category")}
    assert set(verdicts.values()) == {stats.NO_CHANGE}


def test_station_area_is_the_densest_250m_cell(muni, incidents):
    to_sweref = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    located = incidents.dropna(subset=["lat", "lon"])
    x, y = to_sweref.transform(located["lon"].to_numpy(), located["lat"].to_numpy())
    cells = pd.Series(list(zip(x // 250, y // 250, strict=True))).value_counts()
    camera = sample.generate_cameras(muni).set_index("id").loc["K1"]
    sx, sy = to_sweref.transform(camera["lon"], camera["lat"])
    assert cells.index[0] == (sx // 250, sy // 250)
    assert cells.iloc[0] > 2 * cells.iloc[3]  # well above the background of the town


def test_night_weekday_and_season_patterns(incidents):
    timed = incidents[incidents["time_known"]]
    hour = timed["occurred_at"].dt.hour
    guards = timed["source"] == "security_guard"
    night = (hour >= 22) | (hour < 6)
    assert night[guards].mean() > 0.45 > night[timed["category"] == "Bedrägeri"].mean()
    month = incidents["occurred_at"].dt.month
    assert (month.isin([6, 7, 8]).sum() / 3) > 1.2 * (month.isin([12, 1, 2]).sum() / 3)
    violence = incidents[incidents["category"] == "Misshandel"]["occurred_at"].dt.day_of_week
    assert violence.isin([4, 5]).mean() > 2 / 7


def test_fewer_incidents_near_camera_after_installation(muni, incidents):
    camera = sample.generate_cameras(muni).set_index("id").loc["K1"]
    lat0, lon0 = np.radians(camera["lat"]), np.radians(camera["lon"])
    dlat = np.radians(incidents["lat"]) - lat0
    dlon = (np.radians(incidents["lon"]) - lon0) * np.cos(lat0)
    near = incidents[6_371_000 * np.hypot(dlat, dlon) <= camera["radius_m"]]
    installed = pd.Timestamp(camera["installed_on"])
    window = pd.DateOffset(months=7)
    before = near["occurred_at"].between(installed - window, installed, inclusive="left").sum()
    after = near["occurred_at"].between(installed, installed + window, inclusive="left").sum()
    assert stats.compare_counts(int(after), int(before)).verdict == stats.DECREASE


def test_activity_log_covers_all_promises(muni):
    activities = sample.generate_activities(muni)
    assert set(activities["promise_id"]) == {
        "synlighet",
        "trygghetsvandringar",
        "informationsmoten",
        "insatser",
    }
    walks = activities[activities["indicator_id"] == "safety_walks"]
    assert set(muni.locality_names) - set(walks["locality"])  # some locality got no walk
    assert activities["date"].between("2018-10-01", "2019-09-30").all()


def test_sample_peers_cover_the_county_and_add_up(muni):
    peers = sample.generate_peers(muni)
    assert set(peers["year"]) == set(sample.PEER_YEARS)
    assert {"1861", "1881", "1814", "1884", "18", "00"} <= set(peers["region_code"])
    municipalities = peers[peers["region_code"].str.len() == 4]
    county = peers[peers["region_code"] == "18"].set_index(["year", "category"])["count"]
    summed = municipalities.groupby(["year", "category"])["count"].sum()
    pd.testing.assert_series_equal(county.sort_index(), summed.sort_index(), check_names=False)
    assert (peers["source"] == "Exempeldata").all()
