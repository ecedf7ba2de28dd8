"""Channel 4: differencing. (a) A category's total over six months minus the months shown
(overview page: total and monthly chart). (b) The change table's total minus the localities
shown (trends page: by category, then by locality); the same tables' change intervals
("+20 % (−5 till +37 %)") inverted to the counts they were computed from and differenced in
the same way. Each attack runs on 30 planted hidden cells and must do no better than chance
(``conftest.MAX_SHARE``).

The planted rows are read from public periods only: (a) from the latest 12 months, which
hold the six planted months; (b) from each month, where the change tables are shown only
when the month's total reaches the detail minimum: below it the page says why and shows no
table (asserted as a refusal), above it the tables are attacked."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_chance, assert_observed, assert_refused

pytestmark = pytest.mark.privacy
THRESHOLD = 3
START, END = dt.date(2018, 10, 1), dt.date(2019, 9, 30)  # the latest 12 months
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
    assert viewer.preset(START, END) is not None
    recovered, inferred, observed = [], [], []
    for (category, place), counts in planted.MONTH_ROWS.items():
        truth = {m: n for m, n in zip(planted.MONTHS_4, counts, strict=True) if 0 < n < THRESHOLD}
        found, guesses, seen = attacks.months_attack(
            viewer, START, END, place, category, truth, THRESHOLD
        )
        recovered += found
        inferred += guesses
        observed += seen
    assert_chance("channel 4a (total minus months)", MONTH_TARGETS, recovered, inferred, observed)


@pytest.fixture(scope="module")
def row_attacks(public, muni_coverage):
    """Both table attacks from one pass over the trends page (three runs per table)."""
    viewer = public.page("pages/utveckling.py")
    out = {"rows": ([], []), "intervals": ([], []), "refused": [], "observed": []}
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
        out["refused"] += results["refused"]
        out["observed"] += results["observed"]
        for name in ("rows", "intervals"):
            out[name][0].extend(results[name][0])
            out[name][1].extend(results[name][1])
    return out


def _small_tables(incidents) -> list[tuple[str, str]]:
    """The planted (category, month) tables whose month total is below the detail minimum
    by a margin the noise cannot cross (at most 2 either way)."""
    from lib.config import load_municipality

    minimum = load_municipality().detail_minimum
    small = []
    for category, month in planted.ROW_TABLES:
        p = pd.Period(month, "M")
        rows = planted.truth(incidents, p.start_time.date(), p.end_time.date(), (), [category])
        if len(rows) + 2 < minimum:
            small.append((category, month))
    return small


def test_channel4b_small_tables_are_refused(row_attacks, incidents):
    """A month below the detail minimum shows no change table: the page says why."""
    small = _small_tables(incidents)
    assert small, "no planted table lies below the detail minimum"
    assert_refused("channel 4b (change tables below the minimum)", small, row_attacks["refused"])


def test_channel4b_rows_from_a_table_total(row_attacks):
    recovered, inferred = row_attacks["rows"]
    observed = row_attacks["observed"]
    assert_observed("channel 4b", ROW_TARGETS, observed)
    assert_chance("channel 4b (table total minus rows)", ROW_TARGETS, recovered, inferred, observed)


def test_channel4b_rows_from_change_intervals(row_attacks):
    recovered, inferred = row_attacks["intervals"]
    assert_chance(
        "channel 4b (change intervals inverted, total minus rows)",
        ROW_TARGETS,
        recovered,
        inferred,
        row_attacks["observed"],
    )
