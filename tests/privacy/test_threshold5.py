"""The key attacks again with privacy_threshold = 5 (a copy of the configuration through
TRYGGHET_KOMMUN): p-values, verdicts, the rate times the population (counts 3 and 4 behind a
rate), nested grids and the category difference."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance, assert_none

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
    assert_none("T5 channel 1", TARGETS, recovered, inferred)


def test_threshold5_verdicts(observations):
    recovered, inferred = attacks.verdict_attack(observations, THRESHOLD)
    assert_none("T5 channel 2", TARGETS, recovered, inferred)


def test_threshold5_rate_times_population(observations):
    recovered, inferred = attacks.rate_attack(
        [o for o in observations if o["cell"] in RATE_TARGETS], THRESHOLD
    )
    assert_none("T5 rate × population", RATE_TARGETS, recovered, inferred)


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
    recovered, inferred = attacks.nested_attack(grids, THRESHOLD, targets)
    assert_chance("T5 channel 5", targets, recovered, inferred)


def test_threshold5_category_difference(public):
    viewer = public.page("pages/oversikt.py")
    recovered, inferred = attacks.category_difference(viewer, TARGETS, THRESHOLD)
    assert_chance("T5 channel 7", TARGETS, recovered, inferred)
