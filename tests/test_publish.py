"""``python -m lib.cli publish``: the JSON files hold what a viewer sees on the pages (same
store, same selection, same noise), and on the real police feed nothing is called an
increase that comes from the feed's coverage."""

import json

import pandas as pd
import pytest
from scipy import stats as sps
from streamlit.testing.v1 import AppTest

from lib.cli import main
from lib.passwords import MIN_ITERATIONS, hash_password
from lib.store.store import Store
from tests.conftest import ROOT, SHARED, analyst_sign_in
from tests.test_pages import PASSWORD, assert_ok, counts, keyed, metric

# Issue 11: the verdict words a public file may hold.
ALLOWED = {
    "ökning",
    "minskning",
    "ingen säkerställd förändring",
    "för få händelser",
    "ingen data",
    "het",
    "kall",
    "ej signifikant",
    "över",
    "under",
    "inom",
    "ovanligt många",
    "ovanligt få",
    "uppfyllt",
    "ej uppfyllt",
    "i fas",
    "efter plan",
    "ej påbörjat",
}
# Words the pages use beyond the list (the secondary suppression of issue 12).
EXTENDED = {"dold"}
PAGES = {"oversikt": "pages/oversikt.py", "utveckling": "pages/utveckling.py"}
REAL = SHARED / "formats" / "polisen-events-orebro-lan-2023-2026.json"


def page_at(db, monkeypatch, page, period: str | None = None, **params):
    """A page as a viewer opens it from a link: ``period`` is a public preset's id."""
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    if period:
        at.query_params["period"] = period
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/oversikt.py":
        at.switch_page(page).run()  # the selection is kept in the session
    assert_ok(at)
    return at


def publish(db, out, *args):
    assert main(["--db", str(db), "publish", str(out), *args]) == 0
    return {name: json.loads((out / f"{name}.json").read_text("utf-8")) for name in PAGES}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sample_db(request, tmp_path_factory):
    """The sample data in an SQLite file, then in a PostgreSQL database."""
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("publish") / "sample.db"
    else:
        db = request.getfixturevalue("pg_cluster").new_database()
    assert main(["--db", str(db), "seed"]) == 0
    return db


def shown_rows(frame: pd.DataFrame) -> list[dict]:
    return [{k: v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def test_files_hold_what_the_pages_show(sample_db, tmp_path, monkeypatch):
    files = publish(sample_db, tmp_path / "out", "--period", "i-ar")
    for name, doc in files.items():
        assert doc["page"] == name
        for field in ("period", "filters", "total", "tables", "verdicts"):
            assert field in doc, (name, field)
        assert doc["period"]["from"] == "2019-01-01" and doc["period"]["to"] == "2019-09-30"
        assert doc["filters"] == {"ort": [], "kategori": [], "kalla": []}
        assert doc["verdicts"], name
        for verdict in doc["verdicts"]:
            assert set(verdict) == {"subject", "verdict"}
            assert verdict["verdict"] in ALLOWED | EXTENDED, verdict
        assert doc["disclosure"]["threshold"] == 3
    # Every file written (all public pages) holds the fields and allowed verdict words.
    for path in (tmp_path / "out").glob("*.json"):
        doc = json.loads(path.read_text("utf-8"))
        assert {"period", "filters", "total", "tables", "verdicts"} <= set(doc), path.name
        assert all(v["verdict"] in ALLOWED | EXTENDED for v in doc["verdicts"]), path.name
    overview, trends = files["oversikt"], files["utveckling"]
    assert isinstance(overview["total"], int) and overview["total"] == trends["total"]
    assert overview["period"]["previous_from"] == "2018-01-01"

    at = page_at(sample_db, monkeypatch, PAGES["oversikt"], period="i-ar")
    shown = metric(at, "Händelser").value.replace("\u00a0", "")
    assert int(shown) == overview["total"]
    assert at.text[0].value == " ".join(overview["sentences"])
    page_table = at.dataframe[0].value
    assert shown_rows(page_table) == overview["tables"]["kategorier"][: len(page_table)]
    headline = metric(at, "Händelser").delta
    assert overview["verdicts"][0]["verdict"] in headline or (
        overview["verdicts"][0]["verdict"] == "ingen säkerställd förändring" and not headline
    )

    at = page_at(sample_db, monkeypatch, PAGES["utveckling"], period="i-ar")
    assert at.text[0].value == " ".join(trends["sentences"])
    assert shown_rows(at.dataframe[0].value) == trends["tables"]["kategorier"]
    at.radio(key="uppdelning").set_value("locality").run()
    assert shown_rows(at.dataframe[0].value) == trends["tables"]["orter"]


def test_a_small_selection_is_published_as_the_page_shows_it(sample_db, tmp_path, monkeypatch):
    args = ["--from", "2019-01-01", "--to", "2019-01-31", "--ort", "Hallsberg"]  # a month
    files = publish(sample_db, tmp_path / "small", *args)
    overview = files["oversikt"]
    assert overview["filters"]["ort"] == ["Hallsberg"]
    at = page_at(
        sample_db,
        monkeypatch,
        PAGES["oversikt"],
        period="manad-2019-01",
        ort="Hallsberg",
    )
    shown = metric(at, "Händelser").value
    assert str(overview["total"]) == shown
    rows = overview["tables"]["kategorier"]
    # Hidden counts are published as the page shows them: words, never the small number.
    for row in rows:
        for column in ("Hela perioden", "Jämförda dagar", "Året innan"):
            value = row[column]
            assert value in {"färre än 3", "dold", "0"} or int(value.replace("\u00a0", "")) >= 3
    assert any("färre än 3" in row.values() for row in rows)


def no_increase(texts) -> None:
    for text in texts:
        assert "ökning" not in text and "ökat" not in text and "ökade" not in text, text


@pytest.fixture(scope="module")
def police_db(tmp_path_factory):
    if not REAL.is_file():
        pytest.skip(f"the real police file is not available ({REAL})")
    db = tmp_path_factory.mktemp("police") / "police.db"
    assert main(["--db", str(db), "import", str(REAL)]) == 0
    return db


# 2024 against 2023, when the feed began on 20 March 2023: only the covered days compare.
POLICE_PRESET = "ar-2024"
COMPARED = ("2024-01-01", "2024-12-31")
BEFORE = ("2023-01-01", "2023-12-31")
COVERED = ("2024-04-01", "2024-12-31")
# An analyst's own, longer period: its last twelve months against the twelve before.
LONG_PERIOD = ["2023-03-20", "2026-08-21"]
LONG_COMPARED = ("2025-08-22", "2026-08-21")
LONG_BEFORE = ("2024-08-22", "2025-08-21")


def headline_by_hand(db) -> bool:
    """Whether 2024 is a significant increase over 2023 on the days both cover (April –
    December: the feed starts on 20 March 2023, a partial month, so coverage is whole months
    from April; both 275 days and the same population figure, so the current count is
    Binomial(n, 1/2) under no change), with the exact counts."""
    store = Store(str(db))
    stored = store.read("incidents").rename(columns={"occurred_at": "datum"})
    frame = keyed(stored.assign(datum=pd.to_datetime(stored["datum"])), store)
    now = counts(frame, *COVERED)[0]
    before = counts(frame, "2023-04-01", "2023-12-31")[0]
    n = now + before
    p = min(1.0, 2 * min(sps.binom.sf(now - 1, n, 0.5), sps.binom.cdf(now, n, 0.5)))
    return p < 0.05 and now > before


def page_texts(at) -> tuple[list[str], list[str]]:
    """(the summary and the badges, every table cell and caption but the help text that
    explains when something is called an increase)."""
    headline = [t.value for t in at.text] + [str(m.value) + str(m.delta) for m in at.metric]
    rest = []
    for frame in at.dataframe:
        rest += frame.value.astype(str).to_numpy().ravel().tolist()
    rest += [c.value for c in at.caption if "Den kallas ökning eller minskning bara" not in c.value]
    return headline, rest


def test_real_police_feed_publishes_no_increase_from_coverage(police_db, tmp_path, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(police_db))
    files = publish(police_db, tmp_path / "police", "--period", POLICE_PRESET)
    for doc in files.values():
        assert (doc["period"]["compared_from"], doc["period"]["compared_to"]) == COMPARED
        assert (doc["period"]["previous_from"], doc["period"]["previous_to"]) == BEFORE
        # April – December has data in both years (the feed's first month, March 2023, is
        # partial): 9 of 12 months, in whole months, never days.
        assert doc["period"]["months_compared"] == 9
        assert any("bygger bara på" in note for note in doc["notes"])
        for rows in doc["tables"].values():
            no_increase(str(value) for row in rows for value in row.values())
        no_increase([v["verdict"] for v in doc["verdicts"][1:]] + doc["sentences"][2:])
        # The public counts carry the cell-key noise, but a public verdict must hold for
        # every exact count within it: the exact counts are no increase, so neither is this.
        no_increase([doc["verdicts"][0]["verdict"], doc["sentences"][1]])
    at = page_at(police_db, monkeypatch, PAGES["oversikt"], period=POLICE_PRESET)
    shown = metric(at, "Händelser").value
    assert int(shown.replace("\u00a0", "")) == files["oversikt"]["total"]


def test_real_police_pages_show_no_increase_from_coverage(police_db, monkeypatch):
    assert not headline_by_hand(police_db)
    for name, path in PAGES.items():
        at = page_at(police_db, monkeypatch, path, period=POLICE_PRESET)
        headline, rest = page_texts(at)
        assert "1 januari 2024–31 december 2024" in at.text[0].value
        assert any("bygger bara på" in c for c in rest), name
        no_increase(rest)
        no_increase(headline)


def test_the_police_feed_opens_on_its_latest_twelve_months(police_db, monkeypatch):
    """Issue 14: with only the real feed loaded, the pages open on data, not on 2018."""
    at = page_at(police_db, monkeypatch, PAGES["oversikt"])
    assert "1 augusti 2025–31 juli 2026" in at.text[0].value
    assert not any("Inga händelser matchar" in i.value for i in at.info)


def test_real_police_feed_for_an_analyst(police_db, monkeypatch):
    monkeypatch.setenv("TRYGGHET_DB", str(police_db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets["analyst"] = {
        "name": "Test",
        "password_hash": hash_password(PASSWORD, MIN_ITERATIONS),
    }
    at.run()
    at.switch_page("pages/data.py").run()
    analyst_sign_in(at, PASSWORD)
    for path in PAGES.values():
        at.switch_page(path).run()
        at.selectbox(key="period").set_value("egen").run()
        at.date_input(key="datum").set_value(
            tuple(pd.Timestamp(day).date() for day in LONG_PERIOD)
        ).run()
        assert_ok(at)
        assert any("Du är inloggad som analytiker" in c.value for c in at.caption)
        assert "jämfört med 22 augusti 2024–21 augusti 2025" in at.caption[0].value
        headline, rest = page_texts(at)
        assert any("sista tolv månaderna" in c for c in rest)
        no_increase(headline + rest)
