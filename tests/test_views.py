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
