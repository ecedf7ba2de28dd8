"""The analysts' data page through AppTest: sign-in gate, upload, validation report, store the
valid rows or nothing, remembered mapping, undo from the log, templates."""

import json

import pytest

from lib.ingest.store import Store
from tests.test_pages import assert_ok

PAGE = "pages/data.py"
PASSWORD = "ett långt lösenord"
SWEDISH_EXCEL_CSV = (
    "datum;kategori;ort;källa;lat;lon;beskrivning\r\n"
    "2019-03-05 22:15;Skadegörelse;Hallsberg;Polisen;59,067;15,11;Krossad ruta\r\n"
    "5/3/2019;Klotter;Pålsboda;Kommunens rapportering;;;Klotter på skolan\r\n"
    "2019-13-01;Klotter;Pålsboda;Kommunens rapportering;;;Fel datum\r\n"
).encode("cp1252")


@pytest.fixture
def page(open_app):
    def open_page(password: str | None = PASSWORD, sign_in: bool = True):
        return open_app(PAGE, password, sign_in)

    return open_page


def button(at, start: str):
    return next(b for b in at.button if b.label.startswith(start))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_without_sign_in_configured_the_page_explains_and_offers_no_upload(page):
    at = page(password=None)
    assert_ok(at)
    assert any("inloggning är inte aktiverad" in i.value for i in at.info)
    assert len(at.file_uploader) == 0


def test_signed_out_analyst_gets_no_upload(page):
    at = page(sign_in=False)
    assert_ok(at)
    assert any("Logga in som analytiker" in i.value for i in at.info)
    assert len(at.file_uploader) == 0


def test_upload_report_and_store_only_the_valid_rows(page):
    at = page()
    before = Store().count("incidents")
    at.file_uploader[0].set_value(("export.csv", SWEDISH_EXCEL_CSV, "text/csv")).run()
    assert_ok(at)
    assert metrics(at) == {"Rader i filen": "3", "Godkända rader": "2", "Rader med fel": "1"}
    errors = at.dataframe[1].value
    assert errors["Rad"].tolist() == [4] and errors["Kolumn"].tolist() == ["datum"]
    assert "ogiltigt datum" in errors["Orsak"].iloc[0]
    assert Store().count("incidents") == before  # nothing before the analyst decides
    assert at.checkbox(key="ersatt_exempel").value  # real data replaces the demo by default
    button(at, "Spara 2 rader godkända").click().run()
    assert_ok(at)
    store = Store()
    assert store.count("incidents") == 2 and not store.sample_import_ids()
    assert any("Exempeldata togs bort i samma steg" in s.value for s in at.success)
    last = store.import_log().iloc[-1]
    assert (last["file_name"], last["user"], last["rows_added"]) == (
        "export.csv",
        "Testanalytiker",
        2,
    )
    assert any("2 rader lästes in" in s.value for s in at.success)


def test_store_nothing_leaves_the_store_unchanged(page):
    at = page()
    version = Store().data_version()
    at.file_uploader[0].set_value(("export.csv", SWEDISH_EXCEL_CSV, "text/csv")).run()
    button(at, "Spara ingenting").click().run()
    assert_ok(at)
    assert Store().data_version() == version


def test_binary_file_is_refused_in_swedish(page):
    at = page()
    version = Store().data_version()
    at.file_uploader[0].set_value(("bild.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/csv"))
    at.run()
    assert not at.exception
    assert any("inte en textfil" in e.value for e in at.error)
    assert not any(b.label.startswith("Spara") for b in at.button)
    assert Store().data_version() == version


def test_police_events_are_recognised_and_an_overlapping_download_adds_only_new(page):
    def event(i, name, place="Hallsberg"):
        return {
            "id": i,
            "datetime": "2025-06-07 7:32:06 +02:00",
            "name": name,
            "summary": "Händelse i Pålsboda.",
            "url": "/x",
            "type": name.split(", ")[1],
            "location": {"name": place, "gps": "59.07,15.11"},
        }

    first = [
        event(1, "07 juni 07:30, Stöld, Hallsberg"),
        event(2, "07 juni 06.10, Sammanfattning natt, Hallsberg"),
        event(3, "07 juni 05.00, Brand, Kumla", "Kumla"),
        event(4, "07 juni 04.00, Misshandel, Hallsberg", "Örebro län"),
    ]
    second = [*first[:1], event(5, "07 juni 07:31, Skadegörelse, Hallsberg")]
    at = page()
    at.file_uploader[0].set_value(("h1.json", json.dumps(first).encode(), "application/json"))
    at.run()
    assert_ok(at)
    assert any("gäller Hallsberg" in i.value for i in at.info)
    assert metrics(at)["Godkända rader"] == "2"
    button(at, "Spara 2 rader").click().run()
    before = 0  # the real feed replaced the sample
    assert Store().count("incidents") == before + 2
    at.file_uploader[0].set_value(("h2.json", json.dumps(second).encode(), "application/json"))
    at.run()
    button(at, "Spara 2 rader").click().run()
    assert_ok(at)
    store = Store()
    assert store.count("incidents") == before + 3
    assert any("1 rad fanns redan" in s.value for s in at.success)
    police = store.read("incidents").query("source == 'police_open_events'")
    assert sorted(police["id"]) == ["polisen-1", "polisen-4", "polisen-5"]
    assert set(police["locality"]) == {"Pålsboda"}
    assert police["lat"].isna().all()


def test_mapping_is_remembered_for_the_same_header(page):
    at = page()
    data = "Händelsedatum;Typ;Ort;Källa\n2019-05-01;Klotter;Hallsberg;Polisen\n".encode()
    at.selectbox(key="datatyp").set_value("incidents")
    at.file_uploader[0].set_value(("a.csv", data, "text/csv")).run()
    assert any("saknas" in e.value for e in at.error)  # "Händelsedatum" is no known alias
    Store().save_mapping(
        "incidents",
        ["Händelsedatum", "Typ", "Ort", "Källa"],
        {"Händelsedatum": "occurred_at", "Typ": "category", "Ort": "locality", "Källa": "source"},
    )
    at.file_uploader[0].set_value(("b.csv", data, "text/csv")).run()
    assert_ok(at)
    assert any("sparades för en tidigare fil" in c.value for c in at.caption)
    assert metrics(at)["Godkända rader"] == "1"


def test_undo_from_the_log(page):
    at = page()
    at.file_uploader[0].set_value(("export.csv", SWEDISH_EXCEL_CSV, "text/csv")).run()
    button(at, "Spara 2 rader godkända").click().run()
    store = Store()
    count, last = store.count("incidents"), int(store.import_log().iloc[-1]["id"])
    undo = button(at, "Ångra importen")
    assert undo.disabled  # not before the analyst confirms
    at.checkbox(key=f"sakert-{last}").check().run()
    button(at, "Ångra importen").click().run()
    assert_ok(at)
    assert Store().count("incidents") == count - 2
    assert any(f"Import {last} ångrades" in s.value for s in at.success)


def test_templates_and_exports_are_offered_for_every_kind(page):
    at = page()
    labels = [b.label for b in at.get("download_button")]
    for kind in ("händelser", "aktiviteter", "kameror", "jämförelsestatistik"):
        assert f"Mall för {kind}" in labels
    assert any(label.startswith("Exportera händelser") for label in labels)


def test_an_analyst_may_keep_the_sample_beside_a_file(page):
    at = page()
    before = Store().count("incidents")
    at.file_uploader[0].set_value(("export.csv", SWEDISH_EXCEL_CSV, "text/csv")).run()
    at.checkbox(key="ersatt_exempel").uncheck().run()
    button(at, "Spara 2 rader godkända").click().run()
    assert_ok(at)
    assert Store().count("incidents") == before + 2 and Store().sample_import_ids()


def test_the_sample_goes_with_one_button_and_comes_back_with_another(page, monkeypatch):
    at = page()
    assert any("Exempeldata" in w.value for w in at.warning)
    button(at, "Ta bort exempeldata").click().run()
    assert_ok(at)
    store = Store()
    assert store.count("incidents") == 0 and store.meetings() == ()
    assert not any("Exempeldata" in w.value for w in at.warning)
    button(at, "Läs in exempeldata").click().run()
    assert_ok(at)
    assert Store().count("incidents") > 1000 and Store().sample_import_ids()


def test_a_first_start_for_real_data_only_is_empty(page, monkeypatch):
    monkeypatch.setenv("TRYGGHET_SAMPLE", "0")
    at = page()
    assert_ok(at)
    assert Store().count("incidents") == 0
    assert not any("Exempeldata" in w.value for w in at.warning)
    assert any(b.label.startswith("Läs in exempeldata") for b in at.button)
