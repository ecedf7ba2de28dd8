"""The analysts' data page through AppTest: sign-in gate, upload, validation report, store the
valid rows or nothing, remembered mapping, undo from the log, templates."""

import json

import pytest

from lib.i18n import t
from lib.store.store import Store
from tests.test_pages import assert_ok

PAGE = "pages/data.py"
PASSWORD = "ett långt lösenord"
SWEDISH_EXCEL_CSV = (
    "datum;kategori;ort;källa;lat;lon;beskrivning\r\n"
    "2019-03-05 22:15;Skadegörelse;Hallsberg;Polisen;59,067;15,11;Krossad ruta\r\n"
    "15/3/2019;Klotter;Pålsboda;Kommunens rapportering;;;Klotter på skolan\r\n"
    "2019-13-01;Klotter;Pålsboda;Kommunens rapportering;;;Fel datum\r\n"
).encode("cp1252")


@pytest.fixture
def page(open_app):
    def open_page(password: str | None = PASSWORD, sign_in: bool = True):
        return open_app(PAGE, password, sign_in)

    return open_page


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def keys(at) -> list[str]:
    return [w.key for w in at.selectbox if w.key]


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
    button(at, "Avbryt och rätta filen").click().run()
    assert_ok(at)
    assert Store().data_version() == version
    valid = "datum;kategori;ort;källa\r\n2019-03-05;Klotter;Hallsberg;Polisen\r\n".encode()
    at.file_uploader[0].set_value(("bra.csv", valid, "text/csv")).run()
    button(at, "Spara ingenting").click().run()
    assert_ok(at)
    assert Store().data_version() == version


def primary(at) -> list[str]:
    return [b.label for b in at.button if b.proto.type == "primary"]


def test_with_refused_rows_the_highlighted_button_drops_nothing(page):
    """Issue 21.5: with rows refused, the highlighted default was 'Spara 2 godkända, hoppa
    över 1', one click from dropping rows. Now it is fixing the file; saving only the valid
    rows is the other button, which says what it drops."""
    at = page()
    version = Store().data_version()
    at.file_uploader[0].set_value(("export.csv", SWEDISH_EXCEL_CSV, "text/csv")).run()
    assert_ok(at)
    assert primary(at) == ["Avbryt och rätta filen"]
    drop = button(at, "Spara 2 rader godkända")
    assert drop.proto.type == "secondary" and "hoppa över 1 rad med fel" in drop.label
    assert any("1 rad har fel" in w.value for w in at.warning)
    button(at, "Avbryt och rätta filen").click().run()
    assert_ok(at)
    assert Store().data_version() == version
    assert not any(b.label.startswith("Spara 2") for b in at.button)  # a fresh uploader
    # Without refused rows the highlighted button saves.
    valid = "datum;kategori;ort;källa\r\n2019-03-05;Klotter;Hallsberg;Polisen\r\n".encode()
    at.file_uploader[0].set_value(("bra.csv", valid, "text/csv")).run()
    assert primary(at) == ["Spara 1 rad"]


def test_an_ambiguous_date_order_is_asked_once(page):
    at = page()
    data = (
        "datum;kategori;ort;källa\r\n5/3/2019;Klotter;Hallsberg;Polisen\r\n"
        "6/4/2019 kl 8.15;Stöld;Hallsberg;Polisen\r\n"
    ).encode()
    at.file_uploader[0].set_value(("oklar.csv", data, "text/csv")).run()
    assert_ok(at)
    [question] = at.radio
    assert "”5/3/2019”" in question.label and question.value is None
    assert question.options == [
        "dag/månad (5/3/2019 är 5 mars 2019)",
        "månad/dag (5/3/2019 är 3 maj 2019)",
    ]
    assert not any(b.label.startswith("Spara") for b in at.button)
    question.set_value("md").run()
    assert_ok(at)
    assert at.radio[0].value == "md"
    assert metrics(at)["Godkända rader"] == "2"
    when = t("field.occurred_at")
    preview = next(d.value for d in at.dataframe if when in d.value.columns)
    assert sorted(preview[when]) == ["2019-05-03", "2019-06-04 08:15"]
    button(at, "Spara 2 rader").click().run()
    stored = Store().read_incidents()["occurred_at"].dt.strftime("%Y-%m-%d").tolist()
    assert sorted(stored) == ["2019-05-03", "2019-06-04"]


def test_a_workbook_with_two_shapes_asks_for_the_sheet(page):
    from tests.test_sheets import CAMERAS, incidents, workbook

    at = page()
    data = workbook(("Händelser", incidents(1, 4)), ("Kameror", CAMERAS))
    at.file_uploader[0].set_value(("blandat.xlsx", data, XLSX)).run()
    assert_ok(at)
    choice = at.selectbox(key=next(k for k in keys(at) if k.startswith("blad-")))
    assert choice.value is None
    assert choice.options == [
        "Bara bladet Händelser (4 rader)",
        "Bara bladet Kameror (2 rader)",
    ]
    assert any("olika rubriker" in i.value for i in at.info)
    assert not any(b.label.startswith("Spara") for b in at.button)
    choice.set_value(("Kameror",)).run()
    assert_ok(at)
    assert metrics(at)["Godkända rader"] == "2"
    assert any("”Händelser” (datum" in i.value and "inte lästes in" in i.value for i in at.info)
    button(at, "Spara 2 rader").click().run()
    assert Store().count("cameras") == 2


def test_sheets_of_one_shape_are_offered_together_by_default(page):
    from tests.test_sheets import COVER, incidents, workbook

    at = page()
    data = workbook(("Försättsblad", COVER), ("Jan", incidents(1, 4)), ("Feb", incidents(2, 5)))
    at.file_uploader[0].set_value(("tre.xlsx", data, XLSX)).run()
    assert_ok(at)
    choice = at.selectbox(key=next(k for k in keys(at) if k.startswith("blad-")))
    assert choice.value == ("Jan", "Feb")
    assert choice.options[0] == "Alla blad med samma rubriker: Jan, Feb (9 rader)"
    assert "Bara bladet Jan (4 rader)" in choice.options
    sheets = at.dataframe[0].value
    assert sheets["Blad"].tolist() == ["Försättsblad", "Jan", "Feb"]
    assert sheets["Läses in"].tolist() == ["nej", "ja", "ja"]
    assert sheets["Rader"].tolist() == ["", "4", "5"]
    assert metrics(at)["Rader i filen"] == "9"
    assert any("”Försättsblad”" in i.value for i in at.info)
    choice.set_value(("Jan",)).run()
    assert_ok(at)
    assert metrics(at)["Rader i filen"] == "4"
    assert at.dataframe[0].value["Läses in"].tolist() == ["nej", "ja", "nej"]


def test_a_duplicated_header_is_named_and_no_mapping_is_offered(page):
    at = page()
    data = "datum;kategori;datum;ort;källa\r\n2019-03-05;Stöld;2019-03-05;Hallsberg;Polisen\r\n"
    at.file_uploader[0].set_value(("dubbel.csv", data.encode(), "text/csv")).run()
    assert not at.exception
    [error] = at.error
    assert "”datum” i kolumn 1 och 3" in error.value and "saknas" not in error.value
    assert not any("Kolumn i filen" in d.value.columns for d in at.dataframe)


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
    # The column mapping names the feed's columns as every file's are named: in Swedish.
    mapping = at.dataframe[0].value
    assert mapping["Kolumn i filen"].tolist() == ["id", "datum", "kategori", "ort", "beskrivning"]
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


def test_a_file_can_declare_the_period_it_covers(page):
    """A guard company's file with incidents on 3 May and 28 July 2025: declared to cover
    May–August, its coverage is those four whole months (no partial first or last month),
    stored with the import."""
    at = page()
    rows = "datum;kategori;ort;källa\r\n2025-05-03;Klotter;Hallsberg;Väktare\r\n"
    rows += "2025-07-28;Klotter;Hallsberg;Väktare\r\n"
    at.file_uploader[0].set_value(("vakter.csv", rows.encode(), "text/csv")).run()
    at.checkbox(key="tacker").check().run()
    import datetime as dt

    at.date_input(key="tacker_period").set_value((dt.date(2025, 5, 1), dt.date(2025, 8, 31)))
    at.run()
    save = next(b for b in at.button if b.label.startswith("Spara"))
    save.click().run()
    assert_ok(at)
    log = Store().import_log()
    last = log.iloc[-1]
    assert (last["covers_from"], last["covers_to"]) == ("2025-05-01", "2025-08-31")
