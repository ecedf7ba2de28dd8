"""Channels 1 and 2: p-values and verdicts in the change table (and its CSV) beside a hidden
count. One (month, locality, category) cell at a time, previous year's count shown."""

from __future__ import annotations

import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_none, assert_refused

pytestmark = pytest.mark.privacy
THRESHOLD = 3
TARGETS = [c for c in planted.CELLS if 0 < c.count < THRESHOLD]


@pytest.fixture(scope="module")
def observations(public):
    viewer = public.page("pages/utveckling.py")
    return attacks.observe_cells(viewer, TARGETS)


def test_planted_cells_are_what_the_attacks_assume(incidents):
    for cell in TARGETS:
        now = planted.truth(incidents, cell.start, cell.end, [cell.locality], [cell.category])
        f = attacks.Filters(cell.start, cell.end).previous_year()
        before = planted.truth(incidents, f.start, f.end, [cell.locality], [cell.category])
        assert (len(now), len(before)) == (cell.count, cell.previous), cell


def test_channel1_no_hidden_count_from_p_values(observations):
    recovered, inferred = attacks.pvalue_attack(observations, THRESHOLD)
    seen = attacks.seen(observations)
    assert_none("channel 1 (p-values)", TARGETS, recovered, inferred, seen)


def test_channel2_no_hidden_count_from_a_verdict(observations):
    recovered, inferred = attacks.verdict_attack(observations, THRESHOLD)
    seen = attacks.seen(observations)
    assert_none("channel 2 (verdicts)", TARGETS, recovered, inferred, seen)


def test_channels1_2_small_cells_get_no_change_table(observations):
    """Each target cell's page states its total (hidden) and, the selection being below the
    detail minimum, shows no change table beside it and says why."""
    assert attacks.seen(observations) == TARGETS
    assert_refused(
        "channels 1-2 (change table of a small cell)", TARGETS, attacks.table_refused(observations)
    )
