"""Promise definitions, status rules at their boundaries, replay, outcomes, follow-up."""

import datetime as dt

import pandas as pd
import pytest

from lib.figures import overview, promises
from lib.figures.filters import Filters, daily_cube
from lib.ingest import promise_files
from lib.ingest.loading import import_bytes
from lib.ingest.sample import generate_activities, generate_incidents
from lib.public import views

START, END = dt.date(2018, 10, 1), dt.date(2019, 9, 30)  # 365 days


def demo_definitions(muni) -> pd.DataFrame:
    """The definitions as the demo holds them: the configured promise, then the sample's
    file of example targets and its second period read on top of it, as ``seed_sample``
    stores them."""
    from lib.promises import definitions as defs
    from lib.promises import files

    configured = defs.rows_from_definitions(promise_files.all_definitions(muni))
    rows = defs.item(configured, "c", None, False).frame.assign(import_id=1, is_sample=False)
    path = muni.sample_files["promises"]
    read = files.read_file(path.read_bytes(), path.name, muni, defs.resolve(rows))
    assert read.ok, read.messages()
    return defs.preview(rows, defs.item(read.rows, path.name, None, True)).definitions


@pytest.fixture(scope="module")
def definitions(muni):
    return demo_definitions(muni)


@pytest.fixture(scope="module")
def activities(muni):
    return generate_activities(muni)


def test_the_configured_promise_quotes_the_seed_and_sets_no_targets(muni):
    """The shipped configuration is Hallsberg's real promise only: the four points of the
    interpellation answer, what each is followed up by, and no numbers (it gives none)."""
    configured = promise_files.all_definitions(muni)
    assert set(configured["period_id"]) == {"2018-2019"}
    assert sorted(configured["number"].unique()) == [1, 2, 3, 4]
    assert set(configured["responsible"]) == {"police", "joint"}
    assert "synlighet för ökad trygghet skall vara prioriterad" in configured["text"].iloc[0]
    assert configured["target"].isna().all()


def test_the_demo_adds_example_targets_and_a_second_period(definitions):
    first = definitions[definitions["period_id"] == "2018-2019"]
    assert first["targets_are_examples"].all() and not first["period_is_sample"].any()
    assert set(definitions["period_id"]) == {"2018-2019", "2019-2021"}
    assert definitions.loc[definitions["period_id"] == "2019-2021", "period_is_sample"].all()
    drugs = first.set_index("indicator_id").loc["drug_operations"]
    assert drugs["target"] == 2 and "Narkotikabrott" in drugs["outcome_categories"]


# Target 4 over the 365 days 2018-10-01..2019-09-30: a steady pace reaches 1 on day 92
# (31 December, 4 * 92 / 365 = 1.008; 30 December gives 0.997), 2 on day 183 (1 April:
# 2.005; 31 March gives 1.995) and 3 on day 274 (1 July: 3.003; 30 June gives 2.992).
@pytest.mark.parametrize(
    ("done", "as_of", "expected"),
    [
        (4, dt.date(2019, 1, 1), promises.FULFILLED),  # exactly on target
        (5, dt.date(2019, 1, 1), promises.FULFILLED),
        (4, END, promises.FULFILLED),
        (4, dt.date(2019, 10, 1), promises.FULFILLED),
        # Period over and target missed: from the last day on, the slider's last position.
        (3, END, promises.NOT_FULFILLED),
        (0, END, promises.NOT_FULFILLED),
        (3, dt.date(2019, 10, 1), promises.NOT_FULFILLED),
        (3.99, dt.date(2019, 9, 29), promises.ON_PACE),  # the day before: 3.989 → 3 required
        # Not started: before the period, or nothing done while nothing is due yet.
        (0, dt.date(2018, 9, 30), promises.NOT_STARTED),
        (2, dt.date(2018, 9, 30), promises.NOT_STARTED),
        (0, START, promises.NOT_STARTED),
        (0, dt.date(2018, 12, 30), promises.NOT_STARTED),
        # Nothing done once the first walk is due is behind, not "not started".
        (0, dt.date(2018, 12, 31), promises.BEHIND),
        (0, dt.date(2019, 3, 1), promises.BEHIND),
        # Whole-number target: behind only by a whole walk, never by a fraction.
        (1, dt.date(2019, 3, 31), promises.ON_PACE),  # pace 1.995: one walk is required
        (1, dt.date(2019, 4, 1), promises.BEHIND),  # pace 2.005: two are
        (2, dt.date(2019, 4, 1), promises.ON_PACE),
        (2, dt.date(2019, 6, 30), promises.ON_PACE),  # day 273: pace 2.992
        (2, dt.date(2019, 7, 1), promises.BEHIND),  # day 274: pace 3.003
    ],
)
def test_status_rules(done, as_of, expected):
    assert promises.status(done, 4, START, END, as_of) == expected


def test_required_pace_is_whole_units_for_whole_targets():
    assert promises.expected_by_pace(4, START, END, dt.date(2019, 3, 31)) == pytest.approx(
        4 * 182 / 365
    )
    assert promises.required_by_pace(4, START, END, dt.date(2019, 3, 31)) == 1
    assert promises.required_by_pace(4, START, END, dt.date(2019, 4, 1)) == 2
    # 3 over the 366 days of 2020: day 122 (1 May) is exactly one, despite rounding.
    leap_start, leap_end = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    assert promises.required_by_pace(3, leap_start, leap_end, dt.date(2020, 5, 1)) == 1
    # A fractional target (2.5 hours) is compared with the exact pace.
    half = promises.expected_by_pace(2.5, START, END, dt.date(2019, 3, 31))
    assert promises.required_by_pace(2.5, START, END, dt.date(2019, 3, 31)) == half
    assert promises.status(1.2, 2.5, START, END, dt.date(2019, 3, 31)) == promises.BEHIND
    assert promises.status(1.25, 2.5, START, END, dt.date(2019, 3, 31)) == promises.ON_PACE


def test_exactly_on_pace_is_on_pace():
    # Target 365 over 365 days: a steady pace gives exactly one a day.
    as_of = dt.date(2018, 10, 10)  # day 10
    assert promises.expected_by_pace(365, START, END, as_of) == pytest.approx(10)
    assert promises.status(10, 365, START, END, as_of) == promises.ON_PACE
    assert promises.status(9.99, 365, START, END, as_of) == promises.BEHIND


def test_pace_is_clamped_outside_the_period():
    assert promises.expected_by_pace(4, START, END, dt.date(2018, 1, 1)) == 0
    assert promises.expected_by_pace(4, START, END, dt.date(2020, 1, 1)) == 4


def test_replay_counts_only_what_was_done_by_then(definitions, activities):
    march = promises.progress(definitions, activities, "2018-2019", dt.date(2019, 3, 15))
    walks = march.set_index("indicator_id").loc["safety_walks"]
    independent = activities[
        (activities["indicator_id"] == "safety_walks") & (activities["date"] <= "2019-03-15")
    ]["quantity"].sum()
    assert walks["done"] == independent == 2
    assert walks["status"] == promises.ON_PACE  # 2 done, a steady pace gives 1.9
    assert walks["required"] == 1
    end = promises.progress(definitions, activities, "2018-2019", END)
    assert set(end["status"]) == {promises.FULFILLED}


def test_only_activities_inside_the_period_count(definitions, activities):
    walk = activities[activities["indicator_id"] == "safety_walks"].iloc[[0]]
    late = walk.assign(date=pd.Timestamp("2019-10-15"), quantity=10.0)
    early = walk.assign(date=pd.Timestamp("2018-09-15"), quantity=10.0)
    extra = pd.concat([activities, late, early], ignore_index=True)
    rows, counted = promises.standing(definitions, extra, "2018-2019", dt.date(2019, 12, 1))
    table = views.follow_up(rows, counted)
    walks = rows.set_index("indicator_id").loc["safety_walks"]
    assert walks["done"] == 5  # the sample's five walks, not the two dated outside
    assert "5 st trygghetsvandringar" in table["Det här blev utfallet"].iloc[1]


def test_period_without_activities(definitions, activities):
    """Nothing recorded for a promise: "not recorded" on every day, also after the period
    ended (an empty log is no evidence that nothing was done)."""
    none = activities.iloc[0:0]
    for day in (
        dt.date(2019, 11, 28),
        dt.date(2020, 6, 1),
        dt.date(2021, 5, 31),
        dt.date(2026, 1, 1),
    ):
        rows = promises.progress(definitions, none, "2019-2021", day)
        assert set(rows["status"]) == {promises.NOT_RECORDED}, day
    rows, _ = promises.standing(definitions, activities.iloc[0:0], "2018-2019", END)
    assert set(rows["status"]) == {promises.NOT_RECORDED}


def test_not_fulfilled_needs_recorded_activities_and_an_ended_period(definitions, activities):
    """One walk recorded: the walks are "not fulfilled" once the period has ended and
    "behind" before; the promises with nothing recorded stay "not recorded"."""
    one = activities[activities["indicator_id"] == "safety_walks"].iloc[[0]]
    rows, _ = promises.standing(definitions, one, "2018-2019", END)
    status = rows.set_index("indicator_id")["status"]
    assert status["safety_walks"] == promises.NOT_FULFILLED
    assert set(status.drop("safety_walks")) == {promises.NOT_RECORDED}
    rows, _ = promises.standing(definitions, one, "2018-2019", dt.date(2019, 6, 1))
    assert rows.set_index("indicator_id").at["safety_walks", "status"] == promises.BEHIND
    # Replaying a day before the first recorded activity follows the usual rules.
    rows, _ = promises.standing(definitions, one, "2018-2019", dt.date(2018, 10, 5))
    assert rows.set_index("indicator_id").at["safety_walks", "status"] == promises.NOT_STARTED


def test_a_promise_with_two_indicators_is_recorded_as_one(definitions, activities):
    """Promise 4 is followed up by operations and drug operations: operations recorded and
    no drug operation is a recorded zero, "not fulfilled" at the end."""
    ops = activities[activities["indicator_id"] == "operations"]
    rows, _ = promises.standing(definitions, ops, "2018-2019", END)
    status = rows.set_index("indicator_id")["status"]
    assert status["drug_operations"] == promises.NOT_FULFILLED
    assert status["operations"] == promises.FULFILLED


def test_without_a_target_what_was_done_has_no_verdict(muni, activities):
    configured = promise_files.all_definitions(muni)  # no targets
    rows, counted = promises.standing(configured, activities, "2018-2019", END)
    assert set(rows["status"]) == {promises.NO_TARGET}
    table = views.follow_up(rows, counted)
    walks = table[table["Det här lovade vi"].str.startswith("Trygghetsvandringar")].iloc[0]
    assert walks["Det här lovade vi"] == "Trygghetsvandringar (inget antal angivet)"
    assert walks["Det här blev utfallet"].startswith("5 st trygghetsvandringar")
    assert walks["Status"] == "inget mål satt"


def test_the_follow_up_says_nothing_is_recorded_rather_than_zero(definitions, activities):
    rows, counted = promises.standing(definitions, activities.iloc[0:0], "2018-2019", END)
    table = views.follow_up(rows, counted)
    assert set(table["Status"]) == {"ingen uppföljning registrerad"}
    assert set(table["Det här blev utfallet"]) == {"–"}
    assert "ej uppfyllt" not in table.to_string()


def test_outcome_equals_the_trends_figures(muni, definitions):
    cube = daily_cube(generate_incidents(muni))
    drugs = definitions.set_index("indicator_id").loc["drug_operations"]
    result = promises.outcome(cube, drugs, END, muni)
    same = overview.compute(
        cube, Filters(START, END, categories=("Narkotikabrott", "Misstänkt narkotikahandel")), muni
    ).change
    assert result.change.comparison == same.comparison
    assert result.change.verdict == same.verdict
    halfway = promises.outcome(cube, drugs, dt.date(2019, 3, 31), muni)
    assert halfway.filters.end == dt.date(2019, 3, 31)
    assert promises.outcome(cube, drugs, dt.date(2018, 9, 1), muni) is None  # before the period


def test_where_lists_every_locality(muni, activities):
    table = promises.where(activities, muni, ["safety_walks", "info_meetings"])
    assert list(table.index) == muni.locality_names
    assert table.loc["Hjortkvarn"].tolist() == [0, 0]
    assert table.loc["Hallsberg", "safety_walks"] == 2


def test_follow_up_table(definitions, activities):
    rows = promises.progress(definitions, activities, "2018-2019", END)
    table = views.follow_up(rows, activities)
    assert list(table.columns) == ["Löfte", "Det här lovade vi", "Det här blev utfallet", "Status"]
    walks = table[table["Det här lovade vi"].str.contains("trygghetsvandringar")].iloc[0]
    assert walks["Det här lovade vi"] == "Minst 4 st trygghetsvandringar"
    assert walks["Det här blev utfallet"].startswith("5 st trygghetsvandringar (Hallsberg 2")
    assert walks["Status"] == "uppfyllt"


def test_zero_target_is_refused_in_swedish(tmp_path):
    from tests.conftest import ROOT

    text = (ROOT / "data/promises/hallsberg-2018-2019.toml").read_text(encoding="utf-8")
    bad = tmp_path / "noll.toml"
    bad.write_text(text.replace('unit = "st"', 'target = 0\n  unit = "st"', 1), encoding="utf-8")
    with pytest.raises(promise_files.PromiseFileError, match="målet måste vara större än noll"):
        promise_files.load_definitions(bad)


def activity_csv(*rows: str) -> bytes:
    header = "löfte;indikator;datum;aktivitet;antal;ort"
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "trygghetsvandringar;safety_walks;2020-01-10;Vandring;1;Hallsberg",
            "utanför löftesperioden",
        ),
        ("okänt;safety_walks;2019-01-10;Vandring;1;Hallsberg", "okänt löfte"),
        ("trygghetsvandringar;nonsense;2019-01-10;Vandring;1;Hallsberg", "okänd indikator"),
        ("insatser;safety_walks;2019-01-10;Vandring;1;Hallsberg", "hör inte till löftet"),
        ("trygghetsvandringar;safety_walks;2019-01-10;Vandring;-2;Hallsberg", "negativt"),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_saved(store, muni, row, reason):
    good = "trygghetsvandringar;safety_walks;2019-01-10;Vandring;1;Pålsboda"
    outcome = import_bytes(store, activity_csv(good, row), "activities", muni, "akt.csv")
    assert not outcome.ok
    assert any(reason in m for m in outcome.messages), outcome.messages
    assert store.count("activities") == 0


def test_good_activities_get_the_indicators_unit(store, muni):
    outcome = import_bytes(
        store,
        activity_csv("insatser;operations;2019-01-10;Insats;1;Hallsberg"),
        "activities",
        muni,
        "akt.csv",
    )
    assert outcome.ok
    stored = store.read("activities")
    assert stored["unit"].tolist() == ["st"] and stored["date"].iloc[0] == pd.Timestamp(
        "2019-01-10"
    )


def test_timeline_greys_the_future_and_names_months_in_swedish(definitions, activities):
    from lib.public.charts import timeline_figure

    labels = {"safety_walks": "Trygghetsvandringar", "info_meetings": "Informationsmöten"}
    fig = timeline_figure(activities, labels, dt.date(2019, 3, 15))
    greys = [tr for tr in fig.data if tr.marker.color == "#C8C8C8"]
    past = [tr for tr in fig.data if tr.marker.color != "#C8C8C8"]
    in_past = activities[
        activities["indicator_id"].isin(labels) & (activities["date"] <= "2019-03-15")
    ]
    assert sum(len(tr.x) for tr in past) == len(in_past)
    assert greys and all(pd.Timestamp(x) > pd.Timestamp("2019-03-15") for tr in greys for x in tr.x)
    ticks = " ".join(fig.layout.xaxis.ticktext)
    assert "maj" in ticks or "jun" in ticks
    for english in ("May", "Oct", "Jan 2019"):
        assert english not in ticks


def test_perceived_safety_intervals_and_year_on_year_verdict():
    from scipy import stats as sps

    surveys = pd.DataFrame(
        {
            "year": [2018, 2019, 2019],
            "locality": [pd.NA, pd.NA, "Pålsboda"],
            "question": ["Trygg ute på kvällen"] * 3,
            "share": [60.0, 70.0, 50.0],
            "respondents": [400.0, 400.0, 30.0],
            "source": ["x"] * 3,
        }
    )
    table = promises.perceived_safety(surveys)
    whole = table[table["locality"] == ""].set_index("year")
    ci = sps.binomtest(280, 400).proportion_ci(0.95, method="exact")
    assert whole.at[2019, "low"] == pytest.approx(100 * ci.low)
    assert whole.at[2019, "high"] == pytest.approx(100 * ci.high)
    # 240/400 -> 280/400: Fisher p = 0.0039, a real rise.
    assert sps.fisher_exact([[280, 120], [240, 160]]).pvalue < 0.05
    assert whole.at[2019, "verdict"] == "increase" and pd.isna(whole.at[2018, "verdict"])
    assert table[table["locality"] == "Pålsboda"]["verdict"].isna().all()  # no year before
