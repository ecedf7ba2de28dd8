"""The disclosure rules of issue 20 (items 1-6), one test each on hand-built data through the
public views (``lib.public.views``: what the pages draw and ``publish`` writes). The page
and ``publish`` are checked on the planted store in tests/privacy/test_rules.py; the attacks
in tests/privacy/test_channel8_support.py and the rest.

Record keys are chosen by hand where a published count must be known: a cell's key is the sum
of its records' keys modulo 1, and a key in [0.3, 0.7) adds no noise."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from lib.config import load_municipality
from lib.figures import changes, counting, stats
from lib.figures.coverage import coverage_of
from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.i18n import fmt_month_short, source_label, t
from lib.public import views
from lib.public.disclosure import Disclosure, perturb, public

MUNI = load_municipality("hallsberg")
YEAR = (dt.date(2018, 10, 1), dt.date(2019, 9, 30))
NO_NOISE = 0.5  # a cell key in [0.3, 0.7): noise 0


def incidents(rows, import_id: int = 1) -> pd.DataFrame:
    """Incident rows from (timestamp, locality, category, source, key) tuples."""
    frame = pd.DataFrame(rows, columns=["occurred_at", "locality", "category", "source", "key"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    frame["time_known"] = True
    frame["import_id"] = import_id
    return frame


def data_of(frame: pd.DataFrame, declared=None) -> views.Data:
    coverage = coverage_of(frame, declared)
    return views.Data(daily_cube(frame), timed_frame(frame), coverage, MUNI)


def rules(*spans, minimum: int = 20) -> Disclosure:
    return public(3, spans, minimum, MUNI.sensitive_categories)


def spread(n: int, first: dt.date, days: int, category="Stöld", place="Hallsberg", key=0.0):
    """n incidents spread evenly over ``days`` days from ``first``, at 10:00-21:00."""
    return [
        (
            pd.Timestamp(first + dt.timedelta(days=i * days // n))
            + pd.Timedelta(hours=10 + i % 12),
            place,
            category,
            "police",
            key,
        )
        for i in range(n)
    ]


def exactly(n: int, first: dt.date, days: int, **kwargs):
    """n incidents whose selection is published as exactly n (one record carries a key in
    the noise table's middle bin, the others 0)."""
    rows = spread(n, first, days, **kwargs)
    rows[0] = (*rows[0][:4], NO_NOISE)
    return rows


# --- 1. Detail only from the detail minimum, and the reason in Swedish below it ---------------


@pytest.mark.parametrize(("n", "shown"), [(19, False), (20, True)])
def test_detail_only_from_the_minimum(n, shown):
    """A selection published as 19 gets the monthly figure and the reason; 20 gets weeks,
    weekday × hour, night share and the change tables."""
    frame = incidents(
        exactly(n, dt.date(2019, 3, 1), 28, category="Klotter")
        + spread(40, dt.date(2019, 3, 1), 28, category="Stöld", key=0.1)
    )
    data = data_of(frame, {1: YEAR})
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 3, 31), (), ("Klotter",))
    d = rules((f.start, f.end))
    view = views.trends_view(data, f, d)
    assert view.total == n
    reason = t("detail.small", minimum=20)
    assert "färre än 20 händelser" in reason
    if shown:
        assert view.extra["detail"] is None and reason not in view.notes
        assert len(view.tables["kategorier"]) and len(view.tables["orter"])
        assert isinstance(view.charts["veckor"], list)
        assert isinstance(view.charts["veckodag_timme"], list)
    else:
        assert view.extra["detail"] == "small" and reason in view.notes
        assert view.tables["kategorier"].empty and view.tables["orter"].empty
        assert view.charts["veckor"] == {"visas_inte": reason}
        assert view.charts["veckodag_timme"] == {"visas_inte": reason}
        assert view.extra["night"] is None
        weekly, _, why, freq = views.series_view(data, f, d, "W")
        assert why == "small" and freq == "M"


def test_an_analyst_sees_the_detail_of_any_selection():
    frame = incidents(exactly(5, dt.date(2019, 3, 1), 28, category="Klotter"))
    data = data_of(frame, {1: YEAR})
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 3, 31), (), ("Klotter",))
    view = views.trends_view(data, f, Disclosure(3, exact=True))
    assert view.extra["detail"] is None and len(view.tables["kategorier"])
    assert np.nansum(view.extra["hours"]) == 5


# --- 2. Zero and small look the same in detail and in small selections --------------------


def lone_and_busy():
    """A year with 30 incidents in one category and place, one of them alone in its week
    and hour, and 10 at the same hour of one day (a cell and a week that must show)."""
    rows = spread(20, dt.date(2019, 1, 7), 140, category="Klotter", key=0.37)
    rows += [
        (pd.Timestamp("2019-06-05 14:00"), "Hallsberg", "Klotter", "police", 0.51 + i / 1000)
        for i in range(10)
    ]
    return incidents(rows)


def test_zero_and_small_look_the_same_in_weeks_and_hours():
    frame = lone_and_busy()
    data = data_of(frame, {1: YEAR})
    f = Filters(*YEAR, (), ("Klotter",))
    d = rules(YEAR)
    view = views.trends_view(data, f, d)
    assert view.extra["detail"] is None
    hidden = t("suppressed", threshold=5)  # a fine table hides up to the noise's reach
    weeks = {w["start"]: w["n"] for w in view.charts["veckor"] if w["serie"] == "current"}
    exact = frame.groupby(frame["occurred_at"].dt.to_period("W").dt.start_time)["key"].size()
    exact = {k.date().isoformat(): int(v) for k, v in exact.items()}
    small = {w: v for w, v in weeks.items() if exact.get(w, 0) < 3}
    assert len(small) > 40 and any(exact.get(w, 0) == 0 for w in small)
    assert set(small.values()) == {hidden}, {w: (exact.get(w, 0), v) for w, v in small.items()}
    assert weeks["2019-06-03"] not in (hidden, None)  # the busy week is shown
    cells = {(c["veckodag"], c["timme"]): c["antal"] for c in view.charts["veckodag_timme"]}
    assert set(cells[k] for k in cells if k != (2, 14)) == {hidden}
    assert cells[(2, 14)] != hidden


def test_no_exact_one_or_two_is_ever_shown_in_a_fine_table():
    """A published count in a fine table is shown only where no exact 0, 1 or 2 can reach
    it: every key of the noise table, counts 0-2, is hidden; 3 can show (at 5)."""
    d = rules(YEAR)
    keys = np.linspace(0, 0.999, 200)
    for n in (0, 1, 2):
        published = perturb(np.full(len(keys), n), keys)
        assert all(d.fine(int(v)) for v in published), n
    assert not all(d.fine(int(v)) for v in perturb(np.full(len(keys), 3), keys))


def test_a_small_selections_months_show_zero_like_small():
    """Below the detail minimum the monthly series is detail too: a month with 0 and a month
    with 1 or 2 send the same value."""
    frame = incidents(
        [(pd.Timestamp("2019-02-10 12:00"), "Hallsberg", "Klotter", "police", 0.5)]
        + [(pd.Timestamp("2019-05-10 12:00"), "Hallsberg", "Klotter", "police", 0.5)] * 2
    )
    data = data_of(frame, {1: YEAR})
    f = Filters(*YEAR, (), ("Klotter",))
    view = views.overview_view(data, f, rules(YEAR))
    assert view.extra["detail"] == "small"
    months = {m["start"]: m["n"] for m in view.charts["manader"] if m["serie"] == "current"}
    assert months["2019-02-01"] == months["2019-05-01"] == months["2019-03-01"]
    assert months["2019-03-01"] == t("suppressed", threshold=5)


def test_night_shares_hide_zero_like_small():
    """25 incidents, all at night: a share of 100 % says that none happened by day (a day
    count of 0), so neither the period's share nor the month's is shown."""
    rows = [
        (pd.Timestamp(f"2019-03-{d:02d} 23:30"), "Hallsberg", "Klotter", "police", 0.45)
        for d in range(1, 26)
    ]
    data = data_of(incidents(rows), {1: YEAR})
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 3, 31), (), ("Klotter",))
    view = views.trends_view(data, f, rules((f.start, f.end)))
    assert view.extra["detail"] is None
    assert view.charts["nattandel"]["andel"] is None
    assert all(m["andel"] is None for m in view.charts["nattandel"]["per_manad"])


# --- 3. Lists from the vocabulary ---------------------------------------------------------


def vocabulary_data():
    """16 categories over the year (the vocabulary is the 15 largest) and one incident of a
    17th in Hjortkvarn in March 2019, beside 25 of the largest there."""
    rows = []
    for i in range(16):
        rows += spread(60 - i, dt.date(2018, 10, 1), 365, category=f"Kategori {i:02d}", key=0.21)
    rows += spread(1, dt.date(2019, 3, 3), 1, category="Vapenlagen", place="Hjortkvarn")
    rows += spread(25, dt.date(2019, 3, 1), 28, category="Kategori 00", place="Hjortkvarn")
    return data_of(incidents(rows), {1: YEAR})


MARCH = (dt.date(2019, 3, 1), dt.date(2019, 3, 31))
UNUSUAL_LIST = (
    "issue 20 item 3, open: the unusual-months chart lists every category with incidents in"
    " the selection or its three earlier years (trends.control_chart, taken whole by"
    " lib/public/views.py _unusual: the page's selector and publish's charts.kontroll), so"
    " a category outside the vocabulary, or one published as 0, is named; the list must be"
    " the vocabulary"
)


def test_category_lists_are_the_vocabulary_whatever_the_selection():
    data = vocabulary_data()
    expected = sorted([*data.categories(), t("change.other_categories")])
    assert len(data.categories()) == 15 and "Vapenlagen" not in data.categories()
    d = rules(YEAR, MARCH)
    for f in (Filters(*YEAR), Filters(*MARCH, ("Hjortkvarn",))):
        for view in (views.overview_view(data, f, d), views.trends_view(data, f, d)):
            assert view.extra["detail"] is None
            assert sorted(view.tables["kategorier"][t("col.category")]) == expected


def test_the_remembered_category_list_belongs_to_its_frames():
    """``Data.categories`` is worked out once per set of frames (every new question asked
    it of the whole cube); a copy with other frames works out its own, and every limit has
    its own list."""
    data = vocabulary_data()
    first = data.categories()
    assert data.categories() == first
    top = data.categories(3)
    totals = data.cube.groupby(data.cube["category"].astype(str))["n"].sum()
    assert len(top) == 3 and totals[list(top)].min() >= totals.drop(list(top)).max()
    only = data.cube[data.cube["category"].astype(str) == "Vapenlagen"]
    other = dataclasses.replace(data, cube=only)
    assert other.categories() == ("Vapenlagen",)
    assert data.categories() == first and data.categories(3) == top


def test_unusual_months_list_only_the_vocabulary():
    """The unusual-months chart's categories (its selector on the page, ``kontroll`` in the
    files) are a list too: never a category outside the vocabulary because the selection
    holds one of its incidents."""
    data = vocabulary_data()
    view = views.trends_view(data, Filters(*MARCH, ("Hjortkvarn",)), rules(YEAR, MARCH))
    assert view.extra["detail"] is None
    listed = set(view.extra["chart"]["category"]) | {
        r["kategori"] for r in view.charts.get("kontroll", [])
    }
    assert listed and listed <= set(data.categories()), sorted(listed - set(data.categories()))


# --- 4. Sensitive categories never in a public time breakdown -----------------------------


def sensitive_data():
    rows = spread(40, dt.date(2019, 3, 1), 28, category="Stöld", key=0.3)
    rows += [
        (pd.Timestamp(f"2019-03-{d:02d} 03:00"), "Hallsberg", "Sexualbrott", "police", 0.45)
        for d in (6, 13, 20, 27)
        for _ in range(3)
    ]
    return data_of(incidents(rows), {1: YEAR})


def test_a_sensitive_category_gets_no_time_breakdown():
    data = sensitive_data()
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 3, 31), (), ("Sexualbrott",))
    d = rules((f.start, f.end), minimum=5)
    view = views.trends_view(data, f, d)
    assert view.total >= 5 and view.extra["detail"] is None  # above the minimum
    reason = t("detail.sensitive")
    assert view.charts["veckor"] == {"visas_inte": reason}
    assert view.charts["veckodag_timme"] == {"visas_inte": reason}
    assert view.extra["night"] is None
    assert views.series_view(data, f, d, "W")[2] == "sensitive"


def test_sensitive_incidents_are_left_out_of_everyone_s_time_breakdown():
    """In all categories the twelve at 03:00 on Wednesdays would make a cell and weeks of
    their own: the public matrix and weeks leave them out and say so."""
    data = sensitive_data()
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 3, 31))
    view = views.trends_view(data, f, rules((f.start, f.end)))
    assert view.extra["time_detail"] is None
    cells = {(c["veckodag"], c["timme"]): c["antal"] for c in view.charts["veckodag_timme"]}
    assert cells[(2, 3)] == t("suppressed", threshold=5)
    assert view.extra["night_raw"].night == 0  # no sensitive incident counted at night
    assert view.extra["time_note"] == t("detail.sensitive_left_out")
    weeks = views.series_view(data, f, rules((f.start, f.end)), "W")[0]
    assert weeks.loc[weeks["series"] == "current", "n"].sum() == pytest.approx(40, abs=12)
    analyst = views.trends_view(data, f, Disclosure(3, exact=True))
    assert analyst.extra["hours"][2, 3] == 12


# --- 5. Coverage in whole months, only for sources shown ----------------------------------


GUARD_DAYS = ("2019-05-14 10:20", "2019-06-02 14:05", "2019-06-20 21:40", "2019-07-09 03:15")


def guard_file(rows: int = 4):
    """The police over two years (a declared period), and a guard company's file of its
    first ``rows`` of 14 May, 2 and 20 June, 9 July 2019 (no period declared; published as
    exactly ``rows``)."""
    police = incidents(spread(730, dt.date(2017, 10, 1), 730, key=0.37), import_id=1)
    keys = [NO_NOISE, 0.0, 0.0, 0.0]
    guards = incidents(
        [
            (pd.Timestamp(day), "Hallsberg", "Skadegörelse", "security_guard", key)
            for day, key in list(zip(GUARD_DAYS, keys, strict=True))[:rows]
        ],
        import_id=2,
    )
    frame = pd.concat([police, guards], ignore_index=True)
    return frame, data_of(frame, {1: (dt.date(2017, 10, 1), dt.date(2019, 9, 30))})


def test_a_file_covers_whole_months_its_first_and_last_partly():
    _, data = guard_file()
    c = data.coverage
    assert c.spans["security_guard"] == ((dt.date(2019, 6, 1), dt.date(2019, 6, 30)),)
    assert c.partial["security_guard"] == (dt.date(2019, 5, 1), dt.date(2019, 7, 1))
    assert c.first_day_of("security_guard") == dt.date(2019, 5, 1)
    assert c.last_month_of("security_guard") == dt.date(2019, 7, 1)


def sources_table(frame, data, d):
    spans = frame.groupby(["import_id", "source"])["occurred_at"].agg(["min", "max"])
    spans = spans.reset_index().rename(columns={"min": "first", "max": "last"})
    log = pd.DataFrame(
        {"id": [1, 2], "imported_at": ["2019-10-02T08:15:00+00:00", "2019-07-11T13:05:00+00:00"]}
    )
    return views.sources_view(data.cube, data.coverage, spans, log, d, MUNI.timezone)


def month(day: dt.date) -> str:
    return f"{fmt_month_short(day)} {day.year}"


def test_sources_are_shown_in_whole_months_and_only_when_their_count_is():
    frame, data = guard_file()
    table = sources_table(frame, data, rules(YEAR))
    guards = table.set_index(t("col.source")).loc[source_label("security_guard")]
    assert guards[t("col.incidents")] == "4"
    covers = t("sources.months", first=month(dt.date(2019, 5, 1)), last=month(dt.date(2019, 7, 1)))
    assert guards[t("col.covers")] == covers
    assert guards[t("col.last_import")] == month(dt.date(2019, 7, 1))
    for value in table.astype(str).to_numpy().ravel():
        assert not re.search(r"\b\d{1,2} \w+ \d{4}\b|\d{1,2}[:.]\d{2}", value), value
    frame, data = guard_file(rows=2)
    hidden = sources_table(frame, data, rules(YEAR))
    row = hidden.set_index(t("col.source")).loc[source_label("security_guard")]
    assert row[t("col.incidents")] == t("suppressed", threshold=3)
    assert row[t("col.covers")] == "–" and row[t("col.last_import")] == "–"


def test_compared_months_are_whole_months():
    """The guard file's months alone: what is compared is said in months, every date shown
    is a month's first or last day, and the files carry months compared, never days."""
    frame, data = guard_file()
    for f in (
        Filters(dt.date(2019, 5, 1), dt.date(2019, 5, 31), (), (), ("security_guard",)),
        Filters(dt.date(2019, 1, 1), dt.date(2019, 9, 30), (), (), ("security_guard",)),
    ):
        view = views.overview_view(data, f, rules((f.start, f.end)))
        text = " ".join(view.sentences + view.notes)
        assert not re.search(r"\d+ (?:av \S+ \d+ )?dagar", text), text
        for day, name, year in re.findall(r"(\d{1,2}) (\w+) (\d{4})", text):
            shown = pd.Timestamp(f"{day} {name} {year}".replace(name, ENGLISH.get(name, name)))
            assert shown.day == 1 or shown.is_month_end, text
        doc = view.as_json(view.extra["overview"].change.periods)
        assert "months_compared" in doc["period"] and "days_compared" not in doc["period"]


ENGLISH = {
    "januari": "january",
    "februari": "february",
    "mars": "march",
    "april": "april",
    "maj": "may",
    "juni": "june",
    "juli": "july",
    "augusti": "august",
    "september": "september",
    "oktober": "october",
    "november": "november",
    "december": "december",
}


# --- 5b. A small source covering one period is left out and named, nothing else is lost ---


def test_a_small_source_in_one_period_is_left_out_and_named():
    frame, data = guard_file()
    f = Filters(dt.date(2019, 6, 1), dt.date(2019, 6, 30))
    view = views.overview_view(data, f, rules((f.start, f.end)))
    p = view.extra["overview"].change.periods
    assert p.left_out == ("security_guard",) and not p.no_data and not p.partial
    note = t("change.note_left_out", sources=source_label("security_guard"))
    assert note in view.notes
    assert view.extra["overview"].change.verdict != changes.NO_DATA
    assert view.extra["overview"].change.comparison.previous > 300 / 12


def test_a_small_source_never_turns_other_months_into_no_data():
    frame, data = guard_file()
    for f in (Filters(*YEAR), Filters(dt.date(2019, 1, 1), dt.date(2019, 9, 30))):
        view = views.overview_view(data, f, rules((f.start, f.end)))
        months = [m for m in view.charts["manader"] if m["serie"] == "current"]
        assert months and t("coverage.no_data_month") not in [m["n"] for m in months]
        assert view.extra["overview"].change.verdict != changes.NO_DATA


# --- 6. The night share's verdict is calibrated with the noise's slack --------------------


def test_night_share_verdict_is_calibrated_under_the_null():
    """Null: night shares equal in both periods. The public verdict, made from published
    counts with the slack, is called in at most 5 % of draws and never where Fisher's test
    on the exact counts does not call the same change."""
    rng = np.random.default_rng(20)
    calls, wrong, draws = 0, 0, 3000
    for _ in range(draws):
        n1, n2 = rng.integers(8, 120, 2)
        share = rng.uniform(0.1, 0.6)
        k1, k2 = (
            sps.binom.rvs(n1, share, random_state=rng),
            sps.binom.rvs(n2, share, random_state=rng),
        )
        pub = perturb(np.array([k1, n1, k2, n2]), rng.random(4))
        night1, timed1 = min(pub[0], pub[1]), pub[1]
        night2, timed2 = min(pub[2], pub[3]), pub[3]
        public_verdict = stats.compare_proportions(
            night1, timed1, night2, timed2, slack=counting.slack(perturb)
        ).verdict
        if public_verdict != stats.NO_CHANGE:
            calls += 1
            exact = stats.compare_proportions(k1, n1, k2, n2).verdict
            wrong += exact != public_verdict
    assert calls / draws <= 0.05, calls / draws
    assert wrong == 0, wrong


def test_the_trends_page_tests_the_night_share_with_the_slack():
    """The verdict the page shows is the one made with the slack from its published counts."""
    rows = [
        (
            pd.Timestamp(f"2019-03-{1 + d % 28:02d} {h:02d}:10"),
            "Hallsberg",
            "Stöld",
            "police",
            0.02 * d,
        )
        for d, h in enumerate([23] * 30 + [12] * 30)
    ]
    rows += [
        (
            pd.Timestamp(f"2018-03-{1 + d % 28:02d} {h:02d}:10"),
            "Hallsberg",
            "Stöld",
            "police",
            0.03 * d,
        )
        for d, h in enumerate([23] * 18 + [12] * 42)
    ]
    data = data_of(incidents(rows), {1: (dt.date(2017, 10, 1), dt.date(2019, 9, 30))})
    f = Filters(dt.date(2019, 3, 1), dt.date(2019, 3, 31))
    d = rules((f.start, f.end))
    night = views.trends_view(data, f, d).extra["night_raw"]
    slack = stats.compare_proportions(
        night.night, night.timed, night.previous_night, night.previous_timed, slack=2
    )
    assert night.comparison.verdict == slack.verdict
    assert night.comparison.p_value == pytest.approx(slack.p_value)
    exact = views.trends_view(data, f, Disclosure(3, exact=True)).extra["night_raw"]
    assert exact.comparison.verdict == stats.INCREASE  # 30 of 60 at night against 18 of 60
    assert night.comparison.verdict == stats.NO_CHANGE  # within ±2 of each count it is not
