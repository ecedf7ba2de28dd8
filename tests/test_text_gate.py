"""The input gate for every free-text field (lib/ingest/text_gate.py, issue 24.1): NFKC,
invisible characters removed and said, a length limit per field held by the app and by the
database on SQLite and PostgreSQL (new stores and stores upgraded by migration 4), personal
data refused in every field of a report naming the field and the kind; and the gate on every
path in: the report form's functions, a file of reports through the command line (control
characters, 100 kB fields, personal data in the service field) followed by the Excel export,
incident and activity imports. Then the rate limit on reports, per reporter and per client,
logged in the audit log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from lib.cli import main as cli
from lib.config import load_municipality
from lib.est import cases as est_cases
from lib.est import files as est_files
from lib.est import tables as est_tables
from lib.ingest import text_gate
from lib.ingest.loading import import_bytes
from lib.public import exports
from lib.store import migrations
from lib.store import tables as st
from lib.store.store import Store, database_url

WHEN = dt.datetime(2025, 5, 1, 12)
BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
# How a database refuses a text over a limit: a CHECK constraint or trigger (both), or a
# VARCHAR's own length (PostgreSQL).
REFUSED = (sa.exc.IntegrityError, sa.exc.DataError)
CONTROLS = "\x01\x07\x1b"


def submission(sid: str, note: str = "", service: str | None = "Fritid", place=None):
    lat, lon = (None, None) if place else (59.0668, 15.1112)
    return est_cases.Submission(sid, "klotter", WHEN, 1, note, place, lat, lon, service)


# --- The gate itself ---------------------------------------------------------------------------

# (text as typed or pasted, what is stored, invisible characters removed) for a note.
CLEANED = [
    ("Klotter på väggen", "Klotter på väggen", 0),
    ("Klotter\x01 på väggen", "Klotter på väggen", 1),
    (f"Klotter{CONTROLS} på väggen", "Klotter på väggen", 3),
    (f"{BIDI}nehcab", "nehcab", 1),
    ("\u202aa\u202bb\u202cc\u202dd\u2066e\u2067f\u2068g\u2069h", "abcdefgh", 8),
    ("tre\u200bord", "treord", 1),
    ("\ufeffKlotter", "Klotter", 1),
    ("mopp\u00adbil", "moppbil", 1),
    ("vänster\u200etill\u200fhöger", "vänstertillhöger", 2),
    ("\x7fDEL och \x85NEL", "DEL och \nNEL", 1),
    ("C1 \x90\x9f", "C1", 2),
    ("ＡＢＣ １２３", "ABC 123", 0),  # fullwidth: NFKC
    ("ﬁlm ½", "film 1⁄2", 0),  # ligature and fraction: NFKC
    ("e\u0301", "é", 0),  # combining accent: composed
    ("rad ett\r\nrad två\rrad tre\u2028fyra", "rad ett\nrad två\nrad tre\nfyra", 0),
    ("kolumn\tkolumn", "kolumn\tkolumn", 0),
    ("familj 👨\u200d👩\u200d👧", "familj 👨\u200d👩\u200d👧", 0),  # joiners kept
    ("  blanksteg runt  ", "blanksteg runt", 0),
    ("åäö ÅÄÖ é ü", "åäö ÅÄÖ é ü", 0),
    ("a\ud800b", "ab", 1),  # a lone surrogate
    ("a\ufffeb\uffff", "ab", 2),  # noncharacters
]


@pytest.mark.parametrize(("text", "stored", "removed"), CLEANED)
def test_a_note_is_normalised_and_invisible_characters_are_removed(text, stored, removed):
    checked = text_gate.check("report.note", text)
    assert (checked.text, checked.removed) == (stored, removed)
    assert checked.ok


def test_a_one_line_field_gets_spaces_for_line_breaks_and_tabs():
    checked = text_gate.check("report.service", "Fritid\nGata\tPark\r\n")
    assert checked.text == "Fritid Gata Park"


def test_the_message_names_the_field_and_how_many_were_removed():
    checked = text_gate.check("report.note", f"Klotter{CONTROLS}{BIDI}")
    message = text_gate.removed_message(checked)
    assert message.startswith("Anteckningen: 4 osynliga tecken") and "togs bort" in message
    one = text_gate.check("report.service", "Fritid\x07")
    assert text_gate.removed_message(one).startswith("Fältet Verksamhet: ett osynligt tecken")
    assert text_gate.removed_message(text_gate.check("report.note", "ren text")) is None


@pytest.mark.parametrize("key", list(text_gate.FIELDS))
def test_every_field_takes_its_limit_and_refuses_one_more(key):
    field = text_gate.FIELDS[key]
    assert text_gate.check(key, "a" * field.limit).ok
    over = text_gate.check(key, "a" * (field.limit + 1))
    assert over.problems == ("too_long",)
    message = text_gate.problem_message(over)
    assert field.label in message and f"{field.limit + 1}" in message.replace("\u00a0", "")


def test_the_limit_counts_characters_after_normalising():
    """'㍿' is four characters in NFKC: a text that fits as typed may not fit as stored."""
    limit = text_gate.FIELDS["report.service"].limit
    assert text_gate.check("report.service", "㍿" * 32).ok
    assert text_gate.check("report.service", "㍿" * (limit // 4 + 1)).problems == ("too_long",)


def test_the_limits_are_the_stores():
    for field in text_gate.FIELDS.values():
        assert field.limit == st.TEXT_LIMITS[field.table][field.column]
    assert text_gate.FIELDS["report.note"].limit == est_tables.NOTE_MAX


@pytest.mark.parametrize(
    ("key", "text", "kinds"),
    [
        ("report.note", "Han heter 850101 – 1236", ("personal_number",)),
        ("report.service", "Fritid, anna (at) hallsberg.se, 070.123.45.67", ("phone", "email")),
        ("report.reporter", "Rita 070-123 45 67", ("phone",)),
        ("report.place", "Storgatan 5, 850101-1236", ("personal_number",)),
        ("action.title", "Ring 0701234567", ("phone",)),
        ("action.note", "mejla anna@hallsberg.se", ("email",)),
    ],
)
def test_personal_data_in_any_field_of_a_report_is_refused_naming_field_and_kind(key, text, kinds):
    checked = text_gate.check(key, text)
    assert checked.problems == kinds
    message = text_gate.problem_message(checked)
    assert message.startswith(text_gate.FIELDS[key].label)
    for word in ("1236", "850101", "123", "45", "anna", "hallsberg"):
        assert word not in message  # the value is never echoed


def test_a_number_hidden_by_invisible_characters_is_found_after_cleaning():
    checked = text_gate.check("report.note", f"8501{BIDI}01\u200b-12\x0136")
    assert checked.problems == ("personal_number",) and checked.removed == 3


def test_descriptions_and_activities_are_cleaned_but_not_searched():
    """An incident's description is the police's text: the gate cleans and limits it; what
    it says about people is the police's to keep (the store holds it as personal data)."""
    checked = text_gate.check("incident.description", "Vittne 070-123 45 67\x01")
    assert checked.ok and checked.removed == 1


def test_a_column_through_the_gate_equals_each_value_through_it():
    values = pd.Series(
        ["ren", None, f"styr{CONTROLS}", "rad\r\nbrytning", "x" * 10_001, "ＡＢ", "  "],
        dtype="string",
    )
    column = text_gate.check_column("incident.description", values)
    for i, value in values.items():
        one = text_gate.check("incident.description", None if pd.isna(value) else value)
        assert (None if pd.isna(column.values[i]) else column.values[i]) == one.text
        assert column.removed[i] == one.removed
        assert column.too_long[i] == ("too_long" in one.problems)
    assert column.removed_note("beskrivning").startswith("beskrivning: osynliga tecken")


# --- The limits in the database, on SQLite and PostgreSQL ----------------------------------------


def _raw_report(conn, store, sid: str, **values) -> None:
    row = {
        "id": sid,
        "created_at": "2025-05-01T10:00:00+00:00",
        "occurred_at": "2025-05-01 12:00",
        "category": "klotter",
        "severity": 1,
        "locality": "Hallsberg",
        "place": "Hallsbergs station",
        "status": "new",
        "municipality": store.municipality,
    }
    conn.execute(est_tables.reports.insert().values(**{**row, **values}))


def test_a_new_store_refuses_an_over_long_text(store):
    est_tables.ensure_tables(store)
    for column, limit in st.TEXT_LIMITS["reports"].items():
        with store.engine.begin() as conn:
            _raw_report(conn, store, f"ok-{column}", **{column: "a" * limit})
        with pytest.raises(REFUSED), store.engine.begin() as conn:
            _raw_report(conn, store, f"long-{column}", **{column: "a" * (limit + 1)})
    with pytest.raises(REFUSED), store.engine.begin() as conn:
        conn.execute(
            est_tables.reports.update()
            .where(est_tables.reports.c.id == "ok-note")
            .values(note="b" * 1001)
        )
    with store.engine.connect() as conn:
        for table, limits in st.TEXT_LIMITS.items():
            checks = {c["name"] for c in sa.inspect(conn).get_check_constraints(table)}
            assert {st.length_check_name(table, c) for c in limits} <= checks


def _store_before_the_limits(url: str) -> None:
    """A store at schema version 3 whose tables have no length limit (as every store had
    before issue 24), holding over-long texts as the old app stored them."""
    old = sa.MetaData()
    for table in st.metadata.sorted_tables:
        copy = table.to_metadata(old)
        for constraint in list(copy.constraints):
            if isinstance(constraint, sa.CheckConstraint):
                copy.constraints.discard(constraint)
    engine = sa.create_engine(database_url(url))
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            st.meta.insert(),
            [
                {"key": "version_counter", "value": "1"},
                {"key": "schema_version", "value": "3"},
                {"key": "data_version:1861", "value": "1"},
            ],
        )
        conn.execute(
            st.imports.insert().values(
                id=1, imported_at="2025-05-01T10:00:00+00:00", kind="incidents",
                file_name="gammal.csv", sha256="0" * 64, rows_added=1, user="test",
                is_sample=False, municipality="1861",
            )
        )  # fmt: skip
        conn.execute(
            st.incidents.insert().values(
                id="i1", occurred_at="2025-05-01 12:00", time_known=True, category="Klotter",
                locality="Hallsberg", source="police", description="d" * 20_000, import_id=1,
                municipality="1861",
            )
        )  # fmt: skip
        service = "s" * 100_000 if conn.dialect.name == "sqlite" else "s" * 128
        conn.execute(
            old.tables["reports"].insert().values(
                id="r1", created_at="2025-05-01T10:00:00+00:00", occurred_at="2025-05-01 12:00",
                category="klotter", severity=1, locality="Hallsberg", place="Hallsbergs station",
                status="new", note="n" * 5_000, service=service, municipality="1861",
            )
        )  # fmt: skip
    engine.dispose()


def test_migration_4_cuts_old_texts_and_holds_the_limits(store_url):
    _store_before_the_limits(store_url)
    store = Store(store_url, owner="1861")  # opening upgrades
    with store.engine.connect() as conn:
        assert migrations.version(conn) == migrations.LATEST == 4
        description = conn.execute(sa.text("select description from incidents")).scalar_one()
        note, service = conn.execute(sa.text("select note, service from reports")).one()
    assert len(description) == 10_000 and description.endswith(migrations.CUT_MARKER)
    assert len(note) == 1_000 and note.endswith(migrations.CUT_MARKER)
    assert len(service) <= 128
    # The database refuses a longer text from now on, on insert and on update...
    with pytest.raises(REFUSED), store.engine.begin() as conn:
        _raw_report(conn, store, "r2", note="x" * 1_001)
    with pytest.raises(REFUSED), store.engine.begin() as conn:
        conn.execute(sa.text("update reports set service = :s"), {"s": "y" * 129})
    with pytest.raises(REFUSED), store.engine.begin() as conn:
        conn.execute(sa.text("update incidents set description = :d"), {"d": "y" * 10_001})
    # ... and the old report can still be triaged.
    est_cases.set_status(store, "r1", "assessed", "Alva")
    assert est_cases.read_reports(store).iloc[0]["status"] == "assessed"
    assert migrations.upgrade(store.engine, "1861") == []


def test_an_older_store_keeps_a_text_within_its_limit_whole(store_url):
    _store_before_the_limits(store_url)
    store = Store(store_url, owner="1861")
    with store.engine.begin() as conn:
        conn.execute(sa.text("update incidents set description = :d"), {"d": "ö" * 10_000})
    assert store.read("incidents")["description"].iloc[0] == "ö" * 10_000


# --- Reports through the form's functions --------------------------------------------------------


@pytest.fixture
def rstore(tmp_path) -> Store:
    return Store(str(tmp_path / "reports.db"))


def test_a_report_with_control_characters_is_stored_clean_and_says_so(rstore, muni):
    note = f"Klotter{CONTROLS} på {BIDI}väggen"
    saved = est_cases.submit(rstore, muni, submission("a", note, "Fritid\x07"), "Rita")
    row = est_cases.read_reports(rstore).iloc[0]
    assert (row["note"], row["service"]) == ("Klotter på väggen", "Fritid")
    assert len(saved.notices) == 2
    assert saved.notices[0].startswith("Anteckningen: 4 osynliga tecken")
    assert saved.notices[1].startswith("Fältet Verksamhet: ett osynligt tecken")


@pytest.mark.parametrize(
    ("note", "service", "named"),
    [
        ("x" * 100_000, "Fritid", "Anteckningen har 100\u00a0000 tecken; högst 1\u00a0000"),
        ("Klotter", "x" * 100_000, "Fältet Verksamhet har 100\u00a0000 tecken; högst 128"),
        ("Klotter", "anna@hallsberg.se 070-123 45 67", "Fältet Verksamhet innehåller ett tel"),
        ("personnummer 850101, sista fyra 1236", None, "Anteckningen innehåller ett personn"),
    ],
)
def test_a_report_with_a_long_or_personal_field_is_refused_naming_it(
    rstore, muni, note, service, named
):
    with pytest.raises(est_tables.ReportError) as refused:
        est_cases.submit(rstore, muni, submission("a", note, service), "Rita")
    assert refused.value.code == "text" and named in refused.value.details["message"]
    assert est_cases.read_reports(rstore).empty


def test_an_action_goes_through_the_gate(rstore, muni):
    action = est_cases.Action(f"Sanera{BIDI}", "Gatuenheten", dt.date(2025, 5, 2), lat=59.067,
                              lon=15.11, note="Klart\x07")  # fmt: skip
    action_id, told = est_cases.add_action_told(rstore, muni, action, "Alva")
    stored = est_cases.read_actions(rstore).set_index("id").loc[action_id]
    assert (stored["title"], stored["note"]) == ("Sanera", "Klart") and len(told) == 2
    with pytest.raises(est_tables.ReportError) as refused:
        long = dataclasses.replace(action, title="t" * 300)
        est_cases.add_action(rstore, muni, long, "Alva")
    assert "Fältet Vad görs? har 300 tecken" in refused.value.details["message"]
    with pytest.raises(est_tables.ReportError, match="text"):
        est_cases.add_action(rstore, muni, dataclasses.replace(action, note="070-1234567"), "A")


# --- A file of reports through the command line, then the Excel export ---------------------------

HEADER = "id;datum;kategori;allvar;plats;lat;lon;anteckning;verksamhet;rapportör;status\n"


def test_a_file_with_control_characters_imports_clean_and_exports_to_excel(tmp_path, muni, capsys):
    db = tmp_path / "cli.db"
    source = tmp_path / "rapporter.csv"
    source.write_text(
        HEADER
        + f"f1;2025-05-01 22:15;Klotter;2;Hallsbergs station;;;Klotter{CONTROLS}{BIDI};"
        + "Fritid\x07;Rita\u200b;ny\n"
        + "f2;2025-05-02 10:00;Brand;1;Vretstorp;;;Papperskorg;Gata;Olle;ny\n",
        encoding="utf-8",
    )
    assert cli(["--db", str(db), "import", str(source), "--kind", "reports"]) == 0
    said = capsys.readouterr().out
    assert "2 rapporter inlästa" in said
    assert "Rad 2: Kolumnen anteckning: 4 osynliga tecken" in said
    assert "Rad 2: Kolumnen verksamhet: ett osynligt tecken" in said
    store = Store(str(db))
    row = est_cases.read_reports(store).set_index("id").loc["f1"]
    assert (row["note"], row["service"], row["reporter"]) == ("Klotter", "Fritid", "Rita")
    # An older store's row that the gate never saw: control characters in the note.
    with store.engine.begin() as conn:
        conn.execute(
            est_tables.reports.update()
            .where(est_tables.reports.c.id == "f2")
            .values(note=f"Gammal{CONTROLS}{BIDI}anteckning")
        )
    frame = est_files.export_frame(store, "Alva", str, str)
    book = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes(frame, "Ärenden")))
    cells = [[c.value for c in r] for r in book.active.iter_rows()]
    header = cells[0]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in cells[1:]}
    assert by_id["f1"]["anteckning"] == "Klotter" and by_id["f1"]["verksamhet"] == "Fritid"
    assert by_id["f2"]["anteckning"] == "Gammal[U+0001][U+0007][U+001B][U+202E]anteckning"


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        (
            "anteckning",
            "x" * 100_000,
            "Kolumnen anteckning har 100\u00a0000 tecken; högst 1\u00a0000",
        ),
        ("verksamhet", "x" * 100_000, "Kolumnen verksamhet har 100\u00a0000 tecken; högst 128"),
        ("rapportör", "r" * 100_000, "Kolumnen rapportör har 100\u00a0000 tecken; högst 128"),
        ("plats", "p" * 100_000, "Kolumnen plats har 100\u00a0000 tecken; högst 256"),
        (
            "verksamhet",
            "Fritid anna.berg (at) hallsberg.se 070.123.45.67",
            "Kolumnen verksamhet innehåller ett telefonnummer och en e-postadress",
        ),
        ("rapportör", "Rita 850101–1236", "Kolumnen rapportör innehåller ett personnummer"),
    ],
)
def test_a_file_with_a_100_kb_or_personal_field_is_refused_naming_it(
    tmp_path, capsys, column, value, said
):
    db = tmp_path / "cli.db"
    row = {
        "datum": "2025-05-01 22:15", "kategori": "Klotter", "plats": "Hallsbergs station",
        "anteckning": "Klotter", "verksamhet": "Fritid", "rapportör": "Rita",
    }  # fmt: skip
    row[column] = value
    source = tmp_path / "rapporter.csv"
    source.write_text(";".join(row) + "\n" + ";".join(row.values()) + "\n", encoding="utf-8")
    assert cli(["--db", str(db), "import", str(source), "--kind", "reports"]) == 2
    err = capsys.readouterr().err
    assert f"Rad 2: {said}" in err
    for secret in ("070", "1236", "anna"):
        assert secret not in err
    assert est_cases.read_reports(Store(str(db))).empty


# --- Incidents and activities -------------------------------------------------------------------


def incidents_file(description: str) -> bytes:
    return (
        "datum;kategori;ort;källa;beskrivning\n"
        f"2025-05-01 12:00;Klotter;Hallsberg;Polisen;{description}\n"
        "2025-05-02 12:00;Klotter;Hallsberg;Polisen;Vanlig text\n"
    ).encode()


def test_an_incident_description_is_cleaned_and_the_import_says_so(store, muni):
    outcome = import_bytes(store, incidents_file(f"Klotter{CONTROLS}{BIDI}"), "incidents",
                           muni, "händelser.csv")  # fmt: skip
    assert outcome.ok
    assert any("beskrivning: osynliga tecken" in m and "1 rad" in m for m in outcome.messages)
    stored = store.read("incidents").sort_values("occurred_at")
    assert stored["description"].tolist() == ["Klotter", "Vanlig text"]


def test_an_over_long_incident_description_refuses_its_row(store, muni):
    outcome = import_bytes(store, incidents_file("d" * 20_000), "incidents", muni, "h.csv")
    assert not outcome.ok
    assert any("beskrivning" in m and "20\u00a0000 tecken" in m for m in outcome.messages)
    assert store.count("incidents") == 0
    kept = import_bytes(
        store, incidents_file("d" * 20_000), "incidents", muni, "h.csv", skip_invalid=True
    )
    assert kept.ok and store.count("incidents") == 1


def test_an_activity_with_an_over_long_field_is_refused(store, muni):
    text = (
        "löfte;indikator;datum;aktivitet;antal;ansvarig\n"
        f"1;trygghetsvandringar;2018-11-01;{'v' * 200};1;Polisen\x07\n"
    )
    outcome = import_bytes(store, text.encode(), "activities", muni, "a.csv")
    assert not outcome.ok
    assert any("aktivitet" in m and "högst 128" in m for m in outcome.messages), outcome.messages


# --- The rate limit -----------------------------------------------------------------------------


def limited(muni, reporter=20, client=60, minutes=60):
    return dataclasses.replace(
        muni,
        report_rate_per_reporter=reporter,
        report_rate_per_client=client,
        report_rate_minutes=minutes,
    )


def test_the_rate_limit_is_configured(muni, tmp_path):
    assert est_cases.RateLimit.of(muni) == est_cases.RateLimit(20, 60, 60)
    source = tmp_path / "x.toml"
    source.write_text(
        'name = "Hallsberg"\ncode = "1861"\n[reports]\nmax_per_reporter = 5\n'
        "max_per_client = 0\nrate_window_minutes = 10\n",
        encoding="utf-8",
    )
    assert est_cases.RateLimit.of(load_municipality(str(source))) == est_cases.RateLimit(5, 0, 10)


def test_a_reporter_is_stopped_at_the_limit_and_the_log_says_so_once(rstore, muni):
    muni = limited(muni, reporter=3)
    start = 1_750_000_000.0
    for i in range(3):
        est_cases.submit(rstore, muni, submission(f"r{i}"), "Rita", at=start + i)
    for attempt in range(3):
        with pytest.raises(est_tables.ReportError) as refused:
            est_cases.submit(rstore, muni, submission(f"x{attempt}"), "rita", at=start + 10)
        assert refused.value.code == "rate_limited"
        assert refused.value.details == {"scope": "reporter", "limit": 3, "minutes": 60}
    assert len(est_cases.read_reports(rstore)) == 3
    # A double tap of a stored report is no new report: not refused.
    assert not est_cases.submit(rstore, muni, submission("r0"), "Rita", at=start + 11).created
    # Someone else reports on; Rita again once the hour has passed.
    est_cases.submit(rstore, muni, submission("o1"), "Olle", at=start + 12)
    est_cases.submit(rstore, muni, submission("r9"), "Rita", at=start + 3_600 + 1)
    log = est_cases.read_log(rstore)
    stopped = log[log["event"] == "limited"]
    assert stopped["account"].tolist() == ["rita"]
    assert stopped["detail"].tolist() == ["högst 3 rapporter per 60 minuter och inrapportör"]
    assert len(est_cases.limited_recently(rstore, days=7)) == 1


def test_a_client_is_stopped_across_reporters(rstore, muni):
    muni = limited(muni, reporter=10, client=2)
    start = 1_750_000_000.0
    est_cases.submit(rstore, muni, submission("a"), "Rita", client="10.0.0.5", at=start)
    est_cases.submit(rstore, muni, submission("b"), "Olle", client="10.0.0.5", at=start + 1)
    with pytest.raises(est_tables.ReportError) as refused:
        est_cases.submit(rstore, muni, submission("c"), "Anna", client="10.0.0.5", at=start + 2)
    assert refused.value.details["scope"] == "client"
    est_cases.submit(rstore, muni, submission("d"), "Anna", client="10.0.0.6", at=start + 3)
    est_cases.submit(rstore, muni, submission("e"), "Anna", client=None, at=start + 4)
    with rstore.engine.connect() as conn:
        kept = conn.execute(sa.select(est_tables.report_rate)).all()
    assert len(kept) == 4 and not any("10.0.0" in str(r) or "Anna" in str(r) for r in kept)


def test_no_limit_when_turned_off(rstore, muni):
    muni = limited(muni, reporter=0, client=0)
    for i in range(25):
        est_cases.submit(rstore, muni, submission(f"r{i}"), "Rita", client="1.2.3.4")
    assert len(est_cases.read_reports(rstore)) == 25
