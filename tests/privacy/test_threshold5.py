"""The key attacks again with privacy_threshold = 5 (a copy of the configuration through
TRYGGHET_KOMMUN): p-values, verdicts, the rate times the population (counts 3 and 4 behind a
rate), nested grids and the category difference."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance, assert_none, assert_refused

pytestmark = pytest.mark.privacy
THRESHOLD = 5
TARGETS = [c for c in planted.CELLS + planted.CELLS_T5 if 0 < c.count < THRESHOLD]
RATE_TARGETS = [c for c in TARGETS if c.count >= 3]


@pytest.fixture(scope="module")
def observations(public):
    assert public.threshold == THRESHOLD
    return attacks.observe_cells(public.page("pages/utveckling.py"), TARGETS)


def test_threshold5_p_values(observations):
    recovered, inferred = attacks.pvalue_attack(observations, THRESHOLD)
    assert_none("T5 channel 1", TARGETS, recovered, inferred, attacks.seen(observations))


def test_threshold5_verdicts(observations):
    recovered, inferred = attacks.verdict_attack(observations, THRESHOLD)
    assert_none("T5 channel 2", TARGETS, recovered, inferred, attacks.seen(observations))


def test_threshold5_rate_times_population(observations):
    rated = [o for o in observations if o["cell"] in RATE_TARGETS]
    recovered, inferred = attacks.rate_attack(rated, THRESHOLD)
    assert_none("T5 rate × population", RATE_TARGETS, recovered, inferred, attacks.seen(rated))
    assert_refused("T5 rate column of a small cell", RATE_TARGETS, attacks.table_refused(rated))


def test_threshold5_nested_grids(public):
    targets = planted.grid_targets(THRESHOLD)
    period = pd.Period(planted.GRID_MONTH, "M")
    grids = attacks.grid_payloads(
        public.page("pages/karta.py"),
        period.start_time.date(),
        period.end_time.date(),
        planted.GRID_CATEGORY,
        planted.PLANT,
    )
    assert any(grids.values()), "the map payload held no cells"
    recovered, inferred = attacks.nested_attack(grids, THRESHOLD, targets)
    observed = attacks.grid_observed(grids, targets)
    assert_chance("T5 channel 5", targets, recovered, inferred, observed)


def test_threshold5_category_difference(public):
    viewer = public.page("pages/oversikt.py")
    asked, refused = attacks.category_difference(viewer, TARGETS, THRESHOLD)
    assert_refused("T5 channel 7 (all categories but one)", asked, refused)
