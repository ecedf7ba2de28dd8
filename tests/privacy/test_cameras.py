"""The camera table on the map page: the counts in a camera's area, its ring and the
comparison area before and after, against the overview's total for the same category and
source over the same months. 32 planted hidden counts (two cameras, 16 categories, before
and after); no better than chance."""

from __future__ import annotations

import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance

pytestmark = pytest.mark.privacy
THRESHOLD = 3
TARGETS = [
    (c.camera, c.category, when, n)
    for c in planted.CAMERA_CELLS
    for when, n in (("before", c.target_before), ("after", c.target_after))
    if 0 < n < THRESHOLD
]


def test_planted_cameras_are_the_stored_ones(planted_db):
    from lib.store.store import Store

    cameras = Store(str(planted_db)).read("cameras")
    for name, (lat, lon, installed, _) in planted.CAMERAS.items():
        row = cameras[cameras["name"] == name].iloc[0]
        assert abs(row["lat"] - lat) < 1e-6 and abs(row["lon"] - lon) < 1e-6
        assert str(row["installed_on"])[:10] == installed.isoformat()


def test_camera_table_gives_no_hidden_count(public, muni_coverage):
    karta = public.page("pages/karta.py")
    overview = public.page("pages/oversikt.py")
    recovered, inferred = [], []
    for category in sorted({c.category for c in planted.CAMERA_CELLS}):
        cells = [c for c in planted.CAMERA_CELLS if c.category == category]
        found, guesses = attacks.camera_attack(karta, overview, category, cells, muni_coverage)
        recovered += found
        inferred += guesses
    observed = [target for target, guess in inferred if guess is not None]
    assert_chance(
        "camera table (total minus ring minus comparison area)",
        TARGETS,
        recovered,
        inferred,
        observed,
    )
