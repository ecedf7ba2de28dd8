"""Every page through Streamlit's AppTest: renders in Swedish, no exception, and the numbers
on screen equal an independent pandas computation on the sample file."""

import hashlib
import itertools

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.i18n import t
from lib.public.disclosure import perturb
from lib.store.store import Store
from tests.conftest import ROOT

NBSP = "\u00a0"
THRESHOLD = 3
SMALL = f"färre än {THRESHOLD}"
PASSWORD = "rätt-lösen-för-test"
VERDICTS = {"ökning", "minskning", "ingen säkerställd förändring", "för få händelser", "ingen data"}


def swedish(n: int) -> str:
    return f"{n:,}".replace(",", NBSP)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(tmp_path / "app.db"))
    monkeypatch.chdir(ROOT)
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)


def assert_ok(at):
    """No exception, and no error box (the front door turns exceptions into one)."""
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def count(sample, start, end, **equal):
    mask = sample["datum"].dt.normalize().between(pd.Timestamp(start), pd.Timestamp(end))
    for column, value in equal.items():
        mask &= sample[column].isin(value if isinstance(value, list) else [value])
    return int(mask.sum())


# --- what a viewer should see, worked out independently -------------------------------------


def keyed(sample: pd.DataFrame, store: Store | None = None) -> pd.DataFrame:
    """The sample with each record's key worked out by hand from the store's secret (the
    store of TRYGGHET_DB unless given): the first 8 bytes of a keyed BLAKE2b hash of the id,
    over 2**64."""
    secret = (store or Store()).secret()[:64]
    keys = [
        int.from_bytes(hashlib.blake2b(i.encode(), key=secret, digest_size=8).digest(), "big")
        / 2.0**64
        for i in sample["id"]
    ]
    return sample.assign(key=keys)


def counts(sample, start, end, **equal) -> tuple[int, int]:
    """(exact, published) count of a selection: pandas counts the records, and the published
    count adds the cell-key noise picked by the sum of their keys modulo 1."""
    mask = sample["datum"].dt.normalize().between(pd.Timestamp(start), pd.Timestamp(end))
    for column, value in equal.items():
        mask &= sample[column].isin(value if isinstance(value, list) else [value])
    exact = int(mask.sum())
    published = int(perturb([exact], [float(sample.loc[mask, "key"].sum()) % 1.0])[0])
    return exact, published


OTHERS = "Övriga kategorier"


def category_rows(sample: pd.DataFrame) -> dict[str, list[str]]:
    """A public category table's fixed rows, worked out by hand: the 15 categories with the
    most incidents over all the data, each its own row, and the rest as one row."""
    # Ties in alphabetical order, as the page breaks them.
    ranked = sample.groupby("kategori").size().sort_values(ascending=False, kind="stable")
    named = list(ranked.index[:15])
    rows = {c: [c] for c in named}
    rest = [c for c in ranked.index if c not in named]
    if rest:
        rows[OTHERS] = rest
    return rows


def assert_public(shown: str, exact: int, published: int) -> None:
    """A count as a viewer sees it: within ±2 of the exact count, and "färre än 3" exactly
    where the published count is 1–2."""
    assert abs(published - exact) <= 2
    if 0 < published < THRESHOLD:
        assert shown == SMALL, (shown, exact, published)
        return
    assert shown != SMALL, (shown, exact, published)
    assert abs(int(shown.replace(NBSP, "")) - exact) <= 2, (shown, exact)
    assert shown == swedish(published)


def assert_table_cell(shown: str, exact: int, published: int, column: list[str]) -> None:
    """A change-table cell: as ``assert_public``, or "dold" (secondary suppression) for a
    count that is not small, in a column where another cell is small."""
    if shown == "dold":
        assert published >= THRESHOLD
        assert SMALL in column
    else:
        assert_public(shown, exact, published)


def assert_verdicts_agree(table: pd.DataFrame) -> None:
    """Each row's verdict agrees with its change column and its counts."""
    for _, row in table.iterrows():
        verdict, change = row["Bedömning"], row["Förändring (95 % KI)"]
        assert verdict in VERDICTS | {"dold"}
        cells = [row["Hela perioden"], row["Jämförda dagar"], row["Året innan"]]
        if SMALL in cells:
            assert verdict in {"för få händelser", "ingen data"} and change == "–"
        elif "dold" in cells:
            assert verdict in {"dold", "ingen data"} and change == "–"
        if change == t("change.short_wide"):  # a verdict, but too uncertain to size
            assert verdict in VERDICTS, (verdict, change)
            continue
        if verdict == "ökning":
            assert change.startswith("+") and " (+" in change and not change.startswith("+0")
        if verdict == "minskning":
            assert change.startswith("−") and " till −" in change


def test_overview_renders_with_banner_and_true_numbers(app, sample_incidents):
    at = app.run()
    assert_ok(at)
    assert at.title[0].value == "Trygghet i Hallsbergs kommun"
    assert any("Exempeldata – fiktiva händelser" in w.value for w in at.warning)
    sample = keyed(sample_incidents)
    exact, published = counts(sample, "2018-10-01", "2019-09-30")
    shown = metric(at, "Händelser").value
    assert_public(shown, exact, published)
    summary = at.text[0].value
    assert f"registrerades {shown} händelser" in summary
    assert not at.markdown or "registrerades" not in at.markdown[0].value
    previous = metric(at, "Samma period året innan").value
    assert_public(previous, *counts(sample, "2017-10-01", "2018-09-30"))
    table = at.dataframe[0].value
    rows = category_rows(sample)
    assert set(table["Kategori"]) <= set(rows)
    for column, (start, end) in {
        "Hela perioden": ("2018-10-01", "2019-09-30"),
        "Jämförda dagar": ("2018-10-01", "2019-09-30"),
        "Året innan": ("2017-10-01", "2018-09-30"),
    }.items():
        for category, text in zip(table["Kategori"], table[column], strict=True):
            exact, published = counts(sample, start, end, kategori=rows[category])
            assert_table_cell(text, exact, published, list(table[column]))
    assert_verdicts_agree(table)
    vandalism = table.set_index("Kategori").loc["Skadegörelse"]
    assert vandalism["Bedömning"] == "ökning"  # +47 % (16–89 %): no noise of ±2 moves it
    assert "Skadegörelse ökade säkerställt" in summary


def test_headline_badge_sentence_and_verdict_agree(app):
    at = app.run()
    assert_ok(at)
    summary = at.text[0].value
    delta = metric(at, "Händelser").delta
    # "+7 % – ingen säkerställd förändring": the same change and verdict as the sentence.
    pct, verdict = delta.split(" – ")
    assert verdict in VERDICTS
    compare = summary.split(". ")[1]
    if verdict == "ingen säkerställd förändring":
        assert f"ingen säkerställd förändring (skillnad {pct}" in compare
    elif verdict == "ökning":
        assert "har takten per invånare ökat: ökningen är " + pct.lstrip("+") in compare
    else:
        assert "har takten per invånare minskat: minskningen är " + pct.lstrip("−") in compare


def test_signed_in_analyst_sees_exact_numbers(open_app, sample_incidents):
    # The overview has no sign-in box of its own: sign in on the data page, then come back.
    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    at.switch_page("pages/oversikt.py").run()
    assert_ok(at)
    assert any("Du är inloggad som analytiker" in c.value for c in at.caption)
    expected = count(sample_incidents, "2018-10-01", "2019-09-30")
    assert metric(at, "Händelser").value == swedish(expected)
    assert f"registrerades {swedish(expected)} händelser" in at.text[0].value
    assert metric(at, "Samma period året innan").value == swedish(
        count(sample_incidents, "2017-10-01", "2018-09-30")
    )
    table = at.dataframe[0].value
    for category, now, before in zip(
        table["Kategori"], table["Hela perioden"], table["Året innan"], strict=True
    ):
        assert now == swedish(
            count(sample_incidents, "2018-10-01", "2019-09-30", kategori=category)
        )
        assert before == swedish(
            count(sample_incidents, "2017-10-01", "2018-09-30", kategori=category)
        )
    assert_verdicts_agree(table)
    # Small counts too: Hjortkvarn in January 2019.
    at.multiselect(key="ort_fler").set_value(["Hjortkvarn"]).run()
    at.selectbox(key="period").set_value("manad-2019-01").run()
    assert_ok(at)
    assert metric(at, "Händelser").value == swedish(
        count(sample_incidents, "2019-01-01", "2019-01-31", ort="Hjortkvarn")
    )
    table = at.dataframe[0].value
    assert SMALL not in set(table["Hela perioden"]) and "dold" not in set(table["Hela perioden"])
    for category, now in zip(table["Kategori"], table["Hela perioden"], strict=True):
        assert now == swedish(
            count(sample_incidents, "2019-01-01", "2019-01-31", ort="Hjortkvarn", kategori=category)
        )


def test_filters_change_the_numbers(app, sample_incidents):
    at = app.run()
    sample = keyed(sample_incidents)
    at.selectbox(key="ort").set_value("Pålsboda").run()
    assert_ok(at)
    assert_public(
        metric(at, "Händelser").value,
        *counts(sample, "2018-10-01", "2019-09-30", ort="Pålsboda"),
    )
    at.selectbox(key="kalla").set_value("municipal_report").run()
    expected = counts(
        sample, "2018-10-01", "2019-09-30", ort="Pålsboda", källa="Kommunens rapportering"
    )
    assert_public(metric(at, "Händelser").value, *expected)


def test_period_from_the_url(app, sample_incidents):
    app.query_params["period"] = "i-ar"
    at = app.run()
    assert_ok(at)
    assert "1 januari 2019–30 september 2019" in at.caption[0].value
    sample = keyed(sample_incidents)
    assert_public(metric(at, "Händelser").value, *counts(sample, "2019-01-01", "2019-09-30"))


def test_an_unknown_period_in_a_link_gives_the_default(app):
    app.query_params["period"] = "2019-01-01"  # an old or made-up link
    at = app.run()
    assert_ok(at)
    assert "1 oktober 2018–30 september 2019" in at.caption[0].value


def test_small_selection_is_suppressed(app, sample_incidents):
    at = app.run()
    sample = keyed(sample_incidents)
    promise_year = sample[sample["datum"].between("2018-10-01", "2019-10-01")]
    found = None
    for (place, category), _ in promise_year.groupby(["ort", "kategori"]).size().items():
        exact, published = counts(sample, "2018-10-01", "2019-09-30", ort=place, kategori=category)
        if 0 < published < THRESHOLD:
            found = place, category, exact
            break
    assert found, "the sample has small cells"
    place, category, exact = found
    at.selectbox(key="ort").set_value(place).run()
    at.selectbox(key="kategori").set_value(category).run()
    assert_ok(at)
    shown = metric(at, "Händelser")
    assert shown.value == SMALL
    # No change and no percentage beside a hidden count.
    assert "%" not in shown.delta and "ökning" not in shown.delta
    assert "minskning" not in shown.delta
    summary = at.text[0].value
    assert f"registrerades {SMALL} händelser" in summary
    assert "för få händelser för att bedöma" in summary and "%" not in summary
    # A list inside so small a selection is detail: no category table, and the page says why.
    assert not [f for f in at.dataframe if "Kategori" in f.value.columns]
    assert any("färre än 20 händelser" in i.value for i in at.info)


def test_small_cells_in_a_month_list(app, sample_incidents):
    """A month's category table (a selection above the detail minimum) holding a small
    published count: which one depends on the store's random secret, so the test works it
    out by hand first, over the table's fixed rows."""
    app.run()  # seeds the store, and with it the secret
    sample = keyed(sample_incidents)
    rows = category_rows(sample)
    months = pd.period_range("2019-01", "2019-09", freq="M")

    def span(month):
        return str(month.start_time.date()), str(month.end_time.date())

    def where(place):
        return {"ort": [place]} if place else {}

    found = next(
        (
            (month, place)
            for month, place in itertools.product(months, ("Pålsboda", "Hallsberg", None))
            if counts(sample, *span(month), **where(place))[1] >= 20
            for members in rows.values()
            for start, end in (span(month), span(month - 12))
            if 0 < counts(sample, start, end, kategori=members, **where(place))[1] < THRESHOLD
        ),
        None,
    )
    assert found, "the sample has a small cell in a month's list"
    month, place = found
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page("pages/utveckling.py")  # the trends page lists every row
    at.query_params["period"] = f"manad-{month}"
    if place:
        at.query_params["ort"] = place
    at.run()
    assert_ok(at)
    table = next(f.value for f in at.dataframe if "Kategori" in f.value.columns)
    assert set(table["Kategori"]) == set(rows)
    smalls = 0
    for column, (start, end) in {
        "Hela perioden": span(month),
        "Året innan": span(month - 12),
    }.items():
        for category, text in zip(table["Kategori"], table[column], strict=True):
            exact, published = counts(sample, start, end, kategori=rows[category], **where(place))
            assert_table_cell(text, exact, published, list(table[column]))
            smalls += text == SMALL
    assert smalls > 0  # the small cell found above is shown as small
    assert_verdicts_agree(table)


def test_incomplete_period_asks_for_both_dates(open_app):
    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    at.switch_page("pages/oversikt.py").run()
    at.selectbox(key="period").set_value("egen").run()
    at.date_input(key="datum").set_value((pd.Timestamp("2019-01-01").date(),)).run()
    assert_ok(at)
    assert any("Välj både första och sista dag" in i.value for i in at.info)


def test_empty_selection_message(open_app):
    """An analyst's own dates before the data; the public's periods all lie within it."""
    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    at.switch_page("pages/oversikt.py").run()
    at.selectbox(key="period").set_value("egen").run()
    at.date_input(key="datum").set_value(
        (pd.Timestamp("2017-01-01").date(), pd.Timestamp("2017-01-31").date())
    ).run()
    assert_ok(at)
    assert any("Inga händelser matchar urvalet" in i.value for i in at.info)


def test_empty_store_explains_how_to_load_data(tmp_path, monkeypatch):
    db = tmp_path / "empty.db"
    Store(str(db)).mark_initialised()  # an analyst's store without sample data
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert_ok(at)
    assert any("Det finns inga händelser ännu" in i.value for i in at.info)
    assert not any("python -m lib.cli" in i.value for i in at.info)  # no set-up for viewers
    assert not at.warning  # no sample data, so no sample banner


def test_about_page(app):
    at = app.run()
    at.switch_page("pages/om.py").run()
    assert_ok(at)
    assert at.title[0].value == "Om statistiken"
    assert any("Exempeldata" in w.value for w in at.warning)
    localities = at.dataframe[0].value
    assert localities.iloc[0].tolist() == ["Hallsberg", f"8{NBSP}491", "nej"]
    # The list of imported files is for signed-in analysts only.
    assert any("visas bara för inloggade analytiker" in c.value for c in at.caption)
    assert not any("Rader" in frame.value.columns for frame in at.dataframe)


def test_about_page_lists_imports_to_an_analyst(open_app, sample_incidents):
    at = open_app("pages/data.py", password=PASSWORD, sign_in=True)
    at.switch_page("pages/om.py").run()
    assert_ok(at)
    log = next(frame.value for frame in at.dataframe if "Rader" in frame.value.columns)
    incidents = log[log["Typ"] == "händelser"]
    assert incidents["Rader"].tolist() == [swedish(len(sample_incidents))]  # the demo's file


def test_writes_elsewhere_show_up_without_restart(app, tmp_path, sample_incidents):
    at = app.run()
    before = metric(at, "Händelser").value
    store = Store()  # same TRYGGHET_DB, as the CLI would open it
    store.remove_sample()  # every file of the demo, its reports too
    at.run()
    assert before and not at.metric
    assert any("Det finns inga händelser ännu" in i.value for i in at.info)


def test_unexpected_error_is_swedish_without_traceback(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("lib.figures.overview.compute", broken)
    at = app.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Något gick fel när sidan skulle visas. Felet har loggats på servern; försök igen eller "
        "kontakta den som förvaltar dashboarden."
    ]
    assert not any("Traceback" in m.value or "boom" in m.value for m in at.markdown)
