"""Channel 7: free filters. All categories minus all but one; all localities minus all but
one; 1 March to day D minus 1 March to day D−1 (overview page totals)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import report

pytestmark = pytest.mark.privacy
THRESHOLD = 3
TARGETS = [c for c in planted.CELLS if 0 < c.count < THRESHOLD]
DAY_TARGETS = [(d, n) for d, n in planted.DAYS.items() if 0 < n < THRESHOLD and d > 1]


@pytest.fixture(scope="module")
def overview(public):
    return public.page("pages/oversikt.py")


def test_planted_days(incidents):
    year, month = planted.DAY_MONTH
    for day, n in DAY_TARGETS:
        rows = planted.truth(
            incidents,
            dt.date(year, month, day),
            dt.date(year, month, day),
            [planted.DAY_PLACE],
            [planted.DAY_CATEGORY],
        )
        assert len(rows) == n


def test_channel7_category_difference(overview):
    recovered, inferred = attacks.category_difference(overview, TARGETS, THRESHOLD)
    assert len(recovered) < len(TARGETS) / 2, report(
        "channel 7 (all categories minus all but one)", TARGETS, recovered, f"inferred: {inferred}"
    )


def test_channel7_locality_difference(overview):
    recovered, inferred = attacks.locality_difference(overview, TARGETS, THRESHOLD)
    assert len(recovered) < len(TARGETS) / 2, report(
        "channel 7 (all localities minus all but one)", TARGETS, recovered, f"inferred: {inferred}"
    )


def test_channel7_day_difference(overview):
    recovered, inferred = attacks.day_difference(overview, THRESHOLD)
    assert len(recovered) < len(DAY_TARGETS) / 2, report(
        "channel 7 (1–D minus 1–(D−1) March)", DAY_TARGETS, recovered, f"inferred: {inferred}"
    )
