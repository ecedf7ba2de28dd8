"""Channel 3: the monthly night share and its Clopper-Pearson interval, sent to the browser
in the trends page's chart, inverted to (night, timed) for a small locality. The planted
months (October 2018 - March 2019, Hjortkvarn, the planted source) are read from the public
period that holds them (the latest 12 months); each has a night or a day count below the
threshold, so no share of theirs may be shown."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_none

pytestmark = pytest.mark.privacy
THRESHOLD = 3
START, END = planted.MONTHS_4[0], planted.MONTHS_4[-1]
PERIOD = dt.date(2018, 10, 1), dt.date(2019, 9, 30)  # the latest 12 months: a public period


def _period():
    import pandas as pd

    return pd.Period(START, "M").start_time.date(), pd.Period(END, "M").end_time.date()


def test_planted_night_counts(incidents):
    start, end = _period()
    rows = planted.truth(incidents, start, end, ["Hjortkvarn"], (), [planted.PLANT])
    timed = rows[rows["time_known"]]
    night = timed[(timed["occurred_at"].dt.hour >= 22) | (timed["occurred_at"].dt.hour < 6)]
    by_month = night["occurred_at"].dt.strftime("%Y-%m").value_counts().to_dict()
    assert by_month == {m: n for m, (n, _) in planted.NIGHT.items()}


def test_channel3_no_night_count_from_the_night_share(public):
    truth = {m: n for m, (n, _) in planted.NIGHT.items()}
    viewer = public.page("pages/utveckling.py")
    assert viewer.preset(*PERIOD) is not None
    recovered, inferred, observed = attacks.night_attack(
        viewer, *PERIOD, "Hjortkvarn", planted.PLANT, truth, THRESHOLD
    )
    assert not viewer.refused and not viewer.refusals(), "the night chart was not shown"
    assert_none("channel 3 (night share)", list(truth), recovered, inferred, observed)
