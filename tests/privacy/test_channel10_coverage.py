"""Channel 10 (issue 20): coverage and freshness dates. A file's coverage once ran from its
first to its last incident, so for a small source the sources table on Översikt, the notes
("Jämförelsen bygger bara på de 13 av periodens 31 dagar"), ``publish``'s period fields and the
PDF ("133 av 192") gave the exact days of its first and last incidents.

Planted: a 4-row guard company's file for "Annan källa" (14 May, 2 and 20 June, 9 July 2018),
imported on top of the planted store, whose own file holds three incidents of that source (1
March, 15 July, 10 September 2019). Targets: the first and last incident of each file (four
days; chance is one in the month's days).

The attacker reads every coverage statement the public gets for the periods around the small
file (the months it touches, last year, and since the meeting of 8 April 2019, whose
comparison runs through it), for all sources and for that source alone: the sources table
and notes on Översikt, the notes and period fields of ``publish``'s files, and the meeting
PDF. It takes any date of the day (“14 maj 2018”) as a boundary, and inverts any count of days
compared to the boundary it implies.

A stronger check than any parser: the same file with its first and last incidents on other
days of the same months (3 May / 27 July, 29 May / 2 July; same ids, so the same noise) must
give exactly the same coverage statements, and moving them to other months must change them
(else the comparison could not fail)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil

import pandas as pd
import pytest
from pypdf import PdfReader

from lib.config import load_municipality
from lib.i18n import fmt_date, t
from lib.ingest.loading import read_file, store_result
from lib.store.store import Store
from tests.privacy import planted
from tests.privacy.conftest import ROOT, Viewer, assert_none, assert_observed

pytestmark = pytest.mark.privacy
THRESHOLD = 3
TIMES = ("10:20", "14:05", "21:40", "03:15")
DAYS = {  # variant -> the four days of the small file
    "observed": ["2018-05-14", "2018-06-02", "2018-06-20", "2018-07-09"],
    "early": ["2018-05-03", "2018-06-02", "2018-06-20", "2018-07-27"],
    "late": ["2018-05-29", "2018-06-02", "2018-06-20", "2018-07-02"],
    "other months": ["2018-04-20", "2018-06-02", "2018-06-20", "2018-08-10"],
}
TARGETS = [dt.date(2018, 5, 14), dt.date(2018, 7, 9), dt.date(2019, 3, 1), dt.date(2019, 9, 10)]
# (period id, source) questions whose coverage statements are read.
QUESTIONS = [
    ("i-ar", planted.OTHER),
    ("manad-2018-05", None),
    ("manad-2018-07", None),
    ("forra-aret", planted.OTHER),
    ("mote-2019-04-08", planted.OTHER),
]
MEETINGS = ("2019-04-08", "2019-06-10")
TIME_CHARTS = ("veckor", "veckodag_timme", "nattandel")


def small_file(days: list[str]) -> bytes:
    rows = [
        {
            "id": f"VAKT-{i + 1}",
            "datum": f"{day} {time}",
            "kategori": "Skadegörelse",
            "ort": "Hallsberg",
            "lat": "59,067000",
            "lon": "15,110000",
            "källa": planted.OTHER_LABEL,
            "beskrivning": "Planterad väktarrapport",
        }
        for i, (day, time) in enumerate(zip(days, TIMES, strict=True))
    ]
    text = pd.DataFrame(rows).to_csv(sep=";", index=False, lineterminator="\r\n")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def statements(db, config_env: pytest.MonkeyPatch, publish_dir) -> dict[str, str]:
    """Every coverage statement the public gets from the store at ``db``."""
    from lib.cli import main

    config_env.setenv("TRYGGHET_DB", str(db))
    load_municipality.cache_clear()
    out = {}
    viewer = Viewer("pages/oversikt.py", THRESHOLD, db)
    spans = {p.id: p.span for p in viewer.presets()}
    for period, source in QUESTIONS:
        viewer.filters(*spans[period], kalla=[source] if source else [])
        assert not viewer.refused
        sources = viewer.table_with(t("col.source"), t("col.covers"))
        out["sources table"] = sources.to_csv(index=False) if sources is not None else ""
        out[f"page {period} {source}"] = "\n".join(viewer.texts())
        target = publish_dir / f"{period}-{source}"
        argv = ["--db", str(db), "publish", str(target), "--period", period]
        assert main(argv + (["--kalla", source] if source else [])) == 0
        for path in sorted(target.glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            for chart in TIME_CHARTS:  # the detail tables: channel 8 attacks them
                doc.get("charts", {}).pop(chart, None)
            out[f"publish {period} {source} {path.stem}"] = json.dumps(doc, ensure_ascii=False)
    meeting = Viewer("pages/mote.py", THRESHOLD, db)
    for day in MEETINGS:
        meeting.set(motesperiod=f"mote-{day}")
        data = meeting.downloads().get(t("meeting.download_pdf"))
        assert data, "no PDF on the meeting page"
        reader = PdfReader(io.BytesIO(data))
        out[f"pdf {day}"] = "\n".join(page.extract_text() for page in reader.pages)
    return out


@pytest.fixture(scope="module")
def surfaces(planted_db, tmp_path_factory):
    """variant -> the coverage statements of the planted store with that small file."""
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)
    mp.delenv("TRYGGHET_KOMMUN", raising=False)
    out = {}
    for variant, days in DAYS.items():
        directory = tmp_path_factory.mktemp(f"coverage-{variant.replace(' ', '-')}")
        copy = directory / "app.db"
        shutil.copy(planted_db, copy)
        muni = load_municipality("hallsberg")
        # Read in this process (as the sample is): four rows need no child process.
        read = read_file(small_file(days), "incidents", muni, "vakt.csv", isolated=False)
        outcome = store_result(Store(str(copy)), read)
        assert outcome.ok, outcome.messages
        out[variant] = statements(copy, mp, directory)
        out.setdefault("spans", {p.id: p.span for p in Viewer.presets_of(copy)})
    mp.undo()
    load_municipality.cache_clear()
    return out


MONTH_NAMES = {fmt_date(dt.date(2000, m, 1)).split()[1]: m for m in range(1, 13)}
DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTH_NAMES) + r") (\d{4})\b")
DAYS_COMPARED = re.compile(r"(\d+) av (?:periodens )?(\d+) dagar")


def dates_read(text: str, month: tuple[int, int]) -> set[dt.date]:
    """Days of a month an attacker reads off a text as a coverage boundary: dates written
    out, and the boundary a count of days compared implies (N of the month's M days: from
    day M − N + 1, or to N). A month's first and last day are left out: whole-month coverage
    and every period say them of every month, so reading them tells nothing but the month
    (one of the planted incidents falls on a 1st: guessing the 1st is chance)."""
    found = set()
    for day, name, year in DATE.findall(text):
        if (int(year), MONTH_NAMES[name]) == month:
            found.add(dt.date(int(year), MONTH_NAMES[name], int(day)))
    last = pd.Period(f"{month[0]}-{month[1]:02d}", "M").days_in_month
    for n, total in DAYS_COMPARED.findall(text):
        if int(total) == last and 0 < int(n) < last:
            found |= {
                dt.date(*month, last - int(n) + 1),
                dt.date(*month, int(n)),
            }
    return {d for d in found if d.day not in (1, last)}


def asked(day: dt.date, span: tuple[dt.date, dt.date]) -> bool:
    """The question's period, or the year before it that it is compared with, holds the
    day: the attacker read that day's coverage."""
    start, end = span
    year = pd.DateOffset(years=1)
    earlier = ((pd.Timestamp(start) - year).date(), (pd.Timestamp(end) - year).date())
    return start <= day <= end or earlier[0] <= day <= earlier[1]


def test_channel10_no_incident_day_from_coverage(surfaces):
    observed = surfaces["observed"]
    assert observed["sources table"], "no sources table on Översikt"
    assert planted.OTHER_LABEL in observed["sources table"]
    recovered, inferred, seen = [], [], []
    for target in TARGETS:
        read = set()
        for text in observed.values():
            read |= dates_read(text, (target.year, target.month))
        if any(asked(target, surfaces["spans"][period]) for period, _ in QUESTIONS):
            seen.append(target)
        inferred.append((target, sorted(read)))
        if target in read:
            recovered.append(target)
    assert_observed("channel 10 (coverage statements)", TARGETS, seen)
    assert_none("channel 10 (coverage dates)", TARGETS, recovered, inferred, seen)


def test_channel10_coverage_is_the_same_whichever_day_in_the_month(surfaces):
    observed = surfaces["observed"]
    for variant in ("early", "late"):
        changed = [k for k, v in surfaces[variant].items() if v != observed[k]]
        assert not changed, (variant, changed, [surfaces[variant][k] for k in changed[:2]])
    print(
        "\nPRIVACY channel 10: coverage statements identical for the small file's first incident"
        " on 3, 14 or 29 May and its last on 2, 9 or 27 July 2018 (chance 1 in 31)"
    )


def test_channel10_other_months_change_the_coverage(surfaces):
    """The comparison can fail: the same file a month earlier and a month later changes
    what the public reads (the months of the sources table)."""
    observed, moved = surfaces["observed"], surfaces["other months"]
    assert moved["sources table"] != observed["sources table"]
    assert "apr 2018" in moved["sources table"] or "april 2018" in moved["sources table"]
