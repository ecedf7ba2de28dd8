"""Channel 6: sensitive categories. The overview's total minus the incidents on the map minus
those without a place gives the sensitive incidents the map leaves out."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance, assert_none

pytestmark = pytest.mark.privacy
THRESHOLD = 3


def test_planted_sensitive_counts(incidents, muni):
    for month, place, sensitive, _, _ in planted.SENSITIVE:
        p = pd.Period(month, "M")
        rows = planted.truth(
            incidents, p.start_time.date(), p.end_time.date(), [place], (), [planted.PLANT]
        )
        assert rows["category"].isin(muni.sensitive_categories).sum() == sensitive


def test_channel6_no_sensitive_count(public):
    """The sensitive count must not be published beside the total and the map; what is left
    to an attacker is differencing noisy counts, which must do no better than a guess."""
    overview = public.page("pages/oversikt.py")
    karta = public.page("pages/karta.py")
    recovered, inferred, published = attacks.sensitive_attack(
        overview, karta, planted.SENSITIVE, THRESHOLD
    )
    observed = [
        row for row, guess in zip(planted.SENSITIVE, inferred, strict=True) if guess[1] is not None
    ]
    assert_none(
        "channel 6 (sensitive count published as such)", planted.SENSITIVE, published, [], observed
    )
    assert_chance(
        "channel 6 (sensitive, by differencing)", planted.SENSITIVE, recovered, inferred, observed
    )
