"""Rule 2 of issue 20 on the pages and in ``publish``: in the weekly series and the weekday ×
hour matrix (breakdowns finer than a month) and in the monthly series of a selection below the
detail minimum, a cell with no incident and a cell with one or two look the same: the same gap
in the chart the browser receives (null, the same hover text) and the same value in the files.
Checked on the planted store against its ground truth (the rules on hand-built data are in
tests/test_disclosure_rules.py)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from lib.i18n import t
from tests.privacy import planted

pytestmark = pytest.mark.privacy
THRESHOLD = 3
# A fine cell (a week, a weekday x hour) is hidden below the threshold plus the noise's reach
# (2), and says so: "färre än 5".
FINE = THRESHOLD + 2
PAIR = planted.TIME_PAIRS[0]  # 31 timed incidents in the latest 12 months
LATEST = (dt.date(2018, 10, 1), dt.date(2019, 9, 30))
SMALL = (dt.date(2018, 1, 1), dt.date(2018, 12, 31))  # last year: 9 to 11 of the pair's


def exact_weeks(rows: pd.DataFrame) -> dict[str, int]:
    weeks = rows["occurred_at"].dt.to_period("W").dt.start_time.dt.date
    return {d.isoformat(): int(n) for d, n in weeks.value_counts().items()}


def pair_rows(incidents, span) -> pd.DataFrame:
    category, place = PAIR
    return planted.truth(incidents, *span, [place], [category])


@pytest.fixture(scope="module")
def trends_page(public):
    viewer = public.page("pages/utveckling.py")
    viewer.set(upplosning="W")
    category, place = PAIR
    viewer.filters(*LATEST, ort=[place], kategori=[category])
    return viewer


def test_weeks_with_none_one_or_two_look_the_same_on_the_page(trends_page, incidents):
    viewer = trends_page
    spec = viewer.chart_with_trace(t("overview.trend_current"))
    trace = next(tr for tr in spec["data"] if tr.get("name") == t("overview.trend_current"))
    counts = exact_weeks(pair_rows(incidents, LATEST))
    shown = {}
    for x, y, hover in zip(trace["x"], decode(trace["y"]), trace["customdata"], strict=True):
        monday = parse(x)
        if counts.get(monday, 0) < THRESHOLD:
            shown.setdefault(min(counts.get(monday, 0), 1), set()).add((y, hover))
    assert set(shown) == {0, 1}, "the weeks hold no zero or no small count"
    assert len(shown[0] | shown[1]) == 1, shown
    y, hover = next(iter(shown[0]))
    assert y is None and hover == t("suppressed", threshold=FINE)


def test_hours_with_none_one_or_two_look_the_same_on_the_page(trends_page, incidents):
    matrix = trends_page.hours()
    assert matrix is not None
    rows = pair_rows(incidents, LATEST)
    exact = np.zeros((7, 24), dtype=int)
    for stamp in rows["occurred_at"]:
        exact[stamp.day_of_week, stamp.hour] += 1
    small = exact < THRESHOLD
    assert (exact[small] == 0).any() and (exact[small] > 0).any()
    assert np.isnan(matrix[small]).all()


def test_a_small_selections_months_look_the_same_on_the_page(public, incidents):
    category, place = PAIR
    viewer = public.page("pages/oversikt.py")
    viewer.filters(*SMALL, ort=[place], kategori=[category])
    assert viewer.refusals(), "last year should be below the detail minimum"
    spec = viewer.chart_with_trace(t("overview.trend_current"))
    trace = next(tr for tr in spec["data"] if tr.get("name") == t("overview.trend_current"))
    rows = pair_rows(incidents, SMALL)
    months = rows["occurred_at"].dt.month.value_counts().to_dict()
    seen = {}
    for i, (y, hover) in enumerate(zip(decode(trace["y"]), trace["customdata"], strict=True)):
        n = months.get(i + 1, 0)
        if n < THRESHOLD:
            seen.setdefault(min(n, 1), set()).add((y, hover))
    assert 0 in seen, seen
    assert len(set().union(*seen.values())) == 1, seen


def test_publish_sends_zero_and_small_alike(public, tmp_path, incidents):
    from lib.cli import main

    category, place = PAIR
    out = tmp_path / "files"
    argv = ["--db", str(public.db), "publish", str(out), "--period", "senaste-12"]
    assert main([*argv, "--ort", place, "--kategori", category]) == 0
    doc = json.loads((out / "utveckling.json").read_text(encoding="utf-8"))
    counts = exact_weeks(pair_rows(incidents, LATEST))
    values = {
        w["n"] if isinstance(w["n"], str) else "number"
        for w in doc["charts"]["veckor"]
        if w["serie"] == "current" and counts.get(w["start"], 0) < THRESHOLD
    }
    assert values == {t("suppressed", threshold=FINE)}, values
    cells = {c["antal"] for c in doc["charts"]["veckodag_timme"]}
    assert t("suppressed", threshold=FINE) in cells and 0 not in cells and 1 not in cells


def decode(values):
    from tests.privacy.conftest import decode as _decode

    return [
        None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in _decode(values)
    ]


def parse(label) -> str:
    from tests.privacy.conftest import parse_day

    return parse_day(label).isoformat()
