"""Issue 11's acceptance on data of our own shaped like the police's open-event feed: a source
that starts in the middle of the comparison period. No page, no PDF and no published file may
call anything an increase or flag an unusual month where coverage is missing, and the pages
say what was compared.

The feed here starts on 20 March 2023 at a steady four events a month in the main town and
keeps that rate (one event every 7–8 days, deterministic), so every change the pages could
report would come from coverage alone."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from lib.cli import main
from lib.config import load_municipality
from lib.figures.coverage import coverage_of
from lib.ingest.loading import import_bytes
from lib.store.store import Store
from tests.conftest import ROOT, preset_id
from tests.test_pages import assert_ok

FIRST, LAST = dt.date(2023, 3, 20), dt.date(2024, 8, 31)
CATEGORIES = ("Stöld", "Skadegörelse", "Trafikolycka", "Misshandel")
INCREASE_WORDS = ("ökning", "ökade", "ovanligt många", "fler än normalt")


def feed_csv() -> bytes:
    """One event every 7 or 8 days (alternating), categories in turn, all in the main town."""
    rows, day, i = ["id;datum;kategori;ort;källa"], FIRST, 0
    while day <= LAST:
        category = CATEGORIES[i % len(CATEGORIES)]
        source = "Polisens öppna händelser"
        rows.append(f"feed-{i};{day.isoformat()} 12:00;{category};Hallsberg;{source}")
        day += dt.timedelta(days=7 + i % 2)
        i += 1
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def feed_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("feed") / "feed.db"
    store = Store(str(path))
    outcome = import_bytes(store, feed_csv(), "incidents", load_municipality(), "feed.csv")
    assert outcome.ok, outcome.messages
    return path


def page(db, monkeypatch, script: str, start: str, end: str) -> AppTest:
    monkeypatch.setenv("TRYGGHET_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["period"] = preset_id(db, start, end)
    at.run()
    if script != "pages/oversikt.py":
        at.switch_page(script).run()
        at.selectbox(key="period").set_value(preset_id(db, start, end)).run()
    assert_ok(at)
    return at


def everything(at: AppTest) -> str:
    parts = [e.value for e in [*at.text, *at.caption, *at.markdown, *at.info]]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    for frame in at.dataframe:
        parts += frame.value.astype(str).to_numpy().ravel().tolist()
    return "\n".join(parts)


def no_increase(text: str) -> None:
    for word in INCREASE_WORDS:
        # Whole words ("undersökning" is no verdict); the help text that says when a change
        # is called an increase is none either.
        pattern = re.compile(rf"(?<!\w){word}(?!\w)")
        lines = [line for line in text.splitlines() if pattern.search(line.lower())]
        lines = [line for line in lines if "kallas ökning" not in line]
        assert not lines, lines


def verdicts(at: AppTest) -> str:
    """What a page states as findings: its plain-text sentences, metrics and tables (not the
    configured explanations in captions, such as a promise's note that more drug operations
    may mean more reported drug offences)."""
    parts = [e.value for e in at.text]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    for frame in at.dataframe:
        parts += frame.value.astype(str).to_numpy().ravel().tolist()
    return "\n".join(parts)


@pytest.mark.parametrize("script", ["pages/oversikt.py", "pages/utveckling.py"])
def test_a_year_half_before_the_feed_is_no_data_not_an_increase(feed_db, monkeypatch, script):
    """2023 against 2022: the feed did not exist in 2022, so there is nothing to compare."""
    at = page(feed_db, monkeypatch, script, "2023-01-01", "2023-12-31")
    text = everything(at)
    no_increase(text)
    assert "ingen data" in text
    assert "Det finns ingen data för samma dagar året innan" in text


@pytest.mark.parametrize("script", ["pages/oversikt.py", "pages/utveckling.py"])
def test_a_year_across_the_feeds_start_compares_only_covered_days(feed_db, monkeypatch, script):
    """August 2023 – July 2024 (the latest 12 complete months) against a year earlier: only
    April – July has data in both years (the feed's first month, March 2023, is partial:
    coverage is whole months), and the steady feed shows no change over them."""
    at = page(feed_db, monkeypatch, script, "2023-08-01", "2024-07-31")
    text = everything(at)
    no_increase(text)
    assert "bygger bara på 4 av periodens 12 månader" in text


def test_unusual_months_are_not_tested_without_a_covered_baseline(feed_db, monkeypatch):
    at = page(feed_db, monkeypatch, "pages/utveckling.py", "2024-01-01", "2024-08-26")
    text = everything(at)
    assert "Ingen månad låg utanför det normala." in text
    # January and February 2024 have no covered month a year earlier; March is partly covered.
    assert "inget jämförelseår med data" in text or "prövas inte" in text


def test_publish_says_no_increase(feed_db, tmp_path):
    out = tmp_path / "files"
    args = ["--db", str(feed_db), "publish", str(out), "--from", "2023-01-01", "--to", "2023-12-31"]
    assert main(args) == 0
    for path in out.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        words = [v["verdict"] for v in document["verdicts"]]
        assert not {"ökning", "ovanligt många"} & set(words), (path.name, words)
    overview = json.loads((out / "oversikt.json").read_text(encoding="utf-8"))
    assert overview["verdicts"][0]["verdict"] == "ingen data"
    assert overview["period"]["months_compared"] == 0


def test_the_briefing_pdf_text(feed_db):
    """The PDF made from the same figures: no increase where coverage is missing."""
    from lib.figures.filters import Filters, daily_cube, timed_frame
    from lib.figures.hotspots import points_frame
    from lib.ingest.promise_files import all_definitions
    from lib.public.briefing import brief
    from lib.public.disclosure import public
    from lib.public.report import situation_report
    from lib.public.views import Data

    muni = load_municipality()
    store = Store(str(feed_db))
    incidents = store.read_incidents()
    data = Data(daily_cube(incidents), timed_frame(incidents), coverage_of(incidents), muni)
    b = brief(
        data,
        points_frame(incidents, muni),
        store.read("activities"),
        all_definitions(muni),
        Filters(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        public(muni.privacy_threshold, data.presets()),
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(situation_report(b))).pages)
    no_increase(text.replace("\u00a0", " "))
    assert "ingen data" in text
    assert b.verdict == "ingen data"


@pytest.mark.parametrize(
    ("script", "period"),
    [
        ("pages/karta.py", ("2023-01-01", "2023-12-31")),
        ("pages/medborgarloftet.py", None),
        ("pages/mote.py", None),
    ],
)
def test_the_other_pages_call_nothing_an_increase(feed_db, monkeypatch, script, period):
    """The map (its places table and camera verdicts), the promise page (each promise's
    outcome against a year without data) and the meeting view on the same feed."""
    monkeypatch.setenv("TRYGGHET_DB", str(feed_db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(script).run()
    if period:
        at.selectbox(key="period").set_value(preset_id(feed_db, *period)).run()
    assert_ok(at)
    no_increase(verdicts(at))
