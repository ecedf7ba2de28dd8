"""Channel 4: differencing. (a) A category's total over six months minus the months shown
(overview page: total and monthly chart). (b) The change table's total minus the localities
shown (trends page: by category, then by locality); the same tables' change intervals
("+20 % (−5 till +37 %)") inverted to the counts they were computed from and differenced in
the same way. Each attack runs on 30 planted hidden cells and must do no better than chance
(``conftest.MAX_SHARE``)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance

pytestmark = pytest.mark.privacy
THRESHOLD = 3
START = pd.Period(planted.MONTHS_4[0], "M").start_time.date()
END = pd.Period(planted.MONTHS_4[-1], "M").end_time.date()
MONTH_TARGETS = [
    (category, place, month, n)
    for (category, place), counts in planted.MONTH_ROWS.items()
    for month, n in zip(planted.MONTHS_4, counts, strict=True)
    if 0 < n < THRESHOLD
]
ROW_TARGETS = [
    (category, month, place, n)
    for (category, month), places in planted.ROW_TABLES.items()
    for place, n in places.items()
    if 0 < n < THRESHOLD
]


def test_planted_counts(incidents):
    for category, place, month, n in MONTH_TARGETS:
        p = pd.Period(month, "M")
        rows = planted.truth(incidents, p.start_time.date(), p.end_time.date(), [place], [category])
        assert len(rows) == n
    for category, month, place, n in ROW_TARGETS:
        p = pd.Period(month, "M")
        rows = planted.truth(incidents, p.start_time.date(), p.end_time.date(), [place], [category])
        assert len(rows) == n
        before = p - 12
        rows = planted.truth(
            incidents, before.start_time.date(), before.end_time.date(), [place], [category]
        )
        assert len(rows) == planted.ROW_PREVIOUS


def test_channel4a_months_from_a_total(public):
    viewer = public.page("pages/oversikt.py")
    recovered, inferred = [], []
    for (category, place), counts in planted.MONTH_ROWS.items():
        truth = {m: n for m, n in zip(planted.MONTHS_4, counts, strict=True) if 0 < n < THRESHOLD}
        found, guesses = attacks.months_attack(
            viewer, START, END, place, category, truth, THRESHOLD
        )
        recovered += found
        inferred += guesses
    assert_chance("channel 4a (total minus months)", MONTH_TARGETS, recovered, inferred)


@pytest.fixture(scope="module")
def row_attacks(public, muni_coverage):
    """Both table attacks from one pass over the trends page (three runs per table)."""
    viewer = public.page("pages/utveckling.py")
    out = {"rows": ([], []), "intervals": ([], [])}
    for (category, month), places in planted.ROW_TABLES.items():
        p = pd.Period(month, "M")
        truth = {k: v for k, v in places.items() if 0 < v < THRESHOLD}
        results = attacks.rows_attack(
            viewer,
            p.start_time.date(),
            p.end_time.date(),
            category,
            truth,
            THRESHOLD,
            muni_coverage,
        )
        for name, (found, guesses) in results.items():
            out[name][0].extend(found)
            out[name][1].extend(guesses)
    return out


def test_channel4b_rows_from_a_table_total(row_attacks):
    recovered, inferred = row_attacks["rows"]
    assert_chance("channel 4b (table total minus rows)", ROW_TARGETS, recovered, inferred)


def test_channel4b_rows_from_change_intervals(row_attacks):
    recovered, inferred = row_attacks["intervals"]
    assert_chance(
        "channel 4b (change intervals inverted, total minus rows)",
        ROW_TARGETS,
        recovered,
        inferred,
    )
