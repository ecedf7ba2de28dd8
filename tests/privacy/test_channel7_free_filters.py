"""Channel 7: free filters. All categories minus all but one; all localities minus all but
one; 1 March to day D minus 1 March to day D−1 (overview page totals)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_refused

pytestmark = pytest.mark.privacy
THRESHOLD = 3
TARGETS = [c for c in planted.CELLS if 0 < c.count < THRESHOLD]
DAY_TARGETS = [
    (place, month, day, n)
    for place, month, days in planted.DAY_SERIES
    for day, n in days.items()
    if 0 < n < THRESHOLD and day > 1
]


@pytest.fixture(scope="module")
def overview(public):
    return public.page("pages/oversikt.py")


def test_planted_days(incidents):
    for place, (year, month), day, n in DAY_TARGETS:
        rows = planted.truth(
            incidents,
            dt.date(year, month, day),
            dt.date(year, month, day),
            [place],
            [planted.DAY_CATEGORY],
        )
        assert len(rows) == n


def test_channel7_category_difference(overview):
    """All categories is asked and answered; all but one is refused (one or all)."""
    asked, refused = attacks.category_difference(overview, TARGETS, THRESHOLD)
    assert_refused("channel 7 (all categories but one)", asked, refused)


def test_channel7_locality_difference(overview):
    asked, refused = attacks.locality_difference(overview, TARGETS, THRESHOLD)
    assert_refused("channel 7 (all localities but one)", asked, refused)


def test_channel7_day_difference(overview):
    """1st–D and 1st–(D−1) are no public periods: every such question is refused (what the
    public can ask instead, whole months and the other presets, is averaged in
    test_averaging.py)."""
    asked, refused = attacks.day_difference(overview, THRESHOLD)
    assert len({q[:3] for q in asked}) == len(DAY_TARGETS)
    assert_refused("channel 7 (1st–D minus 1st–(D−1))", asked, refused)


def test_the_public_can_only_choose_fixed_tables(overview):
    """What makes the refusals above real: the public sidebar has no free dates and no
    multiple choice, only a fixed list of periods and one or all of each filter."""
    at = overview.at
    assert not at.sidebar.date_input and not at.sidebar.multiselect
    for key in ("ort", "kategori", "kalla"):
        assert at.selectbox(key=key).options[0] == "Alla"
    labels = at.selectbox(key="period").options
    assert labels[0].startswith("Senaste 12 månaderna") and "Egna datum …" not in labels
