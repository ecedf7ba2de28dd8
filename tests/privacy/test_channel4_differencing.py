"""Channel 4: differencing. (a) A category's total over six months minus the months shown
(overview page: total and monthly chart). (b) The change table's total minus the localities
shown (trends page: by category, then by locality)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import report

pytestmark = pytest.mark.privacy
THRESHOLD = 3
START = pd.Period(planted.MONTHS_4[0], "M").start_time.date()
END = pd.Period(planted.MONTHS_4[-1], "M").end_time.date()
MONTH_TARGETS = [
    (place, month, n)
    for place, counts in planted.KNIV.items()
    for month, n in zip(planted.MONTHS_4, counts, strict=True)
    if 0 < n < THRESHOLD
]
ROW_TARGETS = [
    (month, place, n)
    for month, places in planted.INTRANG.items()
    for place, n in places.items()
    if 0 < n < THRESHOLD
]


def test_planted_counts(incidents):
    for place, month, n in MONTH_TARGETS:
        p = pd.Period(month, "M")
        rows = planted.truth(
            incidents, p.start_time.date(), p.end_time.date(), [place], ["Knivlagen"]
        )
        assert len(rows) == n
    for month, place, n in ROW_TARGETS:
        p = pd.Period(month, "M")
        rows = planted.truth(
            incidents, p.start_time.date(), p.end_time.date(), [place], ["Olaga intrång"]
        )
        assert len(rows) == n


def test_channel4a_months_from_a_total(public):
    viewer = public.page("pages/oversikt.py")
    recovered, inferred = [], []
    for place, counts in planted.KNIV.items():
        truth = {m: n for m, n in zip(planted.MONTHS_4, counts, strict=True) if 0 < n < THRESHOLD}
        found, guesses = attacks.months_attack(
            viewer, START, END, place, "Knivlagen", truth, THRESHOLD
        )
        recovered += found
        inferred += guesses
    assert len(recovered) < len(MONTH_TARGETS) / 2, report(
        "channel 4a (total minus months)", MONTH_TARGETS, recovered, f"inferred: {inferred}"
    )


def test_channel4b_rows_from_a_table_total(public):
    viewer = public.page("pages/utveckling.py")
    recovered, inferred = [], []
    for month, places in planted.INTRANG.items():
        p = pd.Period(month, "M")
        truth = {k: v for k, v in places.items() if 0 < v < THRESHOLD}
        found, guesses = attacks.rows_attack(
            viewer, p.start_time.date(), p.end_time.date(), "Olaga intrång", truth, THRESHOLD
        )
        recovered += found
        inferred += guesses
    assert len(recovered) < len(ROW_TARGETS) / 2, report(
        "channel 4b (table total minus rows)", ROW_TARGETS, recovered, f"inferred: {inferred}"
    )
