"""Channel 5: nested grids. 250 m cells lie exactly inside 500 m cells, and those inside
1 000 m cells: a coarse count shown minus the finer counts shown gives the hidden ones. Read
from the map payload the page hands st_folium (what the browser receives)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance

pytestmark = pytest.mark.privacy
THRESHOLD = 3
PERIOD = pd.Period(planted.GRID_MONTH, "M")


def test_channel5_no_hidden_cell_from_nested_grids(public):
    targets = planted.grid_targets(THRESHOLD)
    viewer = public.page("pages/karta.py")
    grids = attacks.grid_payloads(
        viewer,
        PERIOD.start_time.date(),
        PERIOD.end_time.date(),
        planted.GRID_CATEGORY,
        planted.PLANT,
    )
    assert any(grids.values()), "the map payload held no cells"
    recovered, inferred = attacks.nested_attack(grids, THRESHOLD, targets)
    observed = attacks.grid_observed(grids, targets)
    assert_chance("channel 5 (nested grids)", targets, recovered, inferred, observed)
