"""Public views: words and rules that a review found wrong (each test fails on the code before
its fix)."""

from __future__ import annotations

import math

from lib.figures import stats
from lib.public import views
from lib.public.disclosure import Disclosure


def test_a_change_from_zero_has_no_percentage():
    """30 incidents against none a year earlier: no "ökningen är – %" (the table rows keep a
    missing ratio as NaN, not None)."""
    row = stats.compare_rates(30, 0)
    from_table = stats.RateComparison(30, 0, 1, 1, math.nan, row.low, row.high, 0.0, row.verdict)
    for comparison in (row, from_table):
        words = views.change_words(comparison)
        assert "– %" not in words and "–\u00a0%" not in words
        assert words == "året innan registrerades inga, så ingen förändring kan anges i procent"


def test_camera_change_is_hidden_when_a_comparison_area_count_is():
    """The ratio of rate ratios uses the comparison area's counts too: a hidden one there
    hides the change and the verdict."""
    from types import SimpleNamespace

    from lib.figures import interventions as iv

    place = iv.Intervention("k", "Kamera", __import__("datetime").date(2019, 3, 1), 59.0, 15.0)
    effect = iv.ratio_of_rates(40, 20, 2, 30)
    months = SimpleNamespace(used=6, asked=12, after=(600, 605), missing=None)
    found = SimpleNamespace(
        intervention=place,
        months=months,
        target_before=20,
        target_after=40,
        buffer_before=30,
        buffer_after=31,
        control_before=30,
        control_after=2,
        effect=effect,
        verdict=effect.verdict,
        reading=iv.UNDEFINED,
        wdq=None,
    )
    table = views.camera_view([found], Disclosure(3))
    row = table.iloc[0]
    assert row.iloc[9] == "–"  # the change
    assert row.iloc[10] == "dold"  # the verdict
    exact = views.camera_view([found], Disclosure(3, exact=True)).iloc[0]
    assert exact.iloc[9] != "–"  # an analyst sees it


def test_no_incidents_in_either_period_says_so():
    words = views.change_words(stats.compare_rates(0, 0))
    assert words == "inga händelser registrerades under någon av perioderna"


def test_a_source_with_a_hidden_count_shows_no_dates(open_app, muni):
    """One incident from "Annan källa": its row says "färre än 3" (or 0) and neither the
    months it covers nor when it was loaded; every other source's coverage is whole months,
    never a day."""
    from lib.ingest.loading import import_bytes
    from lib.store.store import Store
    from tests.test_pages import assert_ok

    at = open_app()
    row = "id;datum;kategori;ort;källa\nx-1;2019-05-05 12:00;Klotter;Hallsberg;Annan källa\n"
    assert import_bytes(Store(), row.encode(), "incidents", muni, "en.csv").ok
    at.run()
    assert_ok(at)
    sources = next(f.value for f in at.dataframe if "Källa" in f.value.columns)
    other = sources[sources["Källa"] == "Annan källa"].iloc[0]
    assert other["Händelser totalt"] in ("färre än 3", "0", "3")
    if other["Händelser totalt"] != "3":  # also a published 0: the source has an incident
        assert other["Täcker"] == other["Senast inläst"] == "–"
    import re

    month = r"[a-zåäö]+\.? \d{4}"
    for row in sources[sources["Källa"] != "Annan källa"].itertuples(index=False):
        assert re.fullmatch(f"{month}–{month}", row[2]), row
        assert re.fullmatch(month, row[3]), row  # the month of the last load, no day
